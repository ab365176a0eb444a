package app

import (
	"fmt"
	"log/slog"
	"runtime"

	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/robfig/cron/v3"

	"github.com/otklik/otklik/config"
	"github.com/otklik/otklik/hh"
	"github.com/otklik/otklik/internal/clustermetrics"
	"github.com/otklik/otklik/notify"
	"github.com/otklik/otklik/store"
	"github.com/otklik/otklik/tasks"
)

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
	return tasks.New(tasks.Deps{
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
	cron   *cron.Cron
}

// StartWorker starts processing tasks and the per-minute tick.
func StartWorker(w *tasks.Worker, r *Redis, queue *asynq.Client, concurrency int, logger *slog.Logger) (*RunningWorker, error) {
	if concurrency <= 0 {
		concurrency = max(8, 4*runtime.NumCPU())
	}
	srv := asynq.NewServer(r.Conn, tasks.ServerConfig(concurrency, logger))
	mux := asynq.NewServeMux()
	w.Register(mux)
	if err := srv.Start(mux); err != nil {
		return nil, fmt.Errorf("start worker: %w", err)
	}
	return &RunningWorker{server: srv, cron: tasks.StartCron(queue, logger)}, nil
}

// Stop stops the ticker and lets running tasks finish (asynq's shutdown
// timeout), returning unfinished ones to the queue.
func (rw *RunningWorker) Stop() {
	<-rw.cron.Stop().Done()
	rw.server.Shutdown()
}
