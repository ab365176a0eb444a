package tasks_test

import (
	"testing"
	"time"

	"github.com/otklik/otklik/hh"
	"github.com/otklik/otklik/rules"
	"github.com/otklik/otklik/store"
	"github.com/otklik/otklik/tasks"
)

// A vacancy with an employer's test that the rule would otherwise apply to
// is read in full once: an optional test is applied to like any vacancy, a
// required one goes to review with the link to take it. A second person's
// run over the same vacancies asks hh nothing more: the answer is the
// vacancy's, kept for the instance.
func TestOptionalTestsAreAppliedRequiredOnesReviewed(t *testing.T) {
	e := newEnv(t, envOptions{vacancies: 200})
	ops := e.countOps()
	anna, annaResume := e.connect("anna@example.com", 0)
	boris, borisResume := e.connect("boris@example.com", 1)
	auto := func(r *rules.Rule) { r.Mode = rules.ModeLetters; r.DailyLimit = 150 }
	ra := e.addRule(anna, annaResume, auto)
	rb := e.addRule(boris, borisResume, auto)
	want := e.expect(anna, ra)
	wantBoris := e.expect(boris, rb)

	lookups := map[string]bool{}
	optional, required := 0, 0
	for id, x := range want {
		if !x.testDecides {
			continue
		}
		lookups[id] = true
		if x.status == store.StatusApplied {
			optional++
		} else {
			required++
		}
	}
	if optional == 0 || required == 0 {
		t.Fatalf("the catalogue gives %d optional and %d required tests to apply past: the scenario needs both", optional, required)
	}

	e.startWorker()
	jobs := tasks.Jobs{Queue: e.queue, Store: e.store}
	if err := jobs.RunRule(e.ctx, anna.ID, ra.ID); err != nil {
		t.Fatal(err)
	}
	e.waitSettled([]*store.User{anna}, 90*time.Second)
	e.assertLedger(anna, want)
	if n := ops.succeeded(hh.OpVacancy); n != len(lookups) {
		t.Errorf("%d full-vacancy requests, want one for each of the %d vacancies whose test decides", n, len(lookups))
	}
	for _, a := range e.ledger(anna)[store.StatusReview] {
		if a.Reason == string(rules.ReasonTestRequired) && a.ApplyURL == "" {
			t.Errorf("review item %s has no link to take the test", a.VacancyID)
		}
	}

	// Boris's run: vacancies Anna's run read already cost nothing more.
	before := ops.succeeded(hh.OpVacancy)
	if err := jobs.RunRule(e.ctx, boris.ID, rb.ID); err != nil {
		t.Fatal(err)
	}
	e.waitSettled([]*store.User{boris}, 90*time.Second)
	e.assertLedger(boris, wantBoris)
	fresh := 0
	for id, x := range wantBoris {
		if x.testDecides && !lookups[id] {
			fresh++
		}
	}
	if n := ops.succeeded(hh.OpVacancy) - before; n != fresh {
		t.Errorf("Boris's run read %d full vacancies, want only the %d Anna's run had not", n, fresh)
	}
	e.assertNoDoubleApply(false)
}
