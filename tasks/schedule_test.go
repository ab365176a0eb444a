package tasks_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/otklik/otklik/hh"
	"github.com/otklik/otklik/hh/hhsandbox"
	"github.com/otklik/otklik/rules"
	"github.com/otklik/otklik/store"
	"github.com/otklik/otklik/tasks"
)

// The tick enqueues what is due and only that: due rules (not those
// outside their active hours, which move to their next window, nor
// disabled ones), expired tokens, and summaries whose hour has come.
func TestTickEnqueuesWhatIsDue(t *testing.T) {
	e := newEnv(t, envOptions{vacancies: 50})
	anna, annaResume := e.connect("anna@example.com", 0)
	boris, borisResume := e.connect("boris@example.com", 1)
	late, err := e.store.CreateUser(e.ctx, "late@example.com", "$2a$10$notarealhashnotarealhashnotarealhashnotarealhashnot")
	if err != nil {
		t.Fatal(err)
	}
	setSettings(t, e, anna, store.Settings{Language: "ru", TimeZone: "UTC", SummaryHour: 11})
	setSettings(t, e, late, store.Settings{Language: "en", TimeZone: "UTC", SummaryHour: 13})
	setSettings(t, e, boris, store.Settings{Language: "ru", TimeZone: "UTC", SummaryHour: 20})

	noon := time.Now().UTC().Truncate(24 * time.Hour).Add(36 * time.Hour) // tomorrow 12:00 UTC
	day := noon.Format(time.DateOnly)

	allDay := e.addRule(anna, annaResume, nil)
	night := e.addRule(anna, annaResume, func(r *rules.Rule) { r.ActiveFrom, r.ActiveTo = "03:00", "05:00" })
	disabled := e.addRule(boris, borisResume, func(r *rules.Rule) { r.Enabled = false })

	// Boris's stored token has expired by our clock.
	acct, err := e.store.HHAccount(e.ctx, boris.ID)
	if err != nil {
		t.Fatal(err)
	}
	acct.Token.ExpiresAt = noon.Add(-time.Hour)
	if err := e.store.SaveHHAccount(e.ctx, boris.ID, *acct); err != nil {
		t.Fatal(err)
	}
	if acct, err = e.store.HHAccount(e.ctx, boris.ID); err != nil {
		t.Fatal(err)
	}

	w := e.newWorker(fixedClock(noon))
	for range 2 {
		if err := w.Tick(e.ctx); err != nil {
			t.Fatal(err)
		}
	}

	created := e.rule(allDay).NextRunAt
	assertIDs(t, "rule runs", e.taskIDs(tasks.TypeRuleRun), fmt.Sprintf("rule:run:%d:%d", allDay.ID, created.Unix()/60))
	assertIDs(t, "summaries", e.taskIDs(tasks.TypeSummarySend), fmt.Sprintf("summary:%d:%s", anna.ID, day))
	assertIDs(t, "token refreshes", e.taskIDs(tasks.TypeTokenRefresh), fmt.Sprintf("token:refresh:%d:%d", boris.ID, acct.TokenGeneration))

	// Outside its hours the night rule was skipped for that stated reason:
	// its next run is the start of its next window.
	window := noon.Truncate(24 * time.Hour).Add(24*time.Hour + 3*time.Hour)
	if got := e.rule(night).NextRunAt; !got.Equal(window) {
		t.Errorf("night rule next_run_at = %s, want the next window %s", got, window)
	}
	if got := e.rule(disabled).NextRunAt; got.After(noon) {
		t.Errorf("a disabled rule was rescheduled to %s", got)
	}

	// In its window the tick enqueues it.
	if err := e.newWorker(fixedClock(window.Add(30 * time.Minute))).Tick(e.ctx); err != nil {
		t.Fatal(err)
	}
	assertIDs(t, "rule runs in the window", e.taskIDs(tasks.TypeRuleRun),
		fmt.Sprintf("rule:run:%d:%d", allDay.ID, created.Unix()/60),
		fmt.Sprintf("rule:run:%d:%d", night.ID, window.Unix()/60))
}

// next_run_at moves on only when a run completes or is skipped for a stated
// reason; a run that fails leaves the rule due, so it is tried again.
func TestNextRunMovesOnlyWhenARunCompletesOrIsSkipped(t *testing.T) {
	e := newEnv(t, envOptions{vacancies: 50})
	ops := e.countOps()
	anna, resume := e.connect("anna@example.com", 0)
	setSettings(t, e, anna, store.Settings{Language: "ru", TimeZone: "UTC", SummaryHour: 20})
	r := e.addRule(anna, resume, nil)
	due := e.rule(r).NextRunAt
	noon := time.Now().UTC().Truncate(24 * time.Hour).Add(36 * time.Hour)
	mux := processor(e.newWorker(fixedClock(noon)))
	run := tasks.NewScheduledRuleRunTask(anna.ID, r.ID, due.Unix()/60)

	// hh fails every request: the run fails, the rule stays due.
	e.sandbox.SetFaults(hhsandbox.Faults{ErrorRate: 1})
	if err := mux.ProcessTask(e.ctx, run); err == nil {
		t.Fatal("a run against an hh that answers 5xx succeeded")
	}
	sr := e.rule(r)
	if !sr.NextRunAt.Equal(due) || !sr.LastCompletedRunAt.IsZero() {
		t.Errorf("after a failed run: next_run_at %s (want %s unchanged), last completed %s", sr.NextRunAt, due, sr.LastCompletedRunAt)
	}
	runs, err := e.store.LastRuns(e.ctx, anna.ID, r.ID, 1)
	if err != nil || len(runs) != 1 || runs[0].Error == "" {
		t.Errorf("the failed run is not recorded with its error: %+v %v", runs, err)
	}

	// hh is back: the run completes and the schedule moves on.
	e.sandbox.SetFaults(hhsandbox.Faults{})
	if err := mux.ProcessTask(e.ctx, run); err != nil {
		t.Fatal(err)
	}
	sr = e.rule(r)
	want := r.NextRun(noon, time.UTC)
	if !sr.NextRunAt.Equal(want) || !sr.LastCompletedRunAt.Equal(noon) {
		t.Errorf("after a completed run: next_run_at %s (want %s), last completed %s (want %s)", sr.NextRunAt, want, sr.LastCompletedRunAt, noon)
	}

	// The account needs reconnecting: the next run is skipped for that
	// reason without asking hh, and the schedule moves on.
	if err := e.store.SetAccountState(e.ctx, anna.ID, store.AccountReconnect, "", time.Time{}, "token_revoked"); err != nil {
		t.Fatal(err)
	}
	later := sr.NextRunAt.Add(time.Minute)
	searches := ops.succeeded(hh.OpSimilarVacancies)
	run = tasks.NewScheduledRuleRunTask(anna.ID, r.ID, sr.NextRunAt.Unix()/60)
	if err := processor(e.newWorker(fixedClock(later))).ProcessTask(e.ctx, run); err != nil {
		t.Fatal(err)
	}
	if got := e.rule(r).NextRunAt; !got.After(later) {
		t.Errorf("a run skipped for reconnect left next_run_at at %s", got)
	}
	if n := ops.succeeded(hh.OpSimilarVacancies); n != searches {
		t.Errorf("a run of an account needing reconnect searched hh %d times", n-searches)
	}
}

func (e *env) rule(r *rules.Rule) *store.Rule {
	e.t.Helper()
	sr, err := e.store.Rule(e.ctx, r.UserID, r.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	return sr
}

func setSettings(t *testing.T, e *env, u *store.User, s store.Settings) {
	t.Helper()
	if err := e.store.UpdateSettings(e.ctx, u.ID, s); err != nil {
		t.Fatal(err)
	}
}

// assertIDs checks the queue holds exactly one task with each of ids.
func assertIDs(t *testing.T, what string, got map[string]int, ids ...string) {
	t.Helper()
	want := map[string]int{}
	for _, id := range ids {
		want[id] = 1
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("%s in the queue: %v, want %v", what, got, want)
	}
}
