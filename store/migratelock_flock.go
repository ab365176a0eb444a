//go:build linux || darwin || freebsd || openbsd || netbsd || dragonfly

package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"

	"github.com/pressly/goose/v3/lock"
)

// fileLock is a goose lock.Locker over an advisory lock (flock) on a file
// next to the database: processes migrating one database take turns, and
// the kernel drops the lock of a process that dies while holding it. The
// file itself is never removed (removing it would let two processes lock
// two different files).
type fileLock struct {
	path string
	f    *os.File
}

func migrationLocker(dbPath string) lock.Locker {
	return &fileLock{path: dbPath + ".migrate-lock"}
}

// Lock waits for the lock, polling, until ctx ends.
func (l *fileLock) Lock(ctx context.Context, _ *sql.DB) error {
	f, err := os.OpenFile(l.path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("migration lock: %w", err)
	}
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			l.f = f
			return nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) && !errors.Is(err, syscall.EINTR) {
			f.Close()
			return fmt.Errorf("migration lock %s: %w", l.path, err)
		}
		select {
		case <-ctx.Done():
			f.Close()
			return fmt.Errorf("migration lock %s: %w", l.path, ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// Unlock releases the lock (closing the file does).
func (l *fileLock) Unlock(context.Context, *sql.DB) error {
	if l.f == nil {
		return nil
	}
	err := l.f.Close()
	l.f = nil
	return err
}
