package web

import (
	"testing"

	"github.com/otklik/otklik/store/storetest"
)

// TestMain runs the package's tests on SQLite, then on PostgreSQL when
// OTKLIK_TEST_POSTGRES is set.
func TestMain(m *testing.M) { storetest.Main(m) }
