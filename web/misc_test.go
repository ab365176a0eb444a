package web

import (
	"github.com/otklik/otklik/store"
	"regexp"
	"testing"
	"time"
)

const time1h = time.Hour

var fixedNow = time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)

func regexpFind(t *testing.T, s, re string) string {
	t.Helper()
	m := regexp.MustCompile(re).FindStringSubmatch(s)
	if m == nil {
		t.Fatalf("%s not found", re)
	}
	return m[1]
}

var storeFilterAll = store.ApplicationFilter{}
