package tasks

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/otklik/otklik/hh"
	"github.com/otklik/otklik/store"
)

// Probe is «Я решил капчу»: it asks hh at once, with one cheap request,
// whether the user's paused account may work again, and when hh agrees it
// ends the pause the way the tick ends a pause whose time has come
// (store.ResumeAccount) and enqueues the account's queued rows now instead
// of at the next tick. It returns the account's state afterwards: connected,
// still captcha or limited, or reconnect; "" when no account is connected.
//
//   - captcha: GET /vacancies/{id} of a vacancy in the ledger (hh guards it
//     with the captcha), or GET /me when the ledger is empty;
//   - limited: the pause ends when its time has passed, or, when hh refused
//     while our own ledger counts fewer than DailyLimit, the next application
//     is the probe (hh refusing again pauses the account again); a pause by
//     our own count stays until the window frees.
//
// An error means hh could not be asked; the state is then unchanged.
func (w *Worker) Probe(ctx context.Context, userID int64) (store.AccountState, error) {
	acct, err := w.account(ctx, userID)
	switch {
	case errors.Is(err, ErrNotConnected):
		return "", nil
	case errors.Is(err, ErrReconnect):
		return store.AccountReconnect, nil
	case err != nil:
		return "", fmt.Errorf("tasks: probe hh account of user %d: %w", userID, err)
	}
	now := w.now()
	switch acct.State {
	case store.AccountCaptcha:
		client := w.clientFor(acct.Token.AccessToken, nil)
		id, ok, err := w.store.ProbeVacancy(ctx, userID)
		if err != nil {
			return acct.State, err
		}
		if ok {
			_, err = client.Vacancy(ctx, id)
		} else {
			_, err = client.Me(ctx)
		}
		switch {
		case err == nil, hh.IsNotFound(err):
			// hh answered without a captcha (a vacancy gone since is an answer too).
		case hh.IsCaptchaRequired(err), hh.IsTokenUnusable(err):
			aerr := w.accountError(ctx, userID, acct.TokenGeneration, err)
			if errors.Is(aerr, ErrReconnect) {
				return store.AccountReconnect, nil
			}
			return store.AccountCaptcha, nil
		default:
			return acct.State, fmt.Errorf("tasks: probe hh account of user %d: %w", userID, err)
		}
	case store.AccountLimited:
		if !acct.Usable(now) {
			n, err := w.store.AppliedSince(ctx, userID, now.Add(-dailyWindow))
			if err != nil {
				return acct.State, err
			}
			if n >= DailyLimit {
				return acct.State, nil // our own count: hh would refuse too
			}
		}
	}
	if acct.State != store.AccountConnected {
		if _, err := w.store.ResumeAccount(ctx, userID, acct.State); err != nil {
			return acct.State, err
		}
		w.log.Info("hh account pause lifted on the person's request", "user_id", userID, "was", acct.State)
	}
	if err := w.enqueueUserQueued(ctx, userID, now, fmt.Sprintf("c%d", minuteSlot(now)), 0); err != nil {
		return store.AccountConnected, err
	}
	return store.AccountConnected, nil
}

// enqueueUserQueued enqueues userID's queued rows that have no task on the
// way: rows holding a reason (held back while the account was paused or
// disconnected), and rows older than fresh (0: every row). generation tags
// the task IDs, so one generation enqueues each row once.
func (w *Worker) enqueueUserQueued(ctx context.Context, userID int64, now time.Time, generation string, fresh time.Duration) error {
	queued, err := w.store.QueuedApplications(ctx, userID)
	if err != nil {
		return err
	}
	var ids []int64
	for _, a := range queued {
		if fresh > 0 && now.Sub(a.UpdatedAt) < fresh && a.Reason == "" {
			continue // just written: its own task is on the way
		}
		ids = append(ids, a.ID)
	}
	return w.enqueueApplies(ctx, userID, ids, generation, QueueDefault)
}
