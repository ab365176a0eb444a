package tasks

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/hibiken/asynq"
	"github.com/robfig/cron/v3"

	"github.com/otklik/otklik/store"
)

// requeueAfter is how long a queued row may wait with no apply task in
// flight before the tick enqueues it again (after a Redis loss, a pause, or
// retries that gave up).
const requeueAfter = 10 * time.Minute

// captchaProbe is how long an account waits for the person to solve a
// captcha before the worker tries hh again.
const captchaProbe = 30 * time.Minute

// StartCron runs robfig/cron in this process: every minute it enqueues the
// tick for the current minute slot. Every worker process runs one; the tick's
// TaskID makes N workers enqueue one tick. Stop the returned cron to end it.
func StartCron(q *asynq.Client, logger *slog.Logger) *cron.Cron {
	c := cron.New(cron.WithLocation(time.UTC))
	enqueue := func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := EnqueueTick(ctx, q, time.Now()); err != nil {
			logger.Warn("enqueue scheduler tick", "error", err)
		}
	}
	_, _ = c.AddFunc("* * * * *", enqueue)
	c.Start()
	go enqueue() // do not wait up to a minute after start
	return c
}

// EnqueueTick enqueues the tick of now's minute slot; a tick already
// enqueued for that slot is not an error.
func EnqueueTick(ctx context.Context, q *asynq.Client, now time.Time) error {
	_, err := q.EnqueueContext(ctx, NewTickTask(minuteSlot(now)))
	if err != nil && !errors.Is(err, asynq.ErrTaskIDConflict) {
		return fmt.Errorf("tasks: enqueue tick: %w", err)
	}
	return nil
}

// handleTick finds what is due in SQLite and enqueues one task each, with
// deterministic TaskIDs, so a replayed tick or two workers enqueue nothing
// twice. It only reads the store and hands out IDs.
func (w *Worker) handleTick(ctx context.Context, t *asynq.Task) error {
	var p TickPayload
	if err := decode(t, &p); err != nil {
		return err
	}
	err := w.Tick(ctx)
	w.metrics.Tasks.WithLabelValues(TypeSchedulerTick, resultOf(err)).Inc()
	return err
}

// Tick enqueues everything due now: rule runs, token refreshes, summaries,
// and queued applications with no task in flight.
func (w *Worker) Tick(ctx context.Context) error {
	now := w.now()
	return errors.Join(
		w.enqueueDueRules(ctx, now),
		w.enqueueRefreshes(ctx, now),
		w.enqueueSummaries(ctx, now),
		w.enqueueQueued(ctx, now),
	)
}

func (w *Worker) enqueue(ctx context.Context, t *asynq.Task) error {
	_, err := w.queue.EnqueueContext(ctx, t)
	if err != nil && !errors.Is(err, asynq.ErrTaskIDConflict) {
		return fmt.Errorf("tasks: enqueue %s: %w", t.Type(), err)
	}
	return nil
}

func (w *Worker) enqueueDueRules(ctx context.Context, now time.Time) error {
	due, err := w.store.DueRules(ctx, now)
	if err != nil {
		return err
	}
	var errs []error
	for _, ref := range due {
		rule, err := w.store.Rule(ctx, ref.UserID, ref.RuleID)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		user, err := w.store.User(ctx, ref.UserID)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		loc := location(user.TimeZone)
		if !rule.Active(now, loc) {
			// Outside active hours: skipped for a stated reason, so the
			// schedule moves to the next window.
			errs = append(errs, w.store.DeferRule(ctx, ref.UserID, ref.RuleID, rule.NextActive(now, loc)))
			continue
		}
		errs = append(errs, w.enqueue(ctx, NewScheduledRuleRunTask(ref.UserID, ref.RuleID, minuteSlot(rule.NextRunAt))))
	}
	return errors.Join(errs...)
}

func (w *Worker) enqueueRefreshes(ctx context.Context, now time.Time) error {
	ids, err := w.store.AccountsWithExpiredTokens(ctx, now)
	if err != nil {
		return err
	}
	var errs []error
	for _, id := range ids {
		acct, err := w.store.HHAccount(ctx, id)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if acct.State == store.AccountReconnect {
			continue
		}
		errs = append(errs, w.enqueue(ctx, NewTokenRefreshTask(id, acct.TokenGeneration)))
	}
	return errors.Join(errs...)
}

func (w *Worker) enqueueSummaries(ctx context.Context, now time.Time) error {
	list, err := w.store.SummarySchedules(ctx)
	if err != nil {
		return err
	}
	var errs []error
	for _, s := range list {
		local := now.In(location(s.TimeZone))
		if local.Hour() < s.SummaryHour {
			continue
		}
		day := local.Format(time.DateOnly)
		if _, err := w.store.Summary(ctx, s.UserID, day); err == nil {
			continue
		} else if !errors.Is(err, store.ErrNotFound) {
			errs = append(errs, err)
			continue
		}
		errs = append(errs, w.enqueue(ctx, NewSummaryTask(s.UserID, day)))
	}
	return errors.Join(errs...)
}

// enqueueQueued re-derives apply work from the ledger: rows still queued
// well after they were written or last touched, for accounts that may apply
// now. Paused accounts whose pause has passed are resumed here.
func (w *Worker) enqueueQueued(ctx context.Context, now time.Time) error {
	users, err := w.store.UsersWithQueuedApplications(ctx)
	if err != nil {
		return err
	}
	var errs []error
	slot := minuteSlot(now) / 60 // one re-derived task per row per hour
	for _, userID := range users {
		acct, err := w.store.HHAccount(ctx, userID)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		switch {
		case acct.State == store.AccountLimited && acct.Usable(now),
			acct.State == store.AccountCaptcha && now.Sub(acct.UpdatedAt) >= captchaProbe:
			if err := w.store.SetAccountState(ctx, userID, store.AccountConnected, "", time.Time{}, ""); err != nil {
				errs = append(errs, err)
				continue
			}
		case acct.State != store.AccountConnected:
			continue
		}
		queued, err := w.store.QueuedApplications(ctx, userID)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		var delay time.Duration
		for _, a := range queued {
			if now.Sub(a.UpdatedAt) < requeueAfter && a.Reason == "" {
				continue // just written: its own task is on the way
			}
			errs = append(errs, w.enqueueApply(ctx, userID, a.ID, fmt.Sprintf("t%d", slot), QueueDefault, delay))
			delay += w.pacer.interval
		}
	}
	return errors.Join(errs...)
}
