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
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/otklik/otklik/config"
	"github.com/otklik/otklik/internal/app"
	"github.com/otklik/otklik/store"
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

	ln, err := net.Listen("tcp", cfg.ListenAddr)
	if err != nil {
		return &config.Error{Var: "LISTEN_ADDR", Reason: err.Error()}
	}
	inst, err := app.OpenInstance(ctx, cfg, ln, logger)
	if err != nil {
		ln.Close()
		return err
	}
	defer inst.Close()
	if cfg.EmbeddedRedis() {
		if err := inst.StartWorker(0); err != nil {
			return err
		}
	}

	hs := &http.Server{
		Handler:           inst.Handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	// Announce before serving: the socket already accepts connections, and
	// whoever sees the first page can then also see the banner.
	announce(cfg, keyFile, ln.Addr())
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()

	select {
	case err = <-errc:
	case <-ctx.Done():
		logger.Info("shutting down: finishing running tasks, then requests")
		inst.StopWorker()
		sctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		err = hs.Shutdown(sctx)
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
	redisMode := "real Redis at " + app.RedactRedisURL(cfg.RedisURL) + " (run workers with: go run ./cmd/worker)"
	if cfg.EmbeddedRedis() {
		redisMode = "embedded in-process Redis; the worker runs inside this process (set REDIS_URL for production)"
	}
	data, _ := filepath.Abs(cfg.DataDir)
	fmt.Printf("Otklik %s is listening on %s\n", config.Version, addr)
	fmt.Printf("  open:   %s\n", cfg.BaseURL)
	if hint := baseURLHint(cfg.BaseURL, addr); hint != "" {
		fmt.Printf("  note:   %s\n", hint)
	}
	fmt.Printf("  hh:     %s\n", hhMode)
	fmt.Printf("  redis:  %s\n", redisMode)
	fmt.Printf("  data:   %s (database %s)\n", data, store.RedactDSN(cfg.DatabaseURL))
	if keyFile != "" {
		fmt.Printf("  secret: %s (generated; back it up with the database)\n", keyFile)
	}
}

// baseURLHint says when BASE_URL names this machine on another port than
// the one Otklik listens on (LISTEN_ADDR changed, BASE_URL not): the links
// and hh's OAuth redirect would lead nowhere. Behind a proxy BASE_URL names
// another host, and nothing is said.
func baseURLHint(base *url.URL, addr net.Addr) string {
	tcp, ok := addr.(*net.TCPAddr)
	if !ok || base == nil {
		return ""
	}
	switch base.Hostname() {
	case "localhost", "127.0.0.1", "::1":
	default:
		return ""
	}
	port := base.Port()
	if port == "" {
		port = "80"
		if base.Scheme == "https" {
			port = "443"
		}
	}
	if port == strconv.Itoa(tcp.Port) {
		return ""
	}
	return fmt.Sprintf("BASE_URL is %s but Otklik listens on port %d: set BASE_URL=%s://%s:%d (links and hh's OAuth redirect use BASE_URL)",
		base, tcp.Port, base.Scheme, base.Hostname(), tcp.Port)
}
