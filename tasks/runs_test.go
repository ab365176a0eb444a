package tasks_test

import (
	"net/url"
	"testing"
	"time"

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

// A run accounts for every hh request made for it: its searches and
// lookups, and the POSTs of the applications it queued, as they are sent;
// its tally by status matches the ledger.
func TestRunCountsEveryRequestMadeForIt(t *testing.T) {
	e := newEnv(t, envOptions{vacancies: 150})
	ops := e.countOps()
	u, resume := e.connect("anna@example.com", 0)
	r := e.addRule(u, resume, func(r *rules.Rule) { r.Mode = rules.ModeLetters })
	e.startWorker()
	before := e.requests.Load()
	if err := (tasks.Jobs{Queue: e.queue, Store: e.store}).RunRule(e.ctx, u.ID, r.ID); err != nil {
		t.Fatal(err)
	}
	e.waitSettled([]*store.User{u}, 90*time.Second)
	made := int(e.requests.Load() - before)
	var run store.RuleRun
	e.waitFor("the run's POSTs to be counted", 10*time.Second, func() bool {
		runs, err := e.store.LastRuns(e.ctx, u.ID, r.ID, 1)
		if err != nil || len(runs) != 1 {
			return false
		}
		run = runs[0]
		return run.HHRequests+run.ApplyRequests == made
	})
	posts := ops.succeeded(hh.OpApply) + len(ops.failed(hh.OpApply))
	if run.HHRequests+run.ApplyRequests != made || run.ApplyRequests != posts || posts == 0 {
		t.Errorf("the run recorded %d requests + %d POSTs; hh saw %d requests, %d of them POSTs",
			run.HHRequests, run.ApplyRequests, made, posts)
	}
	if !run.Manual {
		t.Error("a run started by a person is not recorded as manual")
	}
	tally, err := e.store.RunTally(e.ctx, u.ID, run.ID)
	if err != nil {
		t.Fatal(err)
	}
	l := e.ledger(u)
	total := 0
	for st, rows := range l {
		total += len(rows)
		if tally.Statuses[st] != len(rows) {
			t.Errorf("tally counts %d %s, the ledger %d", tally.Statuses[st], st, len(rows))
		}
	}
	if tally.New != total || total == 0 {
		t.Errorf("tally counts %d new rows, the ledger holds %d", tally.New, total)
	}
}

// A run a person started counts as the rule's run: the next scheduled one is
// due a whole interval after it, not at the slot it ran ahead of.
func TestManualRunMovesTheSchedule(t *testing.T) {
	e := newEnv(t, envOptions{vacancies: 50})
	anna, resume := e.connect("anna@example.com", 0)
	setSettings(t, e, anna, store.Settings{Language: "ru", TimeZone: "UTC", SummaryHour: 20})
	r := e.addRule(anna, resume, func(r *rules.Rule) { r.EveryHours = 24 })
	morning := time.Now().UTC().Truncate(24 * time.Hour).Add(32 * time.Hour) // 08:00 tomorrow
	if err := e.store.DeferRule(e.ctx, anna.ID, r.ID, morning.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	pressed := morning.Add(44 * time.Minute)
	task := tasks.NewManualRuleRunTask(anna.ID, r.ID, time.Time{})
	if err := processor(e.newWorker(fixedClock(pressed))).ProcessTask(e.ctx, task); err != nil {
		t.Fatal(err)
	}
	sr := e.rule(r)
	if want := pressed.Add(24 * time.Hour); !sr.NextRunAt.Equal(want) {
		t.Errorf("after a run by hand at %s the next run is due %s, want %s", pressed, sr.NextRunAt, want)
	}
}
