package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
)

// RunResult is what a rule run did.
type RunResult struct {
	Found   int `db:"found"` // vacancies seen
	Applied int `db:"applied"`
	Review  int `db:"review"`
	Skipped int `db:"skipped"`
	Failed  int `db:"failed"`
	Queued  int `db:"queued"`
	// HHRequests counts the run's own requests: its searches, the vacancy
	// lookups of its decisions and token refreshes.
	HHRequests int `db:"hh_requests"`
	// ApplyRequests counts the POSTs of the applications it queued, added
	// as they are sent (after the run itself has finished).
	ApplyRequests int    `db:"apply_requests"`
	Error         string `db:"error"` // "" when the run completed
}

// RuleRun is one run of a rule.
type RuleRun struct {
	ID         int64      `db:"id"`
	UserID     int64      `db:"user_id"`
	RuleID     int64      `db:"rule_id"`
	StartedAt  time.Time  `db:"started_at"`
	FinishedAt *time.Time `db:"finished_at"` // nil while running (or if the worker died)
	Manual     bool       `db:"manual"`      // a person pressed "run now"
	RunResult
}

// StartRun opens a run of userID's rule at startedAt (manual: a person
// pressed "run now"), records it as the rule's last run, and returns the
// run's ID.
func (s *Store) StartRun(ctx context.Context, userID, ruleID int64, startedAt time.Time, manual bool) (int64, error) {
	var id int64
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		n, err := s.exec(ctx, tx, `UPDATE rules SET last_run_at = ? WHERE id = ? AND user_id = ?`, ts(startedAt), ruleID, userID)
		if err != nil {
			return err
		}
		if n == 0 {
			return ErrNotFound
		}
		return s.get(ctx, tx, &id, `INSERT INTO rule_runs (user_id, rule_id, started_at, manual) VALUES (?, ?, ?, ?) RETURNING id`,
			userID, ruleID, ts(startedAt), manual)
	})
	if err != nil {
		return 0, fmt.Errorf("store: start run of rule %d: %w", ruleID, err)
	}
	return id, nil
}

// FinishRun closes userID's run runID with its result, now.
func (s *Store) FinishRun(ctx context.Context, userID, runID int64, r RunResult) error {
	if err := s.finishRun(ctx, s.db, userID, runID, r); err != nil {
		return fmt.Errorf("store: finish run %d: %w", runID, err)
	}
	return nil
}

// FinishCompletedRun is FinishRun and CompleteRuleRun for a run that
// completed, in one transaction.
func (s *Store) FinishCompletedRun(ctx context.Context, userID, ruleID, runID int64, r RunResult,
	completedAt, nextRunAt time.Time, fullPass bool) error {
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		if err := s.finishRun(ctx, tx, userID, runID, r); err != nil {
			return err
		}
		return s.completeRuleRun(ctx, tx, userID, ruleID, completedAt, nextRunAt, fullPass)
	})
	if err != nil {
		return fmt.Errorf("store: finish completed run %d of rule %d: %w", runID, ruleID, err)
	}
	return nil
}

func (s *Store) finishRun(ctx context.Context, e sqlx.ExecerContext, userID, runID int64, r RunResult) error {
	n, err := s.exec(ctx, e, `
		UPDATE rule_runs SET finished_at = ?, found = ?, applied = ?, review = ?, skipped = ?, failed = ?,
			queued = ?, hh_requests = ?, error = ?
		WHERE id = ? AND user_id = ?`,
		ts(s.now()), r.Found, r.Applied, r.Review, r.Skipped, r.Failed, r.Queued, r.HHRequests, r.Error,
		runID, userID)
	if err == nil && n == 0 {
		err = ErrNotFound
	}
	return err
}

// LastRuns returns up to n of the rule's latest runs, newest first.
func (s *Store) LastRuns(ctx context.Context, userID, ruleID int64, n int) ([]RuleRun, error) {
	var out []RuleRun
	err := s.sel(ctx, s.db, &out, `
		SELECT id, user_id, rule_id, started_at, finished_at, manual, found, applied, review, skipped, failed,
			queued, hh_requests, apply_requests, error
		FROM rule_runs WHERE user_id = ? AND rule_id = ? ORDER BY started_at DESC, id DESC LIMIT ?`,
		userID, ruleID, n)
	if err != nil {
		return nil, fmt.Errorf("store: last runs of rule %d: %w", ruleID, err)
	}
	return out, nil
}

// AddRunRequests adds n POSTs sent for an application of userID's run runID.
// A run deleted with its rule counts nothing.
func (s *Store) AddRunRequests(ctx context.Context, userID, runID int64, n int) error {
	if runID == 0 || n == 0 {
		return nil
	}
	if _, err := s.exec(ctx, s.db, `UPDATE rule_runs SET apply_requests = apply_requests + ? WHERE id = ? AND user_id = ?`,
		n, runID, userID); err != nil {
		return fmt.Errorf("store: add requests to run %d: %w", runID, err)
	}
	return nil
}

// RunTally is what became of the vacancies one run took on, read from the
// ledger as it is now: applications queued by the run are sent after it.
type RunTally struct {
	New      int                       // ledger rows the run wrote
	Statuses map[ApplicationStatus]int // those rows by status now
	// Reasons counts the rows by status and reason, e.g. the skipped ones
	// by why they were skipped.
	Reasons map[ApplicationStatus]map[string]int
}

// RunTally counts userID's ledger rows written by run runID.
func (s *Store) RunTally(ctx context.Context, userID, runID int64) (RunTally, error) {
	var rows []struct {
		Status ApplicationStatus `db:"status"`
		Reason string            `db:"reason"`
		N      int               `db:"n"`
	}
	err := s.sel(ctx, s.db, &rows, `SELECT status, reason, COUNT(*) AS n FROM applications
		WHERE user_id = ? AND run_id = ? GROUP BY status, reason`, userID, runID)
	if err != nil {
		return RunTally{}, fmt.Errorf("store: tally of run %d: %w", runID, err)
	}
	t := RunTally{Statuses: map[ApplicationStatus]int{}, Reasons: map[ApplicationStatus]map[string]int{}}
	for _, r := range rows {
		t.New += r.N
		t.Statuses[r.Status] += r.N
		if t.Reasons[r.Status] == nil {
			t.Reasons[r.Status] = map[string]int{}
		}
		t.Reasons[r.Status][r.Reason] += r.N
	}
	return t, nil
}
