package tasks

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/otklik/otklik/hh"
	"github.com/otklik/otklik/plan"
	"github.com/otklik/otklik/rules"
	"github.com/otklik/otklik/store"
	"github.com/otklik/otklik/telegram"
)

// DailyLimit is hh's limit of applications per applicant in a rolling 24 hours.
const DailyLimit = plan.DailyLimit

// limitProbe is how long an account waits when hh says limit_exceeded while
// our own ledger counts fewer than DailyLimit applications.
const limitProbe = time.Hour

// maxInlineWait is the longest wait for a booked pacing slot a handler
// sleeps through; longer waits go back to the queue, so sleeping handlers do
// not hold the worker's slots (asynq checks for due retries every
// DelayedTaskCheckInterval).
const maxInlineWait = 300 * time.Millisecond

// maxInlineGapWait is the longest wait for the gap after the account's last
// POST a handler sleeps through (or the account's interval, when longer).
// That wait is what is left when the previous POST ran late: its task was
// moved to the queue up to asynq's delayed-task check late, or it waited
// for the shared budget and hh's answer. Sending the task back to the queue
// would cost a whole second run of it and add that delay again to every
// later application of the account, so it is slept through.
const maxInlineGapWait = time.Second

// ApplyLockPattern matches every account's apply lock; ApplyLockKey names
// one. The lock is held around one application's POST and expires after
// ApplyLockLease if its worker dies holding it.
const (
	ApplyLockPattern = "otklik:lock:apply:*"
	ApplyLockLease   = 2 * time.Minute
)

// waitOrRequeue sleeps through a pacing wait up to inline; a longer one goes
// back to the queue (retryLater) instead of holding a worker slot while it
// sleeps.
func waitOrRequeue(ctx context.Context, wait, inline time.Duration) error {
	if wait > inline {
		return retryLater(wait, nil)
	}
	return sleep(ctx, wait)
}

// ApplyLockKey is the Redis key of the user's apply lock.
func ApplyLockKey(userID int64) string { return fmt.Sprintf("otklik:lock:apply:%d", userID) }

// handleApply sends one queued ledger row to hh. The row was written before
// this task existed, and its status is read again under the account's lock
// right before the POST, so a crash at any point leaves the row queued (the
// tick enqueues it again) and a row is never posted twice by us; if hh got a
// POST whose answer we lost, the retry's already_applied marks it applied.
func (w *Worker) handleApply(ctx context.Context, t *asynq.Task) error {
	var p ApplyPayload
	if err := decode(t, &p); err != nil {
		return err
	}
	err := w.apply(ctx, p)
	w.metrics.Tasks.WithLabelValues(TypeApply, resultOf(err)).Inc()
	return err
}

func (w *Worker) apply(ctx context.Context, p ApplyPayload) error {
	// A task the run enqueued was scheduled for the slot it booked in the
	// account's sequence (enqueueApplies), and asynq runs it no earlier. A task
	// from elsewhere (the review queue, the tick, a person) books its slot
	// now and goes back to the queue until it comes, instead of holding a
	// worker slot while it sleeps. Either way the gap since the account's
	// last POST is kept under the lock, where its POSTs are serialized.
	if !p.Booked {
		wait, err := w.pacer.Reserve(ctx, p.UserID, p.ApplicationID)
		if err != nil {
			return err
		}
		if err := waitOrRequeue(ctx, wait, maxInlineWait); err != nil {
			return err
		}
	}
	o, err := w.sendLocked(ctx, p)
	if o == nil || err != nil {
		return err
	}
	// The model owes this row a verdict or a letter: that comes first, and
	// outside the account's lock, whose POSTs would wait for the model.
	acct, held, err := w.usableAccount(ctx, o)
	if held || err != nil {
		return err
	}
	if a, err := w.finishAI(ctx, &o.Application, acct); a == nil || err != nil {
		return err
	}
	if o, err = w.sendLocked(ctx, p); o != nil && err == nil {
		// Another worker put it back to wait for the model meanwhile.
		return retryLater(plan.AIRetryDelay(1), nil)
	}
	return err
}

// sendLocked sends the queued row p names under its account's lock. It
// returns the row, unsent, when the row waits for the model first (reason
// ai_unavailable); nil when it is sent, decided, or not queued any more.
func (w *Worker) sendLocked(ctx context.Context, p ApplyPayload) (aiRow *store.Outgoing, err error) {
	// The gap since the account's last POST, and the POST's moment of the
	// shared budget, come in the lock's round trip.
	lk, turn, err := w.takeApplyLock(ctx, p.UserID)
	if errors.Is(err, errLocked) {
		return nil, retryLater(max(w.pacer.interval, time.Second), nil)
	}
	if err != nil {
		return nil, err
	}
	// The lock goes in one round trip with the account's pacing after a
	// POST (when it ended, and the row's booked slot forgotten).
	var postedAt time.Time
	defer func() {
		w.locks.releaseWith(ctx, ApplyLockKey(p.UserID), lk, func(pipe redis.Pipeliner) {
			if !postedAt.IsZero() {
				w.pacer.posted(ctx, pipe, p.UserID, p.ApplicationID, postedAt)
			}
		})
	}()

	// The row comes with the person's count of the last 24 hours and
	// whether its resume is still theirs, in one statement.
	now := w.now()
	o, err := w.store.Outgoing(ctx, p.UserID, p.ApplicationID, now.Add(-dailyWindow))
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil || o.Status != store.StatusQueued {
		return nil, err
	}
	if o.Reason == string(rules.ReasonAIUnavailable) {
		return o, nil
	}
	a := &o.Application
	// The account's state is read here, where its POSTs are serialized: the
	// POST before this one may have met limit_exceeded or a captcha while
	// this task waited, and hh must not see another POST until it is usable.
	acct, held, err := w.usableAccount(ctx, o)
	if held || err != nil {
		return nil, err
	}
	// Counted here too: others may have been sent while this one waited,
	// and our own cap is a hard one.
	if paused, err := w.checkDailyLimit(ctx, o, now); paused || err != nil {
		return nil, err
	}
	if a.ResponseLetterRequired && strings.TrimSpace(a.Letter) == "" {
		// The employer asked for a letter: never POST without one.
		return nil, w.store.MarkReview(ctx, a.UserID, a.ID, string(rules.ReasonLetterRequired), "")
	}
	// The gap holds between actual POSTs, not only between booked slots: the
	// POST before this one may have ended well after its slot.
	if err := waitOrRequeue(ctx, turn.gap, max(maxInlineGapWait, w.pacer.interval)); err != nil {
		return nil, err
	}
	if !turn.moment.IsZero() {
		// The POST goes at the moment booked with the lock instead of
		// booking another (a second POST after a token refresh books its
		// own). A row that was not sent after all, above, left its moment
		// unused: the budget lost 1/HH_RATE_LIMIT s, and hh saw nothing.
		ctx = withBooked(ctx, turn.moment)
	}

	// The run that queued the row counts the requests sent for it.
	var requests atomic.Int64
	defer w.countRunRequests(ctx, a, &requests)
	generation := acct.TokenGeneration
	res, err := w.post(ctx, acct, a, &requests, &postedAt)
	if hh.IsTokenExpired(err) {
		if acct, err = w.refresh(ctx, a.UserID, acct.TokenGeneration, &requests); err != nil {
			if errors.Is(err, ErrReconnect) {
				return nil, w.holdBack(ctx, a, rules.ReasonReconnect)
			}
			return nil, err
		}
		generation = acct.TokenGeneration
		res, err = w.post(ctx, acct, a, &requests, &postedAt)
	}
	return nil, w.recordOutcome(ctx, a, generation, res, err)
}

// post sends the application with acct's token, counting the request into
// requests, and notes in postedAt when the POST ended, for the account's
// pacing (recorded as the lock is released, with the row's booked slot
// forgotten, so a later attempt books a new one).
func (w *Worker) post(ctx context.Context, acct *store.HHAccount, a *store.Application, requests *atomic.Int64, postedAt *time.Time) (*hh.ApplyResult, error) {
	defer func() { *postedAt = time.Now() }()
	return w.clientFor(acct.Token.AccessToken, requests).Apply(ctx, a.VacancyID, a.ResumeID, a.Letter)
}

// countRunRequests adds the requests an application sent to the run that
// queued it. It is bookkeeping: a failure is logged, never retried (a retry
// would find the row sent and count nothing).
func (w *Worker) countRunRequests(ctx context.Context, a *store.Application, requests *atomic.Int64) {
	n := int(requests.Load())
	if a.RunID == 0 || n == 0 {
		return
	}
	if err := w.store.AddRunRequests(context.WithoutCancel(ctx), a.UserID, a.RunID, n); err != nil {
		w.log.Warn("requests of an application not counted to its run", "user_id", a.UserID,
			"application_id", a.ID, "run_id", a.RunID, "error", err)
	}
}

// recordOutcome moves the row to what hh's answer means (docs/ARCHITECTURE.md, "The life of a rule run").
// generation is that of the token pair the POST used.
func (w *Worker) recordOutcome(ctx context.Context, a *store.Application, generation int64, res *hh.ApplyResult, err error) error {
	now := w.now()
	var outcome store.ApplicationStatus
	var serr error
	switch {
	case err == nil && res.ExternalURL != "":
		outcome = store.StatusExternal
		serr = w.store.MarkExternal(ctx, a.UserID, a.ID, string(rules.ReasonDirect), res.ExternalURL)
	case err == nil:
		outcome = store.StatusApplied
		serr = w.store.MarkApplied(ctx, a.UserID, a.ID, res.NegotiationID, a.Letter, now)
	case hh.IsAlreadyApplied(err):
		outcome = store.StatusApplied
		serr = w.store.MarkApplied(ctx, a.UserID, a.ID, "", a.Letter, now)
	case hh.IsTestRequired(err):
		outcome = store.StatusReview
		serr = w.store.MarkReview(ctx, a.UserID, a.ID, string(rules.ReasonTestRequired), a.Letter)
	case hh.IsLetterMissing(err):
		outcome = store.StatusReview
		serr = w.store.MarkReview(ctx, a.UserID, a.ID, string(rules.ReasonLetterRequired), a.Letter)
	case hh.IsLetterTooLong(err):
		outcome = store.StatusReview
		serr = w.store.MarkReview(ctx, a.UserID, a.ID, string(rules.ReasonLetterTooLong), a.Letter)
	case hh.IsLimitExceeded(err):
		return w.pauseForLimit(ctx, a, now, errorText(err))
	case hh.IsCaptchaRequired(err):
		_ = w.accountError(ctx, a.UserID, generation, err)
		return w.store.Postpone(ctx, a.UserID, a.ID, string(rules.ReasonCaptcha), errorText(err))
	case hh.IsTokenUnusable(err):
		if aerr := w.accountError(ctx, a.UserID, generation, err); errors.Is(aerr, errLaterNotFailed) {
			return aerr // the pair was replaced while this POST was out: send with the new one
		}
		return w.holdBack(ctx, a, rules.ReasonReconnect) // stays queued until the person reconnects
	case hh.IsResumeNotFound(err):
		// Another hh person connected, or the resume was hidden or deleted:
		// the row waits for the person, who may connect the old account again.
		return w.holdBack(ctx, a, rules.ReasonResumeGone)
	case hh.IsVacancyGone(err):
		outcome = store.StatusFailed
		serr = w.store.MarkFailed(ctx, a.UserID, a.ID, string(rules.ReasonVacancyGone), errorText(err))
	case hh.IsRetryable(err) || errors.Is(err, errLaterNotFailed):
		if isLastAttempt(ctx) {
			// Leave the row queued: the tick enqueues it again later.
			w.log.Warn("apply gave up for now", "user_id", a.UserID, "vacancy_id", a.VacancyID, "error", err)
		}
		return err
	case isTransient(err):
		return err
	default:
		outcome = store.StatusFailed
		serr = w.store.MarkFailed(ctx, a.UserID, a.ID, string(rules.ReasonHHError), errorText(err))
	}
	if serr != nil {
		return serr
	}
	if outcome == store.StatusReview {
		// hh held it back (a test, a letter): the person may answer from
		// Telegram too. Failing to enqueue costs the message only.
		if err := w.tellTelegram(ctx, telegram.Notification{UserID: a.UserID, Kind: telegram.KindReview, ApplicationID: a.ID}); err != nil {
			w.log.Error("telegram review message not enqueued", "user_id", a.UserID, "application_id", a.ID, "error", err)
		}
	}
	w.metrics.outcome(string(outcome))
	if outcome == store.StatusApplied {
		w.log.Info("applied", "user_id", a.UserID, "vacancy_id", a.VacancyID, "application_id", a.ID)
	}
	return nil
}

// isTransient: errors that are ours or the network's, not hh's verdict.
func isTransient(err error) bool {
	var he *hh.Error
	return !errors.As(err, &he)
}

// checkDailyLimit pauses the account when our ledger counts DailyLimit
// applications in the 24 hours before now (o.AppliedSince, read with the
// row).
func (w *Worker) checkDailyLimit(ctx context.Context, o *store.Outgoing, now time.Time) (bool, error) {
	if o.AppliedSince < DailyLimit {
		return false, nil
	}
	return true, w.pauseForLimit(ctx, &o.Application, now, "")
}

// pauseForLimit marks the account limited until its window frees: when the
// oldest application of the last 24 hours turns 24 hours old, or after an
// hour's probe when hh refused while our count was lower.
func (w *Worker) pauseForLimit(ctx context.Context, a *store.Application, now time.Time, message string) error {
	until := now.Add(limitProbe)
	n, err := w.store.AppliedSince(ctx, a.UserID, now.Add(-dailyWindow))
	if err != nil {
		return err
	}
	if n >= DailyLimit {
		if oldest, ok, err := w.store.OldestAppliedSince(ctx, a.UserID, now.Add(-dailyWindow)); err != nil {
			return err
		} else if ok {
			until = oldest.Add(dailyWindow)
		}
	}
	w.log.Info("daily limit reached; account paused", "user_id", a.UserID, "until", until)
	if err := w.store.SetAccountState(ctx, a.UserID, store.AccountLimited, "", until, message); err != nil {
		return err
	}
	return w.store.Postpone(ctx, a.UserID, a.ID, string(rules.ReasonLimitExceeded), message)
}

// usableAccount loads o's account with a usable token. held reports that it
// cannot send now (not connected, reconnect needed, captcha, limit, the
// row's resume is not the connected person's, as read with the row): o stays
// queued, saying why, and the tick sends it once the account is usable.
func (w *Worker) usableAccount(ctx context.Context, o *store.Outgoing) (acct *store.HHAccount, held bool, err error) {
	a := &o.Application
	acct, err = w.account(ctx, a.UserID)
	switch {
	case errors.Is(err, ErrNotConnected):
		return nil, true, w.holdBack(ctx, a, rules.ReasonNotConnected)
	case errors.Is(err, ErrReconnect):
		return nil, true, w.holdBack(ctx, a, rules.ReasonReconnect)
	case err != nil:
		return nil, true, err
	}
	if !acct.Usable(w.now()) {
		reason := rules.ReasonLimitExceeded
		if acct.State == store.AccountCaptcha {
			reason = rules.ReasonCaptcha
		}
		return nil, true, w.holdBack(ctx, a, reason)
	}
	if o.ResumeGone {
		return nil, true, w.holdBack(ctx, a, rules.ReasonResumeGone) // another hh person is connected
	}
	return acct, false, nil
}

// holdBack keeps a queued row queued with the reason it waits, so history
// says why; a row already saying so is left alone.
func (w *Worker) holdBack(ctx context.Context, a *store.Application, reason rules.Reason) error {
	if a.Reason == string(reason) || a.Reason == string(rules.ReasonAIUnavailable) {
		return nil // a row waiting for the model says so until the model is done with it
	}
	return w.store.Postpone(ctx, a.UserID, a.ID, string(reason), "")
}
