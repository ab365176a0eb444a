// Package store is Otklik's system of record: SQLite (the default) or
// PostgreSQL through sqlx, embedded migrations per dialect, user-scoped
// repositories and encrypted hh tokens.
//
// Queries are written once where the dialects agree (placeholders are "?"
// and rebound per driver; ON CONFLICT and RETURNING work on both) and per
// dialect where they differ (the schema, locking). Every conditional write
// is one statement whose WHERE decides (UPDATE … WHERE generation = ?,
// INSERT … ON CONFLICT DO NOTHING): SQLite runs writers one at a time, and
// PostgreSQL at its default READ COMMITTED re-checks an UPDATE's WHERE
// against the row's newest version after waiting for its lock, and decides
// ON CONFLICT against the unique index, so both keep the guarantee. The few
// read-then-write transactions take an explicit lock on PostgreSQL (see
// lockUser and forUpdate); SQLite's BEGIN IMMEDIATE serialises them.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jmoiron/sqlx"
	"github.com/mattn/go-sqlite3"
)

// Errors callers branch on with errors.Is.
var (
	// ErrNotFound: no such row for this user.
	ErrNotFound = errors.New("not found")
	// ErrConflict: a unique value is taken (an e-mail already registered).
	ErrConflict = errors.New("conflict")
	// ErrIllegalTransition: the application's status may not move that way.
	ErrIllegalTransition = errors.New("illegal status transition")
	// ErrInvalid: a value the schema does not accept (unknown language, hour out of range).
	ErrInvalid = errors.New("invalid")
	// ErrSchemaBehind: the database lacks migrations this binary needs.
	ErrSchemaBehind = errors.New("database schema is behind")
	// ErrLimit: the user has as many of something as they may (rules).
	ErrLimit = errors.New("limit reached")
	// ErrNoCipher: hh tokens were touched on a Store opened without a Cipher.
	ErrNoCipher = errors.New("no token cipher configured")
)

// Options configure Open.
type Options struct {
	// Cipher encrypts hh tokens; without one the hh account methods fail with ErrNoCipher.
	Cipher *Cipher
	// Migrate applies pending migrations before Open returns.
	Migrate bool
	// Now is the clock for created_at, updated_at and session expiry; time.Now when nil.
	Now func() time.Time
}

// Store is the database. It is safe for concurrent use.
type Store struct {
	db     *sqlx.DB
	pg     bool   // PostgreSQL; SQLite otherwise
	path   string // the SQLite database file; "" in memory or on PostgreSQL
	cipher *Cipher
	now    func() time.Time
}

// IsPostgres reports whether dsn names a PostgreSQL database
// (postgres:// or postgresql://); anything else is SQLite.
func IsPostgres(dsn string) bool {
	dsn = strings.ToLower(strings.TrimSpace(dsn))
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// Open opens the database named by dsn: a PostgreSQL URL
// (postgres://user@host/db), or SQLite's "file:./data/otklik.db" or a plain
// path, adding the pragmas Otklik relies on and creating the file's
// directory if needed. With opts.Migrate it applies pending migrations.
func Open(ctx context.Context, dsn string, opts Options) (*Store, error) {
	if IsPostgres(dsn) {
		return openPostgres(ctx, dsn, opts)
	}
	full, path, err := sqliteDSN(dsn)
	if err != nil {
		return nil, fmt.Errorf("store: open: %w", err)
	}
	if path != "" {
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, fmt.Errorf("store: open: %w", err)
		}
		// The database holds every user's data: created 0600 here, before
		// SQLite creates it 0644. SQLite gives its -wal and -shm files the
		// database file's mode.
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
		if err != nil {
			return nil, fmt.Errorf("store: open: %w", err)
		}
		f.Close()
	}
	db, err := sqlx.Open("sqlite3", full)
	if err != nil {
		return nil, fmt.Errorf("store: open: %w", err)
	}
	if path == "" {
		// An in-memory database exists per connection; keep exactly one.
		db.SetMaxOpenConns(1)
	} else {
		// SQLite runs one writer at a time and its readers on the CPUs
		// there are: more connections only add page caches and prepared
		// statements (each connection has its own), and closing the
		// surplus throws those away. Unbounded, 100 people browsing opened
		// 89 connections in the web process, and a busy worker reopened
		// them all the time.
		db.SetMaxOpenConns(maxSQLiteConns)
		db.SetMaxIdleConns(maxSQLiteConns)
	}
	s := &Store{db: db, path: path, cipher: opts.Cipher, now: opts.Now}
	if s.now == nil {
		s.now = time.Now
	}
	if err := s.pingBusy(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if path != "" {
		restrictFiles(path)
	}
	return s.opened(ctx, opts)
}

// opened finishes Open: migrations when asked.
func (s *Store) opened(ctx context.Context, opts Options) (*Store, error) {
	if opts.Migrate {
		if err := s.Migrate(ctx); err != nil {
			s.db.Close()
			return nil, err
		}
	}
	return s, nil
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.db.PingContext(ctx); err != nil {
		return fmt.Errorf("store: ping: %w", err)
	}
	return nil
}

// restrictFiles makes the database's files (written by an older Otklik,
// or copied in) readable by their owner only. It is best effort: a file that
// belongs to someone else keeps its mode, and the database still opens.
func restrictFiles(path string) {
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if fi, err := os.Stat(p); err == nil && fi.Mode().Perm()&0o077 != 0 {
			_ = os.Chmod(p, fi.Mode().Perm()&0o700)
		}
	}
}

// sqliteDSN returns dsn as a go-sqlite3 "file:" URI with Otklik's pragmas and
// the file's path ("" for an in-memory database). Foreign keys and immediate
// transactions are forced; the other pragmas are defaults the DSN may override.
func sqliteDSN(dsn string) (full, path string, err error) {
	dsn = strings.TrimSpace(dsn)
	for _, prefix := range []string{"sqlite3://", "sqlite://"} {
		dsn = strings.TrimPrefix(dsn, prefix)
	}
	dsn = strings.TrimPrefix(dsn, "file:")
	if dsn == "" {
		return "", "", errors.New("empty database DSN")
	}
	path, rawQuery, _ := strings.Cut(dsn, "?")
	params, err := url.ParseQuery(rawQuery)
	if err != nil {
		return "", "", fmt.Errorf("database DSN parameters: %w", err)
	}
	defaults := map[string]string{
		"_journal_mode": "WAL",
		"_busy_timeout": "10000",
		"_synchronous":  "NORMAL",
		"_loc":          "UTC",
		// Every query of the store is a fixed string: each connection keeps
		// its prepared statements instead of compiling the SQL per call.
		"_stmt_cache_size": "64",
	}
	for k, v := range defaults {
		if !params.Has(k) {
			params.Set(k, v)
		}
	}
	params.Set("_foreign_keys", "on")
	params.Set("_txlock", "immediate")
	full = "file:" + path + "?" + params.Encode()
	if path == ":memory:" || params.Get("mode") == "memory" {
		path = ""
	}
	return full, path, nil
}

// maxSQLiteConns is how many connections one Store keeps open to a SQLite
// file at most (PostgreSQL's is maxPostgresConns).
const maxSQLiteConns = 16

// ts is how every time enters the database: UTC, at the microsecond precision
// PostgreSQL keeps, so stored text sorts in time order.
func ts(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// tsPtr is ts for a nullable column: the zero time is NULL.
func tsPtr(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return ts(t)
}

// nullString stores "" as NULL.
func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// nullID stores 0 as NULL.
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// pingBusy pings, trying again for a while while SQLite says the database is
// busy: the first connections to a new database switch it to WAL, which
// takes the whole file for a moment, and another process doing the same at
// that moment gets SQLITE_BUSY at once rather than after the busy timeout.
func (s *Store) pingBusy(ctx context.Context) error {
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := s.Ping(ctx)
		var se sqlite3.Error
		if err == nil || !errors.As(err, &se) || (se.Code != sqlite3.ErrBusy && se.Code != sqlite3.ErrLocked) || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// isUniqueViolation reports a UNIQUE or PRIMARY KEY constraint failure; the
// one place that knows the drivers' error types.
func isUniqueViolation(err error) bool {
	var se sqlite3.Error
	if errors.As(err, &se) {
		return se.ExtendedCode == sqlite3.ErrConstraintUnique || se.ExtendedCode == sqlite3.ErrConstraintPrimaryKey
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "23505" // unique_violation
	}
	return false
}

// notFound maps sql.ErrNoRows to ErrNotFound.
func notFound(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	return err
}

func (s *Store) get(ctx context.Context, q sqlx.QueryerContext, dest any, query string, args ...any) error {
	return sqlx.GetContext(ctx, q, dest, s.db.Rebind(query), args...)
}

func (s *Store) sel(ctx context.Context, q sqlx.QueryerContext, dest any, query string, args ...any) error {
	return sqlx.SelectContext(ctx, q, dest, s.db.Rebind(query), args...)
}

func (s *Store) exec(ctx context.Context, e sqlx.ExecerContext, query string, args ...any) (int64, error) {
	res, err := e.ExecContext(ctx, s.db.Rebind(query), args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// inTx runs fn in one transaction. On SQLite it is BEGIN IMMEDIATE (from
// the DSN): the write lock is taken up front, so read-then-write sequences
// are atomic. On PostgreSQL it is READ COMMITTED, where they are not: fn
// takes lockUser (or reads FOR UPDATE, forUpdate) before reading what it
// will write.
func (s *Store) inTx(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// lockUser makes the rest of a transaction about userID's rows run alone
// among transactions that take it too. SQLite's BEGIN IMMEDIATE already runs
// every writer alone, so only PostgreSQL locks: the user's row FOR NO KEY
// UPDATE, which waits for another holder but not for inserts that merely
// reference the user (foreign keys take KEY SHARE).
func (s *Store) lockUser(ctx context.Context, tx *sqlx.Tx, userID int64) error {
	if !s.pg {
		return nil
	}
	var id int64
	return notFound(s.get(ctx, tx, &id, `SELECT id FROM users WHERE id = ? FOR NO KEY UPDATE`, userID))
}

// lockSignUps makes sign-ups take turns for the rest of the transaction (a
// transaction-scoped advisory lock on PostgreSQL; BEGIN IMMEDIATE on SQLite
// already does), so the first account, the admin, is made once.
func (s *Store) lockSignUps(ctx context.Context, tx *sqlx.Tx) error {
	if !s.pg {
		return nil
	}
	_, err := s.exec(ctx, tx, `SELECT pg_advisory_xact_lock(?)`, signUpLockID)
	return err
}

// signUpLockID names the sign-up lock among the database's advisory locks.
const signUpLockID int64 = migrationLockID + 1

// forUpdate is the suffix of a SELECT whose rows the transaction will write:
// FOR UPDATE on PostgreSQL (READ COMMITTED would let two transactions read
// the same value), nothing on SQLite (which has no such clause and runs
// writers one at a time).
func (s *Store) forUpdate() string {
	if s.pg {
		return " FOR UPDATE"
	}
	return ""
}
