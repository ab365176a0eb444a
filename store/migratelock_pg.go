package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
)

// migrationLockID names Otklik's migration lock among the database's
// advisory locks (an arbitrary constant: "otklik" in ASCII).
const migrationLockID int64 = 0x6f746b6c696b

// advisoryLock is the PostgreSQL twin of fileLock: a session-level advisory
// lock (pg_advisory_lock) held on one connection of its own from Lock to
// Unlock. Processes migrating one database take turns, and the server drops
// the lock of a process that dies holding it, with its connection.
type advisoryLock struct {
	conn *sql.Conn
}

// Lock waits for the lock until ctx ends.
func (l *advisoryLock) Lock(ctx context.Context, db *sql.DB) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("migration lock: %w", err)
	}
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, migrationLockID); err != nil {
		conn.Close()
		return fmt.Errorf("migration lock: %w", err)
	}
	l.conn = conn
	return nil
}

// Unlock releases the lock and returns its connection to the pool.
func (l *advisoryLock) Unlock(ctx context.Context, _ *sql.DB) error {
	if l.conn == nil {
		return nil
	}
	_, err := l.conn.ExecContext(ctx, `SELECT pg_advisory_unlock($1)`, migrationLockID)
	if err != nil {
		// A connection whose unlock failed may still hold the lock: drop it
		// rather than hand it back to the pool.
		_ = l.conn.Raw(func(any) error { return driver.ErrBadConn })
	}
	cerr := l.conn.Close()
	l.conn = nil
	if err != nil {
		return fmt.Errorf("migration unlock: %w", err)
	}
	return cerr
}
