package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
)

// ResumeRaise is a person's auto-raise switch for one hh resume and the
// worker's schedule for it.
type ResumeRaise struct {
	UserID    int64  `db:"user_id"`
	ResumeID  string `db:"resume_id"`
	AutoRaise bool   `db:"auto_raise"`
	// DueAt is when the worker raises the resume next; nil while the switch
	// is off or hh refused the resume (BlockedAt).
	DueAt *time.Time `db:"due_at"`
	// BlockedAt is when hh refused to publish the resume (400: blocked,
	// incomplete…); raising stops until the person toggles the switch.
	BlockedAt     *time.Time `db:"blocked_at"`
	BlockedReason string     `db:"blocked_reason"`
	LastRaisedAt  *time.Time `db:"last_raised_at"`
	UpdatedAt     time.Time  `db:"updated_at"`
}

// Raise is one raise of a resume hh accepted.
type Raise struct {
	ResumeID string    `db:"resume_id"`
	RaisedAt time.Time `db:"raised_at"`
}

const raiseColumns = `user_id, resume_id, auto_raise, due_at, blocked_at, blocked_reason, last_raised_at, updated_at`

// SetAutoRaise turns userID's auto-raise of a resume on (first raise due at
// dueAt) or off. Either way a refusal from hh is forgotten: the person has
// acted, so the worker may try again.
func (s *Store) SetAutoRaise(ctx context.Context, userID int64, resumeID string, on bool, dueAt time.Time) error {
	due := any(nil)
	if on {
		due = ts(dueAt)
	}
	_, err := s.exec(ctx, s.db, `
		INSERT INTO resume_raises (user_id, resume_id, auto_raise, due_at, updated_at)
		VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (user_id, resume_id) DO UPDATE SET auto_raise = excluded.auto_raise,
			due_at = excluded.due_at, blocked_at = NULL, blocked_reason = '', updated_at = excluded.updated_at`,
		userID, resumeID, on, due, ts(s.now()))
	if err != nil {
		return fmt.Errorf("store: set auto-raise of resume %s of user %d: %w", resumeID, userID, err)
	}
	return nil
}

// ResumeRaises returns userID's auto-raise switches, by resume id.
func (s *Store) ResumeRaises(ctx context.Context, userID int64) (map[string]ResumeRaise, error) {
	var rows []ResumeRaise
	if err := s.sel(ctx, s.db, &rows, `SELECT `+raiseColumns+` FROM resume_raises WHERE user_id = ?`, userID); err != nil {
		return nil, fmt.Errorf("store: resume raises of user %d: %w", userID, err)
	}
	out := make(map[string]ResumeRaise, len(rows))
	for _, r := range rows {
		out[r.ResumeID] = r
	}
	return out, nil
}

// ResumeRaise returns userID's auto-raise switch of one resume.
func (s *Store) ResumeRaise(ctx context.Context, userID int64, resumeID string) (*ResumeRaise, error) {
	var r ResumeRaise
	err := s.get(ctx, s.db, &r, `SELECT `+raiseColumns+` FROM resume_raises WHERE user_id = ? AND resume_id = ?`, userID, resumeID)
	if err != nil {
		return nil, fmt.Errorf("store: resume raise %s of user %d: %w", resumeID, userID, notFound(err))
	}
	return &r, nil
}

// DueRaises lists the raises switched on, not refused by hh, and due at or
// before until, soonest first.
func (s *Store) DueRaises(ctx context.Context, until time.Time) ([]ResumeRaise, error) {
	var out []ResumeRaise
	err := s.sel(ctx, s.db, &out, `
		SELECT `+raiseColumns+` FROM resume_raises
		WHERE auto_raise = TRUE AND blocked_at IS NULL AND due_at <= ?
		ORDER BY due_at, user_id, resume_id`, ts(until))
	if err != nil {
		return nil, fmt.Errorf("store: due raises: %w", err)
	}
	return out, nil
}

// MoveRaise moves a raise due at seen to next, unless it is no longer due
// at seen (another worker moved it, or the person toggled): then it reports
// false and changes nothing. This compare-and-set is what makes one raise of
// one due time, however many workers hold its task.
//
// Under PostgreSQL this relies on READ COMMITTED (the default) only: the
// UPDATE's WHERE is re-checked against the row's newest version after any
// concurrent writer commits, so of two racing callers one matches.
func (s *Store) MoveRaise(ctx context.Context, userID int64, resumeID string, seen, next time.Time) (bool, error) {
	n, err := s.exec(ctx, s.db, `
		UPDATE resume_raises SET due_at = ?, updated_at = ?
		WHERE user_id = ? AND resume_id = ? AND auto_raise = TRUE AND blocked_at IS NULL AND due_at = ?`,
		ts(next), ts(s.now()), userID, resumeID, ts(seen))
	if err != nil {
		return false, fmt.Errorf("store: move raise of resume %s of user %d: %w", resumeID, userID, err)
	}
	return n == 1, nil
}

// RecordRaise records a raise hh accepted at raisedAt for the raise due
// (claimed) at seen, with the next one due at next.
func (s *Store) RecordRaise(ctx context.Context, userID int64, resumeID string, seen, raisedAt, next time.Time) error {
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		_, err := s.exec(ctx, tx, `
			UPDATE resume_raises SET due_at = CASE WHEN due_at = ? THEN ? ELSE due_at END,
				last_raised_at = ?, updated_at = ?
			WHERE user_id = ? AND resume_id = ?`,
			ts(seen), ts(next), ts(raisedAt), ts(s.now()), userID, resumeID)
		if err != nil {
			return err
		}
		_, err = s.exec(ctx, tx, `INSERT INTO resume_raise_log (user_id, resume_id, raised_at) VALUES (?, ?, ?)`,
			userID, resumeID, ts(raisedAt))
		return err
	})
	if err != nil {
		return fmt.Errorf("store: record raise of resume %s of user %d: %w", resumeID, userID, err)
	}
	return nil
}

// BlockRaise stops raising a resume hh refused (due at seen), keeping hh's
// words, until the person toggles the switch (SetAutoRaise).
//
// Under PostgreSQL this relies on READ COMMITTED (the default) only: the
// UPDATE's WHERE is re-checked against the row's newest version after any
// concurrent writer commits, so of two racing callers one matches.
func (s *Store) BlockRaise(ctx context.Context, userID int64, resumeID string, seen time.Time, reason string) (bool, error) {
	n, err := s.exec(ctx, s.db, `
		UPDATE resume_raises SET due_at = NULL, blocked_at = ?, blocked_reason = ?, updated_at = ?
		WHERE user_id = ? AND resume_id = ? AND due_at = ?`,
		ts(s.now()), reason, ts(s.now()), userID, resumeID, ts(seen))
	if err != nil {
		return false, fmt.Errorf("store: block raise of resume %s of user %d: %w", resumeID, userID, err)
	}
	return n == 1, nil
}

// Raises returns userID's raises since since, newest first.
func (s *Store) Raises(ctx context.Context, userID int64, since time.Time) ([]Raise, error) {
	var out []Raise
	err := s.sel(ctx, s.db, &out, `
		SELECT resume_id, raised_at FROM resume_raise_log WHERE user_id = ? AND raised_at >= ?
		ORDER BY raised_at DESC, id DESC`, userID, ts(since))
	if err != nil {
		return nil, fmt.Errorf("store: raises of user %d: %w", userID, err)
	}
	return out, nil
}

// CountRaises counts userID's raises since since.
func (s *Store) CountRaises(ctx context.Context, userID int64, since time.Time) (int, error) {
	var n int
	err := s.get(ctx, s.db, &n, `
		SELECT COUNT(*) FROM resume_raise_log WHERE user_id = ? AND raised_at >= ?`,
		userID, ts(since))
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("store: count raises of user %d: %w", userID, err)
	}
	return n, nil
}
