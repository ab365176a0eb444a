package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
)

// Session is a signed-in browser. The cookie holds a random token; the
// database holds only its SHA-256, so a leaked database signs nobody in.
type Session struct {
	ID        string    `db:"id"` // hex SHA-256 of the cookie's token
	UserID    int64     `db:"user_id"`
	CSRFToken string    `db:"csrf_token"`
	CreatedAt time.Time `db:"created_at"`
	ExpiresAt time.Time `db:"expires_at"`
	LastSeen  time.Time `db:"last_seen"`
}

const sessionColumns = `id, user_id, csrf_token, created_at, expires_at, last_seen`

// SessionID is the stored ID of a session whose cookie holds rawToken.
func SessionID(rawToken string) string {
	sum := sha256.Sum256([]byte(rawToken))
	return hex.EncodeToString(sum[:])
}

// randomToken is 256 random bits, URL-safe.
func randomToken() string {
	b := make([]byte, 32)
	rand.Read(b) // never fails since Go 1.24
	return base64.RawURLEncoding.EncodeToString(b)
}

// CreateSession signs userID in for ttl. It returns the raw token for the
// cookie; only its hash is stored. Rotate on login by deleting the old session.
func (s *Store) CreateSession(ctx context.Context, userID int64, ttl time.Duration) (string, *Session, error) {
	raw := randomToken()
	now := ts(s.now())
	sess := &Session{
		ID:        SessionID(raw),
		UserID:    userID,
		CSRFToken: randomToken(),
		CreatedAt: now,
		ExpiresAt: ts(now.Add(ttl)),
		LastSeen:  now,
	}
	_, err := s.exec(ctx, s.db, `
		INSERT INTO sessions (id, user_id, csrf_token, created_at, expires_at, last_seen)
		VALUES (?, ?, ?, ?, ?, ?)`,
		sess.ID, sess.UserID, sess.CSRFToken, sess.CreatedAt, sess.ExpiresAt, sess.LastSeen)
	if err != nil {
		return "", nil, fmt.Errorf("store: create session for user %d: %w", userID, err)
	}
	return raw, sess, nil
}

// SessionByToken returns the unexpired session whose cookie holds rawToken.
func (s *Store) SessionByToken(ctx context.Context, rawToken string) (*Session, error) {
	var sess Session
	err := s.get(ctx, s.db, &sess, `SELECT `+sessionColumns+` FROM sessions WHERE id = ? AND expires_at > ?`,
		SessionID(rawToken), ts(s.now()))
	if err != nil {
		return nil, fmt.Errorf("store: session by token: %w", notFound(err))
	}
	return &sess, nil
}

// TouchSession records activity and slides the session's expiry to now+ttl.
func (s *Store) TouchSession(ctx context.Context, sessionID string, ttl time.Duration) error {
	now := ts(s.now())
	n, err := s.exec(ctx, s.db, `UPDATE sessions SET last_seen = ?, expires_at = ? WHERE id = ? AND expires_at > ?`,
		now, ts(now.Add(ttl)), sessionID, now)
	if err != nil {
		return fmt.Errorf("store: touch session: %w", err)
	}
	if n == 0 {
		return fmt.Errorf("store: touch session: %w", ErrNotFound)
	}
	return nil
}

// DeleteSession signs a browser out. Deleting a missing session is not an error.
func (s *Store) DeleteSession(ctx context.Context, sessionID string) error {
	if _, err := s.exec(ctx, s.db, `DELETE FROM sessions WHERE id = ?`, sessionID); err != nil {
		return fmt.Errorf("store: delete session: %w", err)
	}
	return nil
}

// DeleteUserSessions signs a user out everywhere (after a password change).
func (s *Store) DeleteUserSessions(ctx context.Context, userID int64) error {
	if _, err := s.exec(ctx, s.db, `DELETE FROM sessions WHERE user_id = ?`, userID); err != nil {
		return fmt.Errorf("store: delete sessions of user %d: %w", userID, err)
	}
	return nil
}

// DeleteOtherSessions signs a user out of every browser but the one whose
// session is keepID ("sign out everywhere", a password change) and reports
// how many sessions ended.
func (s *Store) DeleteOtherSessions(ctx context.Context, userID int64, keepID string) (int64, error) {
	n, err := s.exec(ctx, s.db, `DELETE FROM sessions WHERE user_id = ? AND id <> ?`, userID, keepID)
	if err != nil {
		return 0, fmt.Errorf("store: delete other sessions of user %d: %w", userID, err)
	}
	return n, nil
}

// ChangePassword replaces a user's bcrypt hash and ends every session of
// theirs but keepID, in one transaction: no session signed in with the old
// password outlives the change.
func (s *Store) ChangePassword(ctx context.Context, userID int64, passwordHash, keepID string) error {
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		n, err := s.exec(ctx, tx, `UPDATE users SET password_hash = ? WHERE id = ?`, passwordHash, userID)
		if err != nil {
			return err
		}
		if n == 0 {
			return ErrNotFound
		}
		_, err = s.exec(ctx, tx, `DELETE FROM sessions WHERE user_id = ? AND id <> ?`, userID, keepID)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: change password of user %d: %w", userID, err)
	}
	return nil
}

// DeleteExpiredSessions removes sessions that expired before now and reports how many.
func (s *Store) DeleteExpiredSessions(ctx context.Context, now time.Time) (int64, error) {
	n, err := s.exec(ctx, s.db, `DELETE FROM sessions WHERE expires_at <= ?`, ts(now))
	if err != nil {
		return 0, fmt.Errorf("store: delete expired sessions: %w", err)
	}
	return n, nil
}

// SetOAuthState stores the hh OAuth state for a session, replacing any earlier one.
func (s *Store) SetOAuthState(ctx context.Context, sessionID, state string) error {
	n, err := s.exec(ctx, s.db, `UPDATE sessions SET oauth_state = ? WHERE id = ?`, state, sessionID)
	if err != nil {
		return fmt.Errorf("store: set oauth state: %w", err)
	}
	if n == 0 {
		return fmt.Errorf("store: set oauth state: %w", ErrNotFound)
	}
	return nil
}

// TakeOAuthState returns the session's OAuth state and clears it in the same
// transaction, so a state is good for one callback only. No state is ErrNotFound.
func (s *Store) TakeOAuthState(ctx context.Context, sessionID string) (string, error) {
	var state *string
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		if err := s.get(ctx, tx, &state, `SELECT oauth_state FROM sessions WHERE id = ?`+s.forUpdate(), sessionID); err != nil {
			return notFound(err)
		}
		if state == nil || *state == "" {
			return ErrNotFound
		}
		_, err := s.exec(ctx, tx, `UPDATE sessions SET oauth_state = NULL WHERE id = ?`, sessionID)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("store: take oauth state: %w", err)
	}
	return *state, nil
}
