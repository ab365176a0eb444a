package tasks

import (
	"context"
	"errors"
	"sync/atomic"

	"github.com/otklik/otklik/hh"
	"github.com/otklik/otklik/plan"
	"github.com/otklik/otklik/store"
)

// finishAI does the AI step the queued row a waits for (its reason is
// ai_unavailable: the model did not answer when the run decided it). It
// returns the row to send when the row is now an ordinary queued one; nil
// when it went to review or was skipped, or when it still waits: then err
// asks asynq for another attempt after a backoff (plan.AIRetryDelay). A
// day after the first failure the planner decides without the model (no
// screening, or the template's letter), so nothing waits forever.
func (w *Worker) finishAI(ctx context.Context, a *store.Application, acct *store.HHAccount) (*store.Application, error) {
	pend, err := w.store.AIPendingFor(ctx, a.UserID, a.ID)
	if errors.Is(err, store.ErrNotFound) {
		return w.requeued(ctx, a) // another worker finished it meanwhile
	}
	if err != nil {
		return nil, err
	}
	var res store.AIResolution
	var step string
	done := true
	var requests atomic.Int64
	defer w.countRunRequests(ctx, a, &requests)
	rule, err := w.store.Rule(ctx, a.UserID, a.RuleID)
	switch {
	case errors.Is(err, store.ErrNotFound) || a.RuleID == 0:
		// The rule is gone: nobody asks for its screening or its letters.
		res = store.AIResolution{Status: pend.ThenStatus, Reason: pend.ThenReason, Letter: a.Letter, LetterBy: a.LetterBy}
	case err != nil:
		return nil, err
	default:
		planner, err := plan.New(ctx, w.store, w.tests, rule, acct, w.now())
		if err != nil {
			return nil, err
		}
		if w.ai != nil {
			planner.UseAI(w.ai, true)
		}
		hhc := w.runClient(ctx, a.UserID, acct, &requests)
		err = hhc.do(func(c *hh.Client) (err error) {
			res, step, done, err = planner.Finish(ctx, a, pend, c)
			return err
		})
		if err != nil {
			return nil, w.accountError(ctx, a.UserID, hhc.generation(), err)
		}
	}
	if !done {
		attempts, err := w.store.AIStillPending(ctx, a.UserID, a.ID, step)
		if err != nil {
			return nil, err
		}
		delay := plan.AIRetryDelay(attempts)
		w.log.Info("model still unavailable; the application waits", "user_id", a.UserID,
			"application_id", a.ID, "step", step, "attempts", attempts, "retry_in", delay)
		return nil, retryLater(delay, nil)
	}
	err = w.store.ResolveAIPending(ctx, a.UserID, a.ID, res)
	if errors.Is(err, store.ErrNotFound) {
		return w.requeued(ctx, a)
	}
	if err != nil {
		return nil, err
	}
	w.log.Info("model step done", "user_id", a.UserID, "application_id", a.ID,
		"status", string(res.Status), "reason", res.Reason, "ai_note", res.AINote)
	if res.Status != store.StatusQueued {
		w.metrics.outcome(string(res.Status))
		return nil, nil
	}
	return w.store.Application(ctx, a.UserID, a.ID)
}

// requeued reads the row again after another worker finished its AI step:
// it is returned only when it is now an ordinary queued row.
func (w *Worker) requeued(ctx context.Context, a *store.Application) (*store.Application, error) {
	b, err := w.store.Application(ctx, a.UserID, a.ID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil || b.Status != store.StatusQueued || b.Reason == a.Reason {
		return nil, err
	}
	return b, nil
}
