package tasks

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hibiken/asynq"

	"github.com/otklik/otklik/store"
)

// Jobs enqueues the work a person asks for in the web app.
type Jobs struct {
	Queue *asynq.Client
	// Store names the rule's last completed run in "run now" task IDs; nil
	// makes every press after the first join a finished run until its ID
	// expires.
	Store *store.Store
	// Inspector (over the Redis that Queue uses) tells a "run now" task in
	// flight from a dead one: a run whose retries ran out is archived under
	// the same ID, and without an Inspector every later press joins it, so
	// nothing runs until the rule completes a scheduled run.
	Inspector *asynq.Inspector
}

// RunRule starts a run of the rule within seconds. A press while a manual
// run is pending or running joins it; a press after it completed, or after
// it failed for good, starts a new one.
func (j Jobs) RunRule(ctx context.Context, userID, ruleID int64) error {
	_, err := j.StartRule(ctx, userID, ruleID)
	return err
}

// StartRule is RunRule that also says whether the press joined a manual run
// already pending or running (joined) rather than starting one.
func (j Jobs) StartRule(ctx context.Context, userID, ruleID int64) (joined bool, err error) {
	var last time.Time
	if j.Store != nil {
		rule, err := j.Store.Rule(ctx, userID, ruleID)
		if err != nil {
			return false, fmt.Errorf("tasks: run rule %d: %w", ruleID, err)
		}
		last = rule.LastCompletedRunAt
	}
	joined, err = enqueueUnlessLive(ctx, j.Queue, j.Inspector, NewManualRuleRunTask(userID, ruleID, last),
		QueueCritical, manualRunID(ruleID, last), nil)
	if err != nil {
		return false, fmt.Errorf("tasks: run rule %d: %w", ruleID, err)
	}
	return joined, nil
}

// SendApplication enqueues the apply of a row the person sent from the
// review queue (already moved back to queued with their letter).
func (j Jobs) SendApplication(ctx context.Context, userID, applicationID int64) error {
	gen := fmt.Sprintf("p%d", minuteSlotNow())
	_, err := j.Queue.EnqueueContext(ctx, NewApplyTask(userID, applicationID, gen, QueueCritical, 0))
	if err != nil && !errors.Is(err, asynq.ErrTaskIDConflict) {
		return fmt.Errorf("tasks: send application %d: %w", applicationID, err)
	}
	return nil
}

// SyncOutcomes enqueues a sync of the person's negotiations now («Обновить»;
// the web lets a person press it once per 10 minutes). The minute in its id
// makes presses within one minute one sync.
func (j Jobs) SyncOutcomes(ctx context.Context, userID int64) error {
	slot := fmt.Sprintf("now:%d", minuteSlotNow())
	_, err := j.Queue.EnqueueContext(ctx, NewNegotiationsSyncTask(userID, slot, QueueCritical, 0))
	if err != nil && !errors.Is(err, asynq.ErrTaskIDConflict) {
		return fmt.Errorf("tasks: sync outcomes of user %d: %w", userID, err)
	}
	return nil
}
