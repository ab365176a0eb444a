package tasks

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/hibiken/asynq"

	"github.com/otklik/otklik/hh"
	"github.com/otklik/otklik/locale"
	"github.com/otklik/otklik/plan"
	"github.com/otklik/otklik/rules"
	"github.com/otklik/otklik/store"
	"github.com/otklik/otklik/telegram"
)

// fullPassEvery is how often a rule pages to hh's depth limit instead of
// stopping at vacancies it has seen, so vacancies re-published with an older
// date are not missed.
const fullPassEvery = 24 * time.Hour

// dailyWindow is hh's rolling window for the application limit.
const dailyWindow = plan.DailyWindow

// handleRuleRun pages through the rule's similar-vacancies search, decides
// each vacancy, records every decision in the ledger and enqueues an apply
// for each "apply".
func (w *Worker) handleRuleRun(ctx context.Context, t *asynq.Task) error {
	var p RuleRunPayload
	if err := decode(t, &p); err != nil {
		return err
	}
	err := w.runRule(ctx, p)
	w.metrics.Tasks.WithLabelValues(TypeRuleRun, resultOf(err)).Inc()
	if err != nil && isLastAttempt(ctx) {
		// Give the schedule back so the tick tries again at the next slot
		// instead of waiting on an archived task forever. The handler's
		// context may be what ran out.
		if derr := w.deferAfterFailure(context.WithoutCancel(ctx), p); derr != nil {
			w.log.Error("rule run failed and its schedule could not be moved on",
				"user_id", p.UserID, "rule_id", p.RuleID, "error", derr)
		}
	}
	return err
}

// runState is one run's running totals.
type runState struct {
	requests atomic.Int64
	result   store.RunResult
	// capped: the rule's daily cap left vacancies undecided, so the run
	// was not a full pass whatever it set out to be.
	capped bool
	// toSend: the page's rows queued to apply, enqueued together when the
	// page is done (sendPage).
	toSend []int64
	// planned: the page's decisions not yet in the ledger, written together
	// when the page is done (recordPage).
	planned []plannedRow
}

// plannedRow is a ledger row decided by the planner and its fate, which is
// given back to the planner if another run decided the vacancy first.
type plannedRow struct {
	app  store.Application
	fate plan.Fate
}

func (w *Worker) runRule(ctx context.Context, p RuleRunPayload) error {
	log := w.log.With("user_id", p.UserID, "rule_id", p.RuleID)
	rule, err := w.store.Rule(ctx, p.UserID, p.RuleID)
	if errors.Is(err, store.ErrNotFound) {
		return nil // deleted since it was enqueued
	}
	if err != nil {
		return err
	}
	user, err := w.store.User(ctx, p.UserID)
	if err != nil {
		return err
	}
	loc := locale.Zone(user.TimeZone)
	now := w.now()
	if !rule.Enabled && !p.Manual {
		return nil
	}

	st := &runState{}
	acct, err := w.connectedAccount(ctx, p.UserID)
	if err == nil && !now.Before(acct.Token.ExpiresAt) {
		acct, err = w.refresh(ctx, p.UserID, acct.TokenGeneration, &st.requests)
	}
	if errors.Is(err, ErrNotConnected) || errors.Is(err, ErrReconnect) {
		log.Info("rule run skipped: hh account not usable", "error", err)
		return w.store.DeferRule(ctx, p.UserID, p.RuleID, nextRun(rule, now, loc))
	}
	if err != nil {
		return err
	}
	if !acct.Usable(now) {
		log.Info("rule run skipped: account paused", "state", acct.State)
		return w.store.DeferRule(ctx, p.UserID, p.RuleID, nextRun(rule, now, loc))
	}
	if acct.State == store.AccountLimited {
		// The pause has passed; a state set meanwhile (reconnect) stays.
		if _, err := w.store.ResumeAccount(ctx, p.UserID, store.AccountLimited); err != nil {
			return err
		}
	}

	// One run of a rule at a time. Another run in flight (or, for at most
	// a minute, the lease of a worker that died mid-run) makes this one wait
	// and try again, without counting as a failure: a run that merely
	// "joined" could leave its schedule or a person's press unserved.
	unlock, err := w.locks.lockAlive(ctx, fmt.Sprintf("otklik:lock:rule:%d", p.RuleID), time.Minute, 0)
	if errors.Is(err, errLocked) {
		delay := 30 * time.Second
		if p.Manual {
			delay = 2 * time.Second
		}
		log.Info("another run of the rule is in flight; waiting", "retry_in", delay)
		return retryLater(delay, nil)
	}
	if err != nil {
		return err
	}
	defer unlock()

	runID, err := w.store.StartRun(ctx, p.UserID, p.RuleID, now, p.Manual)
	if err != nil {
		return err
	}
	full := rule.LastFullPassAt.IsZero() || now.Sub(rule.LastFullPassAt) >= fullPassEvery
	runErr := w.pageRule(ctx, rule, acct, full, runID, st)
	full = full && !st.capped
	st.result.HHRequests = int(st.requests.Load())
	if runErr != nil {
		st.result.Error = errorText(runErr)
	}
	next := nextRun(rule, now, loc)
	if p.Manual {
		// A person's run counts as the rule's run: the next is due a whole
		// interval after it, not at the slot it was ahead of.
		next = rule.NextRun(now, loc)
	}
	if runErr == nil {
		// The run's result and the rule's schedule in one transaction.
		if err := w.store.FinishCompletedRun(ctx, p.UserID, p.RuleID, runID, st.result, now, next, full); err != nil {
			return err
		}
	} else if err := w.store.FinishRun(ctx, p.UserID, runID, st.result); err != nil {
		return errors.Join(runErr, err)
	}
	if st.result.Review > 0 {
		// One message per run with its new review items and their buttons.
		// Failing to enqueue it costs the message, not the run: the items
		// wait on the web.
		if err := w.tellTelegram(ctx, telegram.Notification{UserID: p.UserID, Kind: telegram.KindReview, RunID: runID}); err != nil {
			log.Error("telegram review message not enqueued", "run_id", runID, "error", err)
		}
	}
	if runErr != nil {
		switch {
		case errors.Is(runErr, ErrReconnect), hh.IsCaptchaRequired(runErr):
			// The account state says why; try again at the next slot.
			return w.store.DeferRule(ctx, p.UserID, p.RuleID, nextRun(rule, now, loc))
		}
		return runErr
	}
	log.Info("rule run completed", "found", st.result.Found, "queued", st.result.Queued,
		"review", st.result.Review, "skipped", st.result.Skipped, "hh_requests", st.result.HHRequests, "full_pass", full)
	return nil
}

// indexingMargin is how much earlier than the last completed run's start a
// vacancy may be published and still be new to this run: hh indexes a
// vacancy for search some minutes after its publication time, so one
// published just before the last run started may have appeared after it.
const indexingMargin = 30 * time.Minute

// pageRule is the search loop of one run. Each page's vacancies not yet in
// the ledger are planned (plan.Planner: the pipeline the preview shares),
// recorded, and the ones to apply enqueued. A scheduled run stops after the
// page holding the first vacancy published before the last completed run
// started (less indexingMargin): the search is ordered by publication time,
// so everything after it was there for that run already; it stops too after
// a page of vacancies all decided or older than the last run. A full pass
// reads on to hh's depth limit.
func (w *Worker) pageRule(ctx context.Context, rule *store.Rule, acct *store.HHAccount, full bool, runID int64, st *runState) (err error) {
	hhc := w.runClient(ctx, rule.UserID, acct, &st.requests)
	planner, err := plan.New(ctx, w.store, w.tests, rule, acct, w.now())
	if err != nil {
		return err
	}
	if w.ai != nil {
		planner.UseAI(w.ai, true)
	}
	var cutoff time.Time
	if !full && !rule.LastCompletedRunAt.IsZero() {
		cutoff = rule.LastCompletedRunAt.Add(-indexingMargin)
	}
	queue := QueueDefault
	if isManual(ctx) {
		queue = QueueCritical // a person is waiting: the applications go first too
	}
	// A page's decisions are written when the page is done, in one
	// transaction, and its applications enqueued, their slots booked in one
	// round trip; the rows decided before a failure too.
	sendPage := func() error {
		if err := w.recordPage(ctx, planner, st); err != nil {
			return err
		}
		ids := st.toSend
		st.toSend = nil
		return w.enqueueApplies(ctx, rule.UserID, ids, fmt.Sprintf("r%d", runID), queue)
	}
	defer func() { err = errors.Join(err, sendPage()) }()
	for page := 0; (page+1)*hh.MaxPerPage <= hh.MaxSearchDepth; page++ {
		var res *hh.VacancyPage
		err := hhc.do(func(c *hh.Client) (err error) {
			res, err = c.SimilarVacancies(ctx, rule.ResumeID, rule.SearchParams(page))
			return err
		})
		if err != nil {
			return w.accountError(ctx, rule.UserID, hhc.generation(), err)
		}
		ids := make([]string, len(res.Items))
		for i := range res.Items {
			ids[i] = res.Items[i].ID
		}
		known, err := w.store.KnownVacancies(ctx, rule.UserID, rule.ResumeID, ids)
		if err != nil {
			return err
		}
		st.result.Found += len(res.Items)
		// reachedSeen: a vacancy published before the cutoff, so the pages
		// after this one hold nothing new. onlySeen: every vacancy of the
		// page is decided already or older than the last run.
		reachedSeen, onlySeen := false, true
		for i := range res.Items {
			v := &res.Items[i]
			if !cutoff.IsZero() && v.PublishedAt.Before(cutoff) {
				reachedSeen = true
			}
			if known[v.ID] {
				continue
			}
			if rule.LastCompletedRunAt.IsZero() || !v.PublishedAt.Before(rule.LastCompletedRunAt) {
				onlySeen = false
			}
			var f plan.Fate
			err := hhc.do(func(c *hh.Client) (err error) {
				f, err = planner.Plan(ctx, v, false, c)
				return err
			})
			if err != nil {
				return w.accountError(ctx, rule.UserID, hhc.generation(), err)
			}
			if f.Later {
				st.capped = true
				continue // over the rule's daily cap: a later run decides it
			}
			st.planned = append(st.planned, plannedRow{app: decided(rule, v, f, runID), fate: f})
		}
		if err := sendPage(); err != nil {
			return err
		}
		if res.Pages <= page+1 || len(res.Items) == 0 {
			break
		}
		if planner.CapLeft() <= 0 {
			st.capped = true
			break // the daily cap is spent: later pages could decide nothing today
		}
		if !full && (reachedSeen || onlySeen) {
			break // the rest was there for the last completed run
		}
	}
	return nil
}

// decided is the ledger row of vacancy v found by rule and planned as f.
func decided(rule *store.Rule, v *hh.Vacancy, f plan.Fate, runID int64) store.Application {
	a := snapshot(rule, v)
	a.RunID, a.Status, a.Reason, a.Letter = runID, f.Status, string(f.Reason), f.Letter
	a.Message, a.LetterBy, a.AINote, a.AIPending = f.Message, f.LetterBy, string(f.AINote), f.Pending
	return a
}

// recordPage writes the page's planned rows in one transaction and counts
// them into the run, noting the ones to apply in st.toSend. A vacancy
// another run decided first gives its place in the rule's cap back. The
// rows are taken from st either way: a page that failed is not written again
// by the run's deferred send.
func (w *Worker) recordPage(ctx context.Context, planner *plan.Planner, st *runState) error {
	planned := st.planned
	st.planned = nil
	if len(planned) == 0 {
		return nil
	}
	rows := make([]*store.Application, len(planned))
	for i := range planned {
		rows[i] = &planned[i].app
	}
	created, err := w.store.InsertApplications(ctx, rows)
	if err != nil {
		return err
	}
	for i, a := range rows {
		if !created[i] {
			planner.Unplan(planned[i].fate)
			continue
		}
		switch a.Status {
		case store.StatusSkipped:
			st.result.Skipped++
		case store.StatusReview:
			st.result.Review++
		case store.StatusQueued:
			st.result.Queued++
			st.toSend = append(st.toSend, a.ID)
		}
		w.metrics.outcome(string(a.Status))
	}
	return nil
}

// runClient is one run's hh client: its requests count into the run's
// total, and an access token hh says has expired is refreshed once per run.
type runClient struct {
	w         *Worker
	ctx       context.Context
	userID    int64
	acct      *store.HHAccount
	counter   *atomic.Int64
	client    *hh.Client
	refreshed bool
}

func (w *Worker) runClient(ctx context.Context, userID int64, acct *store.HHAccount, counter *atomic.Int64) *runClient {
	return &runClient{w: w, ctx: ctx, userID: userID, acct: acct, counter: counter,
		client: w.clientFor(acct.Token.AccessToken, counter)}
}

// do runs call with the run's client, and once more after a refresh when
// hh says the access token expired.
func (r *runClient) do(call func(*hh.Client) error) error {
	err := call(r.client)
	if !hh.IsTokenExpired(err) || r.refreshed {
		return err
	}
	r.refreshed = true
	acct, err := r.w.refresh(r.ctx, r.userID, r.acct.TokenGeneration, r.counter)
	if err != nil {
		return err
	}
	r.acct, r.client = acct, r.w.clientFor(acct.Token.AccessToken, r.counter)
	return call(r.client)
}

// generation is that of the token pair the run's requests use now.
func (r *runClient) generation() int64 { return r.acct.TokenGeneration }

// accountError records what an hh error means for the account and returns
// it. generation is that of the token pair the failed request used: hh's
// refusal of a pair replaced meanwhile (the person connected again, a worker
// refreshed) says nothing about the account, and asks only for another try.
func (w *Worker) accountError(ctx context.Context, userID, generation int64, err error) error {
	switch {
	case hh.IsTokenUnusable(err):
		marked, serr := w.store.MarkReconnect(context.WithoutCancel(ctx), userID, generation, errorText(err))
		if serr != nil {
			return errors.Join(err, serr)
		}
		if !marked {
			return retryLater(time.Second, err)
		}
		return fmt.Errorf("%w: %w", ErrReconnect, err)
	case hh.IsCaptchaRequired(err):
		url, _ := hh.CaptchaURL(err, strings.TrimRight(w.baseURL, "/")+"/")
		if serr := w.store.SetAccountState(ctx, userID, store.AccountCaptcha, url, time.Time{}, errorText(err)); serr != nil {
			return errors.Join(err, serr)
		}
	}
	return err
}

// snapshot is the ledger row for v found by rule, without a decision yet.
func snapshot(rule *store.Rule, v *hh.Vacancy) store.Application {
	salary := ""
	if s := rules.VacancySalary(v); s != nil {
		salary = rules.FormatSalary(s, "ru")
	}
	external := v.ResponseURL
	return store.Application{
		UserID:    rule.UserID,
		RuleID:    rule.ID,
		ResumeID:  rule.ResumeID,
		VacancyID: v.ID,
		VacancySnapshot: store.VacancySnapshot{
			VacancyName:            rules.StripTags(v.Name),
			EmployerName:           v.Employer.Name,
			EmployerID:             v.Employer.ID,
			SalaryText:             salary,
			AreaName:               v.Area.Name,
			VacancyURL:             v.AlternateURL,
			ResponseLetterRequired: v.ResponseLetterRequired,
			HasTest:                v.HasTest,
			ExternalURL:            external,
			ApplyURL:               v.ApplyAlternateURL,
		},
	}
}

// enqueueApplies books the rows' pacing slots in their account's sequence
// (in one round trip) and enqueues each row's apply to run at its slot, so
// the task runs once, when it may send, instead of waking early to be sent
// back to wait. A row whose slot was booked before keeps it.
func (w *Worker) enqueueApplies(ctx context.Context, userID int64, appIDs []int64, generation, queue string) error {
	if len(appIDs) == 0 {
		return nil
	}
	waits, err := w.pacer.ReserveAll(ctx, userID, appIDs)
	if err != nil {
		return fmt.Errorf("tasks: enqueue applies of user %d: %w", userID, err)
	}
	var errs []error
	for i, id := range appIDs {
		_, err := w.queue.EnqueueContext(ctx, newApplyTask(userID, id, generation, queue, waits[i], true))
		if err != nil && !errors.Is(err, asynq.ErrTaskIDConflict) {
			errs = append(errs, fmt.Errorf("tasks: enqueue apply %d: %w", id, err))
		}
	}
	return errors.Join(errs...)
}

// deferAfterFailure moves the schedule of a rule whose run failed for good
// to its next slot. A deleted rule needs nothing.
func (w *Worker) deferAfterFailure(ctx context.Context, p RuleRunPayload) error {
	rule, err := w.store.Rule(ctx, p.UserID, p.RuleID)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	user, err := w.store.User(ctx, p.UserID)
	if err != nil {
		return err
	}
	return w.store.DeferRule(ctx, p.UserID, p.RuleID, nextRun(rule, w.now(), locale.Zone(user.TimeZone)))
}

func isLastAttempt(ctx context.Context) bool {
	n, ok1 := asynq.GetRetryCount(ctx)
	m, ok2 := asynq.GetMaxRetry(ctx)
	return ok1 && ok2 && n >= m
}

// isManual reports whether the running task came from the critical queue (a
// person pressed "run now"), so its applications go first too.
func isManual(ctx context.Context) bool {
	q, ok := asynq.GetQueueName(ctx)
	return ok && q == QueueCritical
}

func resultOf(err error) string {
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, errLaterNotFailed):
		return "retry"
	default:
		return "failed"
	}
}

// nextRun is when the rule runs after a run at now: one interval after the
// slot that was due (so the schedule does not drift by the run's duration),
// or after now when that slot is long past. A run that could not start
// ahead of the schedule (a manual one, say) leaves it as it was.
func nextRun(r *store.Rule, now time.Time, loc *time.Location) time.Time {
	if r.NextRunAt.After(now) {
		return r.NextRunAt
	}
	next := r.NextRun(r.NextRunAt, loc)
	if !next.After(now) {
		next = r.NextRun(now, loc)
	}
	return next
}
