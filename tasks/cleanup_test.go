package tasks_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/otklik/otklik/store"
	"github.com/otklik/otklik/tasks"
)

// Every tick asks for the day's session cleanup, and one task a day is
// what the queue holds; it deletes the sessions that expired and no other.
func TestTickCleansExpiredSessionsDaily(t *testing.T) {
	e := newEnv(t, envOptions{vacancies: 10})
	u, err := e.store.CreateUser(e.ctx, "sessions@example.com", "$2a$10$notarealhashnotarealhashnotarealhashnotarealhashnot")
	if err != nil {
		t.Fatal(err)
	}
	expiredRaw, _, err := e.store.CreateSession(e.ctx, u.ID, -time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	liveRaw, _, err := e.store.CreateSession(e.ctx, u.ID, 72*time.Hour)
	if err != nil {
		t.Fatal(err)
	}

	noon := time.Now().UTC().Truncate(24 * time.Hour).Add(36 * time.Hour) // tomorrow 12:00 UTC
	for _, at := range []time.Time{noon, noon.Add(time.Minute), noon.Add(3 * time.Hour)} {
		if err := e.newWorker(fixedClock(at)).Tick(e.ctx); err != nil {
			t.Fatal(err)
		}
	}
	w := e.newWorker(fixedClock(noon))
	ids := e.taskIDs(tasks.TypeSessionsCleanup)
	if len(ids) != 1 || ids["sessions:cleanup:"+noon.Format(time.DateOnly)] != 1 {
		t.Fatalf("cleanup tasks after three ticks of one day: %v, want one for the day", ids)
	}

	if err := processor(w).ProcessTask(e.ctx, tasks.NewSessionsCleanupTask(noon.Format(time.DateOnly))); err != nil {
		t.Fatal(err)
	}
	// The expired session's row is gone, not only unusable: nothing is
	// left to clean.
	if n, err := e.store.DeleteExpiredSessions(context.Background(), noon); err != nil || n != 0 {
		t.Errorf("expired sessions left after the cleanup: %d (%v)", n, err)
	}
	if _, err := e.store.SessionByToken(e.ctx, liveRaw); err != nil {
		t.Errorf("the live session was deleted too: %v", err)
	}
	if _, err := e.store.SessionByToken(e.ctx, expiredRaw); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("expired session: %v, want not found", err)
	}
}
