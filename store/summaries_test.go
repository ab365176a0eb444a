package store

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestSummaryOncePerDay(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	u := mustUser(t, s, "a@example.com")

	first := &Summary{UserID: u.ID, Day: "2026-03-01", Content: `{"applied":3}`, Text: "3 отклика", HTML: "<p>3 отклика</p>"}
	if ok, err := s.SaveSummary(ctx, first); !ok || err != nil {
		t.Fatalf("first SaveSummary = %v, %v", ok, err)
	}
	again := &Summary{UserID: u.ID, Day: "2026-03-01", Content: `{"applied":4}`}
	if ok, err := s.SaveSummary(ctx, again); ok || err != nil {
		t.Fatalf("second SaveSummary = %v, %v", ok, err)
	}
	if again.ID != first.ID || again.Content != `{"applied":3}` || again.Text != "3 отклика" {
		t.Fatalf("the day's stored summary not returned: %+v", again)
	}
	if ok, err := s.SaveSummary(ctx, &Summary{UserID: u.ID, Day: "2026-03-02"}); !ok || err != nil {
		t.Fatalf("next day = %v, %v", ok, err)
	}
	if _, err := s.SaveSummary(ctx, &Summary{UserID: u.ID, Day: "1 March"}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("bad day: %v", err)
	}

	list, err := s.Summaries(ctx, u.ID, 10)
	if err != nil || len(list) != 2 || list[0].Day != "2026-03-02" {
		t.Fatalf("Summaries = %+v, %v", list, err)
	}
	at := time.Date(2026, 3, 1, 17, 0, 0, 0, time.UTC)
	if marked, err := s.MarkSummaryEmailed(ctx, u.ID, "2026-03-01", at); !marked || err != nil {
		t.Fatalf("MarkSummaryEmailed = %v, %v", marked, err)
	}
	if marked, err := s.MarkSummaryEmailed(ctx, u.ID, "2026-03-01", at); marked || err != nil {
		t.Fatalf("second MarkSummaryEmailed = %v, %v", marked, err)
	}
	got, err := s.Summary(ctx, u.ID, "2026-03-01")
	if err != nil || got.EmailedAt == nil || !got.EmailedAt.Equal(at) {
		t.Fatalf("Summary = %+v, %v", got, err)
	}
	if _, err := s.MarkSummaryEmailed(ctx, u.ID, "2026-01-01", at); !errors.Is(err, ErrNotFound) {
		t.Fatalf("MarkSummaryEmailed of a missing day: %v", err)
	}
}
