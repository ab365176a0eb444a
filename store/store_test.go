package store

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/otklik/otklik/store/storetest"
)

// testSecret is SECRET_KEY material for tests.
var testSecret = []byte("test secret key material, 32 bytes long!")

func testCipher(t testing.TB) *Cipher {
	t.Helper()
	c, err := NewCipherFromSecret(testSecret)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestMain runs the store tests on SQLite, then on PostgreSQL when
// OTKLIK_TEST_POSTGRES is set.
func TestMain(m *testing.M) { storetest.Main(m) }

// mustOpen opens a migrated store on a fresh database of the pass's dialect.
func mustOpen(t testing.TB) *Store {
	t.Helper()
	return mustOpenPath(t, storetest.DSN(t), Options{Cipher: testCipher(t), Migrate: true})
}

// sqliteOnly skips a test about SQLite's files or pragmas on the PostgreSQL pass.
func sqliteOnly(t testing.TB) {
	t.Helper()
	if storetest.Postgres() {
		t.Skip("SQLite only")
	}
}

// mustOpenPath opens path (a DSN, or a SQLite file's path) with opts and
// closes it when the test ends.
func mustOpenPath(t testing.TB, path string, opts Options) *Store {
	t.Helper()
	s, err := Open(context.Background(), path, opts)
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return s
}

func mustUser(t testing.TB, s *Store, email string) *User {
	t.Helper()
	u, err := s.CreateUser(context.Background(), email, "$2a$10$hash")
	if err != nil {
		t.Fatalf("create user %s: %v", email, err)
	}
	return u
}

// fixedClock is a clock tests move by hand.
type fixedClock struct{ t time.Time }

func (c *fixedClock) now() time.Time { return c.t }

func TestMigrationsFromEmpty(t *testing.T) {
	ctx := context.Background()
	path := storetest.DSN(t)

	raw := mustOpenPath(t, path, Options{})
	err := raw.CheckSchema(ctx)
	if !errors.Is(err, ErrSchemaBehind) {
		t.Fatalf("CheckSchema on an empty database = %v, want ErrSchemaBehind", err)
	}
	if err := raw.Migrate(ctx); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	if err := raw.Migrate(ctx); err != nil {
		t.Fatalf("second Migrate: %v", err)
	}
	if err := raw.CheckSchema(ctx); err != nil {
		t.Fatalf("CheckSchema after Migrate: %v", err)
	}

	// A second process opening with Migrate finds nothing to do.
	again := mustOpenPath(t, path, Options{Migrate: true})
	if err := again.CheckSchema(ctx); err != nil {
		t.Fatalf("CheckSchema of a second handle: %v", err)
	}
	for _, table := range []string{"users", "sessions", "hh_accounts", "resumes", "rules", "applications", "rule_runs", "summaries"} {
		var n int
		if err := again.db.Get(&n, "SELECT COUNT(*) FROM "+table); err != nil {
			t.Errorf("table %s: %v", table, err)
		}
	}
}

func TestOpenSetsPragmas(t *testing.T) {
	sqliteOnly(t)
	s := mustOpen(t)
	for pragma, want := range map[string]string{
		"journal_mode": "wal",
		"foreign_keys": "1",
		"busy_timeout": "10000",
		"synchronous":  "1", // NORMAL
	} {
		var got string
		if err := s.db.Get(&got, "PRAGMA "+pragma); err != nil {
			t.Fatalf("PRAGMA %s: %v", pragma, err)
		}
		if got != want {
			t.Errorf("PRAGMA %s = %q, want %q", pragma, got, want)
		}
	}
}

func TestSQLiteDSN(t *testing.T) {
	sqliteOnly(t)
	for _, tc := range []struct {
		dsn, path string
		want      []string
	}{
		{"file:./data/otklik.db", "./data/otklik.db", []string{"file:./data/otklik.db?", "_journal_mode=WAL", "_txlock=immediate", "_foreign_keys=on", "_busy_timeout=10000", "_synchronous=NORMAL"}},
		{"/var/lib/otklik/otklik.db", "/var/lib/otklik/otklik.db", []string{"file:/var/lib/otklik/otklik.db?", "_journal_mode=WAL"}},
		{"file:x.db?_busy_timeout=5000&_foreign_keys=off&_txlock=deferred", "x.db", []string{"_busy_timeout=5000", "_foreign_keys=on", "_txlock=immediate"}},
		{"file::memory:", "", []string{"file::memory:?"}},
	} {
		full, path, err := sqliteDSN(tc.dsn)
		if err != nil {
			t.Fatalf("sqliteDSN(%q): %v", tc.dsn, err)
		}
		if path != tc.path {
			t.Errorf("sqliteDSN(%q) path = %q, want %q", tc.dsn, path, tc.path)
		}
		for _, w := range tc.want {
			if !strings.Contains(full, w) {
				t.Errorf("sqliteDSN(%q) = %q, missing %q", tc.dsn, full, w)
			}
		}
	}
	if _, _, err := sqliteDSN(" "); err == nil {
		t.Error("sqliteDSN of an empty DSN succeeded")
	}
}

func TestOpenCreatesDirectory(t *testing.T) {
	sqliteOnly(t)
	dir := filepath.Join(t.TempDir(), "data", "nested")
	s, err := Open(context.Background(), filepath.Join(dir, "otklik.db"), Options{Migrate: true})
	if err != nil {
		t.Fatalf("Open in a missing directory: %v", err)
	}
	s.Close()
}

func TestRedactDSN(t *testing.T) {
	for dsn, want := range map[string]string{
		"postgres://otklik:s3cret@db:5432/otklik?sslmode=require":   "postgres://otklik:xxxxx@db:5432/otklik?sslmode=require",
		"postgresql://otklik@db/otklik?password=s3cret&sslmode=off": "postgresql://otklik@db/otklik?password=xxxxx&sslmode=off",
		"file:./data/otklik.db": "file:./data/otklik.db",
	} {
		if got := RedactDSN(dsn); got != want {
			t.Errorf("RedactDSN(%q) = %q, want %q", dsn, got, want)
		}
	}
}
