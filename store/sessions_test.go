package store

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestSessions(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	u := mustUser(t, s, "a@example.com")

	raw, sess, err := s.CreateSession(ctx, u.ID, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if sess.ID == raw || sess.ID != SessionID(raw) || sess.CSRFToken == "" || len(raw) < 40 {
		t.Fatalf("session %+v for token %q", sess, raw)
	}
	var stored int
	if err := s.db.Get(&stored, s.db.Rebind("SELECT COUNT(*) FROM sessions WHERE id = ? OR csrf_token = ? AND id = ?"), raw, raw, raw); err != nil || stored != 0 {
		t.Fatalf("the raw token is stored (%d rows, %v)", stored, err)
	}
	got, err := s.SessionByToken(ctx, raw)
	if err != nil || got.UserID != u.ID || got.CSRFToken != sess.CSRFToken {
		t.Fatalf("SessionByToken = %+v, %v", got, err)
	}
	if _, err := s.SessionByToken(ctx, sess.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("the stored hash works as a cookie: %v", err)
	}
	if err := s.TouchSession(ctx, sess.ID, 2*time.Hour); err != nil {
		t.Errorf("TouchSession: %v", err)
	}

	expiredRaw, _, err := s.CreateSession(ctx, u.ID, -time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.SessionByToken(ctx, expiredRaw); !errors.Is(err, ErrNotFound) {
		t.Errorf("an expired session signs in: %v", err)
	}
	if n, err := s.DeleteExpiredSessions(ctx, time.Now()); err != nil || n != 1 {
		t.Errorf("DeleteExpiredSessions = %d, %v; want 1", n, err)
	}

	if err := s.DeleteSession(ctx, sess.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SessionByToken(ctx, raw); !errors.Is(err, ErrNotFound) {
		t.Errorf("a deleted session signs in: %v", err)
	}

	raw1, _, _ := s.CreateSession(ctx, u.ID, time.Hour)
	raw2, _, _ := s.CreateSession(ctx, u.ID, time.Hour)
	if err := s.DeleteUserSessions(ctx, u.ID); err != nil {
		t.Fatal(err)
	}
	for _, r := range []string{raw1, raw2} {
		if _, err := s.SessionByToken(ctx, r); !errors.Is(err, ErrNotFound) {
			t.Errorf("session survived DeleteUserSessions: %v", err)
		}
	}
}

func TestOAuthStateIsSingleUse(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	u := mustUser(t, s, "a@example.com")
	_, sess, err := s.CreateSession(ctx, u.ID, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.TakeOAuthState(ctx, sess.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("TakeOAuthState with none set: %v", err)
	}
	if err := s.SetOAuthState(ctx, sess.ID, "state-1"); err != nil {
		t.Fatal(err)
	}
	got, err := s.TakeOAuthState(ctx, sess.ID)
	if err != nil || got != "state-1" {
		t.Fatalf("TakeOAuthState = %q, %v", got, err)
	}
	if _, err := s.TakeOAuthState(ctx, sess.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second TakeOAuthState: %v, want ErrNotFound", err)
	}

	// Two callbacks racing with one state: exactly one gets it.
	if err := s.SetOAuthState(ctx, sess.ID, "state-2"); err != nil {
		t.Fatal(err)
	}
	var wins atomic.Int32
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() {
			st, err := s.TakeOAuthState(ctx, sess.ID)
			switch {
			case err == nil && st == "state-2":
				wins.Add(1)
			case !errors.Is(err, ErrNotFound):
				t.Errorf("TakeOAuthState: %q, %v", st, err)
			}
		})
	}
	wg.Wait()
	if wins.Load() != 1 {
		t.Fatalf("%d callbacks took the state, want 1", wins.Load())
	}
	if err := s.SetOAuthState(ctx, "no-such-session", "x"); !errors.Is(err, ErrNotFound) {
		t.Errorf("SetOAuthState on a missing session: %v", err)
	}
}
