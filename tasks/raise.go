package tasks

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/hibiken/asynq"

	"github.com/otklik/otklik/hh"
	"github.com/otklik/otklik/locale"
	"github.com/otklik/otklik/store"
)

// Resume raising (DESIGN Flows 7): hh lifts a published resume to the top of
// its search on POST /resumes/{id}/publish, once per RaiseCooldown. The tick
// finds the raises due (store.DueRaises) and enqueues one task per resume and
// due time; the task raises at that moment, not a minute later, and moves the
// due time on by compare-and-set, so two workers never raise twice.

// RaiseCooldown is hh's wait between two raises of a resume.
const RaiseCooldown = 4 * time.Hour

const (
	// raiseLookahead: the tick enqueues raises due within this much of now,
	// each to run at its due moment (the tick fires once a minute).
	raiseLookahead = time.Minute
	// raiseClaim is how long a raise in flight holds its due time: a
	// worker that dies mid-raise leaves it due again after this.
	raiseClaim = 10 * time.Minute
	// raiseRetry is the wait after hh failed (5xx, network) before the
	// next try: one try per raiseRetry, no storm.
	raiseRetry = 5 * time.Minute
)

// ResumeRaisePayload names one due raise of one resume.
type ResumeRaisePayload struct {
	UserID   int64     `json:"user_id"`
	ResumeID string    `json:"resume_id"`
	Due      time.Time `json:"due"`
}

// NewResumeRaiseTask raises a resume at due (after delay). Its TaskID names
// the user, resume and due minute, so a replayed tick or a second worker
// enqueues it once.
func NewResumeRaiseTask(userID int64, resumeID string, due time.Time, delay time.Duration) *asynq.Task {
	opts := []asynq.Option{
		asynq.TaskID(raiseTaskID(userID, resumeID, due)),
		asynq.Queue(QueueDefault), asynq.MaxRetry(3), asynq.Timeout(time.Minute),
		asynq.Retention(time.Hour),
	}
	if delay > 0 {
		opts = append(opts, asynq.ProcessIn(delay))
	}
	return newTask(TypeResumeRaise, ResumeRaisePayload{UserID: userID, ResumeID: resumeID, Due: due}, opts...)
}

func raiseTaskID(userID int64, resumeID string, due time.Time) string {
	return fmt.Sprintf("resume:raise:%d:%s:%d", userID, resumeID, minuteSlot(due))
}

// activeHours is when a user's resumes may be raised. We chose the union of
// the active windows of the user's enabled rules, in the user's time zone:
// the hours the person wants Otklik at work on hh; a user without enabled
// rules has said nothing of hours, so any hour is active. A raise due
// outside waits for the next window (a raise due at night for the morning).
type activeHours struct {
	rules []store.Rule
	loc   *time.Location
}

func (w *Worker) activeHours(ctx context.Context, userID int64) (activeHours, error) {
	user, err := w.store.User(ctx, userID)
	if err != nil {
		return activeHours{}, err
	}
	all, err := w.store.Rules(ctx, userID)
	if err != nil {
		return activeHours{}, err
	}
	a := activeHours{loc: locale.Zone(user.TimeZone)}
	for _, r := range all {
		if r.Enabled {
			a.rules = append(a.rules, r)
		}
	}
	return a, nil
}

// next is t when t is within the active hours, else the start of the next
// active window.
func (a activeHours) next(t time.Time) time.Time {
	if len(a.rules) == 0 {
		return t
	}
	var best time.Time
	for i := range a.rules {
		n := a.rules[i].NextActive(t, a.loc)
		if n.Equal(t) {
			return t
		}
		if best.IsZero() || n.Before(best) {
			best = n
		}
	}
	return best
}

// enqueueDueRaises enqueues the raises due by now+raiseLookahead, each to run
// at its due moment. A raise of an account that needs the person (captcha,
// reconnect, disconnected) stays due and waits, as runs do; one due outside
// the user's active hours moves to the next window.
func (w *Worker) enqueueDueRaises(ctx context.Context, now time.Time) error {
	due, err := w.store.DueRaises(ctx, now.Add(raiseLookahead))
	if err != nil {
		return err
	}
	var errs []error
	for _, r := range due {
		acct, err := w.store.HHAccount(ctx, r.UserID)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if acct.State == store.AccountCaptcha || acct.State == store.AccountReconnect {
			continue
		}
		hours, err := w.activeHours(ctx, r.UserID)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		at := *r.DueAt
		if next := hours.next(at); !next.Equal(at) {
			_, err := w.store.MoveRaise(ctx, r.UserID, r.ResumeID, at, next)
			errs = append(errs, err)
			continue
		}
		errs = append(errs, w.enqueueRaise(ctx, r.UserID, r.ResumeID, at, at.Sub(now)))
	}
	return errors.Join(errs...)
}

// enqueueRaise enqueues the raise of a resume due at due. A dead task of
// that due time (completed while the account was paused, or archived after
// failing) is replaced while the raise is still due then; a live one is the
// raise already on its way.
func (w *Worker) enqueueRaise(ctx context.Context, userID int64, resumeID string, due time.Time, delay time.Duration) error {
	_, err := enqueueUnlessLive(ctx, w.queue, w.inspector, NewResumeRaiseTask(userID, resumeID, due, delay),
		QueueDefault, raiseTaskID(userID, resumeID, due),
		func(asynq.TaskState) (bool, error) {
			r, err := w.store.ResumeRaise(ctx, userID, resumeID)
			if errors.Is(err, store.ErrNotFound) {
				return false, nil
			}
			if err != nil {
				return false, err
			}
			return r.AutoRaise && r.BlockedAt == nil && r.DueAt != nil && r.DueAt.Equal(due), nil
		})
	return err
}

func (w *Worker) handleResumeRaise(ctx context.Context, t *asynq.Task) error {
	var p ResumeRaisePayload
	if err := decode(t, &p); err != nil {
		return err
	}
	err := w.raise(ctx, p)
	w.metrics.Tasks.WithLabelValues(TypeResumeRaise, resultOf(err)).Inc()
	return err
}

// raise sends one POST /resumes/{id}/publish for the raise due at p.Due, if
// it is still due then, and moves the schedule by hh's answer.
func (w *Worker) raise(ctx context.Context, p ResumeRaisePayload) error {
	log := w.log.With("user_id", p.UserID, "resume_id", p.ResumeID)
	r, err := w.store.ResumeRaise(ctx, p.UserID, p.ResumeID)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if !r.AutoRaise || r.BlockedAt != nil || r.DueAt == nil || !r.DueAt.Equal(p.Due) {
		return nil // switched off, refused, or raised by another task already
	}
	due := *r.DueAt
	if wait := due.Sub(w.now()); wait > 0 {
		return retryLater(wait, nil) // never early: hh would only say 429
	}
	acct, err := w.connectedAccount(ctx, p.UserID)
	if errors.Is(err, ErrNotConnected) || errors.Is(err, ErrReconnect) {
		return nil // stays due; the tick enqueues it once the account is back
	}
	if err != nil {
		return err
	}
	if acct.State == store.AccountCaptcha {
		return nil
	}
	var requests atomic.Int64
	if !w.now().Before(acct.Token.ExpiresAt) {
		if acct, err = w.refresh(ctx, p.UserID, acct.TokenGeneration, &requests); err != nil {
			if errors.Is(err, ErrReconnect) {
				return nil
			}
			return err
		}
	}
	// Claim the due time: of two tasks (or workers) holding it, one wins.
	claim := w.now().Add(raiseClaim)
	if ok, err := w.store.MoveRaise(ctx, p.UserID, p.ResumeID, due, claim); !ok || err != nil {
		return err
	}

	hhc := w.runClient(ctx, p.UserID, acct, &requests)
	err = hhc.do(func(c *hh.Client) error { return c.PublishResume(ctx, p.ResumeID) })
	now := w.now()
	sctx := context.WithoutCancel(ctx) // hh has answered: record it
	switch {
	case err == nil:
		hours, herr := w.activeHours(sctx, p.UserID)
		if herr != nil {
			return herr
		}
		next := hours.next(now.Add(RaiseCooldown))
		log.Info("resume raised", "next_raise_at", next)
		return w.store.RecordRaise(sctx, p.UserID, p.ResumeID, claim, now, next)
	case hh.IsPublishTooEarly(err):
		next := w.nextPublishAt(sctx, hhc, p.UserID, p.ResumeID, now)
		log.Info("hh says the resume may not be raised yet", "next_raise_at", next)
		_, err := w.store.MoveRaise(sctx, p.UserID, p.ResumeID, claim, next)
		return err
	case hh.IsPublishRefused(err), hh.IsNotFound(err), isForbidden(err):
		log.Warn("hh refused to raise the resume; auto-raise stops until the person acts", "error", err)
		_, berr := w.store.BlockRaise(sctx, p.UserID, p.ResumeID, claim, refusalText(err))
		return berr
	case hh.IsTokenUnusable(err), hh.IsCaptchaRequired(err), errors.Is(err, ErrReconnect):
		// The account pauses (its state says why); the raise stays due and
		// goes out once the person has put it right.
		aerr := w.accountError(sctx, p.UserID, hhc.generation(), err)
		log.Info("resume raise paused: hh account needs the person", "error", aerr)
		_, merr := w.store.MoveRaise(sctx, p.UserID, p.ResumeID, claim, due)
		return merr
	default:
		log.Warn("resume raise failed; trying again later", "error", err, "retry_in", raiseRetry)
		_, merr := w.store.MoveRaise(sctx, p.UserID, p.ResumeID, claim, now.Add(raiseRetry))
		return merr
	}
}

// nextPublishAt is when hh next allows raising the resume after a 429: its
// next_publish_at read again (one GET /resumes/mine, which refreshes the
// cache too), or a whole cooldown when hh names no later time.
func (w *Worker) nextPublishAt(ctx context.Context, hhc *runClient, userID int64, resumeID string, now time.Time) time.Time {
	var list []hh.Resume
	err := hhc.do(func(c *hh.Client) (err error) {
		list, err = c.MyResumes(ctx)
		return err
	})
	if err == nil {
		if serr := w.store.ReplaceResumes(ctx, userID, list); serr != nil {
			w.log.Warn("resume cache not refreshed", "user_id", userID, "error", serr)
		}
		for _, r := range list {
			if r.ID == resumeID && r.NextPublishAt.After(now) {
				return r.NextPublishAt.Time
			}
		}
	}
	return now.Add(RaiseCooldown)
}

// isForbidden reports a 403 that is about the person, not the token or a
// captcha (not an applicant any more): as for any call, nothing to retry.
func isForbidden(err error) bool {
	var he *hh.Error
	return errors.As(err, &he) && he.StatusCode == http.StatusForbidden &&
		!hh.IsTokenUnusable(err) && !hh.IsTokenExpired(err) && !hh.IsCaptchaRequired(err)
}

// refusalText is hh's words for a refused raise, kept for the warning.
func refusalText(err error) string {
	var he *hh.Error
	if errors.As(err, &he) && strings.TrimSpace(he.Description) != "" {
		return he.Description
	}
	return errorText(err)
}
