package tasks_test

import (
	"net/url"
	"testing"

	"github.com/otklik/otklik/hh"
	"github.com/otklik/otklik/rules"
	"github.com/otklik/otklik/store"
	"github.com/otklik/otklik/tasks"
)

// A vacancy held for its test keeps hh's response page
// (apply_alternate_url), where the person takes the test.
func TestLedgerKeepsTheTestPage(t *testing.T) {
	e := newEnv(t, envOptions{vacancies: 150})
	u, resume := e.connect("anna@example.com", 0)
	r := e.addRule(u, resume, func(r *rules.Rule) { r.Mode = rules.ModeLetters })
	if err := processor(e.newWorker()).ProcessTask(e.ctx, tasks.NewScheduledRuleRunTask(u.ID, r.ID, e.rule(r).NextRunAt.Unix()/60)); err != nil {
		t.Fatal(err)
	}
	tests := 0
	for _, a := range e.ledger(u)[store.StatusReview] {
		if a.Reason != string(rules.ReasonTestRequired) {
			continue
		}
		tests++
		page, err := url.Parse(a.ApplyURL)
		if err != nil || page.Query().Get("vacancyId") != a.VacancyID || a.ApplyURL == a.VacancyURL {
			t.Errorf("vacancy %s: test page %q (vacancy page %q), want hh's response page", a.VacancyID, a.ApplyURL, a.VacancyURL)
		}
	}
	if tests == 0 {
		t.Fatal("no vacancy was held for its test: the scenario did not happen")
	}
}

// A run that stops because the rule's daily cap is spent leaves vacancies
// undecided: it is not the day's full pass, so the next run goes deep again.
func TestCappedRunIsNotAFullPass(t *testing.T) {
	e := newEnv(t, envOptions{vacancies: 300})
	u, resume := e.connect("anna@example.com", 0)
	r := e.addRule(u, resume, func(r *rules.Rule) { r.Mode = rules.ModeLetters; r.DailyLimit = 5 })
	if err := processor(e.newWorker()).ProcessTask(e.ctx, tasks.NewScheduledRuleRunTask(u.ID, r.ID, e.rule(r).NextRunAt.Unix()/60)); err != nil {
		t.Fatal(err)
	}
	sr := e.rule(r)
	if sr.LastCompletedRunAt.IsZero() {
		t.Fatal("the run did not complete")
	}
	taken := 0
	for st, rows := range e.ledger(u) {
		if st != store.StatusSkipped {
			taken += len(rows)
		}
	}
	if taken != r.DailyLimit {
		t.Fatalf("the run took on %d vacancies, want the cap of %d: the scenario did not happen", taken, r.DailyLimit)
	}
	if !sr.LastFullPassAt.IsZero() {
		t.Errorf("a run stopped by the daily cap was recorded as the full pass (%s)", sr.LastFullPassAt)
	}
}

// A run's hh_requests counts the token refreshes it made, at the start (the
// token expired by our clock) or mid-search (hh said token_expired).
func TestRunCountsItsRefreshes(t *testing.T) {
	for _, tc := range []struct {
		name   string
		expire func(e *env, u *store.User)
	}{
		{"expired by our clock", func(e *env, u *store.User) { e.expireToken(u) }},
		{"expired at hh", func(e *env, u *store.User) { e.sandbox.ExpireTokens(e.sandboxUser(u)) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, envOptions{vacancies: 50})
			ops := e.countOps()
			u, resume := e.connect("anna@example.com", 0)
			r := e.addRule(u, resume, nil)
			tc.expire(e, u)
			before := e.requests.Load()
			if err := processor(e.newWorker()).ProcessTask(e.ctx, tasks.NewScheduledRuleRunTask(u.ID, r.ID, e.rule(r).NextRunAt.Unix()/60)); err != nil {
				t.Fatal(err)
			}
			if n := ops.succeeded(hh.OpToken); n != 1 {
				t.Fatalf("%d refreshes, want 1: the scenario did not happen", n)
			}
			runs, err := e.store.LastRuns(e.ctx, u.ID, r.ID, 1)
			if err != nil || len(runs) != 1 {
				t.Fatalf("runs: %v, %v", runs, err)
			}
			if want := int(e.requests.Load() - before); runs[0].HHRequests != want {
				t.Errorf("the run recorded %d hh requests, hh saw %d", runs[0].HHRequests, want)
			}
		})
	}
}
