package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"

	"github.com/pressly/goose/v3"
)

// The schema is kept twice, once per dialect, under the same version
// numbers: migrations/ is SQLite's, migrations_pg/ PostgreSQL's. A new
// migration NNNNN_name.sql goes into both directories, with the same number
// and name (migrations_pg/README.md says how to port one);
// TestMigrationsMatch fails while one dialect lacks a version the other has.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

//go:embed migrations_pg/*.sql
var migrationFilesPG embed.FS

// migrationsFS returns the dialect's migrations.
func (s *Store) migrationsFS() (fs.FS, error) {
	if s.pg {
		return fs.Sub(migrationFilesPG, "migrations_pg")
	}
	return fs.Sub(migrationFiles, "migrations")
}

// provider is goose over the embedded migrations; each migration runs in its
// own transaction, in version order. A locked provider's Up takes the
// migration lock first (flock on a file beside SQLite's, pg_advisory_lock on
// PostgreSQL): processes started together on one database take turns, and
// the later ones find nothing left to do.
func (s *Store) provider(locked bool) (*goose.Provider, error) {
	fsys, err := s.migrationsFS()
	if err != nil {
		return nil, err
	}
	var opts []goose.ProviderOption
	dialect := goose.DialectSQLite3
	switch {
	case s.pg:
		dialect = goose.DialectPostgres
		if locked {
			opts = append(opts, goose.WithLocker(&advisoryLock{}))
		}
	case locked && s.path != "":
		if l := migrationLocker(s.path); l != nil {
			opts = append(opts, goose.WithLocker(l))
		}
	}
	return goose.NewProvider(dialect, s.db.DB, fsys, opts...)
}

// Migrate applies every pending migration. Running it again is a no-op, and
// so is running it while another process migrates the same database file: it
// waits for that one and applies what is left.
func (s *Store) Migrate(ctx context.Context) error {
	p, err := s.provider(true)
	if err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	return nil
}

// CheckSchema returns an error wrapping ErrSchemaBehind when migrations this
// binary knows are not applied, so a worker can refuse to start until the web
// process (or an operator) has migrated.
func (s *Store) CheckSchema(ctx context.Context) error {
	p, err := s.provider(false)
	if err != nil {
		return fmt.Errorf("store: check schema: %w", err)
	}
	pending, err := p.HasPending(ctx)
	if err != nil {
		return fmt.Errorf("store: check schema: %w", err)
	}
	if pending {
		current, target, err := p.GetVersions(ctx)
		if err != nil {
			return fmt.Errorf("store: check schema: %w (versions: %v)", ErrSchemaBehind, err)
		}
		return fmt.Errorf("store: check schema: %w: at version %d, need %d; run the migrations (start web, or Open with Migrate)", ErrSchemaBehind, current, target)
	}
	return nil
}
