package tasks

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/otklik/otklik/hh"
	"github.com/otklik/otklik/notify"
	"github.com/otklik/otklik/plan"
	"github.com/otklik/otklik/store"
	"github.com/otklik/otklik/telegram"
)

// Deps is what a Worker needs.
type Deps struct {
	Store *store.Store
	// Redis is the server asynq uses; the shared request budget, pacing and
	// locks live there too.
	Redis redis.UniversalClient
	// Queue enqueues tasks (the scheduler's and the handlers' follow-ups).
	Queue *asynq.Client
	// HH is the application's hh configuration (API and OAuth URLs, user
	// agent, client credentials). The Worker adds the shared Limiter and its
	// own Observe hook.
	HH hh.Config
	// RateLimit is the hh request budget per second for all workers together.
	RateLimit float64
	// ApplyInterval is the minimum gap between one account's applications.
	ApplyInterval time.Duration
	// BaseURL is the instance's public URL, for links in summaries and the
	// captcha back URL.
	BaseURL string
	// Mailer delivers summaries by e-mail; nil: summaries stay on the web.
	Mailer  notify.Mailer
	Logger  *slog.Logger
	Metrics *Metrics
	// Now is the clock (time.Now when nil).
	Now func() time.Time
	// OutcomesEvery is how often each account's negotiations are synced
	// within its active hours (DefaultOutcomesEvery when zero).
	OutcomesEvery time.Duration
	// AI is the model (AI_BASE_URL) that screens vacancies and writes
	// letters for the rules that ask for it; nil: no AI.
	AI plan.Model
	// Telegram is the bot (TELEGRAM_BOT_TOKEN) that notifications go
	// through; nil: no Telegram.
	Telegram *telegram.Bot
}

// Worker holds the handlers of every task type.
type Worker struct {
	store *store.Store
	queue *asynq.Client
	// inspector finds dead tasks (archived, completed) whose TaskID a new
	// task needs.
	inspector *asynq.Inspector
	hhConfig  hh.Config
	app       *hh.Client // the application's client: token refresh
	budget    *Budget
	pacer     *Pacer
	locks     Locks
	baseURL   string
	mailer    notify.Mailer
	log       *slog.Logger
	metrics   *Metrics
	now       func() time.Time
	// refreshLease is the token refresh lock's lease, renewed while held.
	refreshLease time.Duration
	// tests looks employers' tests up once for all of this process's runs.
	tests *plan.Tests
	// outcomesEvery is how often each account's negotiations are synced.
	outcomesEvery time.Duration
	// ai is the model; nil without AI_BASE_URL.
	ai plan.Model
	// telegram is the bot; nil without TELEGRAM_BOT_TOKEN.
	telegram *telegram.Bot
}

// New builds a Worker.
func New(d Deps) (*Worker, error) {
	if d.Store == nil || d.Redis == nil || d.Queue == nil {
		return nil, errors.New("tasks: Store, Redis and Queue are required")
	}
	if d.RateLimit <= 0 {
		d.RateLimit = 5
	}
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Metrics == nil {
		d.Metrics = NewMetrics(nil)
	}
	if d.OutcomesEvery <= 0 {
		d.OutcomesEvery = DefaultOutcomesEvery
	}
	w := &Worker{
		tests: plan.NewTests(d.Store),
		store: d.Store,
		queue: d.Queue,
		// Shares d.Redis: closing it is the owner's business.
		inspector: asynq.NewInspectorFromRedisClient(d.Redis),
		budget:    NewBudget(d.Redis, d.RateLimit),
		pacer:     NewPacer(d.Redis, d.ApplyInterval),
		locks:     Locks{rdb: d.Redis},
		baseURL:   d.BaseURL,
		mailer:    d.Mailer,
		log:       d.Logger,
		metrics:   d.Metrics,
		now:       d.Now,

		refreshLease:  time.Minute,
		outcomesEvery: d.OutcomesEvery,
		ai:            d.AI,
		telegram:      d.Telegram,
	}
	cfg := d.HH
	cfg.Limiter = w.budget
	userObserve := cfg.Observe
	cfg.Observe = func(ri hh.RequestInfo) {
		w.metrics.observeHH(ri)
		if userObserve != nil {
			userObserve(ri)
		}
	}
	w.hhConfig = cfg
	app, err := hh.NewClient(cfg)
	if err != nil {
		return nil, fmt.Errorf("tasks: hh client: %w", err)
	}
	w.app = app
	return w, nil
}

// Register adds every handler to mux.
func (w *Worker) Register(mux *asynq.ServeMux) {
	mux.HandleFunc(TypeSchedulerTick, w.handleTick)
	mux.HandleFunc(TypeRuleRun, w.handleRuleRun)
	mux.HandleFunc(TypeApply, w.handleApply)
	mux.HandleFunc(TypeTokenRefresh, w.handleTokenRefresh)
	mux.HandleFunc(TypeSummarySend, w.handleSummary)
	mux.HandleFunc(TypeSessionsCleanup, w.handleSessionsCleanup)
	mux.HandleFunc(TypeResumeRaise, w.handleResumeRaise)
	mux.HandleFunc(TypeNegotiationsSync, w.handleNegotiationsSync)
	mux.HandleFunc(TypeInvitationAnnounce, w.handleInvitation)
	mux.HandleFunc(TypeTelegramSend, w.handleTelegramSend)
}

// Telegram is the bot notifications go through; nil without one.
func (w *Worker) Telegram() *telegram.Bot { return w.telegram }

// ServerConfig is the asynq server configuration the worker expects:
// weighted queues, retry delays that honour hh's Retry-After, and the slog
// adapter.
func ServerConfig(concurrency int, logger *slog.Logger) asynq.Config {
	if logger == nil {
		logger = slog.Default()
	}
	return asynq.Config{
		Concurrency:     concurrency,
		Queues:          Queues(),
		RetryDelayFunc:  retryDelay,
		IsFailure:       func(err error) bool { return !errors.Is(err, errLaterNotFailed) },
		Logger:          AsynqLogger{L: logger},
		LogLevel:        asynq.WarnLevel,
		ShutdownTimeout: 20 * time.Second,
		// Applications wait in the scheduled set for their account's pacing
		// slot (enqueueApplies); they are moved to the queue at most this
		// late (asynq's default is 5 s, which bunches one account's slots).
		DelayedTaskCheckInterval: 2 * time.Second,
		// How often an idle worker looks for new tasks, and with it how soon
		// it starts a "run now" (at most 1.5× this): each look is a Redis
		// script per queue, the largest part of an idle worker's cost.
		TaskCheckInterval: 2 * time.Second,
		// Completed tasks kept for their retention (ticks, rule runs) are
		// swept, and Redis pinged, once a minute instead of every 8 and 15 s.
		JanitorInterval:     time.Minute,
		HealthCheckInterval: time.Minute,
		ErrorHandler: asynq.ErrorHandlerFunc(func(ctx context.Context, t *asynq.Task, err error) {
			if errors.Is(err, errLaterNotFailed) {
				return
			}
			id, _ := asynq.GetTaskID(ctx)
			logger.Warn("task failed", "task_type", t.Type(), "task_id", id, "error", err)
		}),
	}
}

// errLaterNotFailed marks a handler error that only asks asynq to run the
// task again later (pacing, a lock held elsewhere); it is not a failure.
var errLaterNotFailed = errors.New("tasks: later")

// laterError asks for another attempt after Delay.
type laterError struct {
	Delay time.Duration
	Cause error
}

func (e *laterError) Error() string {
	if e.Cause != nil {
		return fmt.Sprintf("retry in %s: %v", e.Delay, e.Cause)
	}
	return fmt.Sprintf("retry in %s", e.Delay)
}

func (e *laterError) Unwrap() []error {
	if e.Cause != nil {
		return []error{errLaterNotFailed, e.Cause}
	}
	return []error{errLaterNotFailed}
}

// retryLater asks asynq to run the task again after d without counting it as
// a failure.
func retryLater(d time.Duration, cause error) error { return &laterError{Delay: d, Cause: cause} }

// retryDelay honours retryLater's delay and hh's Retry-After, and otherwise
// backs off exponentially with jitter, capped at 10 minutes.
func retryDelay(n int, err error, t *asynq.Task) time.Duration {
	var later *laterError
	if errors.As(err, &later) && later.Delay > 0 {
		return later.Delay
	}
	var he *hh.Error
	if errors.As(err, &he) && he.RetryAfter > 0 {
		return min(he.RetryAfter, 10*time.Minute)
	}
	return backoff(n)
}

// backoff is 2^n seconds with ±25% jitter, capped at 10 minutes.
func backoff(n int) time.Duration {
	d := time.Second << min(n, 10)
	d = min(d, 10*time.Minute)
	return d*3/4 + time.Duration(jitter(int64(d/2)))
}
