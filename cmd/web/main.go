// Command web runs Otklik's web app. With an empty environment it needs
// nothing but Go: SQLite in ./data, a generated SECRET_KEY, an in-process
// Redis with the worker running inside, and the hh sandbox at /sandbox.
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/otklik/otklik/config"
	"github.com/otklik/otklik/hh"
	"github.com/otklik/otklik/hh/hhsandbox"
	"github.com/otklik/otklik/internal/app"
	"github.com/otklik/otklik/tasks"
	"github.com/otklik/otklik/web"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "otklik web:", err)
		os.Exit(1)
	}
}

func run() error {
	cfg, err := config.Load(os.Getenv)
	if err != nil {
		return err
	}
	keyFile, err := cfg.EnsureSecretKey()
	if err != nil {
		return err
	}
	logger := app.NewLogger(cfg)
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	st, err := app.OpenStore(ctx, cfg, true)
	if err != nil {
		return err
	}
	defer st.Close()

	var r *app.Redis
	if cfg.EmbeddedRedis() {
		r, err = app.StartEmbeddedRedis()
	} else {
		r, err = app.ConnectRedis(ctx, cfg.RedisURL)
	}
	if err != nil {
		return err
	}
	defer r.Close()
	queue := asynq.NewClient(r.Conn)
	defer queue.Close()

	ln, err := net.Listen("tcp", cfg.ListenAddr)
	if err != nil {
		return &config.Error{Var: "LISTEN_ADDR", Reason: err.Error()}
	}

	hhCfg := app.HHConfig(cfg, nil)
	var sandbox *hhsandbox.Sandbox
	if cfg.Sandbox() {
		sandbox = hhsandbox.New(hhsandbox.Options{
			Seed:         1,
			ClientID:     app.SandboxClientID,
			ClientSecret: app.SandboxSecret(cfg.SecretKey),
			RedirectURI:  cfg.RedirectURI(),
			BaseURL:      app.SandboxURL(cfg),
		})
		// The server's own calls to the sandbox go over loopback, whatever
		// BASE_URL says; the browser uses BASE_URL.
		hhCfg.APIURL = "http://" + loopback(ln.Addr()) + app.SandboxPath
	}

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	reg.MustRegister(tasks.NewQueueCollector(r.Conn))
	worker, err := app.NewWorker(cfg, st, r, queue, hhCfg, reg, logger)
	if err != nil {
		return err
	}
	oauth, err := hh.NewClient(hhCfg)
	if err != nil {
		return err
	}
	srv, err := web.New(web.Deps{
		Config:   cfg,
		Store:    st,
		OAuth:    oauth,
		HHAccess: worker,
		Jobs:     tasks.Jobs{Queue: queue},
		Logger:   logger,
		Metrics:  promhttp.HandlerFor(reg, promhttp.HandlerOpts{}),
		Ready:    r.Ping,
	})
	if err != nil {
		return err
	}
	root := http.NewServeMux()
	if sandbox != nil {
		root.Handle(app.SandboxPath+"/", http.StripPrefix(app.SandboxPath, sandbox))
	}
	root.Handle("/", srv)

	var running *app.RunningWorker
	if cfg.EmbeddedRedis() {
		if running, err = app.StartWorker(worker, r, queue, 0, logger); err != nil {
			return err
		}
	}

	hs := &http.Server{
		Handler:           root,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	announce(cfg, keyFile, ln.Addr())

	select {
	case err = <-errc:
	case <-ctx.Done():
		logger.Info("shutting down")
		sctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		err = hs.Shutdown(sctx)
	}
	if running != nil {
		running.Stop()
	}
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

// announce prints where Otklik is and how it runs.
func announce(cfg config.Config, keyFile string, addr net.Addr) {
	hhMode := "real hh.ru (" + cfg.HHAPIURL + ")"
	if cfg.Sandbox() {
		hhMode = "sandbox — built-in hh emulator at " + app.SandboxURL(cfg) + " (set HH_CLIENT_ID and HH_CLIENT_SECRET for real hh.ru)"
	}
	redisMode := "real Redis at " + cfg.RedisURL + " (run workers with: go run ./cmd/worker)"
	if cfg.EmbeddedRedis() {
		redisMode = "embedded in-process Redis; the worker runs inside this process (set REDIS_URL for production)"
	}
	data, _ := filepath.Abs(cfg.DataDir)
	fmt.Printf("Otklik %s is listening on %s\n", config.Version, addr)
	fmt.Printf("  open:   %s\n", cfg.BaseURL)
	fmt.Printf("  hh:     %s\n", hhMode)
	fmt.Printf("  redis:  %s\n", redisMode)
	fmt.Printf("  data:   %s (database %s)\n", data, cfg.DatabaseURL)
	if keyFile != "" {
		fmt.Printf("  secret: %s (generated; back it up with the database)\n", keyFile)
	}
}

// loopback is the address to reach a listener from this process.
func loopback(addr net.Addr) string {
	tcp, ok := addr.(*net.TCPAddr)
	if !ok || tcp.IP.IsUnspecified() {
		return fmt.Sprintf("127.0.0.1:%d", port(addr))
	}
	return tcp.String()
}

func port(addr net.Addr) int {
	if tcp, ok := addr.(*net.TCPAddr); ok {
		return tcp.Port
	}
	return 0
}
