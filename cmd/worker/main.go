// Command worker runs Otklik's background worker over Redis: the asynq task
// handlers and the per-minute scheduler tick. Run as many as you need; they
// share one hh request budget and never enqueue a task twice.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/hibiken/asynq"

	"github.com/otklik/otklik/config"
	"github.com/otklik/otklik/internal/app"
)

func main() {
	concurrency := flag.Int("concurrency", 0, "tasks processed at once (0: 4 per CPU, at least 8)")
	flag.Parse()
	if err := run(*concurrency); err != nil {
		fmt.Fprintln(os.Stderr, "otklik worker:", err)
		os.Exit(1)
	}
}

func run(concurrency int) error {
	cfg, err := config.Load(os.Getenv)
	if err != nil {
		return err
	}
	if cfg.EmbeddedRedis() {
		return &config.Error{Var: "REDIS_URL", Reason: "is required for a separate worker (without it, go run ./cmd/web runs the worker inside the web process)"}
	}
	if _, err := cfg.EnsureSecretKey(); err != nil {
		return err
	}
	logger := app.NewLogger(cfg)
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	st, err := app.OpenStore(ctx, cfg, false)
	if err != nil {
		return err
	}
	defer st.Close()
	r, err := app.ConnectRedis(ctx, cfg.RedisURL)
	if err != nil {
		return err
	}
	defer r.Close()
	queue := asynq.NewClient(r.Conn)
	defer queue.Close()

	w, err := app.NewWorker(cfg, st, r, queue, app.HHConfig(cfg, nil), nil, logger)
	if err != nil {
		return err
	}
	rw, err := app.StartWorker(w, r, queue, concurrency, logger)
	if err != nil {
		return err
	}
	logger.Info("worker started", "hh", hhMode(cfg), "rate_limit", cfg.HHRateLimit, "apply_interval", cfg.ApplyInterval)
	<-ctx.Done()
	logger.Info("worker stopping: finishing running tasks")
	rw.Stop()
	return nil
}

func hhMode(cfg config.Config) string {
	if cfg.Sandbox() {
		return "sandbox at " + app.SandboxURL(cfg)
	}
	return cfg.HHAPIURL
}
