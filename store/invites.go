package store

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// ErrInviteUnusable: the invite code is unknown, used or expired.
var ErrInviteUnusable = errors.New("invite code unknown, used or expired")

// Invite is a code an admin hands out; it lets one person sign up while
// REGISTRATION=invite.
type Invite struct {
	ID        int64     `db:"id"`
	Code      string    `db:"code"` // normalized (NormalizeInviteCode)
	CreatedAt time.Time `db:"created_at"`
	ExpiresAt time.Time `db:"expires_at"`
}

// NormalizeInviteCode is how a typed code is compared: case, spaces and
// dashes do not matter.
func NormalizeInviteCode(code string) string {
	return strings.Map(func(r rune) rune {
		if r == '-' || r == ' ' || r == '\t' {
			return -1
		}
		return r
	}, strings.ToUpper(strings.TrimSpace(code)))
}

// CreateInvite makes a new invite of adminID's, good for ttl.
func (s *Store) CreateInvite(ctx context.Context, adminID int64, ttl time.Duration) (*Invite, error) {
	b := make([]byte, 10)
	rand.Read(b) // never fails since Go 1.24
	now := ts(s.now())
	inv := &Invite{Code: base32.StdEncoding.EncodeToString(b)[:16], CreatedAt: now, ExpiresAt: ts(now.Add(ttl))}
	err := s.get(ctx, s.db, &inv.ID, `
		INSERT INTO invites (code, created_by, created_at, expires_at) VALUES (?, ?, ?, ?) RETURNING id`,
		inv.Code, adminID, inv.CreatedAt, inv.ExpiresAt)
	if err != nil {
		return nil, fmt.Errorf("store: create invite: %w", err)
	}
	return inv, nil
}

// PendingInvites are the invites neither used nor expired, newest first.
func (s *Store) PendingInvites(ctx context.Context) ([]Invite, error) {
	var out []Invite
	err := s.sel(ctx, s.db, &out, `
		SELECT id, code, created_at, expires_at FROM invites
		WHERE used_at IS NULL AND expires_at > ? ORDER BY created_at DESC, id DESC`, ts(s.now()))
	if err != nil {
		return nil, fmt.Errorf("store: pending invites: %w", err)
	}
	return out, nil
}

// DeleteInvite withdraws an invite that has not been used.
func (s *Store) DeleteInvite(ctx context.Context, id int64) error {
	n, err := s.exec(ctx, s.db, `DELETE FROM invites WHERE id = ? AND used_at IS NULL`, id)
	if err != nil {
		return fmt.Errorf("store: delete invite %d: %w", id, err)
	}
	if n == 0 {
		return fmt.Errorf("store: delete invite %d: %w", id, ErrNotFound)
	}
	return nil
}

// CreateUserWithInvite registers a person on an invite code: the first user
// ever needs none (and becomes the admin); everyone after takes the code,
// which must be unused and unexpired. Taking the code and creating the user
// are one transaction, so of any number of sign-ups sent at once with one
// code exactly one gets an account; the others get ErrInviteUnusable. A
// taken e-mail is ErrConflict and leaves the code unused.
func (s *Store) CreateUserWithInvite(ctx context.Context, email, passwordHash, code string) (*User, error) {
	email = normalizeEmail(email)
	if email == "" || passwordHash == "" {
		return nil, fmt.Errorf("store: create user: %w: e-mail and password hash are required", ErrInvalid)
	}
	var u User
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		// The invite is taken by a conditional UPDATE (safe at READ
		// COMMITTED); the count that makes the first account the admin
		// needs the sign-up lock on PostgreSQL.
		if err := s.lockSignUps(ctx, tx); err != nil {
			return err
		}
		var users int
		if err := s.get(ctx, tx, &users, `SELECT COUNT(*) FROM users`); err != nil {
			return err
		}
		now := ts(s.now())
		var inviteID int64
		if users > 0 {
			err := s.get(ctx, tx, &inviteID, `
				UPDATE invites SET used_at = ? WHERE code = ? AND used_at IS NULL AND expires_at > ?
				RETURNING id`, now, NormalizeInviteCode(code), now)
			if err != nil {
				return notFoundAs(err, ErrInviteUnusable)
			}
		}
		err := s.get(ctx, tx, &u, `
			INSERT INTO users (email, password_hash, is_admin, created_at)
			VALUES (?, ?, ?, ?)
			RETURNING `+userColumns, email, passwordHash, users == 0, now)
		if isUniqueViolation(err) {
			return fmt.Errorf("e-mail %w", ErrConflict)
		}
		if err != nil {
			return err
		}
		if inviteID != 0 {
			_, err = s.exec(ctx, tx, `UPDATE invites SET used_by = ? WHERE id = ?`, u.ID, inviteID)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: create user: %w", err)
	}
	return &u, nil
}

// notFoundAs maps sql.ErrNoRows to target.
func notFoundAs(err, target error) error {
	if errors.Is(notFound(err), ErrNotFound) {
		return target
	}
	return err
}
