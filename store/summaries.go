package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Summary is a user's daily summary, rendered once per local day.
type Summary struct {
	ID        int64      `db:"id"`
	UserID    int64      `db:"user_id"`
	Day       string     `db:"day"`     // the user's local date, YYYY-MM-DD
	Content   string     `db:"content"` // JSON of the summary's data
	Text      string     `db:"text_body"`
	HTML      string     `db:"html_body"`
	CreatedAt time.Time  `db:"created_at"`
	EmailedAt *time.Time `db:"emailed_at"` // nil until sent
}

const summaryColumns = `id, user_id, day, content, text_body, html_body, created_at, emailed_at`

// SaveSummary stores sum for sum.UserID and sum.Day unless that day already
// has one: then created is false and sum is overwritten with the stored one,
// so a user gets at most one summary a day however often the tick fires.
//
// Under PostgreSQL this relies on the unique index alone, at any isolation
// level: ON CONFLICT decides against committed and in-flight inserts.
func (s *Store) SaveSummary(ctx context.Context, sum *Summary) (bool, error) {
	if _, err := time.Parse(time.DateOnly, sum.Day); err != nil {
		return false, fmt.Errorf("store: save summary: %w day %q", ErrInvalid, sum.Day)
	}
	if sum.Content == "" {
		sum.Content = "{}"
	}
	now := ts(s.now())
	var id int64
	err := s.get(ctx, s.db, &id, `
		INSERT INTO summaries (user_id, day, content, text_body, html_body, created_at)
		VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (user_id, day) DO NOTHING
		RETURNING id`, sum.UserID, sum.Day, sum.Content, sum.Text, sum.HTML, now)
	switch {
	case err == nil:
		sum.ID, sum.CreatedAt, sum.EmailedAt = id, now, nil
		return true, nil
	case !errors.Is(err, sql.ErrNoRows):
		return false, fmt.Errorf("store: save summary of user %d for %s: %w", sum.UserID, sum.Day, err)
	}
	stored, err := s.Summary(ctx, sum.UserID, sum.Day)
	if err != nil {
		return false, err
	}
	*sum = *stored
	return false, nil
}

// Summary returns userID's summary of day (YYYY-MM-DD).
func (s *Store) Summary(ctx context.Context, userID int64, day string) (*Summary, error) {
	var sum Summary
	if err := s.get(ctx, s.db, &sum, `SELECT `+summaryColumns+` FROM summaries WHERE user_id = ? AND day = ?`, userID, day); err != nil {
		return nil, fmt.Errorf("store: summary of user %d for %s: %w", userID, day, notFound(err))
	}
	return &sum, nil
}

// SummaryDay says that a user's summary of a day is stored, and whether it
// was e-mailed.
type SummaryDay struct {
	UserID  int64  `db:"user_id"`
	Day     string `db:"day"`
	Emailed bool   `db:"emailed"`
}

// SummaryDaysFrom lists every user's stored summaries of day from
// (YYYY-MM-DD) and later: what the tick needs to know each minute, in one
// query instead of one per user.
func (s *Store) SummaryDaysFrom(ctx context.Context, from string) ([]SummaryDay, error) {
	var out []SummaryDay
	if err := s.sel(ctx, s.db, &out, `SELECT user_id, day, emailed_at IS NOT NULL AS emailed
		FROM summaries WHERE day >= ?`, from); err != nil {
		return nil, fmt.Errorf("store: summaries from %s: %w", from, err)
	}
	return out, nil
}

// Summaries returns userID's latest summaries, newest day first.
func (s *Store) Summaries(ctx context.Context, userID int64, limit int) ([]Summary, error) {
	var out []Summary
	if err := s.sel(ctx, s.db, &out, `SELECT `+summaryColumns+` FROM summaries WHERE user_id = ?
		ORDER BY day DESC LIMIT ?`, userID, limit); err != nil {
		return nil, fmt.Errorf("store: summaries of user %d: %w", userID, err)
	}
	return out, nil
}

// MarkSummaryEmailed records that day's summary was e-mailed at `at`.
// marked is false when it had been marked already, so of two senders only
// one reports the send as its own.
func (s *Store) MarkSummaryEmailed(ctx context.Context, userID int64, day string, at time.Time) (marked bool, err error) {
	n, err := s.exec(ctx, s.db, `UPDATE summaries SET emailed_at = ? WHERE user_id = ? AND day = ? AND emailed_at IS NULL`,
		ts(at), userID, day)
	if err != nil {
		return false, fmt.Errorf("store: mark summary of user %d for %s emailed: %w", userID, day, err)
	}
	if n == 1 {
		return true, nil
	}
	if _, err := s.Summary(ctx, userID, day); err != nil {
		return false, err
	}
	return false, nil
}
