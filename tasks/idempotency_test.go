package tasks_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/otklik/otklik/rules"
	"github.com/otklik/otklik/store"
	"github.com/otklik/otklik/tasks"
)

// The tick replayed, enqueued by two processes' crons, and run by two
// workers at once enqueues each rule run once; two workers serving the queue
// at once, with every application's task doubled, apply nothing twice.
func TestTickTwiceAndTwoWorkersApplyNothingTwice(t *testing.T) {
	e := newEnv(t, envOptions{vacancies: 150})
	anna, annaResume := e.connect("anna@example.com", 0)
	boris, borisResume := e.connect("boris@example.com", 1)
	annaRule := e.addRule(anna, annaResume, func(r *rules.Rule) { r.Mode = rules.ModeLetters })
	borisRule := e.addRule(boris, borisResume, func(r *rules.Rule) {
		r.Mode = rules.ModeAuto
		r.LetterTemplate = "Здравствуйте! Интересует «{vacancy}». {first_name}"
	})
	want := map[int64]map[string]expected{anna.ID: e.expect(anna, annaRule), boris.ID: e.expect(boris, borisRule)}

	// Two processes' crons enqueue the same minute's tick.
	now := time.Now()
	for range 2 {
		if err := tasks.EnqueueTick(e.ctx, e.queue, now); err != nil {
			t.Fatal(err)
		}
	}
	ticks := e.taskIDs(tasks.TypeSchedulerTick)
	if wantID := fmt.Sprintf("tick:%d", now.Unix()/60); len(ticks) != 1 || ticks[wantID] != 1 {
		t.Errorf("ticks in the queue: %v, want one %s", ticks, wantID)
	}

	// Two workers run the tick at once, twice each.
	w1, w2 := e.newWorker(), e.newWorker()
	var wg sync.WaitGroup
	for _, w := range []*tasks.Worker{w1, w2, w1, w2} {
		wg.Go(func() {
			if err := w.Tick(e.ctx); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	wantRuns := map[string]int{}
	for _, r := range []*rules.Rule{annaRule, borisRule} {
		sr, err := e.store.Rule(e.ctx, r.UserID, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		wantRuns[fmt.Sprintf("rule:run:%d:%d", r.ID, sr.NextRunAt.Unix()/60)] = 1
	}
	if got := e.taskIDs(tasks.TypeRuleRun); fmt.Sprint(got) != fmt.Sprint(wantRuns) {
		t.Errorf("rule runs in the queue: %v, want %v", got, wantRuns)
	}

	// Two worker processes serve the queue (one runs the enqueued tick,
	// which must change nothing); while they apply, every queued row gets a
	// second apply task, as when a person presses "send" at the same time.
	e.startWorker()
	e.startWorker()
	jobs := tasks.Jobs{Queue: e.queue, Store: e.store}
	doubled := map[int64]bool{}
	deadline := time.Now().Add(30 * time.Second)
	for len(doubled) < 20 && time.Now().Before(deadline) {
		for _, u := range []*store.User{anna, boris} {
			for _, a := range e.ledger(u)[store.StatusQueued] {
				if !doubled[a.ID] {
					doubled[a.ID] = true
					if err := jobs.SendApplication(e.ctx, u.ID, a.ID); err != nil {
						t.Fatal(err)
					}
				}
			}
		}
		for _, w := range []*tasks.Worker{w1, w2} {
			if err := w.Tick(e.ctx); err != nil {
				t.Error(err)
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Logf("doubled the apply task of %d rows", len(doubled))

	users := []*store.User{anna, boris}
	e.waitSettled(users, 90*time.Second)
	for _, u := range users {
		t.Logf("%s: %s", u.Email, describe(e.ledger(u)))
		e.assertLedger(u, want[u.ID])
	}
	e.assertNoDoubleApply(false)
	if got := e.taskIDs(tasks.TypeRuleRun); fmt.Sprint(got) != fmt.Sprint(wantRuns) {
		t.Errorf("rule runs after the work: %v, want %v", got, wantRuns)
	}
}
