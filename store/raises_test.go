package store

import (
	"context"
	"testing"
	"time"
)

func TestResumeRaiseSchedule(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	u := mustUser(t, s, "a@example.com")
	other := mustUser(t, s, "b@example.com")
	due := time.Date(2026, 3, 1, 9, 0, 0, 123456789, time.UTC)

	if err := s.SetAutoRaise(ctx, u.ID, "r1", true, due); err != nil {
		t.Fatal(err)
	}
	if list, err := s.DueRaises(ctx, due.Add(-time.Second)); err != nil || len(list) != 0 {
		t.Fatalf("due early: %+v, %v", list, err)
	}
	list, err := s.DueRaises(ctx, due)
	if err != nil || len(list) != 1 || list[0].ResumeID != "r1" || !list[0].DueAt.Equal(ts(due)) {
		t.Fatalf("DueRaises = %+v, %v", list, err)
	}
	seen := *list[0].DueAt

	// Two workers claim the same due time: one wins.
	claim := due.Add(2 * time.Minute)
	if ok, err := s.MoveRaise(ctx, u.ID, "r1", seen, claim); !ok || err != nil {
		t.Fatalf("first claim = %v, %v", ok, err)
	}
	if ok, err := s.MoveRaise(ctx, u.ID, "r1", seen, claim); ok || err != nil {
		t.Fatalf("second claim = %v, %v", ok, err)
	}
	raised := due.Add(time.Second)
	if err := s.RecordRaise(ctx, u.ID, "r1", claim, raised, raised.Add(4*time.Hour)); err != nil {
		t.Fatal(err)
	}
	r, err := s.ResumeRaise(ctx, u.ID, "r1")
	if err != nil || !r.DueAt.Equal(ts(raised.Add(4*time.Hour))) || !r.LastRaisedAt.Equal(ts(raised)) {
		t.Fatalf("after a raise: %+v, %v", r, err)
	}
	if n, err := s.CountRaises(ctx, u.ID, due.Add(-time.Hour)); n != 1 || err != nil {
		t.Fatalf("CountRaises = %d, %v", n, err)
	}
	if n, _ := s.CountRaises(ctx, other.ID, due.Add(-time.Hour)); n != 0 {
		t.Fatalf("another user's raises counted: %d", n)
	}

	// hh refuses: blocked until the person toggles.
	if ok, err := s.BlockRaise(ctx, u.ID, "r1", *r.DueAt, "blocked"); !ok || err != nil {
		t.Fatalf("BlockRaise = %v, %v", ok, err)
	}
	if list, _ := s.DueRaises(ctx, due.Add(48*time.Hour)); len(list) != 0 {
		t.Fatalf("a blocked raise is due: %+v", list)
	}
	if err := s.SetAutoRaise(ctx, u.ID, "r1", true, due); err != nil {
		t.Fatal(err)
	}
	all, err := s.ResumeRaises(ctx, u.ID)
	if err != nil || all["r1"].BlockedAt != nil || all["r1"].DueAt == nil {
		t.Fatalf("after toggling again: %+v, %v", all, err)
	}
	if err := s.SetAutoRaise(ctx, u.ID, "r1", false, time.Time{}); err != nil {
		t.Fatal(err)
	}
	if list, _ := s.DueRaises(ctx, due.Add(48*time.Hour)); len(list) != 0 {
		t.Fatalf("a raise switched off is due: %+v", list)
	}
	if theirs, _ := s.ResumeRaises(ctx, other.ID); len(theirs) != 0 {
		t.Fatalf("another user sees switches: %+v", theirs)
	}
}
