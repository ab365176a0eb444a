package tasks

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/hibiken/asynq"

	"github.com/otklik/otklik/hh"
	"github.com/otklik/otklik/locale"
	"github.com/otklik/otklik/notify"
	"github.com/otklik/otklik/store"
	"github.com/otklik/otklik/telegram"
)

// Outcomes: what became of each application (DESIGN.md, flow 6).
const (
	TypeNegotiationsSync   = "negotiations:sync"
	TypeInvitationAnnounce = "notify:invitation"
)

// DefaultOutcomesEvery is how often each account's negotiations are synced
// within its active hours when OUTCOMES_EVERY is not set.
const DefaultOutcomesEvery = 3 * time.Hour

// syncMaxPages bounds a first sync (no high-water mark yet): hh lists at
// most 2000 items of a paged list.
const syncMaxPages = 20

// syncLease is the lease of an account's sync lock.
const syncLease = 15 * time.Second

// unannouncedWithin is how far back the tick looks for invitations a sync
// recorded but whose announcement task was never enqueued (the worker died
// in between).
const unannouncedWithin = 2 * 24 * time.Hour

// NegotiationsSyncPayload names the account (one per user) to sync.
type NegotiationsSyncPayload struct {
	UserID int64 `json:"user_id"`
}

// InvitationPayload names an invited ledger row to announce.
type InvitationPayload struct {
	UserID        int64 `json:"user_id"`
	ApplicationID int64 `json:"application_id"`
}

// NewNegotiationsSyncTask syncs one account's negotiations. slot names the
// schedule's period (or the press of «Обновить»), so the tick of two
// workers, or a replayed tick, enqueues one sync per period.
// delay, when positive, holds the task back that long.
func NewNegotiationsSyncTask(userID int64, slot string, queue string, delay time.Duration) *asynq.Task {
	opts := []asynq.Option{
		asynq.TaskID(fmt.Sprintf("negotiations:sync:%d:%s", userID, slot)),
		asynq.Queue(queue), asynq.MaxRetry(5), asynq.Timeout(5 * time.Minute),
		asynq.Retention(6 * time.Hour),
	}
	if delay > 0 {
		opts = append(opts, asynq.ProcessIn(delay))
	}
	return newTask(TypeNegotiationsSync, NegotiationsSyncPayload{UserID: userID}, opts...)
}

// maxSyncSpread bounds how long a scheduled sync is held back to spread
// accounts that fall due together (their active hours open at the same
// time) over the budget.
const maxSyncSpread = 30 * time.Minute

// syncSpread is userID's own delay within min(every/2, maxSyncSpread):
// fixed per account, so accounts due together leave a few seconds apart,
// and since each is due again a period after its own sync, they stay apart.
func syncSpread(userID int64, every time.Duration) time.Duration {
	window := min(every/2, maxSyncSpread)
	if window < time.Second {
		return 0
	}
	return time.Duration((userID*7919)%int64(window/time.Second)) * time.Second
}

// NewInvitationTask announces one invitation. Its ID is the ledger row's,
// and the row's announced_at is claimed before the mail goes, so neither a
// sync run twice nor a task run again tells the person twice.
func NewInvitationTask(userID, applicationID int64) *asynq.Task {
	return newTask(TypeInvitationAnnounce, InvitationPayload{UserID: userID, ApplicationID: applicationID},
		asynq.TaskID(fmt.Sprintf("notify:invitation:%d", applicationID)),
		asynq.Queue(QueueCritical), asynq.MaxRetry(10), asynq.Timeout(time.Minute),
		asynq.Retention(7*24*time.Hour))
}

func (w *Worker) handleNegotiationsSync(ctx context.Context, t *asynq.Task) error {
	var p NegotiationsSyncPayload
	if err := decode(t, &p); err != nil {
		return err
	}
	_, err := w.SyncNegotiations(ctx, p.UserID)
	w.metrics.Tasks.WithLabelValues(TypeNegotiationsSync, resultOf(err)).Inc()
	return err
}

// SyncResult is what one sync did.
type SyncResult struct {
	HHRequests int
	Matched    int // ledger rows updated
	Outside    int // items applied outside Otklik
	Invited    int // new invitations enqueued for announcement
}

// SyncNegotiations reads the account's negotiations, most recently updated
// first, 100 a page, and stops at the first item not updated since the last
// sync's newest: a sync with nothing new is one request. Items matching a
// ledger row (same vacancy and resume) record hh's state, viewed flag,
// updated_at and negotiation id; new invitations are announced once. The
// high-water mark moves only after every page is recorded, so a sync that
// dies is done again in full. A paused account (reconnect, captcha) is not
// synced; a refusal pauses it as it pauses runs.
func (w *Worker) SyncNegotiations(ctx context.Context, userID int64) (SyncResult, error) {
	var res SyncResult
	log := w.log.With("user_id", userID)
	// One sync of an account at a time; the lease is kept alive while the
	// sync runs, and frees syncLease after a worker died holding it.
	unlock, err := w.locks.lockAlive(ctx, fmt.Sprintf("otklik:lock:negotiations:%d", userID), syncLease, 0)
	if errors.Is(err, errLocked) {
		return res, retryLater(30*time.Second, nil)
	}
	if err != nil {
		return res, err
	}
	defer unlock()

	now := w.now()
	var requests atomic.Int64
	defer func() { res.HHRequests = int(requests.Load()) }()
	acct, err := w.connectedAccount(ctx, userID)
	if err == nil && !now.Before(acct.Token.ExpiresAt) {
		acct, err = w.refresh(ctx, userID, acct.TokenGeneration, &requests)
	}
	if errors.Is(err, ErrNotConnected) || errors.Is(err, ErrReconnect) {
		log.Info("negotiations sync skipped: hh account not usable", "error", err)
		return res, nil
	}
	if err != nil {
		return res, err
	}
	// A limit pause stops applications only; reading the list is allowed.
	if acct.State == store.AccountCaptcha {
		log.Info("negotiations sync skipped: account paused", "state", acct.State)
		return res, nil
	}
	prev, err := w.store.NegotiationSync(ctx, userID)
	if err != nil {
		return res, err
	}
	mark := prev.HighWater
	if prev.HHUserID != acct.HHUserID {
		mark = time.Time{} // another hh person: start over
	}
	newMark := mark
	rc := w.runClient(ctx, userID, acct, &requests)
	for page := 0; page < syncMaxPages; page++ {
		var list *hh.NegotiationPage
		err := rc.do(func(c *hh.Client) error {
			var err error
			list, err = c.Negotiations(ctx, hh.NegotiationsParams{Page: page, PerPage: hh.MaxPerPage,
				OrderBy: hh.NegotiationsOrderUpdatedAt, Order: "desc"})
			return err
		})
		if err != nil {
			return res, w.accountError(ctx, userID, rc.generation(), err)
		}
		items, done := newItems(list.Items, mark)
		rec, err := w.store.RecordOutcomes(ctx, userID, items, now)
		if err != nil {
			return res, err
		}
		res.Matched += rec.Matched
		res.Outside += rec.Outside
		for _, id := range rec.NewInvitations {
			if err := w.enqueue(ctx, NewInvitationTask(userID, id)); err != nil {
				return res, err
			}
			res.Invited++
		}
		for _, it := range items {
			if it.UpdatedAt.After(newMark) {
				newMark = it.UpdatedAt
			}
		}
		if done || page+1 >= list.Pages || len(list.Items) == 0 {
			break
		}
	}
	res.HHRequests = int(requests.Load())
	if err := w.store.SaveNegotiationSync(ctx, userID, store.NegotiationSync{
		HHUserID: acct.HHUserID, HighWater: newMark, SyncedAt: now, HHRequests: res.HHRequests,
	}); err != nil {
		return res, err
	}
	log.Info("negotiations synced", "hh_requests", res.HHRequests, "matched", res.Matched,
		"outside", res.Outside, "invitations", res.Invited)
	return res, nil
}

// newItems converts a page's negotiations updated at or after mark (equal
// ones again: hh's times have whole seconds) and reports whether the page
// reached one updated before it, where paging stops.
func newItems(list []hh.Negotiation, mark time.Time) (items []store.NegotiationItem, done bool) {
	for _, n := range list {
		if !mark.IsZero() && n.UpdatedAt.Time.Before(mark) {
			return items, true
		}
		if n.Vacancy == nil || n.Resume == nil {
			continue // a deleted vacancy or resume matches nothing
		}
		items = append(items, store.NegotiationItem{
			NegotiationID: n.ID, VacancyID: n.Vacancy.ID, ResumeID: n.Resume.ID,
			State: n.State.ID, Viewed: n.ViewedByOpponent,
			CreatedAt: n.CreatedAt.Time, UpdatedAt: n.UpdatedAt.Time,
		})
	}
	return items, false
}

func (w *Worker) handleInvitation(ctx context.Context, t *asynq.Task) error {
	var p InvitationPayload
	if err := decode(t, &p); err != nil {
		return err
	}
	err := w.announceInvitation(ctx, p)
	w.metrics.Tasks.WithLabelValues(TypeInvitationAnnounce, resultOf(err)).Inc()
	return err
}

// announceInvitation tells the person of one invitation, once: the row is
// claimed (announced_at set where it was empty) before the mail goes and
// released if it could not go. A worker killed between the claim and the
// send loses that one mail rather than risking a second; the invitation
// still shows on the dashboard, in the history and in the daily summary.
func (w *Worker) announceInvitation(ctx context.Context, p InvitationPayload) error {
	a, err := w.store.Application(ctx, p.UserID, p.ApplicationID)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if a.State != store.OutcomeInvitation {
		return nil
	}
	user, err := w.store.User(ctx, p.UserID)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	claimed, err := w.store.ClaimInvitation(ctx, p.UserID, p.ApplicationID, w.now())
	if err != nil || !claimed {
		return err
	}
	if err := w.tellTelegram(ctx, telegram.Notification{UserID: p.UserID, Kind: telegram.KindInvitation,
		ApplicationID: p.ApplicationID}); err != nil {
		if rerr := w.store.ReleaseInvitation(context.WithoutCancel(ctx), p.UserID, p.ApplicationID); rerr != nil {
			return errors.Join(err, rerr)
		}
		return err
	}
	if w.mailer == nil || user.SummaryEmail == "" {
		return nil // the web shows it; nothing else to tell it through
	}
	r, err := notify.RenderInvitation(w.invitation(a, user.Language))
	if err == nil {
		err = w.mailer.Send(ctx, user.SummaryEmail, r)
	}
	if err != nil {
		if rerr := w.store.ReleaseInvitation(context.WithoutCancel(ctx), p.UserID, p.ApplicationID); rerr != nil {
			return errors.Join(err, rerr)
		}
		return fmt.Errorf("tasks: announce invitation %d: %w", p.ApplicationID, err)
	}
	w.log.Info("invitation announced", "user_id", p.UserID, "application_id", p.ApplicationID, "vacancy_id", a.VacancyID)
	return nil
}

func (w *Worker) invitation(a *store.Application, lang string) notify.Invitation {
	return notify.Invitation{Lang: lang, BaseURL: strings.TrimRight(w.baseURL, "/"),
		VacancyID: a.VacancyID, Vacancy: a.VacancyName, Employer: a.EmployerName,
		VacancyURL: a.VacancyURL, NegotiationURL: NegotiationURL(cmp.Or(hhSiteFor(a.VacancyURL), w.hhConfig.OAuthURL), a)}
}

// NegotiationURL is the page on hh's site where the person reads the
// conversation of a's negotiation; the vacancy's page when its id is unknown.
func NegotiationURL(siteURL string, a *store.Application) string {
	if a.NegotiationID == "" {
		return a.VacancyURL
	}
	if siteURL == "" {
		siteURL = hh.DefaultOAuthURL
	}
	return strings.TrimRight(siteURL, "/") + "/applicant/negotiations/item?topicId=" + url.QueryEscape(a.NegotiationID)
}

// enqueueNegotiationSyncs enqueues (every syncCheckEvery minutes) the sync
// of every connected account not synced for w.outcomesEvery, when it is
// within the person's active hours:
// the union of their enabled rules' windows (a person with no enabled rule
// has no hours set, and is synced at any hour). The slot in the task id is
// the period, so a tick replayed or run by two workers enqueues one.
func (w *Worker) enqueueNegotiationSyncs(ctx context.Context, now time.Time) error {
	var errs []error
	if minuteSlot(now)%syncCheckEvery == 0 {
		errs = append(errs, w.enqueueDueSyncs(ctx, now))
	}
	// Invitations recorded by a sync that died before enqueuing their
	// announcement: the task id makes this a no-op for the others.
	refs, err := w.store.UnannouncedInvitations(ctx, now.Add(-unannouncedWithin))
	if err != nil {
		return errors.Join(append(errs, err)...)
	}
	for _, r := range refs {
		errs = append(errs, w.enqueue(ctx, NewInvitationTask(r.UserID, r.ApplicationID)))
	}
	return errors.Join(errs...)
}

// syncCheckEvery: the tick looks for due syncs every this many minutes, not
// every minute, since an account outside its active hours stays due and
// would be looked at again each minute.
const syncCheckEvery = 5

func (w *Worker) enqueueDueSyncs(ctx context.Context, now time.Time) error {
	every := w.outcomesEvery
	due, err := w.store.NegotiationSyncsDue(ctx, now.Add(-every))
	if err != nil {
		return err
	}
	var errs []error
	slot := fmt.Sprintf("%d", now.Unix()/int64(every/time.Second))
	for _, c := range due {
		active, err := w.withinActiveHours(ctx, c, now)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if active {
			errs = append(errs, w.enqueue(ctx, NewNegotiationsSyncTask(c.UserID, slot, QueueLow, syncSpread(c.UserID, every))))
		}
	}
	return errors.Join(errs...)
}

func (w *Worker) withinActiveHours(ctx context.Context, c store.SyncCandidate, now time.Time) (bool, error) {
	list, err := w.store.Rules(ctx, c.UserID)
	if err != nil {
		return false, err
	}
	loc := locale.Zone(c.TimeZone)
	enabled := 0
	for i := range list {
		if !list[i].Enabled {
			continue
		}
		enabled++
		if list[i].Active(now, loc) {
			return true, nil
		}
	}
	return enabled == 0, nil
}
