package faults_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/otklik/otklik/rules"
)

// TestSeveralMachines: two web processes and two worker processes of one
// instance on one PostgreSQL database and one Redis, as on several
// machines. Ten browsers click through the web apps, each request going to
// either one with the browser's cookies (a session made by one web app is
// used on the other, a form from one posted to the other), deciding review
// items, while both workers apply. Nothing is applied twice at hh and
// nothing is lost (verify). Needs OTKLIK_TEST_POSTGRES.
//
// The web apps are cmd/web processes and the workers cmd/worker processes,
// the binaries operators run.
func TestSeveralMachines(t *testing.T) {
	requireFaults(t)
	buildWorker(t) // before the clock starts
	e := newEnv(t, envOptions{users: 10, perUser: 30, vacancies: 100, rate: 100, interval: 50 * time.Millisecond, mode: rules.ModeLetters, postgres: true})
	webA, webB := e.startWebProcess(), e.startWebProcess()
	stats := newWebStats()
	done := make(chan struct{})
	var reviews sync.Map
	var wg sync.WaitGroup
	var firstErr sync.Once
	for i, u := range e.users {
		first, other := webA, webB
		if i%2 == 1 {
			first, other = webB, webA
		}
		b := e.newBrowser(first, stats, u, uint64(i+1), &reviews)
		b.also = []*webApp{other}
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
	e.startSecondWorker()
	// Both workers are serving: asynq lists each process that polls.
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(100 * time.Millisecond) {
		servers, err := e.insp.Servers()
		if err == nil && len(servers) >= 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("asynq lists %d worker processes (%v), want 2; worker log:\n%s", len(servers), err, e.workerLog())
		}
	}
	settled := e.waitSettled(3 * time.Minute)
	close(done)
	wg.Wait()
	elapsed := time.Since(start)
	settled = e.waitSettled(time.Minute) && settled
	if !settled {
		p := e.progress()
		t.Errorf("run did not settle: %d rows queued; worker log:\n%s", p.queued, e.workerLog())
	}
	e.stopWorker()

	requests := stats.count(http.MethodGet) + stats.count(http.MethodPost)
	if requests == 0 {
		t.Fatal("the browsers made no requests")
	}
	if stats.status5xx > 0 || stats.bad > 0 {
		t.Errorf("the web apps answered %d requests with 5xx and %d with another unexpected status; first: %s", stats.status5xx, stats.bad, strings.Join(stats.badFirst, " | "))
	}
	for _, w := range []*webApp{webA, webB} {
		if l := w.log(); strings.Count(l, "level=ERROR") > 0 {
			t.Errorf("a web app logged errors:\n%s", l[:min(len(l), 4000)])
		}
	}
	if stats.sent+stats.dismissed == 0 {
		t.Error("the browsers decided no review item: none found on /review (has its markup changed?)")
	}
	gp50, gp99, _ := stats.latency(http.MethodGet)
	pp50, pp99, _ := stats.latency(http.MethodPost)
	e.verify("two web and two worker processes on one PostgreSQL and one Redis", elapsed,
		fmt.Sprintf("%d HTTP requests (%.0f/s) from 10 browsers, each request to either web app; GET p50 %s p99 %s; POST p50 %s p99 %s; %d answered 5xx, %d other unexpected; %d sign-ins, %d review items sent and %d dismissed; time is the whole run",
			requests, float64(requests)/elapsed.Seconds(), ms(gp50), ms(gp99), ms(pp50), ms(pp99),
			stats.status5xx, stats.bad, stats.signIns, stats.sent, stats.dismissed))
}
