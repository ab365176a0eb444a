package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// ReserveAITokens adds n to the user's model tokens of day (YYYY-MM-DD) if
// the total stays within limit; ok is false, and nothing changes, when it
// would not. One conditional UPDATE decides, so the cap holds across any
// number of workers.
//
// Under PostgreSQL this relies on READ COMMITTED (the default) only: the
// UPDATE's WHERE is re-checked against the row's newest version after any
// concurrent writer commits, so of two racing callers one matches.
func (s *Store) ReserveAITokens(ctx context.Context, userID int64, day string, n, limit int) (ok bool, err error) {
	if _, err := s.exec(ctx, s.db, `INSERT INTO ai_usage (user_id, day, tokens) VALUES (?, ?, 0)
		ON CONFLICT (user_id, day) DO NOTHING`, userID, day); err != nil {
		return false, fmt.Errorf("store: user %d ai usage of %s: %w", userID, day, err)
	}
	rows, err := s.exec(ctx, s.db, `UPDATE ai_usage SET tokens = tokens + ?
		WHERE user_id = ? AND day = ? AND tokens + ? <= ?`, n, userID, day, n, limit)
	if err != nil {
		return false, fmt.Errorf("store: reserve user %d ai tokens: %w", userID, err)
	}
	return rows == 1, nil
}

// AdjustAITokens adds delta (the model's real count less the reservation;
// maybe negative) to the user's tokens of day.
func (s *Store) AdjustAITokens(ctx context.Context, userID int64, day string, delta int) error {
	if _, err := s.exec(ctx, s.db, `UPDATE ai_usage SET tokens = CASE WHEN tokens + ? < 0 THEN 0 ELSE tokens + ? END
		WHERE user_id = ? AND day = ?`, delta, delta, userID, day); err != nil {
		return fmt.Errorf("store: adjust user %d ai tokens: %w", userID, err)
	}
	return nil
}

// AITokensUsed is the user's model tokens of day.
func (s *Store) AITokensUsed(ctx context.Context, userID int64, day string) (int, error) {
	var n int
	err := s.get(ctx, s.db, &n, `SELECT tokens FROM ai_usage WHERE user_id = ? AND day = ?`, userID, day)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("store: user %d ai tokens of %s: %w", userID, day, err)
	}
	return n, nil
}

// AIVerdict is the model's kept verdict on vacancy vacancyID for the
// user's rule; known is false when it never judged it.
type AIVerdict struct {
	Match  bool   `db:"matched"`
	Reason string `db:"reason"`
}

// AIVerdictFor reads the kept verdict on the vacancy for the user's rule.
func (s *Store) AIVerdictFor(ctx context.Context, userID, ruleID int64, vacancyID string) (v AIVerdict, known bool, err error) {
	err = s.get(ctx, s.db, &v, `SELECT matched, reason FROM ai_verdicts WHERE user_id = ? AND rule_id = ? AND vacancy_id = ?`,
		userID, ruleID, vacancyID)
	if errors.Is(err, sql.ErrNoRows) {
		return AIVerdict{}, false, nil
	}
	if err != nil {
		return AIVerdict{}, false, fmt.Errorf("store: ai verdict on vacancy %s for rule %d: %w", vacancyID, ruleID, err)
	}
	return v, true, nil
}

// SaveAIVerdict keeps the model's verdict on the vacancy for the user's
// rule (the first one stays: a rerun never asks again).
func (s *Store) SaveAIVerdict(ctx context.Context, userID, ruleID int64, vacancyID string, v AIVerdict, at time.Time) error {
	_, err := s.exec(ctx, s.db, `INSERT INTO ai_verdicts (user_id, rule_id, vacancy_id, matched, reason, decided_at)
		SELECT ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM rules WHERE id = ? AND user_id = ?)
		ON CONFLICT (rule_id, vacancy_id) DO NOTHING`,
		userID, ruleID, vacancyID, v.Match, v.Reason, ts(at), ruleID, userID)
	if err != nil {
		return fmt.Errorf("store: save ai verdict on vacancy %s for rule %d: %w", vacancyID, ruleID, err)
	}
	return nil
}

// RewriteReviewLetter replaces the draft letter of the user's review item
// id with letter, written by by (LetterByAI…); it changes nothing unless the
// row is still in review, and says so with ErrNotFound.
func (s *Store) RewriteReviewLetter(ctx context.Context, userID, id int64, letter, by string) error {
	n, err := s.exec(ctx, s.db, `UPDATE applications SET letter = ?, letter_by = ?, updated_at = ?
		WHERE id = ? AND user_id = ? AND status = ?`, letter, by, ts(s.now()), id, userID, string(StatusReview))
	if err != nil {
		return fmt.Errorf("store: rewrite letter of application %d: %w", id, err)
	}
	if n == 0 {
		return fmt.Errorf("store: rewrite letter of application %d: %w", id, ErrNotFound)
	}
	return nil
}

// AIFailedSince records that the model could not judge the vacancy for the
// user's rule at now (the first failure is kept) and returns when it first
// failed.
func (s *Store) AIFailedSince(ctx context.Context, userID, ruleID int64, vacancyID string, now time.Time) (time.Time, error) {
	if _, err := s.exec(ctx, s.db, `INSERT INTO ai_pending (rule_id, vacancy_id, first_failed_at)
		SELECT ?, ?, ? WHERE EXISTS (SELECT 1 FROM rules WHERE id = ? AND user_id = ?)
		ON CONFLICT (rule_id, vacancy_id) DO NOTHING`, ruleID, vacancyID, ts(now), ruleID, userID); err != nil {
		return time.Time{}, fmt.Errorf("store: ai failure on vacancy %s for rule %d: %w", vacancyID, ruleID, err)
	}
	var first time.Time
	err := s.get(ctx, s.db, &first, `SELECT p.first_failed_at FROM ai_pending p JOIN rules r ON r.id = p.rule_id
		WHERE p.rule_id = ? AND p.vacancy_id = ? AND r.user_id = ?`, ruleID, vacancyID, userID)
	if err != nil {
		return time.Time{}, fmt.Errorf("store: ai failure on vacancy %s for rule %d: %w", vacancyID, ruleID, err)
	}
	return first, nil
}
