package tasks_test

import (
	"testing"
	"time"

	"github.com/otklik/otklik/hh/hhsandbox"
	"github.com/otklik/otklik/rules"
	"github.com/otklik/otklik/store"
	"github.com/otklik/otklik/tasks"
)

// hh answers a fifth of requests with a 5xx and some with 429 and
// Retry-After: the runs still complete with exactly what the rules call
// for, and nothing is applied twice.
func TestFlakyHHStillCompletesWithoutDuplicates(t *testing.T) {
	e := newEnv(t, envOptions{vacancies: 80})
	anna, annaResume := e.connect("anna@example.com", 0)
	boris, borisResume := e.connect("boris@example.com", 1)
	annaRule := e.addRule(anna, annaResume, func(r *rules.Rule) { r.Mode = rules.ModeLetters })
	borisRule := e.addRule(boris, borisResume, func(r *rules.Rule) {
		r.Mode = rules.ModeAuto
		r.LetterTemplate = "Здравствуйте! Меня интересует «{vacancy}» в {company}."
	})
	want := map[int64]map[string]expected{anna.ID: e.expect(anna, annaRule), boris.ID: e.expect(boris, borisRule)}

	e.sandbox.SetFaults(hhsandbox.Faults{ErrorRate: 0.2, RateLimitRate: 0.1, RetryAfter: time.Second})
	e.startWorker()
	e.startWorker()
	jobs := tasks.Jobs{Queue: e.queue, Store: e.store}
	for _, r := range []*rules.Rule{annaRule, borisRule} {
		if err := jobs.RunRule(e.ctx, r.UserID, r.ID); err != nil {
			t.Fatal(err)
		}
	}
	users := []*store.User{anna, boris}
	e.waitSettled(users, 60*time.Second)
	refusals := map[int]int{}
	for _, rf := range e.sandbox.Refusals() {
		refusals[rf.Status]++
	}
	t.Logf("hh requests %d; refusals by status %v", e.requests.Load(), refusals)
	for _, u := range users {
		t.Logf("%s: %s", u.Email, describe(e.ledger(u)))
		e.assertLedger(u, want[u.ID])
	}
	e.assertNoDoubleApply(false)
}
