package tasks

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hibiken/asynq"

	"github.com/otklik/otklik/telegram"
)

// TypeTelegramSend sends one Telegram notification (TELEGRAM_BOT_TOKEN).
const TypeTelegramSend = "telegram:send"

// NewTelegramTask sends n. Its id is n's key (tg:invitation:<row>,
// tg:warning:<user>:<kind>:<occurrence>, tg:summary:<user>:<day>,
// tg:review:<run>), so a repeated tick or a task run again enqueues it
// once; the store's record of what was sent keeps a later copy silent.
func NewTelegramTask(n telegram.Notification) *asynq.Task {
	queue := QueueCritical
	if n.Kind == telegram.KindSummary {
		queue = QueueLow
	}
	return newTask(TypeTelegramSend, n, asynq.TaskID(n.Key()),
		asynq.Queue(queue), asynq.MaxRetry(12), asynq.Timeout(time.Minute),
		asynq.Retention(26*time.Hour))
}

// tellTelegram enqueues n when Telegram is configured.
func (w *Worker) tellTelegram(ctx context.Context, n telegram.Notification) error {
	if w.telegram == nil {
		return nil
	}
	return w.enqueue(ctx, NewTelegramTask(n))
}

func (w *Worker) handleTelegramSend(ctx context.Context, t *asynq.Task) error {
	var n telegram.Notification
	if err := decode(t, &n); err != nil {
		return err
	}
	if w.telegram == nil {
		return nil
	}
	err := w.telegram.Deliver(ctx, n)
	w.metrics.Tasks.WithLabelValues(TypeTelegramSend, resultOf(err)).Inc()
	if d, ok := telegram.RetryAfter(err); ok {
		// 429: Telegram says when; waiting it out is no failure. asynq
		// keeps a retry's due time in whole seconds and may run it up to
		// a second before it: the margin keeps it after retry_after.
		return retryLater(d+time.Second, err)
	}
	var te *telegram.Error
	if errors.As(err, &te) && !te.Temporary {
		// A 400 or 401 comes back the same however often it is sent.
		return fmt.Errorf("%w: %w", err, asynq.SkipRetry)
	}
	return err // 5xx, network: asynq's backoff
}

// enqueueTelegramWarnings tells each linked chat once per occurrence of an
// account warning (reconnect, captcha, limit): an occurrence opens when the
// tick first sees the account in that state and closes when it leaves it.
func (w *Worker) enqueueTelegramWarnings(ctx context.Context) error {
	if w.telegram == nil {
		return nil
	}
	opened, err := w.store.OpenTelegramWarnings(ctx)
	if err != nil {
		return err
	}
	var errs []error
	for _, o := range opened {
		if err := w.tellTelegram(ctx, telegram.Notification{UserID: o.UserID, Kind: telegram.KindWarning,
			Warning: o.Kind, Occurrence: o.Occurrence}); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
