package store

import (
	"context"
	"errors"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/otklik/otklik/hh"
	"github.com/otklik/otklik/rules"

	"github.com/otklik/otklik/store/storetest"
)

func testRule(userID int64) *rules.Rule {
	return &rules.Rule{
		UserID:              userID,
		Name:                "Go в Москве",
		ResumeID:            "resume-1",
		Text:                "golang",
		Areas:               []string{"1", "2"},
		Salary:              250000,
		Currency:            "RUR",
		OnlyWithSalary:      true,
		Experience:          []string{"between3And6"},
		Employment:          []string{"full"},
		Schedule:            []string{"remote", "fullDay"},
		ProfessionalRoles:   []string{"96"},
		ExcludedEmployerIDs: []string{"1455"},
		ExcludeWords:        []string{"senior lead", "ёлка"},
		Mode:                rules.ModeLetters,
		LetterTemplate:      "Здравствуйте, {company}!",
		DailyLimit:          50,
		EveryHours:          4,
		ActiveFrom:          "09:00",
		ActiveTo:            "21:00",
		Enabled:             true,
		LetterSource:        rules.LetterSourceAI,
		AIScreen:            true,
		AICriteria:          "Только удалёнка, без госкомпаний",
	}
}

// openWithClock opens a migrated store whose clock the test moves.
func openWithClock(t *testing.T) (*Store, *fixedClock) {
	t.Helper()
	clock := &fixedClock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	s := mustOpenPath(t, storetest.DSN(t), Options{Cipher: testCipher(t), Migrate: true, Now: clock.now})
	return s, clock
}

func TestRuleRoundTrip(t *testing.T) {
	ctx := context.Background()
	s, clock := openWithClock(t)
	u := mustUser(t, s, "a@example.com")
	r := testRule(u.ID)
	if err := s.CreateRule(ctx, r); err != nil {
		t.Fatal(err)
	}
	if r.ID == 0 {
		t.Fatal("CreateRule did not set the ID")
	}
	got, err := s.Rule(ctx, u.ID, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.Rule, *r) {
		t.Fatalf("rule round trip:\n got %+v\nwant %+v", got.Rule, *r)
	}
	if !got.NextRunAt.Equal(clock.t) || !got.LastRunAt.IsZero() || !got.LastCompletedRunAt.IsZero() || !got.CreatedAt.Equal(clock.t) {
		t.Fatalf("bookkeeping of a new rule: %+v", got)
	}

	empty := &rules.Rule{UserID: u.ID, Name: "empty lists", ResumeID: "r", DailyLimit: 1, EveryHours: 1}
	if err := s.CreateRule(ctx, empty); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Rule(ctx, u.ID, empty.ID); !reflect.DeepEqual(got.Rule, *empty) {
		t.Fatalf("nil lists round trip: %+v", got.Rule)
	}

	r.Name, r.Areas, r.Mode = "renamed", []string{"113"}, rules.ModeReview
	if err := s.UpdateRule(ctx, r); err != nil {
		t.Fatal(err)
	}
	all, err := s.Rules(ctx, u.ID)
	if err != nil || len(all) != 2 || all[0].Name != "renamed" || !reflect.DeepEqual(all[0].Areas, []string{"113"}) || all[0].Mode != rules.ModeReview {
		t.Fatalf("Rules after update = %+v, %v", all, err)
	}
}

func TestRuleScheduling(t *testing.T) {
	ctx := context.Background()
	s, clock := openWithClock(t)
	u := mustUser(t, s, "a@example.com")
	r := testRule(u.ID)
	if err := s.CreateRule(ctx, r); err != nil {
		t.Fatal(err)
	}
	t0 := clock.t
	due := func(at time.Time) []RuleRef {
		t.Helper()
		refs, err := s.DueRules(ctx, at)
		if err != nil {
			t.Fatal(err)
		}
		return refs
	}
	if refs := due(t0.Add(-time.Second)); len(refs) != 0 {
		t.Fatalf("due before next_run_at: %v", refs)
	}
	if refs := due(t0); len(refs) != 1 || refs[0] != (RuleRef{UserID: u.ID, RuleID: r.ID}) {
		t.Fatalf("DueRules at next_run_at = %v", refs)
	}

	runID, err := s.StartRun(ctx, u.ID, r.ID, t0, false)
	if err != nil {
		t.Fatal(err)
	}
	next := t0.Add(4 * time.Hour)
	if err := s.CompleteRuleRun(ctx, u.ID, r.ID, t0, next, false); err != nil {
		t.Fatal(err)
	}
	clock.t = t0.Add(time.Minute)
	if err := s.FinishRun(ctx, u.ID, runID, RunResult{Found: 120, Applied: 3, Review: 2, Skipped: 100, Queued: 15, HHRequests: 4}); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Rule(ctx, u.ID, r.ID)
	if !got.LastRunAt.Equal(t0) || !got.LastCompletedRunAt.Equal(t0) || !got.NextRunAt.Equal(next) || !got.LastFullPassAt.IsZero() {
		t.Fatalf("after a run: %+v", got)
	}
	if refs := due(next.Add(-time.Second)); len(refs) != 0 {
		t.Fatalf("due before its next run: %v", refs)
	}

	// A completed run's result and the rule's schedule are written
	// together; a wrong rule writes neither.
	clock.t = next
	second, err := s.StartRun(ctx, u.ID, r.ID, next, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.FinishCompletedRun(ctx, u.ID, r.ID+1000, second, RunResult{Found: 7}, next, next, true); !errors.Is(err, ErrNotFound) {
		t.Fatalf("FinishCompletedRun of a rule that is not there: %v", err)
	}
	if runs, _ := s.LastRuns(ctx, u.ID, r.ID, 1); len(runs) != 1 || runs[0].FinishedAt != nil {
		t.Fatalf("a refused FinishCompletedRun finished the run: %+v", runs)
	}
	if err := s.FinishCompletedRun(ctx, u.ID, r.ID, second, RunResult{Found: 7, Queued: 1}, next, next.Add(4*time.Hour), true); err != nil {
		t.Fatal(err)
	}
	got, _ = s.Rule(ctx, u.ID, r.ID)
	if !got.LastFullPassAt.Equal(next) || !got.LastCompletedRunAt.Equal(next) || !got.NextRunAt.Equal(next.Add(4*time.Hour)) {
		t.Fatalf("full pass not recorded: %+v", got)
	}

	deferred := next.Add(24 * time.Hour)
	if err := s.DeferRule(ctx, u.ID, r.ID, deferred); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Rule(ctx, u.ID, r.ID); !got.NextRunAt.Equal(deferred) {
		t.Fatalf("DeferRule: next run %v", got.NextRunAt)
	}

	// Disabled rules are never due; enabling makes one due now.
	if err := s.SetRuleEnabled(ctx, u.ID, r.ID, false); err != nil {
		t.Fatal(err)
	}
	if refs := due(deferred.Add(time.Hour)); len(refs) != 0 {
		t.Fatalf("a disabled rule is due: %v", refs)
	}
	clock.t = t0.Add(2 * time.Hour)
	if err := s.SetRuleEnabled(ctx, u.ID, r.ID, true); err != nil {
		t.Fatal(err)
	}
	if refs := due(clock.t); len(refs) != 1 {
		t.Fatalf("a re-enabled rule is not due now: %v", refs)
	}

	runs, err := s.LastRuns(ctx, u.ID, r.ID, 5)
	if err != nil || len(runs) != 2 {
		t.Fatalf("LastRuns = %+v, %v", runs, err)
	}
	if run := runs[0]; run.ID != second || run.FinishedAt == nil || !run.FinishedAt.Equal(next) || run.Found != 7 || run.Queued != 1 {
		t.Fatalf("the second run = %+v", run)
	}
	if run := runs[1]; run.FinishedAt == nil || !run.FinishedAt.Equal(t0.Add(time.Minute)) || run.Found != 120 || run.Queued != 15 || run.HHRequests != 4 {
		t.Fatalf("run = %+v", run)
	}
}

func TestDeleteRuleKeepsLedger(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	u := mustUser(t, s, "a@example.com")
	r := testRule(u.ID)
	if err := s.CreateRule(ctx, r); err != nil {
		t.Fatal(err)
	}
	a := &Application{UserID: u.ID, RuleID: r.ID, ResumeID: "resume-1", VacancyID: "100"}
	if _, err := s.InsertApplication(ctx, a); err != nil {
		t.Fatal(err)
	}
	if _, err := s.StartRun(ctx, u.ID, r.ID, time.Now(), false); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteRule(ctx, u.ID, r.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Rule(ctx, u.ID, r.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("rule after delete: %v", err)
	}
	got, err := s.Application(ctx, u.ID, a.ID)
	if err != nil || got.RuleID != 0 || got.VacancyID != "100" {
		t.Fatalf("ledger row after rule delete = %+v, %v", got, err)
	}
	if err := s.DeleteRule(ctx, u.ID, r.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second delete: %v", err)
	}
}

// A person has at most rules.MaxRulesPerUser rules, however many creations
// race for the last places.
func TestCreateRuleLimit(t *testing.T) {
	s, _ := openWithClock(t)
	ctx := context.Background()
	u, err := s.CreateUser(ctx, "many@example.com", "hash")
	if err != nil {
		t.Fatal(err)
	}
	add := func() error {
		r := rules.Defaults()
		r.UserID, r.Name, r.ResumeID = u.ID, "rule", "r1"
		return s.CreateRule(ctx, &r)
	}
	for range rules.MaxRulesPerUser - 5 {
		if err := add(); err != nil {
			t.Fatal(err)
		}
	}
	errs := make(chan error, 20)
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() { errs <- add() })
	}
	wg.Wait()
	close(errs)
	limited := 0
	for err := range errs {
		switch {
		case errors.Is(err, ErrLimit):
			limited++
		case err != nil:
			t.Fatal(err)
		}
	}
	list, err := s.Rules(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != rules.MaxRulesPerUser || limited != 15 {
		t.Errorf("%d rules and %d refused, want %d and 15", len(list), limited, rules.MaxRulesPerUser)
	}
}

// TestRulesWithGoneResume: a rule waits for another resume only when the
// person has stored resumes and its own is not among them (the same test as
// ResumeGone and Outgoing's ResumeGone).
func TestRulesWithGoneResume(t *testing.T) {
	ctx := context.Background()
	s, _ := openWithClock(t)
	u := mustUser(t, s, "a@example.com")
	other := mustUser(t, s, "b@example.com")
	var made []*rules.Rule
	for _, resume := range []string{"kept", "gone", "gone"} {
		r := testRule(u.ID)
		r.ResumeID = resume
		if err := s.CreateRule(ctx, r); err != nil {
			t.Fatal(err)
		}
		made = append(made, r)
	}
	foreign := testRule(other.ID)
	foreign.ResumeID = "gone"
	if err := s.CreateRule(ctx, foreign); err != nil {
		t.Fatal(err)
	}
	ids := func(list []Rule) []int64 {
		out := []int64{}
		for _, r := range list {
			out = append(out, r.ID)
		}
		return out
	}
	check := func(want ...int64) {
		t.Helper()
		got, err := s.RulesWithGoneResume(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if want == nil {
			want = []int64{}
		}
		if !reflect.DeepEqual(ids(got), want) {
			t.Errorf("RulesWithGoneResume = %v, want %v", ids(got), want)
		}
		for _, r := range made {
			gone, err := s.ResumeGone(ctx, u.ID, r.ResumeID)
			if err != nil {
				t.Fatal(err)
			}
			listed := false
			for _, g := range got {
				listed = listed || g.ID == r.ID
			}
			if gone != listed {
				t.Errorf("rule %d (resume %q): ResumeGone %v, listed %v", r.ID, r.ResumeID, gone, listed)
			}
		}
	}
	check() // no resumes stored: unknown, not gone
	if err := s.ReplaceResumes(ctx, u.ID, []hh.Resume{{ID: "kept", Title: "Go"}}); err != nil {
		t.Fatal(err)
	}
	check(made[1].ID, made[2].ID)
	if err := s.ReplaceResumes(ctx, u.ID, []hh.Resume{{ID: "kept"}, {ID: "gone"}}); err != nil {
		t.Fatal(err)
	}
	check()
	// Another person's stored resumes and rules change nothing here.
	if err := s.ReplaceResumes(ctx, other.ID, []hh.Resume{{ID: "elsewhere"}}); err != nil {
		t.Fatal(err)
	}
	check()
	if got, err := s.RulesWithGoneResume(ctx, other.ID); err != nil || len(got) != 1 || got[0].ID != foreign.ID {
		t.Errorf("the other person's RulesWithGoneResume = %v, %v; want their one rule", got, err)
	}
}
