package tasks

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/hibiken/asynq"
	"github.com/robfig/cron/v3"

	"github.com/otklik/otklik/locale"
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

// handleTick finds what is due in the database and enqueues one task each, with
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
// queued applications with no task in flight, and resume raises.
func (w *Worker) Tick(ctx context.Context) error {
	now := w.now()
	// Pauses end first, so the runs enqueued next find their accounts usable.
	return errors.Join(
		w.resumePaused(ctx, now),
		w.enqueueDueRules(ctx, now),
		w.enqueueRefreshes(ctx, now),
		w.enqueueSummaries(ctx, now),
		w.enqueueQueued(ctx, now),
		w.enqueueCleanup(ctx, now),
		w.enqueueDueRaises(ctx, now),
		w.enqueueNegotiationSyncs(ctx, now),
		w.enqueueTelegramWarnings(ctx),
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
		loc := locale.Zone(user.TimeZone)
		if !rule.Active(now, loc) {
			// Outside active hours: skipped for a stated reason, so the
			// schedule moves to the next window.
			errs = append(errs, w.store.DeferRule(ctx, ref.UserID, ref.RuleID, rule.NextActive(now, loc)))
			continue
		}
		if gone, err := w.store.ResumeGone(ctx, rule.UserID, rule.ResumeID); err != nil || gone {
			// Another hh person is connected, or the resume was deleted: a
			// search with it would only be refused. The rule waits for the
			// person to choose a resume (the web says so) and moves to its
			// next slot meanwhile.
			if err == nil {
				err = w.store.DeferRule(ctx, ref.UserID, ref.RuleID, nextRun(rule, now, loc))
			}
			errs = append(errs, err)
			continue
		}
		errs = append(errs, w.enqueueRuleRun(ctx, ref.UserID, ref.RuleID, minuteSlot(rule.NextRunAt)))
	}
	return errors.Join(errs...)
}

// enqueueRuleRun enqueues the run of a due rule's slot. A dead task of that
// slot (see enqueueUnlessLive) is replaced while the rule is still due at
// that slot; a live one is the run already on its way.
func (w *Worker) enqueueRuleRun(ctx context.Context, userID, ruleID, slot int64) error {
	id := scheduledRunID(ruleID, slot)
	_, err := enqueueUnlessLive(ctx, w.queue, w.inspector, NewScheduledRuleRunTask(userID, ruleID, slot), QueueDefault, id,
		func(state asynq.TaskState) (bool, error) {
			// A run that completed has moved the schedule on by now; only a
			// rule still due at this slot needs the run again.
			rule, err := w.store.Rule(ctx, userID, ruleID)
			if errors.Is(err, store.ErrNotFound) {
				return false, nil
			}
			if err != nil {
				return false, err
			}
			due := rule.Enabled && minuteSlot(rule.NextRunAt) == slot && !rule.NextRunAt.After(w.now())
			if due {
				w.log.Warn("rule run task is dead while its rule is due; enqueuing it again",
					"user_id", userID, "rule_id", ruleID, "task_id", id, "state", state.String())
			}
			return due, nil
		})
	return err
}

// resumePaused ends the pauses whose time has come, whether or not the
// account has rows waiting: a limit whose window has freed, and a captcha
// after captchaProbe (the next request to hh is the probe: if hh still asks,
// the account pauses again). A captcha raised by a search leaves no queued
// row behind, and its runs are deferred while it lasts, so only this probe
// ends it.
func (w *Worker) resumePaused(ctx context.Context, now time.Time) error {
	paused, err := w.store.PausedAccounts(ctx)
	if err != nil {
		return err
	}
	var errs []error
	for _, acct := range paused {
		switch {
		case acct.State == store.AccountLimited && acct.Usable(now),
			acct.State == store.AccountCaptcha && now.Sub(acct.UpdatedAt) >= captchaProbe:
			if _, err := w.store.ResumeAccount(ctx, acct.UserID, acct.State); err != nil {
				errs = append(errs, err)
			}
		}
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
	// Every local day on Earth is yesterday, today or tomorrow in UTC: the
	// summaries stored since yesterday, read at once, answer for everyone.
	stored, err := w.store.SummaryDaysFrom(ctx, now.UTC().AddDate(0, 0, -1).Format(time.DateOnly))
	if err != nil {
		return err
	}
	type userDay struct {
		user int64
		day  string
	}
	emailed := make(map[userDay]bool, len(stored))
	for _, d := range stored {
		emailed[userDay{d.UserID, d.Day}] = d.Emailed
	}
	var errs []error
	for _, s := range list {
		local := now.In(locale.Zone(s.TimeZone))
		if local.Hour() < s.SummaryHour {
			continue
		}
		day := local.Format(time.DateOnly)
		sent, saved := emailed[userDay{s.UserID, day}]
		switch {
		case !saved:
			errs = append(errs, w.enqueue(ctx, NewSummaryTask(s.UserID, day)))
		case !sent && w.mailer != nil:
			errs = append(errs, w.resendSummary(ctx, s.UserID, day, local.Hour()))
		}
	}
	return errors.Join(errs...)
}

// resendSummary tries once an hour, until the user's local day ends, to
// e-mail a day's summary that is stored but unsent: its own task gave up
// while SMTP was down. A day that has ended is not sent the next day: by then
// the new day's summary (the last 24 hours) is due, and the old one stays on
// the web.
func (w *Worker) resendSummary(ctx context.Context, userID int64, day string, hour int) error {
	user, err := w.store.User(ctx, userID)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if user.SummaryEmail == "" {
		return nil // nothing to send to: the summary lives on the web
	}
	return w.enqueue(ctx, newSummaryResendTask(userID, day, hour))
}

// enqueueQueued re-derives apply work from the ledger: rows still queued
// well after they were written or last touched, for accounts that may apply
// now (resumePaused has ended the pauses that are over).
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
		if acct.State != store.AccountConnected {
			continue
		}
		errs = append(errs, w.enqueueUserQueued(ctx, userID, now, fmt.Sprintf("t%d", slot), requeueAfter))
	}
	return errors.Join(errs...)
}
