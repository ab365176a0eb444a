package store

import (
	"context"
	"testing"
	"time"
)

// What hh says of a negotiation lands on the user's own ledger row of the
// same vacancy and resume only; another user's identical row is untouched,
// and an item that matches nothing is counted apart, never made a row.
func TestRecordOutcomesScopedByUser(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	anna, boris := mustUser(t, s, "anna@example.com"), mustUser(t, s, "boris@example.com")
	now := time.Now().UTC().Truncate(time.Second)
	var rows []*Application
	for _, u := range []*User{anna, boris} {
		a := testApplication(u.ID, "100")
		a.Status = StatusApplied
		if _, err := s.InsertApplication(ctx, a); err != nil {
			t.Fatal(err)
		}
		rows = append(rows, a)
	}
	items := []NegotiationItem{
		{NegotiationID: "n1", VacancyID: "100", ResumeID: "resume-1", State: "discard", Viewed: true, CreatedAt: now.Add(-time.Hour), UpdatedAt: now},
		{NegotiationID: "n2", VacancyID: "200", ResumeID: "resume-1", State: "response", CreatedAt: now, UpdatedAt: now},
	}
	for range 2 { // recording the same page twice changes nothing more
		res, err := s.RecordOutcomes(ctx, anna.ID, items, now)
		if err != nil {
			t.Fatal(err)
		}
		if res.Matched != 1 || res.Outside != 1 || len(res.NewInvitations) != 0 {
			t.Errorf("recorded %+v, want 1 matched and 1 outside", res)
		}
	}
	a, _ := s.Application(ctx, anna.ID, rows[0].ID)
	b, _ := s.Application(ctx, boris.ID, rows[1].ID)
	if a.State != "discard" || !a.Viewed || !a.Outcome.At.Equal(now) || a.NegotiationID != "n1" || a.Kind() != OutcomeDiscard {
		t.Errorf("anna's row: %+v %s", a.Outcome, a.NegotiationID)
	}
	if b.State != "" || b.Viewed || b.Kind() != OutcomeNone {
		t.Errorf("boris's row was touched: %+v", b.Outcome)
	}
	if n, _ := s.CountApplications(ctx, anna.ID, ApplicationFilter{}); n != 1 {
		t.Errorf("anna has %d rows, want 1: nothing is invented for n2", n)
	}
	f, err := s.FunnelSince(ctx, anna.ID, 0, now.Add(-24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if f != (Funnel{Applied: 1, Viewed: 1, Discard: 1, Outside: 1}) {
		t.Errorf("anna's funnel %+v", f)
	}
	for kind, want := range map[string]int{OutcomeDiscard: 1, OutcomeInvitation: 0, OutcomeViewed: 0, OutcomeNone: 0} {
		if n, _ := s.CountApplications(ctx, anna.ID, ApplicationFilter{Outcome: kind}); n != want {
			t.Errorf("outcome filter %s: %d rows, want %d", kind, n, want)
		}
	}
	// The employer's rejection keeps them away for 90 days, not longer.
	if d, _ := s.DiscardedEmployers(ctx, anna.ID, now.Add(-90*24*time.Hour)); !d["1455"] {
		t.Errorf("discarded employers %v lack 1455", d)
	}
	if d, _ := s.DiscardedEmployers(ctx, anna.ID, now.Add(time.Second)); len(d) != 0 {
		t.Errorf("a rejection older than the window still counts: %v", d)
	}
	if d, _ := s.DiscardedEmployers(ctx, boris.ID, now.Add(-90*24*time.Hour)); len(d) != 0 {
		t.Errorf("boris inherits anna's rejection: %v", d)
	}
}

// An invitation is claimed for announcing once; a failed send releases it.
func TestClaimInvitationOnce(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	u := mustUser(t, s, "anna@example.com")
	a := testApplication(u.ID, "100")
	a.Status = StatusApplied
	if _, err := s.InsertApplication(ctx, a); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	res, err := s.RecordOutcomes(ctx, u.ID, []NegotiationItem{{NegotiationID: "n1", VacancyID: "100", ResumeID: "resume-1", State: "invitation", Viewed: true, UpdatedAt: now}}, now)
	if err != nil || len(res.NewInvitations) != 1 {
		t.Fatalf("new invitations %v, %v", res.NewInvitations, err)
	}
	if ok, _ := s.ClaimInvitation(ctx, u.ID, a.ID, now); !ok {
		t.Fatal("first claim refused")
	}
	if ok, _ := s.ClaimInvitation(ctx, u.ID, a.ID, now); ok {
		t.Error("second claim granted")
	}
	res, _ = s.RecordOutcomes(ctx, u.ID, []NegotiationItem{{NegotiationID: "n1", VacancyID: "100", ResumeID: "resume-1", State: "invitation", Viewed: true, UpdatedAt: now}}, now)
	if len(res.NewInvitations) != 0 {
		t.Error("an announced invitation is new again")
	}
	if err := s.ReleaseInvitation(ctx, u.ID, a.ID); err != nil {
		t.Fatal(err)
	}
	if ok, _ := s.ClaimInvitation(ctx, u.ID, a.ID, now); !ok {
		t.Error("a released invitation cannot be claimed again")
	}
}
