package tasks

import (
	"context"
	"time"

	"github.com/hibiken/asynq"
)

// TypeSessionsCleanup deletes expired sign-in sessions, once a day.
const TypeSessionsCleanup = "sessions:cleanup"

// CleanupPayload names the UTC day a cleanup is for.
type CleanupPayload struct {
	Day string `json:"day"` // YYYY-MM-DD, UTC
}

// NewSessionsCleanupTask is the day's cleanup. Its TaskID is the day and it
// is retained past it, so the tick of every minute (and every worker) may
// enqueue it and it runs once a day.
func NewSessionsCleanupTask(day string) *asynq.Task {
	return newTask(TypeSessionsCleanup, CleanupPayload{Day: day},
		asynq.TaskID("sessions:cleanup:"+day),
		asynq.Queue(QueueLow), asynq.MaxRetry(5), asynq.Timeout(5*time.Minute),
		asynq.Retention(26*time.Hour))
}

// enqueueCleanup enqueues the day's session cleanup; after the first tick
// of the day it is a conflict, which enqueue ignores.
func (w *Worker) enqueueCleanup(ctx context.Context, now time.Time) error {
	return w.enqueue(ctx, NewSessionsCleanupTask(now.UTC().Format(time.DateOnly)))
}

func (w *Worker) handleSessionsCleanup(ctx context.Context, t *asynq.Task) error {
	var p CleanupPayload
	if err := decode(t, &p); err != nil {
		return err
	}
	n, err := w.store.DeleteExpiredSessions(ctx, w.now())
	w.metrics.Tasks.WithLabelValues(TypeSessionsCleanup, resultOf(err)).Inc()
	if err != nil {
		return err
	}
	w.log.Info("expired sessions deleted", "sessions", n, "day", p.Day)
	return nil
}
