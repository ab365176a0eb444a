package store

import (
	"context"
	"fmt"
	"net/url"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/jmoiron/sqlx"
)

// maxPostgresConns is how many connections one Store opens at most.
const maxPostgresConns = 16

// openPostgres opens a PostgreSQL database through pgx's database/sql
// driver. Every connection reads TIMESTAMPTZ as UTC time.Time values, as
// SQLite's DSN (_loc=UTC) does, so a time read back equals the one written
// whatever the server's or the process's time zone.
func openPostgres(ctx context.Context, dsn string, opts Options) (*Store, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("store: open: %w", err)
	}
	if cfg.RuntimeParams == nil {
		cfg.RuntimeParams = map[string]string{}
	}
	if _, ok := cfg.RuntimeParams["timezone"]; !ok {
		cfg.RuntimeParams["timezone"] = "UTC"
	}
	db := stdlib.OpenDB(*cfg, stdlib.OptionAfterConnect(func(_ context.Context, c *pgx.Conn) error {
		c.TypeMap().RegisterType(&pgtype.Type{
			Name: "timestamptz", OID: pgtype.TimestamptzOID,
			Codec: &pgtype.TimestamptzCodec{ScanLocation: time.UTC},
		})
		return nil
	}))
	// A bound on this process's connections: PostgreSQL's max_connections
	// (100 by default) is shared by every web and worker process, and the
	// store's statements are short, so a busy process waits a moment for a
	// connection rather than the server refusing new ones.
	db.SetMaxOpenConns(maxPostgresConns)
	db.SetMaxIdleConns(maxPostgresConns / 2)
	db.SetConnMaxIdleTime(5 * time.Minute)
	s := &Store{db: sqlx.NewDb(db, "pgx"), pg: true, cipher: opts.Cipher, now: opts.Now}
	if s.now == nil {
		s.now = time.Now
	}
	if err := s.Ping(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return s.opened(ctx, opts)
}

// RedactDSN is dsn fit for a log or a terminal: a PostgreSQL URL without its
// password (in the user part or as a parameter); a SQLite DSN as it is.
func RedactDSN(dsn string) string {
	if !IsPostgres(dsn) {
		return dsn
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return "(unparsable PostgreSQL URL)"
	}
	if q := u.Query(); q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.Redacted()
}
