package main

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/otklik/otklik/store"
	"github.com/otklik/otklik/store/storetest"
)

// dbcopy moves an instance SQLite → PostgreSQL → SQLite (PostgreSQL only
// when OTKLIK_TEST_POSTGRES is set; SQLite → SQLite otherwise), printing a
// line per table, and refuses a target that has rows.
func TestCopyRoundTrip(t *testing.T) {
	ctx := context.Background()
	from := storetest.SQLiteDSN(t)
	src, err := store.Open(ctx, from, store.Options{Migrate: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, email := range []string{"a@example.com", "b@example.com"} {
		if _, err := src.CreateUser(ctx, email, "$2a$10$hash"); err != nil {
			t.Fatal(err)
		}
	}
	src.Close()

	middle := storetest.SQLiteDSN(t)
	if storetest.ServerURL() != "" {
		middle = storetest.NewPostgres(t)
	}
	back := storetest.SQLiteDSN(t)
	env := func(string) string { return "" }
	for _, hop := range [][2]string{{from, middle}, {middle, back}} {
		var out bytes.Buffer
		if err := run([]string{"-from", hop[0], "-to", hop[1]}, env, &out); err != nil {
			t.Fatalf("%s → %s: %v\n%s", hop[0], hop[1], err, out.String())
		}
		if !strings.Contains(out.String(), "users ") || !strings.Contains(out.String(), "copied 2 rows") {
			t.Errorf("progress output:\n%s", out.String())
		}
	}
	st, err := store.Open(ctx, back, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, email := range []string{"a@example.com", "b@example.com"} {
		if _, err := st.UserByEmail(ctx, email); err != nil {
			t.Errorf("%s after the round trip: %v", email, err)
		}
	}
	missing := storetest.SQLiteDSN(t) + ".missing"
	if err := run([]string{"-from", missing, "-to", storetest.SQLiteDSN(t)}, env, &bytes.Buffer{}); err == nil {
		t.Errorf("copy from a missing SQLite file: no error")
	}
	err = run([]string{"-from", from, "-to", back}, env, &bytes.Buffer{})
	if !errors.Is(err, store.ErrTargetNotEmpty) {
		t.Errorf("copy onto a full database: %v, want ErrTargetNotEmpty", err)
	}
}
