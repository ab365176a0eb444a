package app

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"runtime"
	"time"

	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/robfig/cron/v3"

	"github.com/otklik/otklik/ai"
	"github.com/otklik/otklik/config"
	"github.com/otklik/otklik/hh"
	"github.com/otklik/otklik/notify"
	"github.com/otklik/otklik/plan"
	"github.com/otklik/otklik/store"
	"github.com/otklik/otklik/tasks"
	"github.com/otklik/otklik/tasks/clustermetrics"
	"github.com/otklik/otklik/telegram"
)

// WorkerProcs gives a process that only runs the worker (cmd/worker, the
// load harness's workers) one P, unless the operator set GOMAXPROCS, and
// returns the number it runs with. A worker waits on hh, Redis and the
// database almost all the time: at hh's pace it needs a few per cent of one
// core, and with a second P the Go scheduler wakes a second thread for
// nearly every reply that comes in, which on these machines cost more CPU
// than the work itself (docs/BENCHMARKS.md, "Worker cost": 4.80 → 3.85
// CPU-seconds per 1,000 applications). SQLite's calls still run on threads
// of their own. The web process, whose pages a person waits for, keeps
// Go's default.
func WorkerProcs() int {
	if os.Getenv("GOMAXPROCS") != "" {
		return runtime.GOMAXPROCS(0)
	}
	runtime.GOMAXPROCS(1)
	return 1
}

// NewWorker builds the task handlers over st and r, counting into metrics.
func NewWorker(cfg config.Config, st *store.Store, r *Redis, queue *asynq.Client, hhCfg hh.Config, metrics *tasks.Metrics, logger *slog.Logger) (*tasks.Worker, error) {
	var mailer notify.Mailer
	if cfg.SMTPURL != "" {
		m, err := notify.NewSMTPMailer(cfg.SMTPURL, cfg.MailFrom)
		if err != nil {
			return nil, fmt.Errorf("SMTP_URL: %w", err)
		}
		mailer = m
	}
	var model plan.Model
	if cfg.AI.Enabled() {
		model = ai.New(ai.Config{BaseURL: cfg.AI.BaseURL, APIKey: cfg.AI.APIKey, Model: cfg.AI.Model, DailyTokens: cfg.AI.DailyTokens}, st)
	}
	var bot *telegram.Bot
	if cfg.Telegram.Enabled() {
		client, err := telegram.NewClient(cfg.Telegram.APIURL, cfg.Telegram.Token, nil)
		if err != nil {
			return nil, &config.Error{Var: "TELEGRAM_BOT_TOKEN", Reason: err.Error()}
		}
		bot = telegram.New(telegram.Deps{Client: client, Store: st, Jobs: tasks.Jobs{Queue: queue, Store: st},
			Redis: r.Client, SecretKey: cfg.SecretKey, BaseURL: cfg.BaseURL.String(), Logger: logger})
	}
	return tasks.New(tasks.Deps{
		Telegram:      bot,
		AI:            model,
		Store:         st,
		Redis:         r.Client,
		Queue:         queue,
		HH:            hhCfg,
		RateLimit:     cfg.HHRateLimit,
		ApplyInterval: cfg.ApplyInterval,
		OutcomesEvery: cfg.OutcomesEvery,
		BaseURL:       cfg.BaseURL.String(),
		Mailer:        mailer,
		Logger:        logger,
		Metrics:       metrics,
	})
}

// NewMetrics returns the worker's series, registered with reg (nil: not
// registered), that also count hh requests and outcomes for the whole
// instance in r. The tally is flushing; Close it after the worker stops.
func NewMetrics(r *Redis, reg prometheus.Registerer, logger *slog.Logger) (*tasks.Metrics, *clustermetrics.Tally) {
	m := tasks.NewMetrics(reg)
	m.Shared = clustermetrics.NewTally(r.Client, logger)
	m.Shared.Start(0)
	return m, m.Shared
}

// RunningWorker is an asynq server and its cron ticker.
type RunningWorker struct {
	server *asynq.Server
	dozer  *dozer     // instead of server, with Doze
	cron   *cron.Cron // nil without the tick
	// stopPolling ends the Telegram poller (nil without Telegram) and
	// polled is closed once it has.
	stopPolling context.CancelFunc
	polled      chan struct{}
	shift       *shifter // nil: the process keeps its mode
}

// WorkerOptions tunes a worker process; the zero value is cmd/worker's.
type WorkerOptions struct {
	// Concurrency is how many tasks run at once; 0: max(8, 4 × CPUs).
	Concurrency int
	// NoTick leaves the per-minute tick out, for a harness that starts the
	// rule runs itself and counts them.
	NoTick bool
	// Middleware wraps every task handler (the load harness times them).
	Middleware []asynq.MiddlewareFunc
	// Doze stops the task server while there is nothing to do and starts
	// it again when work appears (doze.go), so an idle worker costs almost
	// no CPU; a "run now" then starts within about five seconds.
	Doze bool
	// BusyAfter, with Doze, lets a worker that has worked steadily this
	// long ask its process to re-execute itself in busy mode, and after
	// QuietAfter of dozing (0: DefaultQuietAfter) back in quiet mode
	// (busy.go); RunningWorker.Shift says when. 0: never, for a worker
	// that shares its process (cmd/web).
	BusyAfter, QuietAfter time.Duration
}

// StartWorker starts processing tasks and the per-minute tick: the one way
// every worker process (cmd/worker, the embedded one in cmd/web, the load
// harness's and the crash test's) runs the handlers.
func StartWorker(w *tasks.Worker, r *Redis, queue *asynq.Client, opts WorkerOptions, logger *slog.Logger) (*RunningWorker, error) {
	concurrency := opts.Concurrency
	if concurrency <= 0 {
		concurrency = max(8, 4*runtime.NumCPU())
	}
	cfg := tasks.ServerConfig(concurrency, logger)
	mux := asynq.NewServeMux()
	mux.Use(opts.Middleware...)
	w.Register(mux)
	rw := &RunningWorker{}
	if opts.Doze {
		rw.shift = newShifter(opts.BusyAfter, opts.QuietAfter)
		d, err := startDozer(r.Client, cfg, mux, rw.shift, logger)
		if err != nil {
			return nil, fmt.Errorf("start worker: %w", err)
		}
		rw.dozer = d
	} else {
		rw.server = asynq.NewServer(r.Conn, cfg)
		if err := rw.server.Start(mux); err != nil {
			return nil, fmt.Errorf("start worker: %w", err)
		}
	}
	if !opts.NoTick {
		rw.cron = tasks.StartCron(queue, logger)
	}
	if bot := w.Telegram(); bot != nil {
		// Every worker process runs a poller; the lease lets one poll.
		ctx, cancel := context.WithCancel(context.Background())
		rw.stopPolling, rw.polled = cancel, make(chan struct{})
		go func() {
			defer close(rw.polled)
			bot.Poll(ctx)
		}()
	}
	return rw, nil
}

// Shift is closed when the worker asks its process to change mode: Stop
// it, close what the process opened, and call Shift (busy.go). It is nil,
// never closed, when the process keeps its mode.
func (rw *RunningWorker) Shift() <-chan struct{} {
	if rw.shift == nil {
		return nil
	}
	return rw.shift.asked
}

// Stop stops the ticker and lets running tasks finish (asynq's shutdown
// timeout), returning unfinished ones to the queue.
func (rw *RunningWorker) Stop() {
	if rw.stopPolling != nil {
		rw.stopPolling()
		<-rw.polled
	}
	if rw.cron != nil {
		<-rw.cron.Stop().Done()
	}
	if rw.dozer != nil {
		rw.dozer.Shutdown()
		return
	}
	rw.server.Shutdown()
}
