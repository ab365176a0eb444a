package tasks

import (
	"context"
	"errors"

	"github.com/hibiken/asynq"
)

// handleTokenRefresh refreshes an account whose access token has expired.
// The refresh itself is serialized per account (see refresh), so a second
// worker, or a rule run refreshing on token_expired, finds the new pair.
func (w *Worker) handleTokenRefresh(ctx context.Context, t *asynq.Task) error {
	var p TokenRefreshPayload
	if err := decode(t, &p); err != nil {
		return err
	}
	_, err := w.account(ctx, p.UserID)
	if errors.Is(err, ErrNotConnected) || errors.Is(err, ErrReconnect) {
		err = nil // nothing to refresh; the account state tells the person
	}
	w.metrics.Tasks.WithLabelValues(TypeTokenRefresh, resultOf(err)).Inc()
	return err
}
