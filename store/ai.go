package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
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

// UserTimeZone is the user's IANA time zone name ("" when unset).
func (s *Store) UserTimeZone(ctx context.Context, userID int64) (string, error) {
	var tz string
	err := s.get(ctx, s.db, &tz, `SELECT time_zone FROM users WHERE id = ?`, userID)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("store: user %d: %w", userID, ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("store: time zone of user %d: %w", userID, err)
	}
	return tz, nil
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

// AI steps a row may wait for (AIPending.Step).
const (
	AIStepScreen = "screen" // the model's verdict against the rule's criteria
	AIStepLetter = "letter" // the model's letter
)

// AI notes (Application.AINote): what became of the AI for a row.
const (
	AINoteCapSpent    = "cap_spent"   // the user's daily tokens were spent: template letter, no screening
	AINoteUnavailable = "unavailable" // the model did not answer usably: the row waits and retries
	AINoteRejected    = "rejected"    // the model's letter failed a check: the template's was used
	AINoteGaveUp      = "gave_up"     // a day of model failures: decided without it
)

// AIPending is the AI step a queued row (reason ai_unavailable) waits for,
// with what the model needs and what the row becomes once it is done.
type AIPending struct {
	ApplicationID int64             `db:"application_id"`
	Step          string            `db:"step"` // AIStepScreen or AIStepLetter
	ThenStatus    ApplicationStatus `db:"then_status"`
	ThenReason    string            `db:"then_reason"`
	// Vacancy is what the model is told of the vacancy (JSON, ai.Vacancy).
	Vacancy       string    `db:"vacancy"`
	FirstFailedAt time.Time `db:"first_failed_at"`
	Attempts      int       `db:"attempts"`
}

// AIPendingFor reads the AI step the user's row id waits for; ErrNotFound
// when it waits for none.
func (s *Store) AIPendingFor(ctx context.Context, userID, id int64) (*AIPending, error) {
	var p AIPending
	err := s.get(ctx, s.db, &p, `SELECT application_id, step, then_status, then_reason, vacancy, first_failed_at, attempts
		FROM ai_pending WHERE application_id = ? AND user_id = ?`, id, userID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: ai step of application %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: ai step of application %d: %w", id, err)
	}
	return &p, nil
}

// AIStillPending records one more failed attempt at the user's row's AI
// step, now step (a screened row may go on to wait for its letter), and
// returns the attempts so far.
func (s *Store) AIStillPending(ctx context.Context, userID, id int64, step string) (attempts int, err error) {
	err = s.get(ctx, s.db, &attempts, `UPDATE ai_pending SET attempts = attempts + 1, step = ?
		WHERE application_id = ? AND user_id = ? RETURNING attempts`, step, id, userID)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("store: ai step of application %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return 0, fmt.Errorf("store: ai step of application %d: %w", id, err)
	}
	return attempts, nil
}

// AIResolution is what a row waiting for the model becomes.
type AIResolution struct {
	Status   ApplicationStatus // queued (to send), review or skipped
	Reason   string
	Message  string // the model's one line on a mismatch
	Letter   string
	LetterBy string
	AINote   string
}

// ResolveAIPending moves the user's row id, queued and waiting for the
// model, to r and forgets its AI step, in one transaction. It changes
// nothing and says ErrNotFound when the row no longer waits (another
// worker resolved it first).
func (s *Store) ResolveAIPending(ctx context.Context, userID, id int64, r AIResolution) error {
	// Its own move, outside allowedMoves: only a row waiting for the model
	// (its ai_pending row exists) may go from queued to skipped, so no
	// person-driven method can skip a queued row.
	if r.Status != StatusQueued && r.Status != StatusReview && r.Status != StatusSkipped {
		return fmt.Errorf("store: resolve ai step of application %d: %w status %q", id, ErrInvalid, r.Status)
	}
	// The pending row is deleted first: of workers resolving the same row
	// at once exactly one deletes it (under PostgreSQL's READ COMMITTED the
	// second DELETE waits for the first and then finds nothing; SQLite's
	// BEGIN IMMEDIATE serializes them), and only that one moves the row.
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		n, err := s.exec(ctx, tx, `DELETE FROM ai_pending WHERE application_id = ? AND user_id = ?`, id, userID)
		if err != nil {
			return err
		}
		if n == 0 {
			return ErrNotFound
		}
		n, err = s.exec(ctx, tx, `UPDATE applications SET status = ?, reason = ?, message = ?, letter = ?,
			letter_by = ?, ai_note = ?, updated_at = ?
			WHERE id = ? AND user_id = ? AND status = 'queued'`,
			string(r.Status), r.Reason, r.Message, r.Letter, r.LetterBy, r.AINote, ts(s.now()), id, userID)
		if err != nil {
			return err
		}
		if n == 0 {
			return ErrNotFound
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: resolve ai step of application %d: %w", id, err)
	}
	return nil
}

// ResumeDetails is what a letter is written from beyond the title: hh's
// GET /resumes/{id}, kept so it is fetched once.
type ResumeDetails struct {
	Skills     string    `db:"skills"`
	Experience string    `db:"experience"`
	FetchedAt  time.Time `db:"fetched_at"`
}

// ResumeDetailsOf reads the kept details of the user's resume; ErrNotFound
// when never fetched.
func (s *Store) ResumeDetailsOf(ctx context.Context, userID int64, resumeID string) (*ResumeDetails, error) {
	var d ResumeDetails
	err := s.get(ctx, s.db, &d, `SELECT skills, experience, fetched_at FROM resume_details
		WHERE user_id = ? AND resume_id = ?`, userID, resumeID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: details of resume %s: %w", resumeID, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: details of resume %s: %w", resumeID, err)
	}
	return &d, nil
}

// SaveResumeDetails keeps the details of the user's resume.
func (s *Store) SaveResumeDetails(ctx context.Context, userID int64, resumeID string, d ResumeDetails) error {
	_, err := s.exec(ctx, s.db, `INSERT INTO resume_details (user_id, resume_id, skills, experience, fetched_at)
		VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (user_id, resume_id) DO UPDATE SET skills = excluded.skills,
			experience = excluded.experience, fetched_at = excluded.fetched_at`,
		userID, resumeID, d.Skills, d.Experience, ts(d.FetchedAt))
	if err != nil {
		return fmt.Errorf("store: save details of resume %s: %w", resumeID, err)
	}
	return nil
}
