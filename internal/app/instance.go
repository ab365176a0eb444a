package app

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"

	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/otklik/otklik/config"
	"github.com/otklik/otklik/hh"
	"github.com/otklik/otklik/hh/hhsandbox"
	"github.com/otklik/otklik/store"
	"github.com/otklik/otklik/tasks"
	"github.com/otklik/otklik/tasks/clustermetrics"
	"github.com/otklik/otklik/web"
)

// Instance is a whole web process: store, Redis, the web app, the worker's
// handlers (for hh access and, in embedded mode, for processing tasks) and,
// in sandbox mode, the hh sandbox.
type Instance struct {
	Config  config.Config
	Store   *store.Store
	Redis   *Redis
	Queue   *asynq.Client
	Worker  *tasks.Worker
	Sandbox *hhsandbox.Sandbox // nil with real hh credentials
	Handler http.Handler

	logger  *slog.Logger
	running *RunningWorker
	// inspector, over Redis.Client's connections, reads the queues for
	// /metrics and lets "run now" replace a finished or archived run.
	inspector *asynq.Inspector
	tally     *clustermetrics.Tally
}

// OpenInstance opens everything a web process needs. ln is the listener the
// web app will serve on: in sandbox mode the process's own hh calls reach the
// sandbox through it, whatever BASE_URL says.
func OpenInstance(ctx context.Context, cfg config.Config, ln net.Listener, logger *slog.Logger) (_ *Instance, err error) {
	inst := &Instance{Config: cfg, logger: logger}
	defer func() {
		if err != nil {
			inst.Close()
		}
	}()
	if inst.Store, err = OpenStore(ctx, cfg, true, logger); err != nil {
		return nil, err
	}
	if cfg.EmbeddedRedis() {
		inst.Redis, err = StartEmbeddedRedis()
	} else {
		inst.Redis, err = ConnectRedis(ctx, cfg.RedisURL)
	}
	if err != nil {
		return nil, err
	}
	inst.Queue = asynq.NewClient(inst.Redis.Conn)
	inst.inspector = asynq.NewInspectorFromRedisClient(inst.Redis.Client)

	hhCfg := HHConfig(cfg, nil)
	if cfg.Sandbox() {
		if inst.Sandbox, err = openSandbox(cfg, logger); err != nil {
			return nil, err
		}
		hhCfg.APIURL = "http://" + loopback(ln.Addr()) + SandboxPath
	}

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	// The web's /metrics shows the whole instance: queues and the
	// counters every worker process adds in Redis. This process's own
	// copies stay unregistered; a separate worker serves its own with
	// -metrics-addr.
	reg.MustRegister(tasks.NewQueueCollector(inst.inspector))
	reg.MustRegister(clustermetrics.NewCollector(inst.Redis.Client, tasks.SharedSeries()...))
	var metrics *tasks.Metrics
	metrics, inst.tally = NewMetrics(inst.Redis, nil, logger)
	if inst.Worker, err = NewWorker(cfg, inst.Store, inst.Redis, inst.Queue, hhCfg, metrics, logger); err != nil {
		return nil, err
	}
	oauth, err := hh.NewClient(hhCfg)
	if err != nil {
		return nil, err
	}
	var sandboxAdmin http.Handler
	if inst.Sandbox != nil {
		sandboxAdmin = http.StripPrefix(SandboxPath, inst.Sandbox.AdminHandler())
	}
	var tg web.Telegram
	if bot := inst.Worker.Telegram(); bot != nil {
		tg = bot.Client()
	}
	srv, err := web.New(web.Deps{
		Telegram: tg,
		Config:   cfg,
		Store:    inst.Store,
		Redis:    inst.Redis.Client,
		OAuth:    oauth,
		HHAccess: inst.Worker,
		Jobs:     tasks.Jobs{Queue: inst.Queue, Store: inst.Store, Inspector: inst.inspector},
		Logger:   logger,
		Metrics:  promhttp.HandlerFor(reg, promhttp.HandlerOpts{}),
		Ready:    inst.Redis.Ping,
		// The asynq dashboard, for admins only.
		QueueDashboard: QueueDashboard(inst.Redis.Conn),
		SandboxAdmin:   sandboxAdmin,
		// Behind a reverse proxy the throttle must key on the client, not
		// the proxy.
		TrustForwardedFor: cfg.TrustProxy,
	})
	if err != nil {
		return nil, err
	}
	root := http.NewServeMux()
	if inst.Sandbox != nil {
		root.Handle(SandboxPath+"/", web.SandboxHeaders(http.StripPrefix(SandboxPath, inst.Sandbox)))
		root.Handle(web.SandboxAdminPath, srv) // admins only, through the web app's sessions
	}
	root.Handle("/", srv)
	inst.Handler = root
	return inst, nil
}

// SandboxStateFile is where, under DATA_DIR, the sandbox keeps its state.
const SandboxStateFile = "sandbox.json"

// openSandbox opens the hh sandbox with its state in DATA_DIR, so that a
// restart keeps the tokens of every connected account and the applications
// it received.
func openSandbox(cfg config.Config, logger *slog.Logger) (*hhsandbox.Sandbox, error) {
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, &config.Error{Var: "DATA_DIR", Reason: err.Error()}
	}
	path := filepath.Join(cfg.DataDir, SandboxStateFile)
	sb, err := hhsandbox.Open(hhsandbox.Options{
		Seed:         1,
		ClientID:     SandboxClientID,
		ClientSecret: SandboxSecret(cfg.SecretKey),
		RedirectURI:  cfg.RedirectURI(),
		BaseURL:      SandboxURL(cfg),
		// Its admin API reads the letters people send; the web app
		// serves it to the instance's admins only.
		HideAdmin: true,
		// The zero-setup demo's employers answer, so its funnel lives.
		EmployerActivity: true,
		Logger:           logger,
	}, path)
	if err != nil {
		return nil, &config.Error{Var: "DATA_DIR", Reason: fmt.Sprintf("the hh sandbox's state: %v "+
			"(move %s away to start the sandbox afresh: every account connected to it must then connect again)", err, path)}
	}
	return sb, nil
}

// StartWorker processes tasks in this process (embedded mode).
func (inst *Instance) StartWorker(concurrency int) error {
	rw, err := StartWorker(inst.Worker, inst.Redis, inst.Queue, WorkerOptions{Concurrency: concurrency}, inst.logger)
	if err != nil {
		return err
	}
	inst.running = rw
	return nil
}

// StopWorker stops processing tasks, letting running ones finish. Stop it
// before the web server: in sandbox mode running tasks still call the
// sandbox through it.
func (inst *Instance) StopWorker() {
	if inst.running != nil {
		inst.running.Stop()
		inst.running = nil
	}
}

// Close stops the worker and closes everything opened.
func (inst *Instance) Close() {
	inst.StopWorker()
	if inst.Sandbox != nil {
		if err := inst.Sandbox.Close(); err != nil {
			inst.logger.Error("hh sandbox state not saved", "error", err)
		}
	}
	if inst.tally != nil {
		if err := inst.tally.Close(); err != nil {
			inst.logger.Warn("last metrics not flushed", "error", err)
		}
	}
	if inst.Queue != nil {
		inst.Queue.Close()
	}
	if inst.Redis != nil {
		inst.Redis.Close()
	}
	if inst.Store != nil {
		inst.Store.Close()
	}
}

// loopback is the address to reach a listener from this process.
func loopback(addr net.Addr) string {
	tcp, ok := addr.(*net.TCPAddr)
	if !ok {
		return addr.String()
	}
	if tcp.IP.IsUnspecified() {
		return fmt.Sprintf("127.0.0.1:%d", tcp.Port)
	}
	return tcp.String()
}
