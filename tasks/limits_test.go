package tasks_test

import (
	"strings"
	"testing"
	"time"

	"github.com/otklik/otklik/hh/hhsandbox"
	"github.com/otklik/otklik/rules"
	"github.com/otklik/otklik/store"
	"github.com/otklik/otklik/tasks"
)

// hh's daily limit is reached mid-run: the account pauses (limited, with
// the time it resumes), the vacancies held back stay queued, and when the
// 24-hour window frees the tick sends them.
func TestLimitExceededPausesUntilTheWindowFrees(t *testing.T) {
	const hhLimit, ruleCap = 10, 18
	e := newEnv(t, envOptions{vacancies: 150, sandbox: hhsandbox.Options{DailyLimit: hhLimit}})
	u, resume := e.connect("anna@example.com", 0)
	r := e.addRule(u, resume, func(r *rules.Rule) { r.Mode = rules.ModeLetters; r.DailyLimit = ruleCap })
	hhUser := e.sandboxUser(u)
	want := e.expect(u, r)
	applies := countStatus(want, store.StatusApplied)
	if applies <= hhLimit || applies > 2*hhLimit {
		t.Fatalf("the rule applies to %d vacancies: want more than one window's %d, at most two", applies, hhLimit)
	}
	clock := &testClock{}
	w := e.startWorker(clock.deps())

	if err := (tasks.Jobs{Queue: e.queue, Store: e.store}).RunRule(e.ctx, u.ID, r.ID); err != nil {
		t.Fatal(err)
	}
	e.waitFor("the account to pause", 60*time.Second, func() bool {
		a, err := e.store.HHAccountState(e.ctx, u.ID)
		return err == nil && a.State == store.AccountLimited
	})
	e.waitQueuesIdle(60 * time.Second)

	acct, err := e.store.HHAccountState(e.ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	// Our ledger counts fewer than 200: an hour's probe.
	if now := clock.Now(); acct.LimitedUntil.Before(now.Add(50*time.Minute)) || acct.LimitedUntil.After(now.Add(61*time.Minute)) {
		t.Errorf("limited until %s, want about an hour from %s", acct.LimitedUntil, now)
	}
	l := e.ledger(u)
	t.Logf("paused: %s", describe(l))
	if len(l[store.StatusApplied]) != hhLimit || len(l[store.StatusQueued]) != applies-hhLimit {
		t.Errorf("want %d applied and %d held back, got %s", hhLimit, applies-hhLimit, describe(l))
	}
	if len(e.sandboxApplied(hhUser)) != hhLimit {
		t.Errorf("the sandbox holds %d applications, want %d", len(e.sandboxApplied(hhUser)), hhLimit)
	}
	refused := map[string]bool{}
	for _, rf := range e.sandbox.Refusals() {
		if rf.Value == "limit_exceeded" {
			refused[rf.VacancyID] = true
		}
	}
	if len(refused) == 0 {
		t.Fatal("hh never said limit_exceeded")
	}
	withReason := 0
	for _, a := range l[store.StatusQueued] {
		if a.Reason == string(rules.ReasonLimitExceeded) {
			withReason++
		}
		delete(refused, a.VacancyID)
	}
	if withReason == 0 {
		t.Errorf("no held-back row says why it waits (limit_exceeded)")
	}
	if len(refused) > 0 {
		t.Errorf("vacancies refused with limit_exceeded are not queued: %v", refused)
	}

	// An hour later the probe finds hh still refusing: paused again, for
	// another hour, and nothing sent.
	clock.Advance(61 * time.Minute)
	if err := w.Tick(e.ctx); err != nil {
		t.Fatal(err)
	}
	e.waitFor("the probe to pause the account again", 60*time.Second, func() bool {
		a, err := e.store.HHAccountState(e.ctx, u.ID)
		return err == nil && a.State == store.AccountLimited && a.LimitedUntil.After(acct.LimitedUntil)
	})
	e.waitQueuesIdle(60 * time.Second)
	if n := len(e.sandboxApplied(hhUser)); n != hhLimit {
		t.Errorf("the sandbox holds %d applications after the probe, want %d", n, hhLimit)
	}

	// A day later hh's window has freed: the tick sends what waited.
	if err := e.store.SetRuleEnabled(e.ctx, u.ID, r.ID, false); err != nil {
		t.Fatal(err)
	}
	e.sandbox.Advance(25 * time.Hour)
	clock.Advance(25 * time.Hour)
	if err := w.Tick(e.ctx); err != nil {
		t.Fatal(err)
	}
	e.waitSettled([]*store.User{u}, 60*time.Second)
	l = e.ledger(u)
	t.Logf("resumed: %s", describe(l))
	e.assertLedger(u, want)
	if a, _ := e.store.HHAccountState(e.ctx, u.ID); a.State != store.AccountConnected {
		t.Errorf("account state %s after resuming, want connected", a.State)
	}
	e.assertNothingLost(u)
	e.assertNoDoubleApply(false)
}

// hh demands a captcha mid-run: the account pauses with the captcha link
// for the person, nothing is lost, and once the captcha is solved the
// worker's probe resumes sending.
func TestCaptchaPausesUntilSolved(t *testing.T) {
	e := newEnv(t, envOptions{vacancies: 150, applyInterval: 20 * time.Millisecond})
	u, resume := e.connect("anna@example.com", 0)
	r := e.addRule(u, resume, func(r *rules.Rule) { r.Mode = rules.ModeLetters })
	want := e.expect(u, r)
	hhUser := e.sandboxUser(u)
	clock := &testClock{}
	w := e.startWorker(clock.deps())

	if err := (tasks.Jobs{Queue: e.queue, Store: e.store}).RunRule(e.ctx, u.ID, r.ID); err != nil {
		t.Fatal(err)
	}
	e.waitFor("5 applications", 60*time.Second, func() bool { return len(e.sandboxApplied(hhUser)) >= 5 })
	e.sandbox.SetFaults(hhsandbox.Faults{Captcha: true})
	e.waitFor("the account to pause for the captcha", 30*time.Second, func() bool {
		a, err := e.store.HHAccountState(e.ctx, u.ID)
		return err == nil && a.State == store.AccountCaptcha
	})
	e.waitQueuesIdle(60 * time.Second)

	acct, err := e.store.HHAccountState(e.ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(acct.CaptchaURL, "captcha") || !strings.Contains(acct.CaptchaURL, "backurl=") {
		t.Errorf("captcha link for the person: %q", acct.CaptchaURL)
	}
	l := e.ledger(u)
	t.Logf("paused: %s", describe(l))
	if len(l[store.StatusQueued]) == 0 {
		t.Fatal("nothing held back: the captcha came too late for the scenario")
	}
	if len(l[store.StatusFailed]) > 0 {
		t.Errorf("rows failed because of the captcha: %v", l[store.StatusFailed])
	}
	e.assertLedgerMatchesSandbox(u)
	sum, err := tasks.BuildSummary(e.ctx, e.store, u.ID, clock.Now().Format(time.DateOnly), clock.Now(), "http://otklik.test")
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.Warnings) != 1 || sum.Warnings[0].Kind != "captcha" || sum.Warnings[0].URL != acct.CaptchaURL {
		t.Errorf("summary warnings %+v, want the captcha with its link", sum.Warnings)
	}

	// Still unsolved ten minutes later: the tick leaves the account paused.
	clock.Advance(10 * time.Minute)
	if err := w.Tick(e.ctx); err != nil {
		t.Fatal(err)
	}
	if a, _ := e.store.HHAccountState(e.ctx, u.ID); a.State != store.AccountCaptcha {
		t.Errorf("account state %s ten minutes into the captcha pause", a.State)
	}

	// The person solves it; the worker's probe finds hh open again.
	e.sandbox.SolveCaptcha(hhUser)
	clock.Advance(25 * time.Minute)
	if err := w.Tick(e.ctx); err != nil {
		t.Fatal(err)
	}
	e.waitSettled([]*store.User{u}, 60*time.Second)
	e.assertLedger(u, want)
	e.assertNoDoubleApply(false)
	if a, _ := e.store.HHAccountState(e.ctx, u.ID); a.State != store.AccountConnected {
		t.Errorf("account state %s after the captcha, want connected", a.State)
	}
}

// hh refuses the fourth of twenty or more applications queued for one account with
// limit_exceeded: the applies that were already waiting for the account's
// lock read its new state there, and exactly four POSTs reach hh.
func TestNoPostAfterLimitExceeded(t *testing.T) {
	const hhLimit = 3
	e := newEnv(t, envOptions{vacancies: 150, applyInterval: time.Millisecond, sandbox: hhsandbox.Options{DailyLimit: hhLimit}})
	u, resume := e.connect("anna@example.com", 0)
	r := e.addRule(u, resume, func(r *rules.Rule) { r.Mode = rules.ModeLetters; r.DailyLimit = 40 })
	hhUser := e.sandboxUser(u)
	e.startWorker()

	if err := (tasks.Jobs{Queue: e.queue, Store: e.store}).RunRule(e.ctx, u.ID, r.ID); err != nil {
		t.Fatal(err)
	}
	e.waitFor("the account to pause", 60*time.Second, func() bool {
		a, err := e.store.HHAccountState(e.ctx, u.ID)
		return err == nil && a.State == store.AccountLimited
	})
	e.waitQueuesIdle(60 * time.Second)

	l := e.ledger(u)
	queued := len(l[store.StatusQueued]) + len(l[store.StatusApplied])
	if queued < 20 {
		t.Fatalf("the rule queued %d applications, want 20 or more: %s", queued, describe(l))
	}
	refused := 0
	for _, rf := range e.sandbox.Refusals() {
		if rf.UserID == hhUser {
			refused++
			if rf.Value != "limit_exceeded" {
				t.Errorf("hh refused %s with %s/%s", rf.VacancyID, rf.Type, rf.Value)
			}
		}
	}
	applied := len(e.sandboxApplied(hhUser))
	if applied != hhLimit || refused != 1 {
		t.Errorf("POSTs at hh: %d accepted and %d refused, want %d and exactly 1 (%s)", applied, refused, hhLimit, describe(l))
	}
	if len(l[store.StatusApplied]) != hhLimit || len(l[store.StatusQueued]) != queued-hhLimit {
		t.Errorf("ledger: %s, want %d applied and the rest queued", describe(l), hhLimit)
	}
}

// Once hh demands a captcha, no further POST goes out for that account:
// exactly one application meets the captcha, the account pauses with the
// link to solve it, and every other queued row waits, saying why.
func TestNoPostAfterCaptcha(t *testing.T) {
	e := newEnv(t, envOptions{vacancies: 150, applyInterval: time.Millisecond})
	u, resume := e.connect("anna@example.com", 0)
	r := e.addRule(u, resume, func(r *rules.Rule) { r.Mode = rules.ModeLetters; r.DailyLimit = 40 })
	hhUser := e.sandboxUser(u)
	e.startWorker()

	// The captcha turns on once a few applications went through.
	go func() {
		for e.ctx.Err() == nil {
			if len(e.sandbox.Applications()) >= 3 {
				f := e.sandbox.Faults()
				f.Captcha = true
				e.sandbox.SetFaults(f)
				return
			}
			time.Sleep(time.Millisecond)
		}
	}()
	if err := (tasks.Jobs{Queue: e.queue, Store: e.store}).RunRule(e.ctx, u.ID, r.ID); err != nil {
		t.Fatal(err)
	}
	e.waitFor("the account to pause for the captcha", 60*time.Second, func() bool {
		a, err := e.store.HHAccountState(e.ctx, u.ID)
		return err == nil && a.State == store.AccountCaptcha
	})
	e.waitQueuesIdle(60 * time.Second)

	refused := 0
	for _, rf := range e.sandbox.Refusals() {
		if rf.UserID == hhUser {
			refused++
			if rf.Value != "captcha_required" {
				t.Errorf("hh refused %s with %s/%s", rf.VacancyID, rf.Type, rf.Value)
			}
		}
	}
	l := e.ledger(u)
	applied := len(e.sandboxApplied(hhUser))
	if refused != 1 {
		t.Errorf("hh saw %d POSTs after its captcha, want exactly 1 (%d applied before it): %s", refused, applied, describe(l))
	}
	if len(l[store.StatusApplied]) != applied || len(l[store.StatusQueued]) == 0 {
		t.Errorf("ledger %s, hh holds %d applications: want those applied and the rest queued", describe(l), applied)
	}
	for _, a := range l[store.StatusQueued] {
		if a.Reason != string(rules.ReasonCaptcha) && a.Reason != "" {
			t.Errorf("vacancy %s waits with reason %q, want captcha", a.VacancyID, a.Reason)
		}
	}
}
