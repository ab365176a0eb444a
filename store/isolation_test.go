package store

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/otklik/otklik/hh"
)

// ownerData is everything one user owns, read back through the owner's own ID.
type ownerData struct {
	Account   *HHAccount
	Resumes   []Resume
	Rules     []Rule
	Ledger    []Application
	Runs      []RuleRun
	Summaries []Summary
}

func readOwner(t *testing.T, s *Store, userID, ruleID int64) ownerData {
	t.Helper()
	ctx := context.Background()
	var d ownerData
	var err error
	if d.Account, err = s.HHAccount(ctx, userID); err != nil {
		t.Fatal(err)
	}
	if d.Resumes, err = s.Resumes(ctx, userID); err != nil {
		t.Fatal(err)
	}
	if d.Rules, err = s.Rules(ctx, userID); err != nil {
		t.Fatal(err)
	}
	if d.Ledger, err = s.ListApplications(ctx, userID, ApplicationFilter{}); err != nil {
		t.Fatal(err)
	}
	if d.Runs, err = s.LastRuns(ctx, userID, ruleID, 100); err != nil {
		t.Fatal(err)
	}
	if d.Summaries, err = s.Summaries(ctx, userID, 100); err != nil {
		t.Fatal(err)
	}
	return d
}

// TestTenantIsolation calls every user-scoped method with another user's ID
// and the owner's object IDs: each finds nothing and changes nothing.
func TestTenantIsolation(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	owner := mustUser(t, s, "owner@example.com")
	other := mustUser(t, s, "other@example.com")

	if err := s.SaveHHAccount(ctx, owner.ID, testAccount("ACCESS-owner", "REFRESH-owner")); err != nil {
		t.Fatal(err)
	}
	if err := s.ReplaceResumes(ctx, owner.ID, []hh.Resume{{ID: "resume-1", Title: "Go developer", Status: hh.IDName{ID: "published"}}}); err != nil {
		t.Fatal(err)
	}
	rule := testRule(owner.ID)
	if err := s.CreateRule(ctx, rule); err != nil {
		t.Fatal(err)
	}
	runID, err := s.StartRun(ctx, owner.ID, rule.ID, time.Now(), false)
	if err != nil {
		t.Fatal(err)
	}
	apps := map[ApplicationStatus]*Application{}
	for i, st := range Statuses {
		a := testApplication(owner.ID, string(rune('a'+i)))
		a.RuleID, a.RunID, a.Status = rule.ID, runID, st
		if _, err := s.InsertApplication(ctx, a); err != nil {
			t.Fatal(err)
		}
		apps[st] = a
	}
	if _, err := s.SaveSummary(ctx, &Summary{UserID: owner.ID, Day: "2026-03-01", Text: "owner"}); err != nil {
		t.Fatal(err)
	}
	_, ownerSession, err := s.CreateSession(ctx, owner.ID, time.Hour)
	if err != nil {
		t.Fatal(err)
	}

	before := readOwner(t, s, owner.ID, rule.ID)
	o := other.ID
	since := time.Now().Add(-time.Hour)
	foreignRule := *rule
	foreignRule.UserID, foreignRule.Name = o, "hijacked"

	// Each call returns how many of the owner's things it saw (0 is right)
	// or an error, which must be ErrNotFound.
	cases := []struct {
		name string
		call func() (int, error)
	}{
		{"HHAccount", func() (int, error) { _, err := s.HHAccount(ctx, o); return 1, err }},
		{"HHAccountState", func() (int, error) { _, err := s.HHAccountState(ctx, o); return 1, err }},
		{"ReplaceTokens", func() (int, error) {
			ok, err := s.ReplaceTokens(ctx, o, before.Account.TokenGeneration, hh.Token{AccessToken: "x"})
			return b2i(ok), err
		}},
		{"SetAccountState", func() (int, error) {
			return 1, s.SetAccountState(ctx, o, AccountReconnect, "", time.Time{}, "")
		}},
		{"DeleteHHAccount", func() (int, error) { return 0, s.DeleteHHAccount(ctx, o) }},
		{"Resumes", func() (int, error) { r, err := s.Resumes(ctx, o); return len(r), err }},
		{"ReplaceResumes", func() (int, error) { return 0, s.ReplaceResumes(ctx, o, nil) }},
		{"ResumeGone", func() (int, error) { g, err := s.ResumeGone(ctx, o, "not-the-owners"); return b2i(g), err }},
		{"Rule", func() (int, error) { _, err := s.Rule(ctx, o, rule.ID); return 1, err }},
		{"Rules", func() (int, error) { r, err := s.Rules(ctx, o); return len(r), err }},
		{"RulesWithGoneResume", func() (int, error) { r, err := s.RulesWithGoneResume(ctx, o); return len(r), err }},
		{"UpdateRule", func() (int, error) { return 1, s.UpdateRule(ctx, &foreignRule) }},
		{"DeleteRule", func() (int, error) { return 1, s.DeleteRule(ctx, o, rule.ID) }},
		{"SetRuleEnabled", func() (int, error) { return 1, s.SetRuleEnabled(ctx, o, rule.ID, false) }},
		{"MarkRuleStarted", func() (int, error) { return 1, s.MarkRuleStarted(ctx, o, rule.ID, time.Now()) }},
		{"FinishCompletedRun", func() (int, error) {
			return 1, s.FinishCompletedRun(ctx, o, rule.ID, runID, RunResult{Found: 9}, time.Now(), time.Now().Add(time.Hour), true)
		}},
		{"CompleteRuleRun", func() (int, error) {
			return 1, s.CompleteRuleRun(ctx, o, rule.ID, time.Now(), time.Now().Add(time.Hour), true)
		}},
		{"DeferRule", func() (int, error) { return 1, s.DeferRule(ctx, o, rule.ID, time.Now().Add(time.Hour)) }},
		{"StartRun", func() (int, error) { _, err := s.StartRun(ctx, o, rule.ID, time.Now(), false); return 1, err }},
		{"FinishRun", func() (int, error) { return 1, s.FinishRun(ctx, o, runID, RunResult{Found: 9}) }},
		{"LastRuns", func() (int, error) { r, err := s.LastRuns(ctx, o, rule.ID, 10); return len(r), err }},
		{"RunTally", func() (int, error) { r, err := s.RunTally(ctx, o, runID); return r.New, err }},
		{"AddRunRequests", func() (int, error) { return 0, s.AddRunRequests(ctx, o, runID, 5) }},
		{"InsertApplication with the owner's rule", func() (int, error) {
			a := testApplication(o, "z")
			a.RuleID = rule.ID
			_, err := s.InsertApplication(ctx, a)
			return 1, err
		}},
		{"Application", func() (int, error) { _, err := s.Application(ctx, o, apps[StatusQueued].ID); return 1, err }},
		{"Outgoing", func() (int, error) { _, err := s.Outgoing(ctx, o, apps[StatusQueued].ID, since); return 1, err }},
		{"MarkApplied", func() (int, error) {
			return 1, s.MarkApplied(ctx, o, apps[StatusQueued].ID, "n", "l", time.Now())
		}},
		{"MarkExternal", func() (int, error) { return 1, s.MarkExternal(ctx, o, apps[StatusQueued].ID, "direct", "u") }},
		{"MarkReview", func() (int, error) { return 1, s.MarkReview(ctx, o, apps[StatusQueued].ID, "r", "d") }},
		{"MarkFailed", func() (int, error) { return 1, s.MarkFailed(ctx, o, apps[StatusQueued].ID, "r", "m") }},
		{"MarkSkipped", func() (int, error) { return 1, s.MarkSkipped(ctx, o, apps[StatusReview].ID, "dismissed") }},
		{"Requeue", func() (int, error) { return 1, s.Requeue(ctx, o, apps[StatusFailed].ID, "l") }},
		{"Postpone", func() (int, error) { return 1, s.Postpone(ctx, o, apps[StatusQueued].ID, "r", "m") }},
		{"KnownVacancies", func() (int, error) {
			k, err := s.KnownVacancies(ctx, o, "resume-1", []string{"a", "b", "c", "d", "e", "f"})
			return len(k), err
		}},
		{"QueuedApplications", func() (int, error) { a, err := s.QueuedApplications(ctx, o); return len(a), err }},
		{"ReviewItems", func() (int, error) { a, err := s.ReviewItems(ctx, o); return len(a), err }},
		{"ListApplications", func() (int, error) {
			a, err := s.ListApplications(ctx, o, ApplicationFilter{RuleID: rule.ID})
			return len(a), err
		}},
		{"CountApplications", func() (int, error) { return s.CountApplications(ctx, o, ApplicationFilter{}) }},
		{"AppliedSince", func() (int, error) { return s.AppliedSince(ctx, o, since) }},
		{"RuleLoad", func() (int, error) {
			applied, queued, review, err := s.RuleLoad(ctx, o, rule.ID, since)
			return applied + queued + review, err
		}},
		{"OldestAppliedSince", func() (int, error) {
			_, ok, err := s.OldestAppliedSince(ctx, o, since)
			return b2i(ok), err
		}},
		{"CountsByStatusSince", func() (int, error) {
			m, err := s.CountsByStatusSince(ctx, o, since)
			var n int
			for _, c := range m {
				n += c
			}
			return n, err
		}},
		{"ReasonCountsSince", func() (int, error) {
			m, err := s.ReasonCountsSince(ctx, o, StatusSkipped, since)
			return len(m), err
		}},
		{"Summary", func() (int, error) { _, err := s.Summary(ctx, o, "2026-03-01"); return 1, err }},
		{"Summaries", func() (int, error) { l, err := s.Summaries(ctx, o, 10); return len(l), err }},
		{"MarkSummaryEmailed", func() (int, error) {
			ok, err := s.MarkSummaryEmailed(ctx, o, "2026-03-01", time.Now())
			return b2i(ok), err
		}},
		{"DeleteUserSessions", func() (int, error) { return 0, s.DeleteUserSessions(ctx, o) }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			n, err := tc.call()
			switch {
			case err != nil && !errors.Is(err, ErrNotFound):
				t.Fatalf("err = %v, want ErrNotFound or nothing found", err)
			case err == nil && n != 0:
				t.Fatalf("saw %d of the owner's things", n)
			}
			if after := readOwner(t, s, owner.ID, rule.ID); !reflect.DeepEqual(before, after) {
				t.Fatalf("the owner's data changed:\nbefore %+v\nafter  %+v", before, after)
			}
		})
	}
	if _, err := s.SessionByToken(ctx, ownerSession.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("a session hash works as a token: %v", err)
	}
	var sessions int
	s.db.Get(&sessions, s.db.Rebind("SELECT COUNT(*) FROM sessions WHERE user_id = ?"), owner.ID)
	if sessions != 1 {
		t.Errorf("the owner's session is gone")
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
