//go:build !(linux || darwin || freebsd || openbsd || netbsd || dragonfly)

package store

import "github.com/pressly/goose/v3/lock"

// migrationLocker is nil where flock is missing: processes migrating one
// database at the same moment may then fail, and a restart finishes the job.
func migrationLocker(string) lock.Locker { return nil }
