package tasks_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/otklik/otklik/hh"
	"github.com/otklik/otklik/rules"
	"github.com/otklik/otklik/store"
	"github.com/otklik/otklik/tasks"
)

// A run right after a full one costs one search request; vacancies
// published since are found on the first pages; each run records the hh
// requests it made.
func TestSteadyStateRunCostsOneSearch(t *testing.T) {
	e := newEnv(t, envOptions{vacancies: 180})
	ops := e.countOps()
	u, resume := e.connect("anna@example.com", 0)
	r := e.addRule(u, resume, func(r *rules.Rule) { r.Mode = rules.ModeReview })
	e.startWorker()
	jobs := tasks.Jobs{Queue: e.queue, Store: e.store}
	in := e.inspector()

	run := func(n int) store.RuleRun {
		t.Helper()
		// A press while the last run's task is still live joins it: the run
		// row is finished a moment before the handler records the rule's
		// completed run and returns.
		e.waitFor("the last run's task to leave the queue", 30*time.Second, func() bool {
			return !e.liveTask(in, tasks.QueueCritical, fmt.Sprintf("rule:run:%d:now", r.ID))
		})
		if err := jobs.RunRule(e.ctx, u.ID, r.ID); err != nil {
			t.Fatal(err)
		}
		var last store.RuleRun
		e.waitFor("the run to finish", 60*time.Second, func() bool {
			runs, err := e.store.LastRuns(e.ctx, u.ID, r.ID, 5)
			if err != nil || len(runs) < n || runs[0].FinishedAt == nil {
				return false
			}
			last = runs[0]
			return true
		})
		if last.Error != "" {
			t.Fatalf("run %d failed: %s", n, last.Error)
		}
		return last
	}

	searches := ops.succeeded(hh.OpSimilarVacancies)
	first := run(1)
	pages := ops.succeeded(hh.OpSimilarVacancies) - searches
	if first.HHRequests != pages || pages < 2 {
		t.Errorf("full run: recorded %d hh requests, made %d searches (want the whole catalogue, 2+ pages)", first.HHRequests, pages)
	}

	searches = ops.succeeded(hh.OpSimilarVacancies)
	second := run(2)
	if n := ops.succeeded(hh.OpSimilarVacancies) - searches; n != 1 || second.HHRequests != 1 {
		t.Errorf("steady-state run: %d searches, recorded %d; want 1", n, second.HHRequests)
	}

	fresh := e.sandbox.PublishNew(3)
	searches = ops.succeeded(hh.OpSimilarVacancies)
	third := run(3)
	// The new vacancies fill part of the first page, and the first vacancy
	// after them was published before the last run: one search.
	if n := ops.succeeded(hh.OpSimilarVacancies) - searches; n != 1 || third.HHRequests != 1 {
		t.Errorf("run after 3 new vacancies: %d searches, recorded %d; want 1", n, third.HHRequests)
	}
	rows, err := e.store.ListApplications(e.ctx, u.ID, store.ApplicationFilter{})
	if err != nil {
		t.Fatal(err)
	}
	inLedger := map[string]bool{}
	for _, a := range rows {
		inLedger[a.VacancyID] = true
	}
	for _, id := range fresh {
		if !inLedger[id] {
			t.Errorf("new vacancy %s not decided by the next run", id)
		}
	}
}
