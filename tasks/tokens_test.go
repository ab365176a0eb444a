package tasks_test

import (
	"errors"
	"github.com/hibiken/asynq"
	"sync"
	"testing"
	"time"

	"github.com/otklik/otklik/hh"
	"github.com/otklik/otklik/hh/hhsandbox"
	"github.com/otklik/otklik/rules"
	"github.com/otklik/otklik/store"
	"github.com/otklik/otklik/tasks"
)

// hh expires the token while our clock still trusts it, once before the
// search and once while applying: each time the run refreshes once and
// carries on, and ends with exactly what the rule calls for.
func TestTokenExpiresMidRun(t *testing.T) {
	e := newEnv(t, envOptions{vacancies: 150, applyInterval: 20 * time.Millisecond})
	ops := e.countOps()
	u, resume := e.connect("anna@example.com", 0)
	r := e.addRule(u, resume, func(r *rules.Rule) { r.Mode = rules.ModeLetters })
	want := e.expect(u, r)
	hhUser := e.sandboxUser(u)

	e.sandbox.ExpireTokens(hhUser)
	e.startWorker()
	if err := (tasks.Jobs{Queue: e.queue, Store: e.store}).RunRule(e.ctx, u.ID, r.ID); err != nil {
		t.Fatal(err)
	}
	e.waitFor("10 applications", 60*time.Second, func() bool { return len(e.sandboxApplied(hhUser)) >= 10 })
	e.sandbox.ExpireTokens(hhUser)
	before := len(e.sandboxApplied(hhUser))
	e.waitSettled([]*store.User{u}, 90*time.Second)
	if len(e.sandboxApplied(hhUser)) == before {
		t.Fatal("the run ended before the second expiry: the scenario did not happen")
	}

	e.assertLedger(u, want)
	e.assertNoDoubleApply(false)
	if n, failed := ops.succeeded(hh.OpToken), ops.failed(hh.OpToken); n != 2 || len(failed) > 0 {
		t.Errorf("token refreshes: %d succeeded (want 2, one per expiry), failed: %v", n, failed)
	}
	e.assertConnectedAndWorking(u)
}

// Two workers find the same expired token at once, through the web's
// Worker.Client and through two token:refresh tasks: hh sees one refresh,
// never a spent refresh token, and the stored pair works.
func TestRefreshRaceMakesOneRefresh(t *testing.T) {
	e := newEnv(t, envOptions{vacancies: 20, sandbox: hhsandbox.Options{TokenTTL: time.Second}})
	ops := e.countOps()
	u, _ := e.connect("anna@example.com", 0)
	e.sandbox.SetFaults(hhsandbox.Faults{TokenTTL: time.Hour})
	acct, err := e.store.HHAccount(e.ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Until(acct.Token.ExpiresAt) + 100*time.Millisecond)

	// Round 1: the web asks both workers for a client, eight times at once.
	w1, w2 := e.newWorker(), e.newWorker()
	var wg sync.WaitGroup
	for i := range 8 {
		w := w1
		if i%2 == 1 {
			w = w2
		}
		wg.Go(func() {
			c, err := w.Client(e.ctx, u.ID)
			if err != nil {
				t.Errorf("Client: %v", err)
				return
			}
			if _, err := c.Me(e.ctx); err != nil {
				t.Errorf("the refreshed token does not work: %v", err)
			}
		})
	}
	wg.Wait()
	if n, failed := ops.succeeded(hh.OpToken), ops.failed(hh.OpToken); n != 1 || len(failed) > 0 {
		t.Errorf("round 1: %d refreshes (want 1), failed: %v", n, failed)
	}
	after, err := e.store.HHAccount(e.ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if after.TokenGeneration != acct.TokenGeneration+1 {
		t.Errorf("token generation %d → %d, want one step", acct.TokenGeneration, after.TokenGeneration)
	}

	// Round 2: two hours later (the new token lives one), two workers run
	// token:refresh for the account at once.
	e.sandbox.SetFaults(hhsandbox.Faults{TokenTTL: 24 * time.Hour})
	e.sandbox.ExpireTokens(e.sandboxUser(u))
	later := &testClock{}
	later.Advance(2 * time.Hour)
	m1, m2 := processor(e.newWorker(later.deps())), processor(e.newWorker(later.deps()))
	for i := range 6 {
		mux := m1
		if i%2 == 1 {
			mux = m2
		}
		wg.Go(func() {
			if err := mux.ProcessTask(e.ctx, tasks.NewTokenRefreshTask(u.ID, after.TokenGeneration)); err != nil {
				t.Errorf("token:refresh: %v", err)
			}
		})
	}
	wg.Wait()
	if n, failed := ops.succeeded(hh.OpToken), ops.failed(hh.OpToken); n != 2 || len(failed) > 0 {
		t.Errorf("round 2: %d refreshes in all (want 2), failed: %v", n, failed)
	}
	e.assertConnectedAndWorking(u)
}

// hh revokes the token mid-run: the account asks the person to reconnect,
// scheduled runs stop (deferred, without asking hh), the vacancies waiting
// to be sent stay queued, and after the person reconnects they are sent.
func TestRevokedTokenPausesAndLosesNothing(t *testing.T) {
	e := newEnv(t, envOptions{vacancies: 150, applyInterval: 20 * time.Millisecond})
	ops := e.countOps()
	u, resume := e.connect("anna@example.com", 0)
	r := e.addRule(u, resume, func(r *rules.Rule) { r.Mode = rules.ModeLetters })
	want := e.expect(u, r)
	hhUser := e.sandboxUser(u)
	clock := &testClock{}
	w := e.startWorker(clock.deps())

	if err := (tasks.Jobs{Queue: e.queue, Store: e.store}).RunRule(e.ctx, u.ID, r.ID); err != nil {
		t.Fatal(err)
	}
	e.waitFor("10 applications", 60*time.Second, func() bool { return len(e.sandboxApplied(hhUser)) >= 10 })
	e.sandbox.RevokeTokens(hhUser)
	e.waitFor("the account to need reconnecting", 30*time.Second, func() bool {
		a, err := e.store.HHAccountState(e.ctx, u.ID)
		return err == nil && a.State == store.AccountReconnect
	})
	e.waitQueuesIdle(60 * time.Second)

	l := e.ledger(u)
	t.Logf("after the revocation: %s", describe(l))
	if len(l[store.StatusQueued]) == 0 {
		t.Fatal("nothing left queued: the revocation came too late for the scenario")
	}
	if len(l[store.StatusFailed]) > 0 {
		t.Errorf("rows failed because of the revocation: %v", l[store.StatusFailed])
	}
	e.assertLedgerMatchesSandbox(u)
	for _, a := range l[store.StatusQueued] {
		if want[a.VacancyID].status != store.StatusApplied {
			t.Errorf("%s queued, but the rule says %s", a.VacancyID, want[a.VacancyID].status)
		}
	}

	// Hours later the rule is due: its run is skipped without asking hh and
	// the schedule moves on; the queued rows wait.
	due := e.rule(r).NextRunAt
	clock.Advance(time.Until(due) + time.Minute)
	searches := ops.succeeded(hh.OpSimilarVacancies)
	if err := w.Tick(e.ctx); err != nil {
		t.Fatal(err)
	}
	e.waitFor("the run to be deferred", 30*time.Second, func() bool { return e.rule(r).NextRunAt.After(clock.Now()) })
	e.waitQueuesIdle(30 * time.Second)
	if n := ops.succeeded(hh.OpSimilarVacancies); n != searches {
		t.Errorf("a rule of an account needing reconnect searched hh %d times", n-searches)
	}
	if n := len(e.ledger(u)[store.StatusQueued]); n != len(l[store.StatusQueued]) {
		t.Errorf("queued rows: %d before, %d after the deferred run", len(l[store.StatusQueued]), n)
	}

	// The person connects again: the next tick sends what waited.
	tok, err := e.sandbox.IssueToken(hhUser)
	if err != nil {
		t.Fatal(err)
	}
	acct, err := e.store.HHAccount(e.ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	acct.Token = hh.Token{AccessToken: tok.AccessToken, RefreshToken: tok.RefreshToken, TokenType: "bearer", ExpiresAt: tok.ExpiresAt}
	if err := e.store.SaveHHAccount(e.ctx, u.ID, *acct); err != nil {
		t.Fatal(err)
	}
	if err := w.Tick(e.ctx); err != nil {
		t.Fatal(err)
	}
	e.waitSettled([]*store.User{u}, 60*time.Second)
	e.assertLedger(u, want)
	e.assertNoDoubleApply(false)
}

// assertConnectedAndWorking checks the account is connected and hh accepts
// its stored access token.
func (e *env) assertConnectedAndWorking(u *store.User) {
	e.t.Helper()
	acct, err := e.store.HHAccount(e.ctx, u.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	if acct.State != store.AccountConnected {
		e.t.Errorf("account state %s (%s), want connected", acct.State, acct.StateMessage)
	}
	c, err := hh.NewClient(e.hhCfg)
	if err != nil {
		e.t.Fatal(err)
	}
	if _, err := c.WithToken(acct.Token.AccessToken).Me(e.ctx); err != nil {
		e.t.Errorf("the stored access token does not work: %v", err)
	}
}

// waitQueuesIdle waits until no task is pending, running, scheduled or
// waiting to be retried.
func (e *env) waitQueuesIdle(timeout time.Duration) {
	e.t.Helper()
	in := e.inspector()
	e.waitFor("the queues to drain", timeout, func() bool {
		for _, q := range []string{tasks.QueueCritical, tasks.QueueDefault, tasks.QueueLow} {
			// The scheduled set first, then the rest: a task the forwarder
			// moves to the queue between the two looks is then seen pending
			// (in the other order it could be missed in both).
			if scheduledWork(in, q) {
				return false
			}
			qi, err := in.GetQueueInfo(q)
			if err != nil {
				continue // a queue never used
			}
			if qi.Pending+qi.Active+qi.Retry > 0 {
				return false
			}
		}
		return true
	})
}

// scheduledWork reports whether queue q holds a scheduled task other than
// those the tick schedules far ahead on its own (a negotiations sync spread
// over its period, a resume raise at hh's next allowed moment): the work a
// test waits to drain.
func scheduledWork(in *asynq.Inspector, q string) bool {
	list, err := in.ListScheduledTasks(q, asynq.PageSize(1000))
	if errors.Is(err, asynq.ErrQueueNotFound) {
		return false // a queue never used
	}
	if err != nil {
		return true
	}
	for _, t := range list {
		if t.Type != tasks.TypeNegotiationsSync && t.Type != tasks.TypeResumeRaise {
			return true
		}
	}
	return false
}
