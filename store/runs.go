package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
)

// RunResult is what a rule run did.
type RunResult struct {
	Found      int    `db:"found"` // vacancies seen
	Applied    int    `db:"applied"`
	Review     int    `db:"review"`
	Skipped    int    `db:"skipped"`
	Failed     int    `db:"failed"`
	Queued     int    `db:"queued"`
	HHRequests int    `db:"hh_requests"`
	Error      string `db:"error"` // "" when the run completed
}

// RuleRun is one run of a rule.
type RuleRun struct {
	ID         int64      `db:"id"`
	UserID     int64      `db:"user_id"`
	RuleID     int64      `db:"rule_id"`
	StartedAt  time.Time  `db:"started_at"`
	FinishedAt *time.Time `db:"finished_at"` // nil while running (or if the worker died)
	RunResult
}

// StartRun opens a run of userID's rule at startedAt, records it as the
// rule's last run, and returns the run's ID.
func (s *Store) StartRun(ctx context.Context, userID, ruleID int64, startedAt time.Time) (int64, error) {
	var id int64
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		n, err := s.exec(ctx, tx, `UPDATE rules SET last_run_at = ? WHERE id = ? AND user_id = ?`, ts(startedAt), ruleID, userID)
		if err != nil {
			return err
		}
		if n == 0 {
			return ErrNotFound
		}
		return s.get(ctx, tx, &id, `INSERT INTO rule_runs (user_id, rule_id, started_at) VALUES (?, ?, ?) RETURNING id`,
			userID, ruleID, ts(startedAt))
	})
	if err != nil {
		return 0, fmt.Errorf("store: start run of rule %d: %w", ruleID, err)
	}
	return id, nil
}

// FinishRun closes userID's run runID with its result, now.
func (s *Store) FinishRun(ctx context.Context, userID, runID int64, r RunResult) error {
	n, err := s.exec(ctx, s.db, `
		UPDATE rule_runs SET finished_at = ?, found = ?, applied = ?, review = ?, skipped = ?, failed = ?,
			queued = ?, hh_requests = ?, error = ?
		WHERE id = ? AND user_id = ?`,
		ts(s.now()), r.Found, r.Applied, r.Review, r.Skipped, r.Failed, r.Queued, r.HHRequests, r.Error,
		runID, userID)
	if err == nil && n == 0 {
		err = ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("store: finish run %d: %w", runID, err)
	}
	return nil
}

// LastRuns returns up to n of the rule's latest runs, newest first.
func (s *Store) LastRuns(ctx context.Context, userID, ruleID int64, n int) ([]RuleRun, error) {
	var out []RuleRun
	err := s.sel(ctx, s.db, &out, `
		SELECT id, user_id, rule_id, started_at, finished_at, found, applied, review, skipped, failed,
			queued, hh_requests, error
		FROM rule_runs WHERE user_id = ? AND rule_id = ? ORDER BY started_at DESC, id DESC LIMIT ?`,
		userID, ruleID, n)
	if err != nil {
		return nil, fmt.Errorf("store: last runs of rule %d: %w", ruleID, err)
	}
	return out, nil
}
