package main

import (
	"bufio"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"runtime/pprof"
	"sync"
	"syscall"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/otklik/otklik/hh"
	"github.com/otklik/otklik/internal/app"
	"github.com/otklik/otklik/store"
	"github.com/otklik/otklik/tasks"
)

// childEnv holds the worker process's configuration (JSON); when it is set,
// the binary is a worker process, not the harness. The test binary checks it
// in TestMain, so the smoke test spawns workers the same way.
const childEnv = "OTKLIK_LOADTEST_WORKER"

// workerConfig is what a worker process needs; it mirrors the environment
// cmd/worker reads.
type workerConfig struct {
	RedisAddr     string        `json:"redis_addr"`
	RedisUser     string        `json:"redis_user,omitempty"`
	RedisPassword string        `json:"redis_password,omitempty"`
	RedisDB       int           `json:"redis_db"`
	Database      string        `json:"database"`
	SecretHex     string        `json:"secret_hex"`
	HHURL         string        `json:"hh_url"`
	ClientID      string        `json:"client_id"`
	ClientSecret  string        `json:"client_secret"`
	RateLimit     float64       `json:"rate_limit"`
	ApplyInterval time.Duration `json:"apply_interval"`
	Concurrency   int           `json:"concurrency"`
	// Timings is the file the process appends one line per task to:
	// type, start (Unix ns), handler duration (ns), result.
	Timings string `json:"timings"`
	LogFile string `json:"log_file"`
	// CPUProfile, when set, is where the process writes a pprof CPU profile
	// of each round: CPUProfile-1.pprof, and after each SIGUSR1 (the harness
	// sends one between rounds) the next number.
	CPUProfile string `json:"cpu_profile,omitempty"`
	// BusyAfter and QuietAfter are cmd/worker's -busy-after and
	// -quiet-after: the process re-executes itself in the other mode.
	BusyAfter  time.Duration `json:"busy_after"`
	QuietAfter time.Duration `json:"quiet_after"`
}

// profilePartEnv carries, across a change of mode, the round and part of
// the CPU profile the re-executed process writes next.
const profilePartEnv = "OTKLIK_LOADTEST_PROFILE_PART"

// workerMain is a worker process: the task handlers on an asynq server, as
// cmd/worker runs them, minus the cron ticker (the harness starts the rule
// runs itself, so a tick cannot add runs of its own to the count), plus a
// middleware that times every task.
func workerMain() int {
	var cfg workerConfig
	if err := json.Unmarshal([]byte(os.Getenv(childEnv)), &cfg); err != nil {
		fmt.Fprintln(os.Stderr, "loadtest worker: bad config:", err)
		return 2
	}
	err := app.RunInModes(cfg.BusyAfter, func(err error) { // as cmd/worker runs
		fmt.Fprintln(os.Stderr, "loadtest worker: could not restart in the other mode:", err)
	}, func(busyAfter time.Duration) (bool, error) {
		cfg.BusyAfter = busyAfter
		return runWorker(cfg)
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadtest worker:", err)
		return 1
	}
	return 0
}

// runWorker runs until SIGTERM (false) or until the worker asks to change
// mode (true), having closed everything either way.
func runWorker(cfg workerConfig) (shift bool, err error) {
	app.WorkerProcs() // as cmd/worker runs
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	logOut, err := os.OpenFile(cfg.LogFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return false, err
	}
	defer logOut.Close()
	if cfg.CPUProfile != "" {
		stopProfile, err := profileRounds(cfg.CPUProfile)
		if err != nil {
			return false, err
		}
		defer func() {
			next := stopProfile()
			if shift {
				err = os.Setenv(profilePartEnv, next)
			}
		}()
	}
	logger := slog.New(slog.NewTextHandler(logOut, &slog.HandlerOptions{Level: slog.LevelWarn}))

	secret, err := hex.DecodeString(cfg.SecretHex)
	if err != nil {
		return false, err
	}
	cipher, err := store.NewCipherFromSecret(secret)
	if err != nil {
		return false, err
	}
	st, err := store.Open(ctx, cfg.Database, store.Options{Cipher: cipher})
	if err != nil {
		return false, err
	}
	defer st.Close()
	if err := st.CheckSchema(ctx); err != nil {
		return false, err
	}
	conn := asynq.RedisClientOpt{Addr: cfg.RedisAddr, Username: cfg.RedisUser, Password: cfg.RedisPassword, DB: cfg.RedisDB}
	rdb := redis.NewClient(&redis.Options{Addr: cfg.RedisAddr, Username: cfg.RedisUser, Password: cfg.RedisPassword, DB: cfg.RedisDB})
	defer rdb.Close()
	queue := asynq.NewClient(conn)
	defer queue.Close()

	w, err := tasks.New(tasks.Deps{
		Store: st, Redis: rdb, Queue: queue,
		HH: hh.Config{
			APIURL: cfg.HHURL, OAuthURL: cfg.HHURL,
			UserAgent: "OtklikLoadtest/1.0 (loadtest@otklik.example)",
			ClientID:  cfg.ClientID, ClientSecret: cfg.ClientSecret,
		},
		RateLimit: cfg.RateLimit, ApplyInterval: cfg.ApplyInterval,
		BaseURL: "http://otklik.loadtest", Logger: logger,
	})
	if err != nil {
		return false, err
	}
	timings, err := newTimingLog(cfg.Timings)
	if err != nil {
		return false, err
	}
	defer timings.close()

	rw, err := app.StartWorker(w, &app.Redis{Conn: conn, Client: rdb}, queue,
		app.WorkerOptions{Concurrency: cfg.Concurrency, NoTick: true, Doze: true, Middleware: []asynq.MiddlewareFunc{timings.middleware},
			BusyAfter: cfg.BusyAfter, QuietAfter: cfg.QuietAfter}, logger)
	if err != nil {
		return false, err
	}
	select {
	case <-ctx.Done():
		rw.Stop()
		return false, nil
	case <-rw.Shift():
		rw.Stop()
		return ctx.Err() == nil, nil
	}
}

// profileRounds writes a CPU profile to prefix-1.pprof and starts the next
// one on each SIGUSR1. The returned func ends the last one and says where a
// re-executed process goes on (profilePartEnv): the same round's next part,
// prefix-<round>.<part>.pprof (go tool pprof merges the files it is given).
func profileRounds(prefix string) (func() string, error) {
	n, part := 0, 1
	if v := os.Getenv(profilePartEnv); v != "" {
		if _, err := fmt.Sscanf(v, "%d.%d", &n, &part); err != nil {
			return nil, fmt.Errorf("%s=%q: %w", profilePartEnv, v, err)
		}
		n-- // next() moves to the round
	}
	var f *os.File
	next := func() error {
		if f != nil {
			pprof.StopCPUProfile()
			_ = f.Close()
			part = 1
		}
		n++
		name := fmt.Sprintf("%s-%d.pprof", prefix, n)
		if part > 1 {
			name = fmt.Sprintf("%s-%d.%d.pprof", prefix, n, part)
		}
		var err error
		if f, err = os.Create(name); err != nil {
			return err
		}
		return pprof.StartCPUProfile(f)
	}
	if err := next(); err != nil {
		return nil, err
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGUSR1)
	var mu sync.Mutex
	done := make(chan struct{})
	go func() {
		for {
			select {
			case <-done:
				return
			case <-sig:
				mu.Lock()
				if err := next(); err != nil {
					fmt.Fprintln(os.Stderr, "loadtest worker: cpu profile:", err)
				}
				mu.Unlock()
			}
		}
	}()
	return func() string {
		signal.Stop(sig)
		close(done)
		mu.Lock()
		defer mu.Unlock()
		pprof.StopCPUProfile()
		_ = f.Close()
		return fmt.Sprintf("%d.%d", n, part+1)
	}, nil
}

// timingLog appends one line per processed task; it is flushed every half
// second so the harness can read it while the worker runs.
type timingLog struct {
	mu   sync.Mutex
	f    *os.File
	w    *bufio.Writer
	stop chan struct{}
	done chan struct{}
}

func newTimingLog(path string) (*timingLog, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, err
	}
	l := &timingLog{f: f, w: bufio.NewWriter(f), stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(l.done)
		t := time.NewTicker(500 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-l.stop:
				return
			case <-t.C:
				l.mu.Lock()
				_ = l.w.Flush()
				l.mu.Unlock()
			}
		}
	}()
	return l, nil
}

func (l *timingLog) middleware(h asynq.Handler) asynq.Handler {
	return asynq.HandlerFunc(func(ctx context.Context, t *asynq.Task) error {
		start := time.Now()
		err := h.ProcessTask(ctx, t)
		d := time.Since(start)
		result := "ok"
		if err != nil {
			result = "error"
		}
		l.mu.Lock()
		fmt.Fprintf(l.w, "%s\t%d\t%d\t%s\n", t.Type(), start.UnixNano(), d.Nanoseconds(), result)
		l.mu.Unlock()
		return err
	})
}

func (l *timingLog) close() {
	close(l.stop)
	<-l.done
	l.mu.Lock()
	defer l.mu.Unlock()
	_ = l.w.Flush()
	_ = l.f.Close()
}

// workerProc is a running worker process.
type workerProc struct {
	cmd     *exec.Cmd
	timings string
	done    chan struct{}
	err     error
}

// startWorker spawns this binary as a worker process.
func startWorker(cfg workerConfig) (*workerProc, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(cfg)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), childEnv+"="+string(b))
	cmd.Stdout = os.Stderr
	cmd.Stderr = os.Stderr
	dieWithParent(cmd)
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start worker process: %w", err)
	}
	p := &workerProc{cmd: cmd, timings: cfg.Timings, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

// stop asks the worker to finish its running tasks and exit.
func (p *workerProc) stop() error {
	select {
	case <-p.done:
		return p.exitErr()
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(40 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
	return p.exitErr()
}

func (p *workerProc) exitErr() error {
	var ee *exec.ExitError
	if errors.As(p.err, &ee) && ee.ExitCode() == -1 {
		return nil // ended by our signal
	}
	return p.err
}

// alive reports whether the process still runs.
func (p *workerProc) alive() bool {
	select {
	case <-p.done:
		return false
	default:
		return true
	}
}

// maxRSS is the peak resident set of the exited process, in bytes.
func (p *workerProc) maxRSS() int64 {
	if p.cmd.ProcessState == nil {
		return 0
	}
	if ru, ok := p.cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		return ru.Maxrss * 1024 // kilobytes on Linux
	}
	return 0
}

// cpu is the exited process's user+system CPU time.
func (p *workerProc) cpu() time.Duration {
	if p.cmd.ProcessState == nil {
		return 0
	}
	return p.cmd.ProcessState.UserTime() + p.cmd.ProcessState.SystemTime()
}
