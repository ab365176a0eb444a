package tasks

import (
	"context"
	"errors"
	"fmt"

	"github.com/hibiken/asynq"
)

// Jobs enqueues the work a person asks for in the web app.
type Jobs struct{ Queue *asynq.Client }

// RunRule starts a run of the rule within seconds. A press while a manual
// run is pending or running joins it.
func (j Jobs) RunRule(ctx context.Context, userID, ruleID int64) error {
	_, err := j.Queue.EnqueueContext(ctx, NewManualRuleRunTask(userID, ruleID))
	if err != nil && !errors.Is(err, asynq.ErrTaskIDConflict) {
		return fmt.Errorf("tasks: run rule %d: %w", ruleID, err)
	}
	return nil
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
