package tasks_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/otklik/otklik/rules"
	"github.com/otklik/otklik/store"
	"github.com/otklik/otklik/tasks"
)

// applyBoth runs the apply tasks of first and second at once, the first
// held at hh's door until the second has passed its checks before the
// account's lock (booked its pacing slot) and that slot has come, so the
// second waits on the lock behind a POST that ends well after its slot.
func applyBoth(t *testing.T, e *env, slow *door, w *tasks.Worker, u *store.User, first, second *store.Application) {
	t.Helper()
	slow.holdFirst(isApply)
	mux := processor(w)
	done := make(chan error, 2)
	go func() { done <- mux.ProcessTask(e.ctx, tasks.NewApplyTask(u.ID, first.ID, "t", tasks.QueueDefault, 0)) }()
	<-slow.held
	go func() {
		done <- mux.ProcessTask(e.ctx, tasks.NewApplyTask(u.ID, second.ID, "t", tasks.QueueDefault, 0))
	}()
	key := tasks.BookedSlotKey(u.ID, second.ID)
	var slot int64
	e.waitFor("the second application to book its slot", 30*time.Second, func() bool {
		n, err := e.rdb.Get(e.ctx, key).Int64()
		slot = n
		return err == nil
	})
	time.Sleep(time.Until(time.UnixMilli(slot)) + 50*time.Millisecond)
	slow.open <- struct{}{}
	for range 2 {
		if err := <-done; err != nil {
			t.Errorf("apply: %v", err)
		}
	}
}

// Our own cap of 200 applications a day is hard: an application that
// passed the count while another was being sent is counted again under
// the account's lock, and waits instead of becoming the 201st.
func TestDailyCapIsCountedUnderTheLock(t *testing.T) {
	e := newEnv(t, envOptions{vacancies: 50})
	u, resume := e.connect("anna@example.com", 0)
	hhUser := e.sandboxUser(u)
	for i := range tasks.DailyLimit - 1 {
		a := &store.Application{UserID: u.ID, ResumeID: resume, VacancyID: fmt.Sprintf("earlier-%d", i),
			Status: store.StatusApplied, AppliedAt: time.Now().Add(-time.Hour)}
		if _, err := e.store.InsertApplication(e.ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	vs := e.plainVacancies(2)
	first, second := e.queueRow(u, resume, vs[0]), e.queueRow(u, resume, vs[1])

	slow := newDoor()
	applyBoth(t, e, slow, e.newWorker(slow.deps()), u, first, second)

	n, err := e.store.AppliedSince(e.ctx, u.ID, time.Now().Add(-24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if n != tasks.DailyLimit {
		t.Errorf("%d applications in 24 hours, want the cap of %d", n, tasks.DailyLimit)
	}
	if got := len(e.sandboxApplied(hhUser)); got != 1 {
		t.Errorf("the sandbox holds %d applications, want 1", got)
	}
	held, err := e.store.Application(e.ctx, u.ID, second.ID)
	if err != nil {
		t.Fatal(err)
	}
	if held.Status != store.StatusQueued || held.Reason != string(rules.ReasonLimitExceeded) {
		t.Errorf("the application past the cap is %s/%s, want queued/%s", held.Status, held.Reason, rules.ReasonLimitExceeded)
	}
	if a, _ := e.store.HHAccountState(e.ctx, u.ID); a.State != store.AccountLimited {
		t.Errorf("account %s, want limited", a.State)
	}
}

// APPLY_INTERVAL spaces an account's actual POSTs, not only their booked
// slots: a POST held up past its slot (the shared budget, a slow network)
// does not let the next one follow right on its heels.
func TestPacingSpacesActualPosts(t *testing.T) {
	// With its jitter (a quarter) still below the inline wait: the apply
	// sleeps its waits out rather than going back to the queue.
	const interval = 200 * time.Millisecond
	e := newEnv(t, envOptions{vacancies: 50, applyInterval: interval})
	u, resume := e.connect("anna@example.com", 0)
	vs := e.plainVacancies(2)
	first, second := e.queueRow(u, resume, vs[0]), e.queueRow(u, resume, vs[1])

	slow := newDoor()
	applyBoth(t, e, slow, e.newWorker(slow.deps()), u, first, second)

	posts := slow.passes(isApplyPath)
	if len(posts) != 2 {
		t.Fatalf("%d POSTs reached hh, want 2", len(posts))
	}
	if gap := posts[1].Sub(posts[0]); gap < interval {
		t.Errorf("the two POSTs reached hh %s apart, want at least APPLY_INTERVAL (%s)", gap, interval)
	}
	for _, a := range []*store.Application{first, second} {
		if got, err := e.store.Application(e.ctx, u.ID, a.ID); err != nil || got.Status != store.StatusApplied {
			t.Errorf("row %d: %+v, %v; want applied", a.ID, got, err)
		}
	}
}

// ReserveAll books a run's applications in one round trip exactly as
// Reserve books them one by one: in order, each a gap (interval plus up to a
// quarter of it) after the one before, and a row that holds a slot keeps it.
func TestReserveAllBooksInOrder(t *testing.T) {
	e := newEnv(t, envOptions{})
	const interval = 2 * time.Second
	p := tasks.NewPacer(e.rdb, interval)
	const user = 77
	first, err := p.Reserve(e.ctx, user, 1)
	if err != nil {
		t.Fatal(err)
	}
	waits, err := p.ReserveAll(e.ctx, user, []int64{2, 1, 3})
	if err != nil {
		t.Fatal(err)
	}
	if len(waits) != 3 {
		t.Fatalf("%d waits for 3 applications", len(waits))
	}
	within := func(what string, got, lo, hi time.Duration) {
		t.Helper()
		if got < lo || got > hi {
			t.Errorf("%s waits %s, want %s to %s", what, got, lo, hi)
		}
	}
	slack := 200 * time.Millisecond // the calls' own time
	within("the first application", first, 0, slack)
	within("the first, booked again", waits[1], first-slack, first)
	gap := func(n int) (time.Duration, time.Duration) {
		return time.Duration(n)*interval - slack, time.Duration(n) * interval * 5 / 4
	}
	lo, hi := gap(1)
	within("the second", waits[0], lo, hi)
	lo, hi = gap(2)
	within("the third", waits[2], lo, hi)
	if waits[2]-waits[0] < interval {
		t.Errorf("the third is %s after the second, want at least %s", waits[2]-waits[0], interval)
	}
	// The account's sequence moved on: a later one comes after the third.
	next, err := p.Reserve(e.ctx, user, 4)
	if err != nil {
		t.Fatal(err)
	}
	if next-waits[2] < interval-slack {
		t.Errorf("the fourth is %s after the third, want at least %s", next-waits[2], interval)
	}
	// Booked again all at once, every one keeps its slot.
	again, err := p.ReserveAll(e.ctx, user, []int64{1, 2, 3, 4})
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []time.Duration{first, waits[0], waits[2], next} {
		if again[i] > want || again[i] < want-slack {
			t.Errorf("application %d booked again waits %s, was %s", i+1, again[i], want)
		}
	}
}

// An application's POST goes at the moment of the shared budget booked in
// the account lock's round trip, and books no second one: n applications
// of n accounts, sent at once against a budget of one request a second,
// move the bucket n seconds on (each booking twice would move it 2n), and
// reach hh a second apart.
func TestApplyPostsAtTheMomentBookedWithItsLock(t *testing.T) {
	const n = 3
	e := newEnv(t, envOptions{vacancies: 50, rateLimit: 1})
	slow := newDoor()
	w := e.newWorker(slow.deps())
	mux := processor(w)
	vs := e.plainVacancies(n)
	tasksOf := make([]*asynq.Task, n)
	for i := range n {
		u, resume := e.connect(fmt.Sprintf("user%d@example.com", i), i)
		tasksOf[i] = tasks.NewApplyTask(u.ID, e.queueRow(u, resume, vs[i]).ID, "t", tasks.QueueDefault, 0)
	}
	if err := e.rdb.Del(e.ctx, tasks.BudgetKey).Err(); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	done := make(chan error, n)
	for _, task := range tasksOf {
		go func() { done <- mux.ProcessTask(e.ctx, task) }()
	}
	for range n {
		if err := <-done; err != nil {
			t.Errorf("apply: %v", err)
		}
	}

	posts := slow.passes(isApplyPath)
	if len(posts) != n {
		t.Fatalf("%d POSTs reached hh, want %d", len(posts), n)
	}
	for i := 1; i < n; i++ {
		// The budget's moments are a second apart; the POSTs leave at them
		// give or take the scheduler.
		if gap := posts[i].Sub(posts[i-1]); gap < 900*time.Millisecond {
			t.Errorf("POSTs %d and %d reached hh %s apart, want a second (the budget)", i, i+1, gap)
		}
	}
	tat, err := e.rdb.Get(e.ctx, tasks.BudgetKey).Float64()
	if err != nil {
		t.Fatal(err)
	}
	moved := tasks.BudgetEpoch.Add(time.Duration(tat * float64(time.Second))).Sub(start)
	if moved < n*time.Second || moved > n*time.Second+n*time.Second/2 {
		t.Errorf("%d POSTs moved the budget %s on, want %s (one moment each)", n, moved, n*time.Second)
	}
}
