// Command worker runs Otklik's background worker over Redis: the asynq task
// handlers and the per-minute scheduler tick. Run as many as you need; they
// share one hh request budget and never enqueue a task twice.
package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/otklik/otklik/config"
	"github.com/otklik/otklik/internal/app"
)

func main() {
	concurrency := flag.Int("concurrency", 0, "tasks processed at once (0: 4 per CPU, at least 8)")
	metricsAddr := flag.String("metrics-addr", "", "serve this worker's Prometheus /metrics (hh requests by operation and status, outcomes, tasks) on this address, e.g. :9091")
	schemaWait := flag.Duration("schema-wait", app.DefaultSchemaWait, "how long to wait at start for the web process to migrate the database before giving up")
	busyAfter := flag.Duration("busy-after", app.DefaultBusyAfter, "start in busy mode (less CPU per task, more at rest) and, back in quiet mode, return to it in place (same PID) after this long of steady work; 0: stay in quiet mode")
	quietAfter := flag.Duration("quiet-after", app.DefaultQuietAfter, "after this long with nothing to do, restart in place from busy mode in quiet mode")
	flag.Parse()
	opts := options{concurrency: *concurrency, metricsAddr: *metricsAddr, schemaWait: *schemaWait,
		busyAfter: *busyAfter, quietAfter: *quietAfter}
	err := app.RunInModes(opts.busyAfter, func(err error) {
		fmt.Fprintln(os.Stderr, "otklik worker: could not restart in the other mode, carrying on in this one:", err)
	}, func(busyAfter time.Duration) (bool, error) {
		opts.busyAfter = busyAfter
		return run(opts)
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "otklik worker:", err)
		os.Exit(1)
	}
}

// options are the worker's flags.
type options struct {
	concurrency           int
	metricsAddr           string
	schemaWait            time.Duration
	busyAfter, quietAfter time.Duration
}

// run runs the worker until a signal (false) or until it asks to change
// mode (true), having stopped and closed everything either way.
func run(o options) (shift bool, err error) {
	cfg, err := config.Load(os.Getenv)
	if err != nil {
		return false, err
	}
	if cfg.EmbeddedRedis() {
		return false, &config.Error{Var: "REDIS_URL", Reason: "is required for a separate worker (without it, go run ./cmd/web runs the worker inside the web process)"}
	}
	if _, err := cfg.EnsureSecretKey(); err != nil {
		return false, err
	}
	logger := app.NewLogger(cfg)
	procs := app.WorkerProcs()
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	// Started before the web process (or with it), the worker waits for
	// it to migrate the database.
	if err := app.WaitForSchema(ctx, cfg, o.schemaWait, logger); err != nil {
		if ctx.Err() != nil {
			logger.Info("worker stopped while waiting for the database schema")
			return false, nil
		}
		return false, err
	}
	st, err := app.OpenStore(ctx, cfg, false, logger)
	if err != nil {
		return false, err
	}
	defer st.Close()
	r, err := app.ConnectRedis(ctx, cfg.RedisURL)
	if err != nil {
		return false, err
	}
	defer r.Close()
	queue := asynq.NewClient(r.Conn)
	defer queue.Close()

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	// reg serves this process's own series (-metrics-addr); the tally adds
	// the same counts to the instance-wide ones the web's /metrics shows.
	metrics, tally := app.NewMetrics(r, reg, logger)
	defer func() {
		if err := tally.Close(); err != nil {
			logger.Warn("last metrics not flushed", "error", err)
		}
	}()
	w, err := app.NewWorker(cfg, st, r, queue, app.HHConfig(cfg, nil), metrics, logger)
	if err != nil {
		return false, err
	}
	if o.metricsAddr != "" {
		ln, err := net.Listen("tcp", o.metricsAddr)
		if err != nil {
			return false, fmt.Errorf("-metrics-addr: %w", err)
		}
		mux := http.NewServeMux()
		mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
		ms := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
		go func() { _ = ms.Serve(ln) }()
		defer ms.Close()
		logger.Info("worker metrics", "addr", ln.Addr().String())
	}
	rw, err := app.StartWorker(w, r, queue, app.WorkerOptions{Concurrency: o.concurrency, Doze: true,
		BusyAfter: o.busyAfter, QuietAfter: o.quietAfter}, logger)
	if err != nil {
		return false, err
	}
	logger.Info("worker started", "hh", hhMode(cfg), "rate_limit", cfg.HHRateLimit, "apply_interval", cfg.ApplyInterval,
		"gomaxprocs", procs, "mode", app.ModeName(), "pid", os.Getpid())
	select {
	case <-ctx.Done():
		logger.Info("worker stopping: finishing running tasks")
		rw.Stop()
		return false, nil
	case <-rw.Shift():
		logger.Info("worker restarting in place to change mode: finishing running tasks", "mode", app.ModeName())
		rw.Stop()
		// A signal that came during the stop ends the process instead.
		return ctx.Err() == nil, nil
	}
}

func hhMode(cfg config.Config) string {
	if cfg.Sandbox() {
		return "sandbox at " + app.SandboxURL(cfg)
	}
	return cfg.HHAPIURL
}
