package tasks_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/otklik/otklik/hh"
	"github.com/otklik/otklik/store"
	"github.com/otklik/otklik/tasks"
)

// A refresh that waits at hh's door (the shared budget, a slow network)
// far longer than its lock's lease keeps the lock: a second worker that
// finds the same expired token waits for it instead of refreshing too, so
// hh never sees the refresh token twice and the account stays connected.
func TestSlowRefreshKeepsItsLock(t *testing.T) {
	const lease = 150 * time.Millisecond
	e := newEnv(t, envOptions{vacancies: 20})
	ops := e.countOps()
	u, _ := e.connect("anna@example.com", 0)
	e.expireToken(u)

	slow := newDoor()
	slow.holdFirst(isRefresh)
	a, b := e.newWorker(slow.deps()), e.newWorker()
	tasks.SetRefreshLease(a, lease)
	tasks.SetRefreshLease(b, lease)

	errA, errB := make(chan error, 1), make(chan error, 1)
	go func() { _, err := a.Client(e.ctx, u.ID); errA <- err }()
	<-slow.held // a holds the lock; its refresh has not reached hh
	go func() { _, err := b.Client(e.ctx, u.ID); errB <- err }()
	// Hold a's refresh for many leases, or until b has refreshed (which only
	// a lock lost to the slow refresh allows).
	var bErr error
	bDone := false
	select {
	case bErr = <-errB:
		bDone = true
	case <-time.After(20 * lease):
	}
	slow.open <- struct{}{}
	if err := <-errA; err != nil {
		t.Errorf("the slow refresh: %v", err)
	}
	if !bDone {
		bErr = <-errB
	}
	if bErr != nil {
		t.Errorf("the second worker: %v", bErr)
	}
	if n, failed := ops.succeeded(hh.OpToken), ops.failed(hh.OpToken); n != 1 || len(failed) > 0 {
		t.Errorf("refreshes at hh: %d succeeded (want 1), refused: %v", n, failed)
	}
	e.assertConnectedAndWorking(u)
}

// If the lock is lost anyway (Redis failed over) and another worker
// refreshes first, hh refuses the spent refresh token to the slow one: the
// account was refreshed, not revoked, so it stays connected and the slow
// worker carries on with the new pair.
func TestRefusedRefreshAfterAnotherRefreshedKeepsTheAccount(t *testing.T) {
	e := newEnv(t, envOptions{vacancies: 20})
	u, _ := e.connect("anna@example.com", 0)
	e.expireToken(u)

	slow := newDoor()
	slow.holdFirst(isRefresh)
	a, b := e.newWorker(slow.deps()), e.newWorker()
	type result struct {
		c   *hh.Client
		err error
	}
	done := make(chan result, 1)
	go func() { c, err := a.Client(e.ctx, u.ID); done <- result{c, err} }()
	<-slow.held
	if err := e.rdb.Del(e.ctx, fmt.Sprintf("otklik:lock:refresh:%d", u.ID)).Err(); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Client(e.ctx, u.ID); err != nil {
		t.Fatalf("the second worker's refresh: %v", err)
	}
	slow.open <- struct{}{}
	res := <-done
	if res.err != nil {
		t.Fatalf("the worker whose refresh token was spent by another: %v", res.err)
	}
	if _, err := res.c.Me(e.ctx); err != nil {
		t.Errorf("its client does not work: %v", err)
	}
	e.assertConnectedAndWorking(u)
}

// hh answers the refresh and the task's deadline passes right then: the new
// pair is stored all the same (hh has spent the old refresh token, so
// losing the new pair would lose the account).
func TestRefreshedPairIsStoredPastTheDeadline(t *testing.T) {
	e := newEnv(t, envOptions{vacancies: 20})
	ops := e.countOps()
	u, _ := e.connect("anna@example.com", 0)
	before := e.expireToken(u)

	ctx, cancel := context.WithCancel(e.ctx)
	defer cancel()
	w := e.newWorker(func(d *tasks.Deps) {
		observe := d.HH.Observe
		d.HH.Observe = func(ri hh.RequestInfo) {
			observe(ri)
			if ri.Op == hh.OpToken && ri.Err == nil {
				cancel() // the deadline, just after hh answered
			}
		}
	})
	_, _ = w.Client(ctx, u.ID) // may fail: its context has ended
	if n := ops.succeeded(hh.OpToken); n != 1 {
		t.Fatalf("%d refreshes at hh, want 1", n)
	}
	after, err := e.store.HHAccount(e.ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if after.TokenGeneration != before.TokenGeneration+1 {
		t.Fatalf("token generation %d → %d: the refreshed pair was not stored", before.TokenGeneration, after.TokenGeneration)
	}
	e.assertConnectedAndWorking(u)
}

// The person connects hh again while an application is on its way with
// the old, revoked token: hh's token_revoked about the old pair does not
// flag the freshly connected account, and the application goes out with
// the new pair.
func TestReconnectDuringAnApplyIsNotUndone(t *testing.T) {
	e := newEnv(t, envOptions{vacancies: 50})
	u, resume := e.connect("anna@example.com", 0)
	hhUser := e.sandboxUser(u)
	row := e.queueRow(u, resume, e.plainVacancies(1)[0])

	slow := newDoor()
	slow.holdFirst(isApply)
	mux := processor(e.newWorker(slow.deps()))
	done := make(chan error, 1)
	go func() { done <- mux.ProcessTask(e.ctx, tasks.NewApplyTask(u.ID, row.ID, "t", tasks.QueueDefault, 0)) }()
	<-slow.held // the POST with the old token is out
	e.sandbox.RevokeTokens(hhUser)
	e.reconnect(u)
	slow.open <- struct{}{}
	<-done // asks for another try (the pair changed), or fails: either way…

	if a, err := e.store.HHAccountState(e.ctx, u.ID); err != nil || a.State != store.AccountConnected {
		t.Fatalf("after a late token_revoked about the old pair the account is %+v (%v), want connected", a, err)
	}
	// …the next attempt sends it with the new pair.
	if err := mux.ProcessTask(e.ctx, tasks.NewApplyTask(u.ID, row.ID, "t", tasks.QueueDefault, 0)); err != nil {
		t.Fatalf("the next attempt: %v", err)
	}
	got, err := e.store.Application(e.ctx, u.ID, row.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != store.StatusApplied {
		t.Errorf("row %s/%s, want applied", got.Status, got.Reason)
	}
	if _, ok := e.sandboxApplied(hhUser)[row.VacancyID]; !ok {
		t.Error("the sandbox holds no application")
	}
}
