package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/otklik/otklik/store"
	"github.com/otklik/otklik/store/storetest"
	"github.com/otklik/otklik/tasks"
)

// TestMain lets the test binary serve as the harness's worker process, as
// the command's own binary does.
func TestMain(m *testing.M) {
	if os.Getenv(childEnv) != "" {
		os.Exit(workerMain())
	}
	os.Exit(m.Run())
}

// TestSmallRun runs the harness end to end with a few users: a first round
// and a steady round, through a worker process, the sandbox over HTTP and
// Redis (REDIS_URL's server on database 4 when set, else embedded).
func TestSmallRun(t *testing.T) {
	smallRun(t, "")
}

// TestSmallRunPostgres is TestSmallRun on a PostgreSQL database of its own
// (OTKLIK_TEST_POSTGRES; skipped without it).
func TestSmallRunPostgres(t *testing.T) {
	smallRun(t, storetest.NewPostgres(t))
}

func smallRun(t *testing.T, database string) {
	if testing.Short() {
		t.Skip("spawns a worker process")
	}
	o := defaultOptions()
	o.Database = database
	o.Users, o.Rules, o.Vacancies, o.NewVacancies = 3, 2, 4, 2
	o.Latency, o.Rate, o.ApplyInterval, o.Concurrency = 0, 500, 10*time.Millisecond, 8
	o.Duration, o.Mode, o.Quiet = 3*time.Minute, "auto", true
	if url := os.Getenv("REDIS_URL"); url != "" {
		o.Redis = url
	}
	var progress bytes.Buffer
	rep, err := run(context.Background(), o, &progress)
	if err != nil {
		t.Fatalf("run: %v\n%s", err, progress.String())
	}
	if len(rep.Rounds) != 2 {
		t.Fatalf("rounds = %d, want 2", len(rep.Rounds))
	}
	for _, r := range rep.Rounds {
		if r.RunsRecorded != o.Users*o.Rules || r.RunErrors != 0 {
			t.Errorf("%s: %d rule runs recorded (%d with an error), want %d without", r.Name, r.RunsRecorded, r.RunErrors, o.Users*o.Rules)
		}
		if n := r.Outcomes[store.StatusQueued]; n != 0 {
			t.Errorf("%s: %d rows still queued after the round settled", r.Name, n)
		}
		if r.applications() != r.Outcomes[store.StatusApplied] {
			t.Errorf("%s: the sandbox has %d new applications, the ledger %d applied rows", r.Name, r.applications(), r.Outcomes[store.StatusApplied])
		}
		if r.applications() == 0 || r.requests().Apply < int64(r.applications()) || r.requests().Search < int64(r.RunsRecorded) {
			t.Errorf("%s: %d applications from %+v", r.Name, r.applications(), r.requests())
		}
		if r.RunHHRequests != int(r.requests().Search) {
			t.Errorf("%s: rule runs recorded %d hh requests, the sandbox saw %d searches", r.Name, r.RunHHRequests, r.requests().Search)
		}
	}
	if got, want := rep.Rounds[1].applications(), o.Users*o.Rules*o.NewVacancies; got > want {
		t.Errorf("steady round applied %d, more than the %d new vacancy × rule pairs", got, want)
	}
	var out bytes.Buffer
	rep.write(&out)
	for _, want := range []string{"applications / s", "hh requests per application", "our requests / floor", "Queue depth, steady state"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
}

// Each application's apply task is scheduled for its account's pacing slot
// when it is enqueued, so it runs once: paced applications are not woken
// early only to be sent back to wait. Counted over a run where pacing binds
// (several applications per account, a gap longer than hh's answer).
func TestPacedApplicationsRunOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns a worker process")
	}
	o := defaultOptions()
	o.Users, o.Rules, o.Vacancies = 4, 2, 3
	o.Latency, o.Rate, o.ApplyInterval, o.Concurrency = 0, 200, 300*time.Millisecond, 16
	o.Duration, o.Mode, o.Quiet, o.Steady = 3*time.Minute, "auto", true, false
	if url := os.Getenv("REDIS_URL"); url != "" {
		o.Redis = url
	}
	var progress bytes.Buffer
	rep, err := run(context.Background(), o, &progress)
	if err != nil {
		t.Fatalf("run: %v\n%s", err, progress.String())
	}
	r := rep.Rounds[0]
	apps, runs := r.applications(), len(r.Handler[tasks.TypeApply])
	if apps != o.Users*o.Rules*o.Vacancies {
		t.Fatalf("%d applications, want %d", apps, o.Users*o.Rules*o.Vacancies)
	}
	if limit := apps * 12 / 10; runs > limit {
		t.Errorf("the apply handler ran %d times for %d applications, want at most %d (1.2 per application)", runs, apps, limit)
	}
}
