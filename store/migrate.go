package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"

	"github.com/pressly/goose/v3"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// provider is goose over the embedded migrations; each migration runs in its
// own transaction, in version order.
func (s *Store) provider() (*goose.Provider, error) {
	fsys, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		return nil, err
	}
	return goose.NewProvider(goose.DialectSQLite3, s.db.DB, fsys)
}

// Migrate applies every pending migration. Running it again is a no-op.
func (s *Store) Migrate(ctx context.Context) error {
	p, err := s.provider()
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
	p, err := s.provider()
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
