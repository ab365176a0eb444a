package faults_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/otklik/otklik/hh/hhsandbox"
	"github.com/otklik/otklik/rules"
	"github.com/otklik/otklik/store"
)

// leaseJump is how far tickLater moves the clocks when a run has not
// settled in real time: past the rule-run lease (1 minute, renewed while a
// run lives) and the apply lock (2 minutes) a killed worker may have held,
// and past the 10 minutes a queued row with no reason waits before the tick
// enqueues it again.
const leaseJump = 17 * time.Minute

// TestKillWorker: kill -9 the worker 20 times at random points of a
// 2,000-application run (20 users × 100), restarting it each time.
func TestKillWorker(t *testing.T) {
	requireFaults(t)
	e := newEnv(t, envOptions{users: 20, perUser: 100, vacancies: 220, rate: 100, interval: 100 * time.Millisecond, redis: "mini"})
	// A little latency, so that some kills land while a POST is on the wire.
	e.sandbox.SetFaults(hhsandbox.Faults{Latency: 30 * time.Millisecond})
	const kills, target = 20, 2000
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 8))
	// Kill points: random application counts over the run, each at least a
	// few applications after the previous kill (a restarted worker forwards
	// its delayed tasks only after asynq's 5-second check, so kills closer
	// than that would only ever hit start-ups), then a random moment later.
	points := make([]int, kills)
	for i := range points {
		points[i] = rng.IntN(target * 9 / 10)
	}
	slices.Sort(points)

	e.startWorker()
	var killedAt []int
	for _, p := range points {
		now := len(e.sandbox.Applications())
		p = max(p, now+5+rng.IntN(40))
		deadline := time.Now().Add(8 * time.Second)
		for len(e.sandbox.Applications()) < p && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		time.Sleep(time.Duration(rng.IntN(300)) * time.Millisecond)
		killedAt = append(killedAt, len(e.sandbox.Applications()))
		e.killWorker()
		e.startWorker()
	}
	lastKill := time.Now()
	t.Logf("killed the worker %d times, at %v applications", kills, killedAt)

	notes := []string{fmt.Sprintf("%d kills at %v applications", kills, killedAt)}
	settled := e.waitSettled(90 * time.Second)
	if !settled {
		p := e.progress()
		notes = append(notes, fmt.Sprintf("after 90 s real time: %d rows queued, %d of %d rule runs completed, %d tasks in Redis; then clocks moved %s (lock leases, requeue delay) and one tick",
			p.queued, p.completed, len(e.users), e.queueDepth(), leaseJump))
		e.tickLater(leaseJump)
		settled = e.waitSettled(3 * time.Minute)
	} else {
		notes = append(notes, "settled in real time without a tick")
	}
	recovered := time.Since(lastKill)
	if !settled {
		p := e.progress()
		t.Errorf("run did not settle: %d rows queued, %d of %d rule runs completed; worker log:\n%s", p.queued, p.completed, len(e.users), e.workerLog())
	}
	e.stopWorker()
	e.verify("kill -9 the worker ×20", recovered, notes...)
}

// TestRedisRestart: the Redis server dies mid-run and comes back empty;
// SQLite holds everything needed to finish.
func TestRedisRestart(t *testing.T) {
	requireFaults(t)
	rs := startRedisServer(t)
	e := newEnv(t, envOptions{users: 10, perUser: 40, vacancies: 120, rate: 100, interval: 50 * time.Millisecond, proc: rs})
	e.startWorker()
	e.waitApplied(120, 2*time.Minute)
	before := len(e.sandbox.Applications())
	rs.kill()
	rs.start()
	restarted := time.Now()
	lost := e.progress()
	t.Logf("Redis restarted empty at %d applications; %d rows queued in SQLite", before, lost.queued)

	notes := []string{fmt.Sprintf("restarted at %d of %d applications, %d rows queued in SQLite with their tasks lost", before, 10*40, lost.queued)}
	// The rows' tasks are gone; in production the per-minute tick enqueues
	// them again once they have waited requeueAfter (10 minutes).
	if !e.waitSettled(20 * time.Second) {
		e.tickLater(11 * time.Minute)
		notes = append(notes, "one tick as at +11 min re-derived the lost work from SQLite")
	}
	if !e.waitSettled(3 * time.Minute) {
		p := e.progress()
		t.Errorf("run did not settle after the Redis restart: %d rows queued, %d rule runs completed; worker log:\n%s", p.queued, p.completed, e.workerLog())
	}
	recovered := time.Since(restarted)
	e.stopWorker()
	e.verify("Redis restarted empty mid-run", recovered, notes...)
}

// TestHHErrorBursts: hh answers half of all requests with 5xx for a few
// seconds, then rate-limits 60% of them with 429 and Retry-After.
func TestHHErrorBursts(t *testing.T) {
	requireFaults(t)
	e := newEnv(t, envOptions{users: 10, perUser: 30, vacancies: 100, rate: 100, interval: 50 * time.Millisecond})
	e.startWorker()
	e.waitApplied(30, 2*time.Minute)
	e.sandbox.SetFaults(hhsandbox.Faults{ErrorRate: 0.5})
	time.Sleep(4 * time.Second)
	e.sandbox.SetFaults(hhsandbox.Faults{})
	time.Sleep(2 * time.Second)
	e.sandbox.SetFaults(hhsandbox.Faults{RateLimitRate: 0.6, RetryAfter: time.Second})
	time.Sleep(4 * time.Second)
	e.sandbox.SetFaults(hhsandbox.Faults{})
	calm := time.Now()
	c := e.counts.Snapshot()
	if c.Status5xx == 0 || c.Status429 == 0 {
		t.Fatalf("the bursts injected nothing: %s", c)
	}
	if !e.waitSettled(3 * time.Minute) {
		p := e.progress()
		t.Errorf("run did not settle after the bursts: %d rows queued; worker log:\n%s", p.queued, e.workerLog())
	}
	recovered := time.Since(calm)
	e.stopWorker()
	e.verify("5xx burst (50%, 4 s) then 429 storm (60%, 4 s)", recovered,
		fmt.Sprintf("%d answers 5xx, %d answers 429 during the bursts", c.Status5xx, c.Status429))
}

// TestTokenRevokedMidRun: a person's token is revoked (they changed their
// password on hh); their rows stay queued and the account asks to be
// reconnected; after reconnecting, the work completes.
func TestTokenRevokedMidRun(t *testing.T) {
	requireFaults(t)
	e := newEnv(t, envOptions{users: 5, perUser: 40, vacancies: 120, rate: 100, interval: 150 * time.Millisecond})
	victim := e.users[0]
	e.startWorker()
	e.waitApplied(15, 2*time.Minute)
	e.sandbox.RevokeTokens(victim.HHID)

	// Everyone else finishes; the victim's account waits for the person.
	deadline := time.Now().Add(2 * time.Minute)
	for {
		acct, err := e.store.HHAccountState(e.ctx, victim.ID)
		if err != nil {
			t.Fatal(err)
		}
		othersQueued := 0
		for _, u := range e.users[1:] {
			n, err := e.store.CountApplications(e.ctx, u.ID, store.ApplicationFilter{Status: store.StatusQueued})
			if err != nil {
				t.Fatal(err)
			}
			othersQueued += n
		}
		if acct.State == store.AccountReconnect && othersQueued == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after the revoke: account state %q, %d rows of other users queued; worker log:\n%s", acct.State, othersQueued, e.workerLog())
		}
		time.Sleep(300 * time.Millisecond)
	}
	waiting, err := e.store.CountApplications(e.ctx, victim.ID, store.ApplicationFilter{Status: store.StatusQueued})
	if err != nil {
		t.Fatal(err)
	}
	failed, err := e.store.CountApplications(e.ctx, victim.ID, store.ApplicationFilter{Status: store.StatusFailed})
	if err != nil {
		t.Fatal(err)
	}
	if waiting == 0 {
		t.Fatal("the revoke came too late: nothing of the victim's was left queued")
	}
	if failed != 0 {
		t.Errorf("%d of the victim's rows failed; a revoked token must leave them queued", failed)
	}
	t.Logf("token revoked: account asks to reconnect, %d rows wait queued, %d failed", waiting, failed)

	e.reconnect(victim.ID, victim.HHID)
	reconnected := time.Now()
	notes := []string{fmt.Sprintf("%d rows waited queued while the account said reconnect, 0 failed", waiting)}
	// The rows wait with the reason "reconnect", so the worker's own
	// per-minute tick sends them once the account is connected again.
	if e.waitSettled(75 * time.Second) {
		notes = append(notes, "resumed by the worker's next per-minute tick after reconnecting")
	} else {
		e.tickLater(11 * time.Minute)
		notes = append(notes, "not resumed within 75 s of reconnecting; a tick as at +11 min sent them")
	}
	if !e.waitSettled(2 * time.Minute) {
		p := e.progress()
		t.Errorf("the victim's work did not complete after reconnecting: %d rows queued; worker log:\n%s", p.queued, e.workerLog())
	}
	recovered := time.Since(reconnected)
	e.stopWorker()
	e.verify("token revoked mid-run, then reconnected", recovered, notes...)
}

// TestSQLiteContention: web-like requests read and write the store as fast
// as they can while the worker runs (history pages, rule edits, sessions).
func TestSQLiteContention(t *testing.T) {
	requireFaults(t)
	e := newEnv(t, envOptions{users: 10, perUser: 30, vacancies: 100, rate: 100, interval: 50 * time.Millisecond})
	ctx, stop := context.WithCancel(e.ctx)
	var ops, errs atomic.Int64
	var slowest atomic.Int64
	var firstErr sync.Once
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(g), 99))
			for ctx.Err() == nil {
				u := e.users[rng.IntN(len(e.users))]
				start := time.Now()
				err := webRequest(ctx, e.store, u, rng.IntN(6))
				if d := int64(time.Since(start)); d > slowest.Load() {
					slowest.Store(d)
				}
				ops.Add(1)
				if err != nil && ctx.Err() == nil {
					errs.Add(1)
					firstErr.Do(func() { t.Errorf("web-like request failed: %v", err) })
				}
			}
		}()
	}
	start := time.Now()
	e.startWorker()
	settled := e.waitSettled(3 * time.Minute)
	elapsed := time.Since(start)
	stop()
	wg.Wait()
	if !settled {
		p := e.progress()
		t.Errorf("run did not settle under contention: %d rows queued; worker log:\n%s", p.queued, e.workerLog())
	}
	e.stopWorker()
	log := e.workerLog()
	for _, s := range []string{"database is locked", "SQLITE_BUSY"} {
		if strings.Contains(log, s) {
			t.Errorf("the worker hit %q:\n%s", s, log)
		}
	}
	e.verify("SQLite contention: 8 web-like goroutines", elapsed,
		fmt.Sprintf("%d web-like store calls (%.0f/s), %d errors, slowest %s; time is the whole run",
			ops.Load(), float64(ops.Load())/elapsed.Seconds(), errs.Load(), time.Duration(slowest.Load()).Round(time.Millisecond)))
}

// webRequest is one of the store calls the web app makes on a page view or a
// form post.
func webRequest(ctx context.Context, st *store.Store, u fuser, kind int) error {
	switch kind {
	case 0: // /applications
		_, err := st.ListApplications(ctx, u.ID, store.ApplicationFilter{Limit: 50})
		return err
	case 1: // /review and the dashboard counts
		if _, err := st.ReviewItems(ctx, u.ID); err != nil {
			return err
		}
		_, err := st.CountsByStatusSince(ctx, u.ID, time.Now().Add(-24*time.Hour))
		return err
	case 2: // POST /rules: a new, disabled rule
		r := rules.Defaults()
		r.UserID, r.Name, r.ResumeID, r.Enabled = u.ID, "web", u.ResumeID, false
		return st.CreateRule(ctx, &r)
	case 3: // POST /rules/{id}: edit one of the web's rules, never the running one
		list, err := st.Rules(ctx, u.ID)
		if err != nil {
			return err
		}
		for _, r := range list {
			if r.ID != u.RuleID {
				r.Rule.Name = "web edited"
				return st.UpdateRule(ctx, &r.Rule)
			}
		}
		return nil
	case 4: // sign in, a page view, sign out
		raw, _, err := st.CreateSession(ctx, u.ID, time.Hour)
		if err != nil {
			return err
		}
		s, err := st.SessionByToken(ctx, raw)
		if err != nil {
			return err
		}
		if err := st.TouchSession(ctx, s.ID, time.Hour); err != nil {
			return err
		}
		return st.DeleteSession(ctx, s.ID)
	default: // /rules/{id}
		if _, err := st.Rule(ctx, u.ID, u.RuleID); err != nil {
			return err
		}
		_, err := st.LastRuns(ctx, u.ID, u.RuleID, 10)
		return err
	}
}
