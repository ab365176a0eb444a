package store

import (
	"context"
	"fmt"
)

// HHAccountsByKeyVersion returns, for each key version that stored hh tokens
// are encrypted under, one user whose account uses it (the lowest ID), or an
// empty map when no account is connected. It is one query however many
// accounts there are and decrypts nothing: enough to try every key in use
// at start-up, and to tell whether a rotation left tokens under an old key.
func (s *Store) HHAccountsByKeyVersion(ctx context.Context) (map[int]int64, error) {
	var rows []struct {
		KeyVersion int   `db:"key_version"`
		UserID     int64 `db:"user_id"`
	}
	if err := s.sel(ctx, s.db, &rows, `
		SELECT key_version, MIN(user_id) AS user_id FROM hh_accounts GROUP BY key_version`); err != nil {
		return nil, fmt.Errorf("store: hh accounts by key version: %w", err)
	}
	byVersion := make(map[int]int64, len(rows))
	for _, r := range rows {
		byVersion[r.KeyVersion] = r.UserID
	}
	return byVersion, nil
}
