package faults_test

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
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

// TestKillWorker: kill -9 the worker 20 times over the whole of a
// 2,000-application run (20 users × 100), restarting it each time.
func TestKillWorker(t *testing.T) {
	requireFaults(t)
	killWorker(t, "kill -9 the worker ×20", false)
}

// TestKillWorkerPostgres is TestKillWorker on PostgreSQL
// (OTKLIK_TEST_POSTGRES): the same guarantees from the same code.
func TestKillWorkerPostgres(t *testing.T) {
	requireFaults(t)
	killWorker(t, "kill -9 the worker ×20, PostgreSQL", true)
}

func killWorker(t *testing.T, name string, postgres bool) {
	e := newEnv(t, envOptions{users: 20, perUser: 100, vacancies: 220, rate: 100, interval: 100 * time.Millisecond, redis: "mini", expireLocks: true, postgres: postgres})
	// A little latency, so that some kills land while a POST is on the wire.
	e.sandbox.SetFaults(hhsandbox.Faults{Latency: 30 * time.Millisecond})
	const kills = 20
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 8))
	// Kill points are fractions of the applications the run will make: kill
	// i lands at a random point of the i-th twentieth of the run (the last
	// at most 97% in, so that it lands before the run ends). The run's size
	// is the rules' caps until every rule's run has completed, then exactly
	// the ledger's applied and queued rows.
	fracs := make([]float64, kills)
	for i := range fracs {
		fracs[i] = (float64(i) + 0.1 + 0.8*rng.Float64()) / kills * 0.97
	}

	e.startWorker()
	var killedAt, targets []int
	var missed []string
	for i, f := range fracs {
		p := e.progress()
		total := len(e.users) * e.opts.perUser
		if p.completed == len(e.users) {
			total = p.ledgerApp + p.queued
		}
		// At least a few applications after the previous kill: a restarted
		// worker that is killed before it posts anything tests nothing new.
		target := max(int(f*float64(total)), p.applied+3)
		targets = append(targets, target)
		if !e.waitApplications(target, 2*time.Minute) {
			missed = append(missed, fmt.Sprintf("kill %d waited 2 min for %d applications and came at %d", i+1, target, len(e.sandbox.Applications())))
		}
		time.Sleep(time.Duration(rng.IntN(300)) * time.Millisecond)
		killedAt = append(killedAt, len(e.sandbox.Applications()))
		e.killWorker()
		e.startWorker()
	}
	lastKill := time.Now()
	runJumps, runJumped := e.jumps, e.jumped
	t.Logf("killed the worker %d times, at %v applications (targets %v)", kills, killedAt, targets)

	notes := []string{fmt.Sprintf("%d kills at %v applications", kills, killedAt)}
	notes = append(notes, missed...)
	if runJumps > 0 {
		notes = append(notes, fmt.Sprintf("during the kills the run stalled behind dead apply locks %d times; the Redis clock moved past their leases each time, %s in all", runJumps, runJumped.Round(time.Second)))
	}
	settled := e.waitSettled(90 * time.Second)
	if !settled {
		p := e.progress()
		notes = append(notes, fmt.Sprintf("after 90 s real time: %d rows queued, %d of %d rule runs completed, %d tasks in Redis; then clocks moved %s (lock leases, requeue delay) and one tick",
			p.queued, p.completed, len(e.users), e.queueDepth(), leaseJump))
		e.tickLater(leaseJump)
		settled = e.waitSettled(3 * time.Minute)
	} else {
		notes = append(notes, "settled without a tick")
	}
	recovered := time.Since(lastKill)
	if e.jumps > runJumps {
		notes = append(notes, fmt.Sprintf("after the last kill the Redis clock moved past dead apply locks %d times, %s in all", e.jumps-runJumps, (e.jumped-runJumped).Round(time.Second)))
	}
	if !settled {
		p := e.progress()
		t.Errorf("run did not settle: %d rows queued, %d of %d rule runs completed; worker log:\n%s", p.queued, p.completed, len(e.users), e.workerLog())
	}
	e.stopWorker()
	f := e.verify(name, recovered, notes...)
	if last := killedAt[len(killedAt)-1]; f.applied > 0 && last*10 < f.applied*8 {
		t.Errorf("the last kill came at %d of %d applications: the kills did not cover the run", last, f.applied)
	}
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
	e := newEnv(t, envOptions{users: 10, perUser: 60, vacancies: 100, rate: 100, interval: 50 * time.Millisecond})
	e.startWorker()
	e.waitApplied(30, 2*time.Minute)
	// Each burst lasts 4 s, or until it has met 20 requests: on a busy
	// machine a fixed time could pass with the run already done.
	burst := func(f hhsandbox.Faults, met func() int64) {
		e.sandbox.SetFaults(f)
		for end := time.Now().Add(4 * time.Second); time.Now().Before(end) || (met() < 20 && time.Now().Before(end.Add(20*time.Second))); {
			time.Sleep(100 * time.Millisecond)
		}
		e.sandbox.SetFaults(hhsandbox.Faults{})
	}
	burst(hhsandbox.Faults{ErrorRate: 0.5}, func() int64 { return e.counts.Snapshot().Status5xx })
	time.Sleep(time.Second)
	burst(hhsandbox.Faults{RateLimitRate: 0.6, RetryAfter: time.Second}, func() int64 { return e.counts.Snapshot().Status429 })
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

// TestSQLiteContention: the web app, served over HTTP on the same SQLite
// file, takes clicks from ten signed-in people as fast as it answers them
// (page views, rule edits, settings, review decisions, sign-outs and
// sign-ins) for the whole run, while the worker applies.
func TestSQLiteContention(t *testing.T) {
	requireFaults(t)
	buildWorker(t) // before the clock starts
	// Mode letters: the vacancies whose employer asks for a letter wait in
	// review for the browsers to send or dismiss.
	e := newEnv(t, envOptions{users: 10, perUser: 30, vacancies: 100, rate: 100, interval: 50 * time.Millisecond, mode: rules.ModeLetters})
	web := e.startWeb()
	stats := newWebStats()
	done := make(chan struct{})
	var reviews sync.Map
	var wg sync.WaitGroup
	var firstErr sync.Once
	for i, u := range e.users {
		b := e.newBrowser(web, stats, u, uint64(i+1), &reviews)
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := b.run(e.ctx, done); err != nil {
				firstErr.Do(func() { t.Errorf("browser of %s: %v", u.Email, err) })
			}
		}()
	}
	start := time.Now()
	e.startWorker()
	settled := e.waitSettled(3 * time.Minute)
	close(done)
	wg.Wait()
	elapsed := time.Since(start)
	// Review items sent in the last moments are applied now.
	settled = e.waitSettled(time.Minute) && settled
	if !settled {
		p := e.progress()
		t.Errorf("run did not settle under web load: %d rows queued; worker log:\n%s", p.queued, e.workerLog())
	}
	e.stopWorker()

	requests := stats.count(http.MethodGet) + stats.count(http.MethodPost)
	if requests == 0 {
		t.Fatal("the browsers made no requests")
	}
	if stats.status5xx > 0 || stats.bad > 0 {
		t.Errorf("the web app answered %d requests with 5xx and %d with another unexpected status; first: %s", stats.status5xx, stats.bad, strings.Join(stats.badFirst, " | "))
	}
	wlog, webLog := e.workerLog(), web.log()
	for _, s := range []string{"database is locked", "SQLITE_BUSY"} {
		if strings.Contains(wlog, s) {
			t.Errorf("the worker hit %q:\n%s", s, wlog)
		}
		if strings.Contains(webLog, s) {
			t.Errorf("the web app hit %q:\n%s", s, webLog)
		}
	}
	if n := strings.Count(webLog, "level=ERROR"); n > 0 {
		t.Errorf("the web app logged %d errors:\n%s", n, webLog[:min(len(webLog), 4000)])
	}
	if stats.sent+stats.dismissed == 0 {
		t.Error("the browsers decided no review item: none found on /review (has its markup changed?)")
	}
	gp50, gp99, gtop := stats.latency(http.MethodGet)
	pp50, pp99, ptop := stats.latency(http.MethodPost)
	t.Logf("web load: %s", stats.routes())
	e.verify("SQLite contention: the web app under 10 browsers", elapsed,
		fmt.Sprintf("%d HTTP requests to the web app (%.0f/s; %d GET, %d POST) from 10 signed-in browsers during the run; GET p50 %s p99 %s max %s; POST p50 %s p99 %s max %s; %d answered 5xx, %d other unexpected; %d sign-ins, %d review items sent and %d dismissed through the web; no \"database is locked\"; time is the whole run",
			requests, float64(requests)/elapsed.Seconds(), stats.count(http.MethodGet), stats.count(http.MethodPost),
			ms(gp50), ms(gp99), ms(gtop), ms(pp50), ms(pp99), ms(ptop),
			stats.status5xx, stats.bad, stats.signIns, stats.sent, stats.dismissed))
}

// ms rounds a latency for the report.
func ms(d time.Duration) time.Duration {
	if d < 10*time.Millisecond {
		return d.Round(100 * time.Microsecond)
	}
	return d.Round(time.Millisecond)
}
