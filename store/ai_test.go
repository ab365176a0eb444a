package store

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/otklik/otklik/store/storetest"
)

// Two workers (two stores on one database file) reserving at once never
// take more than the cap between them.
func TestReserveAITokensHoldsAcrossTwoWorkers(t *testing.T) {
	ctx := context.Background()
	path := storetest.DSN(t)
	a := mustOpenPath(t, path, Options{Cipher: testCipher(t), Migrate: true})
	b := mustOpenPath(t, path, Options{Cipher: testCipher(t), Migrate: true})
	u := mustUser(t, a, "ai@example.com")
	other := mustUser(t, a, "other@example.com")

	const limit, each, tries = 1000, 70, 20 // 14 fit, 6 must be refused
	var mu sync.Mutex
	granted := 0
	var wg sync.WaitGroup
	for i := range tries {
		st := a
		if i%2 == 1 {
			st = b
		}
		wg.Go(func() {
			ok, err := st.ReserveAITokens(ctx, u.ID, "2026-12-04", each, limit)
			if err != nil {
				t.Error(err)
				return
			}
			if ok {
				mu.Lock()
				granted++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if granted != limit/each {
		t.Errorf("granted %d reservations, want %d", granted, limit/each)
	}
	used, err := b.AITokensUsed(ctx, u.ID, "2026-12-04")
	if err != nil || used != granted*each {
		t.Errorf("used = %d, %v; want %d", used, err, granted*each)
	}
	if err := a.AdjustAITokens(ctx, u.ID, "2026-12-04", -5000); err != nil {
		t.Fatal(err)
	}
	if used, _ := a.AITokensUsed(ctx, u.ID, "2026-12-04"); used != 0 {
		t.Errorf("after a large negative adjustment used = %d, want 0", used)
	}
	if used, _ := a.AITokensUsed(ctx, other.ID, "2026-12-04"); used != 0 {
		t.Errorf("another user's tokens = %d", used)
	}
	if used, _ := a.AITokensUsed(ctx, u.ID, "2026-12-05"); used != 0 {
		t.Errorf("the next day's tokens = %d", used)
	}
}

func TestAIVerdictKeptOncePerRuleAndScoped(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	u := mustUser(t, s, "v@example.com")
	stranger := mustUser(t, s, "s@example.com")
	r := testRule(u.ID)
	if err := s.CreateRule(ctx, r); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)
	if err := s.SaveAIVerdict(ctx, u.ID, r.ID, "42", AIVerdict{Match: false, Reason: "office only"}, now); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveAIVerdict(ctx, u.ID, r.ID, "42", AIVerdict{Match: true}, now); err != nil {
		t.Fatal(err)
	}
	v, known, err := s.AIVerdictFor(ctx, u.ID, r.ID, "42")
	if err != nil || !known || v.Match || v.Reason != "office only" {
		t.Errorf("verdict = %+v, %v, %v; want the first one kept", v, known, err)
	}
	if err := s.SaveAIVerdict(ctx, stranger.ID, r.ID, "43", AIVerdict{Match: true}, now); err != nil {
		t.Fatal(err)
	}
	if _, known, _ := s.AIVerdictFor(ctx, stranger.ID, r.ID, "42"); known {
		t.Error("another user reads the verdict on someone else's rule")
	}
	if _, known, _ := s.AIVerdictFor(ctx, u.ID, r.ID, "43"); known {
		t.Error("another user wrote a verdict into someone else's rule")
	}
}
