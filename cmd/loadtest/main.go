// Command loadtest measures Otklik's worker under load: N users × M rules
// against the hh sandbox served over HTTP on a loopback port, with a temp
// SQLite store (or an empty PostgreSQL database, -database) and Redis
// (embedded or real). The worker runs as separate
// processes, exactly as cmd/worker wires it (tasks.New, tasks.ServerConfig,
// Worker.Register), so its CPU time and peak memory are its own. It prints a
// markdown report: applications per second, hh requests per application and
// per rule run against the floor, CPU and memory per 1,000 applications, task
// latency and queue depth over time.
//
//	go run ./cmd/loadtest                       # 1,000 users × 2 rules, 50 hh requests/s
//	go run ./cmd/loadtest -users 200            # a quick run
//	go run ./cmd/loadtest -redis redis://127.0.0.1:6379 -redis-db 4
//	go run ./cmd/loadtest -database postgres://postgres@127.0.0.1/otklik_load   # an empty database
//
// See docs/BENCHMARKS.md for the measured numbers.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/otklik/otklik/internal/app"
)

// options are the flags.
type options struct {
	Users         int
	Rules         int
	Vacancies     int
	NewVacancies  int
	Latency       time.Duration
	Redis         string // "embedded" or a redis:// URL
	Database      string // "" for a temp SQLite file, or an empty database's DATABASE_URL
	RedisDB       int
	Rate          float64
	ApplyInterval time.Duration
	Concurrency   int
	Workers       int
	Duration      time.Duration
	Steady        bool
	Mode          string
	DailyLimit    int
	Seed          int64
	Quiet         bool
	CPUProfile    string
	Ticks         int
	BusyAfter     time.Duration
	QuietAfter    time.Duration
}

func defaultOptions() options {
	return options{
		Users: 1000, Rules: 2, Vacancies: 3, NewVacancies: 1,
		Latency: 50 * time.Millisecond, Redis: "embedded", RedisDB: 4,
		Rate: 50, ApplyInterval: 2 * time.Second, Concurrency: 64, Workers: 1,
		Duration: 20 * time.Minute, Steady: true, Mode: "letters", DailyLimit: 200, Seed: 1,
		BusyAfter: app.DefaultBusyAfter, QuietAfter: app.DefaultQuietAfter,
	}
}

func main() {
	if os.Getenv(childEnv) != "" {
		os.Exit(workerMain())
	}
	o := defaultOptions()
	flag.IntVar(&o.Users, "users", o.Users, "Otklik users, each connected to its own sandbox applicant")
	flag.IntVar(&o.Rules, "rules", o.Rules, "rules per user (rule i searches with the user's resume i mod 2)")
	flag.IntVar(&o.Vacancies, "vacancies", o.Vacancies, "size of the sandbox catalogue; every rule searches all of it")
	flag.IntVar(&o.NewVacancies, "new", o.NewVacancies, "vacancies published (PublishNew) before the steady-state round")
	flag.DurationVar(&o.Latency, "latency", o.Latency, "sandbox latency added to every API response")
	flag.StringVar(&o.Redis, "redis", o.Redis, `"embedded" (in-process miniredis on a loopback port) or a redis:// URL`)
	flag.StringVar(&o.Database, "database", o.Database, "DATABASE_URL of an empty database to run on (postgres://…); empty: a temp SQLite file")
	flag.IntVar(&o.RedisDB, "redis-db", o.RedisDB, "Redis database number for a real Redis (flushed at start; 0–3 belong to other packages' tests)")
	flag.Float64Var(&o.Rate, "rate", o.Rate, "HH_RATE_LIMIT: hh requests per second shared by all workers (production default: 5)")
	flag.DurationVar(&o.ApplyInterval, "apply-interval", o.ApplyInterval, "APPLY_INTERVAL: minimum gap between one account's applications")
	flag.IntVar(&o.Concurrency, "concurrency", o.Concurrency, "asynq concurrency per worker process (0: cmd/worker's default, 4 per CPU, at least 8 — see docs/BENCHMARKS.md for why the harness uses more)")
	flag.IntVar(&o.Workers, "workers", o.Workers, "worker processes")
	flag.DurationVar(&o.Duration, "duration", o.Duration, "give up after this long")
	flag.BoolVar(&o.Steady, "steady", o.Steady, "run a second, steady-state round after publishing -new vacancies")
	flag.StringVar(&o.Mode, "mode", o.Mode, "rule mode: letters, auto or review")
	flag.IntVar(&o.DailyLimit, "daily-limit", o.DailyLimit, "each rule's daily cap (1–200)")
	flag.Int64Var(&o.Seed, "seed", o.Seed, "sandbox seed")
	flag.BoolVar(&o.Quiet, "quiet", o.Quiet, "no progress lines on stderr")
	flag.IntVar(&o.Ticks, "tick", o.Ticks, "after the rounds, time the scheduler tick: once with every rule due, then this many times with none due (0: not measured)")
	flag.StringVar(&o.CPUProfile, "cpuprofile", o.CPUProfile, "write each worker process's pprof CPU profile of each round to PREFIX-w<worker>-<round>.pprof (and, after a change of mode, PREFIX-w<worker>-<round>.<part>.pprof)")
	flag.DurationVar(&o.BusyAfter, "busy-after", o.BusyAfter, "cmd/worker's -busy-after: steady work before a worker restarts in place in busy mode (0: never)")
	flag.DurationVar(&o.QuietAfter, "quiet-after", o.QuietAfter, "cmd/worker's -quiet-after: dozing before it restarts back in quiet mode")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	var progress io.Writer = os.Stderr
	if o.Quiet {
		progress = io.Discard
	}
	rep, err := run(ctx, o, progress)
	if rep != nil {
		rep.dropUnfinished()
		if len(rep.Rounds) > 0 {
			rep.write(os.Stdout)
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		os.Exit(1)
	}
}

func (o options) validate() error {
	switch {
	case o.Users < 1 || o.Rules < 1 || o.Vacancies < 1 || o.Workers < 1:
		return fmt.Errorf("-users, -rules, -vacancies and -workers must be at least 1")
	case o.Rate <= 0:
		return fmt.Errorf("-rate must be positive")
	case o.Redis != "embedded" && o.RedisDB >= 0 && o.RedisDB <= 3:
		return fmt.Errorf("-redis-db %d belongs to other packages' tests; use 4 or above", o.RedisDB)
	case o.DailyLimit < 1 || o.DailyLimit > 200:
		return fmt.Errorf("-daily-limit must be between 1 and 200")
	case o.Mode != "letters" && o.Mode != "auto" && o.Mode != "review":
		return fmt.Errorf("-mode must be letters, auto or review")
	}
	return nil
}
