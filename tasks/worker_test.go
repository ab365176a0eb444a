package tasks_test

import (
	"testing"
	"time"

	"github.com/otklik/otklik/rules"
	"github.com/otklik/otklik/store"
	"github.com/otklik/otklik/tasks"
)

func TestRunNowAppliesAndQueuesReview(t *testing.T) {
	e := newEnv(t, envOptions{})
	e.startWorker()
	u, resume := e.connect("anna@example.com", 0)
	r := e.addRule(u, resume, func(r *rules.Rule) { r.Mode = rules.ModeLetters })

	if err := (tasks.Jobs{Queue: e.queue, Store: e.store}).RunRule(e.ctx, u.ID, r.ID); err != nil {
		t.Fatal(err)
	}
	e.waitSettled([]*store.User{u}, 60*time.Second)
	l := e.ledger(u)
	t.Logf("ledger: %s; hh requests %d", describe(l), e.requests.Load())
	if len(l[store.StatusApplied]) == 0 || len(l[store.StatusReview]) == 0 {
		t.Errorf("want applications and review items, got %s", describe(l))
	}
	for _, a := range l[store.StatusReview] {
		if a.Reason == "" {
			t.Errorf("review item %s has no reason", a.VacancyID)
		}
	}
	for _, a := range l[store.StatusApplied] {
		if a.ResponseLetterRequired {
			t.Errorf("letters mode applied %s, which asked for a letter", a.VacancyID)
		}
	}
	e.assertLedgerMatchesSandbox(u)
}
