package tasks_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/otklik/otklik/hh"
	"github.com/otklik/otklik/hh/hhsandbox"
	"github.com/otklik/otklik/store"
	"github.com/otklik/otklik/tasks"
)

// hh asks for a captcha during a search. A search leaves no queued row
// behind, and the rule's runs are deferred while the captcha lasts; once
// the probe interval has passed the tick ends the pause all the same, and
// the rule searches again.
func TestCaptchaFromASearchIsProbedWithoutQueuedRows(t *testing.T) {
	e := newEnv(t, envOptions{vacancies: 50})
	ops := e.countOps()
	u, resume := e.connect("anna@example.com", 0)
	setSettings(t, e, u, store.Settings{Language: "ru", TimeZone: "UTC", SummaryHour: 23})
	r := e.addRule(u, resume, nil)
	if err := e.store.SetAccountState(e.ctx, u.ID, store.AccountCaptcha, "https://hh.example/account/captcha", time.Time{}, "captcha_required"); err != nil {
		t.Fatal(err)
	}
	if n := len(e.ledger(u)[store.StatusQueued]); n != 0 {
		t.Fatalf("%d queued rows: the scenario needs none", n)
	}

	// Ten minutes in, the account stays paused and the due run asks hh nothing.
	clock := &testClock{}
	clock.Advance(10 * time.Minute)
	w := e.newWorker(clock.deps())
	if err := w.Tick(e.ctx); err != nil {
		t.Fatal(err)
	}
	if a, _ := e.store.HHAccountState(e.ctx, u.ID); a.State != store.AccountCaptcha {
		t.Fatalf("account %s ten minutes into the captcha", a.State)
	}
	run := func() {
		t.Helper()
		due := e.rule(r).NextRunAt
		if err := processor(w).ProcessTask(e.ctx, tasks.NewScheduledRuleRunTask(u.ID, r.ID, due.Unix()/60)); err != nil {
			t.Fatal(err)
		}
	}
	run()
	if n := ops.succeeded(hh.OpSimilarVacancies); n != 0 {
		t.Fatalf("a run searched hh %d times during the captcha pause", n)
	}

	// The probe interval has passed: the tick resumes the account and the
	// next run searches.
	clock.Advance(30 * time.Minute)
	if err := w.Tick(e.ctx); err != nil {
		t.Fatal(err)
	}
	if a, _ := e.store.HHAccountState(e.ctx, u.ID); a.State != store.AccountConnected {
		t.Fatalf("account %s after the probe interval with nothing queued, want connected", a.State)
	}
	run()
	if ops.succeeded(hh.OpSimilarVacancies) == 0 || len(e.ledger(u)) == 0 {
		t.Error("the rule did not search again after the probe")
	}
}

// The process running a scheduled run's last attempt is killed: asynq
// archives the task without the handler, so nothing moved the schedule on,
// and the tick's next enqueue of that slot conflicts with the archived
// task. The tick replaces the dead task and the rule runs; a live run task
// is left alone.
func TestArchivedRunOfADueRuleRunsAgain(t *testing.T) {
	e := newEnv(t, envOptions{vacancies: 50})
	u, resume := e.connect("anna@example.com", 0)
	r := e.addRule(u, resume, nil)
	due := e.rule(r).NextRunAt
	id := ruleRunID(r.ID, due)
	w := e.newWorker()

	if err := w.Tick(e.ctx); err != nil {
		t.Fatal(err)
	}
	in := e.inspector()
	if err := in.ArchiveTask(tasks.QueueDefault, id); err != nil {
		t.Fatal(err)
	}
	if err := w.Tick(e.ctx); err != nil {
		t.Fatal(err)
	}
	info, err := in.GetTaskInfo(tasks.QueueDefault, id)
	if err != nil {
		t.Fatal(err)
	}
	if info.State != asynq.TaskStatePending {
		t.Fatalf("the due rule's run is %s after the tick, want pending again", info.State)
	}
	// Ticking while it is pending changes nothing.
	if err := w.Tick(e.ctx); err != nil {
		t.Fatal(err)
	}
	assertIDs(t, "rule runs", e.taskIDs(tasks.TypeRuleRun), id)

	e.startWorker()
	e.waitFor("the rule's run to complete", 60*time.Second, func() bool { return !e.rule(r).LastCompletedRunAt.IsZero() })
	if got := e.rule(r).NextRunAt; !got.After(due) {
		t.Errorf("next_run_at %s after the run, want past %s", got, due)
	}
}

// A scheduled run's last attempt fails because its own deadline passed: the
// schedule still moves on to the next slot (the deferral is not made with
// the expired context), so the rule is not left due behind an archived task.
func TestRunFailingOnItsDeadlineMovesTheSchedule(t *testing.T) {
	e := newEnv(t, envOptions{vacancies: 50})
	u, resume := e.connect("anna@example.com", 0)
	r := e.addRule(u, resume, nil)
	due := e.rule(r).NextRunAt
	id := ruleRunID(r.ID, due)
	e.sandbox.SetFaults(hhsandbox.Faults{Latency: 5 * time.Second})
	e.startWorker()

	// The last attempt, with a deadline hh's latency outlasts.
	if _, err := e.queue.EnqueueContext(e.ctx, tasks.NewScheduledRuleRunTask(u.ID, r.ID, due.Unix()/60),
		asynq.MaxRetry(0), asynq.Timeout(time.Second)); err != nil {
		t.Fatal(err)
	}
	in := e.inspector()
	e.waitFor("the run to fail for good", 60*time.Second, func() bool {
		info, err := in.GetTaskInfo(tasks.QueueDefault, id)
		return err == nil && info.State == asynq.TaskStateArchived
	})
	// asynq archives the task when its deadline passes, without waiting for
	// the handler, which then moves the schedule on its way out.
	e.waitFor("the schedule to move past the failed slot", 15*time.Second, func() bool { return e.rule(r).NextRunAt.After(due) })
}

// "Run now" after a manual run failed for good (its retries ran out and
// asynq archived it under the same ID) starts a new run; a press while a
// run is pending joins it.
func TestRunNowAfterAFailedRunStartsAgain(t *testing.T) {
	e := newEnv(t, envOptions{vacancies: 50})
	u, resume := e.connect("anna@example.com", 0)
	r := e.addRule(u, resume, nil)
	in := e.inspector()
	jobs := tasks.Jobs{Queue: e.queue, Store: e.store, Inspector: in}

	if joined, err := jobs.StartRule(e.ctx, u.ID, r.ID); err != nil || joined {
		t.Fatalf("first press: joined %v, %v", joined, err)
	}
	if joined, err := jobs.StartRule(e.ctx, u.ID, r.ID); err != nil || !joined {
		t.Fatalf("a press while the run is pending: joined %v, %v; want joined", joined, err)
	}
	var id string
	for k := range e.taskIDs(tasks.TypeRuleRun) {
		id = k
	}
	if err := in.ArchiveTask(tasks.QueueCritical, id); err != nil {
		t.Fatal(err)
	}

	if joined, err := jobs.StartRule(e.ctx, u.ID, r.ID); err != nil || joined {
		t.Fatalf("a press after the run failed: joined %v, %v; want a new run", joined, err)
	}
	info, err := in.GetTaskInfo(tasks.QueueCritical, id)
	if err != nil || info.State != asynq.TaskStatePending {
		t.Fatalf("the new run: %+v, %v; want pending", info, err)
	}
	e.startWorker()
	e.waitFor("the new run to complete", 60*time.Second, func() bool { return !e.rule(r).LastCompletedRunAt.IsZero() })
	if len(e.ledger(u)) == 0 {
		t.Error("the run decided nothing")
	}
}

func ruleRunID(ruleID int64, due time.Time) string {
	return fmt.Sprintf("rule:run:%d:%d", ruleID, due.Unix()/60)
}
