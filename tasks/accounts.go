package tasks

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync/atomic"
	"time"

	"github.com/otklik/otklik/hh"
	"github.com/otklik/otklik/store"
)

// Errors that stop work for an account until the person acts.
var (
	// ErrNotConnected: the user has no hh account connected.
	ErrNotConnected = errors.New("tasks: hh account not connected")
	// ErrReconnect: hh no longer accepts the account's tokens.
	ErrReconnect = errors.New("tasks: hh account must be connected again")
)

func jitter(n int64) int64 {
	if n <= 0 {
		return 0
	}
	return rand.Int64N(n)
}

// clientFor builds an hh client bound to token that counts its requests into
// counter (nil: not counted), on top of the shared budget and metrics.
func (w *Worker) clientFor(token string, counter *atomic.Int64) *hh.Client {
	return w.appClient(counter).WithToken(token)
}

// appClient is the application's client (token refresh) counting its
// requests into counter (nil: not counted).
func (w *Worker) appClient(counter *atomic.Int64) *hh.Client {
	if counter == nil {
		return w.app
	}
	cfg := w.hhConfig
	observe := cfg.Observe
	cfg.Observe = func(ri hh.RequestInfo) {
		counter.Add(1)
		observe(ri)
	}
	c, err := hh.NewClient(cfg)
	if err != nil {
		// w.hhConfig was validated by New.
		panic(err)
	}
	return c
}

// Client returns an hh client for the user with a valid access token,
// refreshing an expired one first. It serves the web app as well as the
// handlers.
func (w *Worker) Client(ctx context.Context, userID int64) (*hh.Client, error) {
	c, _, err := w.Account(ctx, userID)
	return c, err
}

// Account is Client with the account it read (the token refreshed if it
// had expired).
func (w *Worker) Account(ctx context.Context, userID int64) (*hh.Client, *store.HHAccount, error) {
	acct, err := w.account(ctx, userID)
	if err != nil {
		return nil, nil, err
	}
	return w.clientFor(acct.Token.AccessToken, nil), acct, nil
}

// account loads the user's hh account with a usable access token.
func (w *Worker) account(ctx context.Context, userID int64) (*store.HHAccount, error) {
	acct, err := w.connectedAccount(ctx, userID)
	if err != nil {
		return nil, err
	}
	if !w.now().Before(acct.Token.ExpiresAt) {
		return w.refresh(ctx, userID, acct.TokenGeneration, nil)
	}
	return acct, nil
}

// connectedAccount loads the user's hh account: ErrNotConnected without
// one, ErrReconnect when hh no longer takes its tokens.
func (w *Worker) connectedAccount(ctx context.Context, userID int64) (*store.HHAccount, error) {
	acct, err := w.store.HHAccount(ctx, userID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, ErrNotConnected
	case err != nil:
		return nil, err
	case acct.State == store.AccountReconnect:
		return nil, ErrReconnect
	}
	return acct, nil
}

// refresh exchanges the account's refresh token for a new pair, unless the
// pair of generation seen has been replaced already; hh's requests count into
// counter (nil: not counted). One worker at a time refreshes an account: a
// Redis lease kept alive for as long as the refresh takes (it may wait on the
// shared budget far longer than any fixed lease), so hh never sees a refresh
// token twice. The new pair is stored with a compare-and-swap on the
// generation.
func (w *Worker) refresh(ctx context.Context, userID, seen int64, counter *atomic.Int64) (*store.HHAccount, error) {
	unlock, err := w.locks.lockAlive(ctx, fmt.Sprintf("otklik:lock:refresh:%d", userID), w.refreshLease, 45*time.Second)
	if err != nil {
		return nil, fmt.Errorf("tasks: refresh token of user %d: %w", userID, err)
	}
	defer unlock()

	acct, err := w.connectedAccount(ctx, userID)
	if err != nil {
		return nil, err
	}
	if acct.TokenGeneration != seen {
		return acct, nil // another worker refreshed while we waited
	}
	tok, err := w.appClient(counter).RefreshToken(ctx, acct.Token.RefreshToken)
	// hh has answered: what it said is recorded even if our deadline passes
	// now. A spent refresh token whose new pair is lost cannot be undone.
	sctx := context.WithoutCancel(ctx)
	switch {
	case hh.IsRefreshTooEarly(err):
		// hh still takes the access token: our clock ran ahead of hh's.
		// Keep the pair and look again in a minute.
		w.log.Info("hh says the token has not expired yet", "user_id", userID)
		return acct, nil
	case hh.IsTokenUnusable(err):
		// Only the pair we sent is refused. If the account holds another
		// one now (a worker refreshed after our lease was lost, or the
		// person connected again), that one is good: use it.
		marked, serr := w.store.MarkReconnect(sctx, userID, seen, errorText(err))
		if serr != nil {
			return nil, serr
		}
		if !marked {
			w.log.Info("hh refused a refresh token already replaced; using the new pair", "user_id", userID)
			return w.connectedAccount(sctx, userID)
		}
		w.log.Warn("hh refused the refresh token; reconnect needed", "user_id", userID, "error", err)
		return nil, ErrReconnect
	case err != nil:
		return nil, fmt.Errorf("tasks: refresh token of user %d: %w", userID, err)
	}
	swapped, err := w.store.ReplaceTokens(sctx, userID, seen, *tok)
	if err != nil {
		// hh has spent the old refresh token; the new pair is lost if we
		// cannot store it, so say so loudly.
		w.log.Error("refreshed hh token could not be stored", "user_id", userID, "error", err)
		return nil, err
	}
	if !swapped {
		w.log.Warn("token pair replaced concurrently", "user_id", userID)
	}
	return w.store.HHAccount(sctx, userID)
}

// errorText is hh's words for an error, never carrying secrets.
func errorText(err error) string {
	var he *hh.Error
	if errors.As(err, &he) {
		return he.Error()
	}
	if err == nil {
		return ""
	}
	return err.Error()
}
