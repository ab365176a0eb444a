package store_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/otklik/otklik/store"
	"github.com/otklik/otklik/store/storetest"
)

// The database and its WAL files are the owner's alone, in a folder of the
// owner's alone when Otklik creates it; files left readable by an older
// version are closed up at the next start.
func TestDataFilesPrivate(t *testing.T) {
	if storetest.Postgres() {
		t.Skip("SQLite only")
	}
	dir := filepath.Join(t.TempDir(), "data")
	path := filepath.Join(dir, "otklik.db")
	st, err := store.Open(context.Background(), "file:"+path, store.Options{Migrate: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateUser(context.Background(), "files@example.com", "hash"); err != nil {
		t.Fatal(err)
	}
	check := func(when string) {
		t.Helper()
		if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
			t.Errorf("%s: folder %v (%v), want 0700", when, fi.Mode().Perm(), err)
		}
		for _, p := range []string{path, path + "-wal", path + "-shm"} {
			fi, err := os.Stat(p)
			if err != nil {
				t.Errorf("%s: %v", when, err)
				continue
			}
			if fi.Mode().Perm() != 0o600 {
				t.Errorf("%s: %s is %v, want 0600", when, filepath.Base(p), fi.Mode().Perm())
			}
		}
	}
	check("created")

	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if err := os.Chmod(p, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()
	st, err = store.Open(context.Background(), "file:"+path, store.Options{Migrate: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.CountUsers(context.Background()); err != nil {
		t.Fatal(err)
	}
	check("reopened")
}
