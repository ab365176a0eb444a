package store

import (
	"context"
	"embed"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/otklik/otklik/store/storetest"
)

// Processes started together on an empty database (several web processes,
// as a process manager starts them) each migrate it at start: all of them
// come up, and every migration is applied once.
func TestConcurrentMigrations(t *testing.T) {
	ctx := context.Background()
	for round := range 3 {
		path := storetest.DSN(t)
		const processes = 5
		var wg sync.WaitGroup
		start := make(chan struct{})
		errs := make([]error, processes)
		for i := range processes {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				// A Store of its own: its own connections, as another
				// process would have.
				s, err := Open(ctx, path, Options{Migrate: true})
				if err == nil {
					err = s.Close()
				}
				errs[i] = err
			}()
		}
		close(start)
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("round %d, process %d: %v", round, i, err)
			}
		}
		s := mustOpenPath(t, path, Options{})
		if err := s.CheckSchema(ctx); err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		var twice []int64
		if err := s.db.Select(&twice, `SELECT version_id FROM goose_db_version GROUP BY version_id HAVING COUNT(*) > 1`); err != nil {
			t.Fatal(err)
		}
		if len(twice) > 0 {
			t.Errorf("round %d: migrations applied more than once: %v", round, twice)
		}
	}
}

// Each dialect has every migration version the other has, under the same
// name: a migration added to one directory only fails here.
func TestMigrationsMatch(t *testing.T) {
	names := func(fsys embed.FS, dir string) []string {
		entries, err := fsys.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, e := range entries {
			if strings.HasSuffix(e.Name(), ".sql") {
				out = append(out, e.Name())
			}
		}
		return out
	}
	sqlite, pg := names(migrationFiles, "migrations"), names(migrationFilesPG, "migrations_pg")
	if !slices.Equal(sqlite, pg) {
		t.Errorf("store/migrations has %v,\nstore/migrations_pg has %v:\nport the missing ones (store/migrations_pg/README.md)", sqlite, pg)
	}
}
