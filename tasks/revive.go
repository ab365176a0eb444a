package tasks

import (
	"context"
	"errors"
	"fmt"

	"github.com/hibiken/asynq"
)

// enqueueUnlessLive enqueues t, whose TaskID is id, in queue. A task already
// holding the ID that is live (pending, active, scheduled, waiting to retry)
// is left alone: joined is true. A dead one would hold the ID for as long as
// asynq keeps it: archived after its retries ran out, or after the process
// running its last attempt was killed, so no handler ever moved the work on;
// or completed and kept for its retention. It is deleted and t enqueued in
// its place, when replace (nil: always) agrees that the work is still wanted.
// With in nil every conflict is a join, as asynq alone would have it.
func enqueueUnlessLive(ctx context.Context, q *asynq.Client, in *asynq.Inspector, t *asynq.Task, queue, id string,
	replace func(asynq.TaskState) (bool, error)) (joined bool, err error) {
	// Bounded: two callers replacing the same dead task race only once.
	for range 3 {
		_, err := q.EnqueueContext(ctx, t)
		switch {
		case err == nil:
			return false, nil
		case !errors.Is(err, asynq.ErrTaskIDConflict):
			return false, fmt.Errorf("tasks: enqueue %s: %w", id, err)
		case in == nil:
			return true, nil
		}
		info, err := in.GetTaskInfo(queue, id)
		if errors.Is(err, asynq.ErrTaskNotFound) {
			continue // gone meanwhile (retention ran out, or another caller deleted it)
		}
		if err != nil {
			return false, fmt.Errorf("tasks: inspect %s: %w", id, err)
		}
		if info.State != asynq.TaskStateArchived && info.State != asynq.TaskStateCompleted {
			return true, nil
		}
		if replace != nil {
			ok, err := replace(info.State)
			if err != nil || !ok {
				return err == nil, err
			}
		}
		if err := in.DeleteTask(queue, id); err != nil && !errors.Is(err, asynq.ErrTaskNotFound) {
			return false, fmt.Errorf("tasks: delete dead task %s: %w", id, err)
		}
	}
	return true, nil
}
