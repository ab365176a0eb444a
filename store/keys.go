package store

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
)

// Everything about the keys the hh tokens are encrypted under: which key
// versions stored tokens use, whether the configured keys open them, and
// re-encrypting them under the current key (rotation). The words an operator
// reads about it (which variable to set) are the caller's.

// KeyProblem says why the stored tokens of one key version cannot be read.
type KeyProblem int

// Key problems, from CheckTokenKeys.
const (
	// KeyNewer: the tokens use a key newer than the current one, which is
	// not configured (another process runs with a newer key).
	KeyNewer KeyProblem = iota + 1
	// KeyMissing: the tokens use an older key that is not configured.
	KeyMissing
	// KeyWrongCurrent: the current key does not open tokens of its version.
	KeyWrongCurrent
	// KeyWrongPrevious: a configured older key does not open its tokens.
	KeyWrongPrevious
)

// KeyError is CheckTokenKeys' refusal: the first key version in use whose
// tokens the configured keys cannot open.
type KeyError struct {
	Version int // the key version of the stored tokens
	Current int // the version new tokens are written under
	Problem KeyProblem
	Err     error // what decrypting said
}

func (e *KeyError) Error() string {
	return fmt.Sprintf("store: hh tokens under key version %d cannot be read (current version %d, problem %d): %v",
		e.Version, e.Current, e.Problem, e.Err)
}

func (e *KeyError) Unwrap() error { return e.Err }

// CheckTokenKeys decrypts one stored hh account per key version in use, so a
// key missing from the configuration, or other than the one the tokens were
// encrypted with, is found at start, not later as accounts failing one by
// one. It returns a *KeyError for the first version that fails.
func (s *Store) CheckTokenKeys(ctx context.Context) error {
	if s.cipher == nil {
		return fmt.Errorf("store: check token keys: %w", ErrNoCipher)
	}
	samples, err := s.HHAccountsByKeyVersion(ctx)
	if err != nil {
		return err
	}
	current := s.cipher.current
	for _, version := range slices.Sorted(maps.Keys(samples)) {
		_, err := s.HHAccount(ctx, samples[version])
		if err == nil || errors.Is(err, ErrNotFound) { // disconnected meanwhile
			continue
		}
		_, configured := s.cipher.aeads[version]
		ke := &KeyError{Version: version, Current: current, Err: err}
		switch {
		case !configured && version > current:
			ke.Problem = KeyNewer
		case !configured:
			ke.Problem = KeyMissing
		case version == current:
			ke.Problem = KeyWrongCurrent
		default:
			ke.Problem = KeyWrongPrevious
		}
		return ke
	}
	return nil
}

// Rotation is what RotateAllTokens did.
type Rotation struct {
	Rotated int // accounts re-encrypted under the current key
	// Left are the older key versions still in use afterwards (rewritten
	// meanwhile by a process still on an older key); none: the older keys
	// are no longer needed.
	Left []int
}

// RotateAllTokens re-encrypts the tokens stored under older keys with the
// current key and says which older versions are still in use.
func (s *Store) RotateAllTokens(ctx context.Context) (Rotation, error) {
	var r Rotation
	var err error
	if r.Rotated, err = s.RotateTokens(ctx); err != nil {
		return r, err
	}
	left, err := s.HHAccountsByKeyVersion(ctx)
	if err != nil {
		return r, err
	}
	delete(left, s.cipher.current)
	r.Left = slices.Sorted(maps.Keys(left))
	return r, nil
}

// RotateTokens re-encrypts every token written under an older key version
// with the current key and reports how many accounts it rewrote. A row whose
// tokens change meanwhile is left to its new writer (which uses the current key).
func (s *Store) RotateTokens(ctx context.Context) (int, error) {
	if s.cipher == nil {
		return 0, fmt.Errorf("store: rotate tokens: %w", ErrNoCipher)
	}
	var rows []accountRow
	if err := s.sel(ctx, s.db, &rows, `SELECT `+accountColumns+` FROM hh_accounts WHERE key_version <> ? ORDER BY user_id`,
		s.cipher.current); err != nil {
		return 0, fmt.Errorf("store: rotate tokens: %w", err)
	}
	var rotated int
	var errs []error
	for i := range rows {
		r := &rows[i]
		a, err := s.openRow(r)
		if err != nil {
			errs = append(errs, fmt.Errorf("user %d: %w", r.UserID, err))
			continue
		}
		access, refresh, err := s.sealPair(r.UserID, a.Token)
		if err != nil {
			errs = append(errs, fmt.Errorf("user %d: %w", r.UserID, err))
			continue
		}
		n, err := s.exec(ctx, s.db, `
			UPDATE hh_accounts SET access_token_enc = ?, refresh_token_enc = ?, key_version = ?
			WHERE user_id = ? AND token_generation = ?`,
			access, refresh, s.cipher.current, r.UserID, r.TokenGeneration)
		if err != nil {
			errs = append(errs, fmt.Errorf("user %d: %w", r.UserID, err))
			continue
		}
		rotated += int(n)
	}
	if err := errors.Join(errs...); err != nil {
		return rotated, fmt.Errorf("store: rotate tokens: %w", err)
	}
	return rotated, nil
}

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
