package tasks_test

import (
	"sync"
	"testing"
	"time"

	"github.com/otklik/otklik/hh"
	"github.com/otklik/otklik/hh/hhsandbox"
	"github.com/otklik/otklik/rules"
	"github.com/otklik/otklik/store"
	"github.com/otklik/otklik/tasks"
)

// raiseWorld is one person with auto-raise on for one resume, a worker on a
// test clock, and the sandbox's clock moved in step with it.
type raiseWorld struct {
	e      *env
	clock  *testClock
	w      *tasks.Worker
	u      *store.User
	hhUser string
	resume string
}

func newRaiseWorld(t *testing.T, sbUser int, pick func(hhsandbox.User) string) *raiseWorld {
	e := newEnv(t, envOptions{vacancies: 50})
	rw := &raiseWorld{e: e, clock: &testClock{}}
	rw.u, rw.resume = e.connect("raise@example.com", sbUser)
	rw.hhUser = e.sandboxUser(rw.u)
	if pick != nil {
		u, _ := e.sandbox.User(rw.hhUser)
		rw.resume = pick(u)
	}
	rw.w = e.startWorker(rw.clock.deps())
	return rw
}

// advance moves the worker's and the sandbox's clocks by d.
func (rw *raiseWorld) advance(d time.Duration) {
	rw.clock.Advance(d)
	rw.e.sandbox.Advance(d)
}

// advanceTo moves both clocks to t (by the worker's clock).
func (rw *raiseWorld) advanceTo(t time.Time) { rw.advance(t.Sub(rw.clock.Now())) }

func (rw *raiseWorld) tick() {
	rw.e.t.Helper()
	if err := rw.w.Tick(rw.e.ctx); err != nil {
		rw.e.t.Fatal(err)
	}
}

// publishes are the POST /resumes/{id}/publish the sandbox answered for
// the resume.
func (rw *raiseWorld) publishes() []hhsandbox.PublishAttempt {
	u, _ := rw.e.sandbox.User(rw.hhUser)
	for _, r := range u.Resumes {
		if r.ID == rw.resume {
			return r.Publishes
		}
	}
	rw.e.t.Fatalf("no resume %s", rw.resume)
	return nil
}

func (rw *raiseWorld) waitPublishes(n int) []hhsandbox.PublishAttempt {
	rw.e.waitFor("publish requests", 10*time.Second, func() bool { return len(rw.publishes()) >= n })
	return rw.publishes()
}

func (rw *raiseWorld) raiseRow() *store.ResumeRaise {
	r, err := rw.e.store.ResumeRaise(rw.e.ctx, rw.u.ID, rw.resume)
	if err != nil {
		rw.e.t.Fatal(err)
	}
	return r
}

// settled waits until no raise task is left to run.
func (rw *raiseWorld) settled() {
	in := rw.e.inspector()
	rw.e.waitFor("raise tasks to finish", 10*time.Second, func() bool {
		return !rw.e.liveTask(in, tasks.QueueDefault, "resume:raise:")
	})
}

func (rw *raiseWorld) switchOn(due time.Time) {
	if err := rw.e.store.SetAutoRaise(rw.e.ctx, rw.u.ID, rw.resume, true, due); err != nil {
		rw.e.t.Fatal(err)
	}
}

// A resume is raised at the end of each cooldown over a simulated day: one
// request per raise, none early, each at most a moment after hh allows it.
func TestResumeRaisedAtEachCooldownEnd(t *testing.T) {
	rw := newRaiseWorld(t, 0, nil)
	start := rw.clock.Now()
	rw.switchOn(start)
	rw.tick()
	rw.waitPublishes(1)
	rw.settled()

	for i := 1; rw.clock.Now().Before(start.Add(24 * time.Hour)); i++ {
		due := *rw.raiseRow().DueAt
		last := rw.publishes()[i-1].At
		if d := due.Sub(last); d < tasks.RaiseCooldown || d > tasks.RaiseCooldown+time.Minute {
			t.Fatalf("raise %d due %s after the last, want the cooldown", i+1, d)
		}
		// Ticks before the end of the cooldown send nothing.
		for _, before := range []time.Duration{3 * time.Hour, time.Hour, 2 * time.Minute} {
			rw.advanceTo(due.Add(-before))
			rw.tick()
			rw.settled()
			if n := len(rw.publishes()); n != i {
				t.Fatalf("%s before the cooldown ends: %d requests, want %d", before, n, i)
			}
		}
		rw.advanceTo(due)
		rw.tick()
		got := rw.waitPublishes(i + 1)
		rw.settled()
		if late := got[i].At.Sub(due); late < 0 || late > time.Minute {
			t.Errorf("raise %d sent %s after it was due", i+1, late)
		}
	}
	got := rw.publishes()
	if len(got) != 7 {
		t.Errorf("%d raises over a day and the first minute of the next, want 7", len(got))
	}
	for i, p := range got {
		if p.Status != 204 {
			t.Errorf("request %d answered %d: sent early", i+1, p.Status)
		}
	}
	raises, err := rw.e.store.Raises(rw.e.ctx, rw.u.ID, start)
	if err != nil || len(raises) != len(got) {
		t.Errorf("%d raises recorded, sandbox saw %d (%v)", len(raises), len(got), err)
	}
	sum, err := tasks.BuildSummary(rw.e.ctx, rw.e.store, rw.u.ID, "d", rw.clock.Now().Add(-24*time.Hour), "http://otklik.test")
	if err != nil || sum.Raised != 6 {
		t.Errorf("summary of the last 24 hours counts %d raises, want 6 (%v)", sum.Raised, err)
	}
}

// A raise due at night waits for the start of the person's active hours.
func TestResumeRaiseWaitsForMorning(t *testing.T) {
	rw := newRaiseWorld(t, 0, nil)
	rw.e.addRule(rw.u, rw.resume, func(r *rules.Rule) { r.ActiveFrom, r.ActiveTo = "09:00", "18:00" })
	if err := rw.e.store.UpdateSettings(rw.e.ctx, rw.u.ID, store.Settings{Language: "ru", TimeZone: "Europe/Moscow", SummaryHour: 20}); err != nil {
		t.Fatal(err)
	}
	msk, _ := time.LoadLocation("Europe/Moscow")
	now := rw.clock.Now().In(msk)
	night := time.Date(now.Year(), now.Month(), now.Day(), 23, 30, 0, 0, msk)
	if !night.After(now) {
		night = night.AddDate(0, 0, 1)
	}
	rw.advanceTo(night)
	rw.switchOn(rw.clock.Now())
	rw.tick()
	rw.settled()
	morning := time.Date(night.Year(), night.Month(), night.Day()+1, 9, 0, 0, 0, msk)
	if due := rw.raiseRow().DueAt; due == nil || !due.Equal(morning) {
		t.Fatalf("a raise due at night is due at %v, want %v", due, morning)
	}
	if n := len(rw.publishes()); n != 0 {
		t.Fatalf("%d requests at night", n)
	}
	rw.advanceTo(morning.Add(-2 * time.Minute))
	rw.tick()
	rw.settled()
	if n := len(rw.publishes()); n != 0 {
		t.Fatalf("%d requests before the morning", n)
	}
	rw.advanceTo(morning)
	rw.tick()
	if got := rw.waitPublishes(1); got[0].Status != 204 {
		t.Errorf("morning raise answered %d", got[0].Status)
	}
}

// hh's 429 moves the raise to the time hh names, with no retry in between.
func TestResumeRaiseTooEarly(t *testing.T) {
	rw := newRaiseWorld(t, 0, nil)
	hhNext := rw.e.sandbox.Now().Add(2 * time.Hour).Truncate(time.Second)
	if err := rw.e.sandbox.SetResumePublishable(rw.resume, hhNext); err != nil {
		t.Fatal(err)
	}
	rw.switchOn(rw.clock.Now()) // our cache still says it may be raised
	rw.tick()
	if got := rw.waitPublishes(1); got[0].Status != 429 {
		t.Fatalf("first request answered %d, want 429", got[0].Status)
	}
	rw.settled()
	due := rw.raiseRow().DueAt
	if due == nil || !due.Equal(hhNext) {
		t.Fatalf("after 429 due at %v, want hh's next_publish_at %v", due, hhNext)
	}
	for range 3 {
		rw.advance(10 * time.Minute)
		rw.tick()
		rw.settled()
	}
	if n := len(rw.publishes()); n != 1 {
		t.Fatalf("%d requests after a 429, want none until hh allows", n)
	}
	rw.advanceTo(hhNext)
	rw.tick()
	if got := rw.waitPublishes(2); got[1].Status != 204 {
		t.Errorf("raise at hh's time answered %d", got[1].Status)
	}
}

// hh's 400 stops raising the resume, with hh's words kept for the page,
// until the person toggles the switch.
func TestResumeRaiseRefused(t *testing.T) {
	rw := newRaiseWorld(t, 3, func(u hhsandbox.User) string {
		for _, r := range u.Resumes {
			if r.Blocked {
				return r.ID
			}
		}
		t.Fatal("the sandbox has no blocked resume for this user")
		return ""
	})
	rw.switchOn(rw.clock.Now())
	rw.tick()
	if got := rw.waitPublishes(1); got[0].Status != 400 {
		t.Fatalf("answered %d, want 400", got[0].Status)
	}
	rw.settled()
	r := rw.raiseRow()
	if r.BlockedAt == nil || r.BlockedReason == "" || r.DueAt != nil {
		t.Fatalf("after 400: %+v", r)
	}
	for range 3 {
		rw.advance(5 * time.Hour)
		rw.tick()
		rw.settled()
	}
	if n := len(rw.publishes()); n != 1 {
		t.Fatalf("%d requests after a 400, want 1", n)
	}
	// The person fixes the resume on hh and switches auto-raise on again.
	if err := rw.e.sandbox.SetResumeBlocked(rw.resume, false); err != nil {
		t.Fatal(err)
	}
	rw.switchOn(rw.clock.Now())
	rw.tick()
	if got := rw.waitPublishes(2); got[1].Status != 204 {
		t.Errorf("after the person acted: %d", got[1].Status)
	}
}

// A revoked token pauses raising like runs: the account asks to reconnect
// and the raise stays due, sending nothing more.
func TestResumeRaisePausedByRevokedToken(t *testing.T) {
	rw := newRaiseWorld(t, 0, nil)
	rw.e.sandbox.RevokeTokens(rw.hhUser)
	due := rw.clock.Now()
	rw.switchOn(due)
	rw.tick()
	rw.e.waitFor("the account to need a reconnect", 10*time.Second, func() bool {
		a, err := rw.e.store.HHAccount(rw.e.ctx, rw.u.ID)
		return err == nil && a.State == store.AccountReconnect
	})
	rw.settled()
	if r := rw.raiseRow(); r.DueAt == nil || !r.DueAt.Equal(due.UTC().Truncate(time.Microsecond)) || r.BlockedAt != nil {
		t.Fatalf("paused raise: %+v", r)
	}
	rw.advance(time.Hour)
	rw.tick()
	rw.settled()
	if len(rw.e.taskIDs(tasks.TypeResumeRaise)) != 1 || len(rw.publishes()) != 0 {
		t.Errorf("raise tasks %v: a paused account's raise was enqueued again", rw.e.taskIDs(tasks.TypeResumeRaise))
	}

	// The person connects again: the raise that waited goes out at the next tick.
	tok, err := rw.e.sandbox.IssueToken(rw.hhUser)
	if err != nil {
		t.Fatal(err)
	}
	err = rw.e.store.SaveHHAccount(rw.e.ctx, rw.u.ID, store.HHAccount{HHUserID: rw.hhUser,
		Token: hh.Token{AccessToken: tok.AccessToken, RefreshToken: tok.RefreshToken, TokenType: "bearer", ExpiresAt: tok.ExpiresAt}})
	if err != nil {
		t.Fatal(err)
	}
	rw.tick()
	if got := rw.waitPublishes(1); got[0].Status != 204 {
		t.Errorf("raise after reconnecting answered %d", got[0].Status)
	}
}

// Two workers ticking at the same moment raise once.
func TestResumeRaiseTwoWorkersOnce(t *testing.T) {
	rw := newRaiseWorld(t, 1, nil)
	other := rw.e.startWorker(rw.clock.deps())
	rw.switchOn(rw.clock.Now())
	var wg sync.WaitGroup
	for _, w := range []*tasks.Worker{rw.w, other, rw.w, other} {
		wg.Go(func() {
			if err := w.Tick(rw.e.ctx); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	rw.waitPublishes(1)
	rw.settled()
	for _, w := range []*tasks.Worker{rw.w, other} {
		if err := w.Tick(rw.e.ctx); err != nil {
			t.Fatal(err)
		}
	}
	rw.settled()
	if got := rw.publishes(); len(got) != 1 || got[0].Status != 204 {
		t.Errorf("publishes %+v, want one 204", got)
	}
	if raises, _ := rw.e.store.Raises(rw.e.ctx, rw.u.ID, time.Time{}); len(raises) != 1 {
		t.Errorf("%d raises recorded, want 1", len(raises))
	}
}
