package faults_test

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
	"golang.org/x/crypto/bcrypt"

	"github.com/otklik/otklik/hh"
	"github.com/otklik/otklik/hh/hhsandbox"
	"github.com/otklik/otklik/internal/redisclock"
	"github.com/otklik/otklik/rules"
	"github.com/otklik/otklik/store"
	"github.com/otklik/otklik/store/storetest"
	"github.com/otklik/otklik/tasks"
)

// redisDB is this package's Redis database: 0–3 belong to other packages'
// tests and 4 to cmd/loadtest.
const redisDB = 5

const userAgent = "OtklikFaults/1.0 (faults@otklik.example)"

const letterTemplate = "Здравствуйте! Откликаюсь на «{vacancy}» в {company}. {first_name} {last_name}"

func TestMain(m *testing.M) {
	code := m.Run()
	if workerBin.path != "" {
		os.RemoveAll(filepath.Dir(workerBin.path))
	}
	os.Exit(code)
}

// requireFaults skips unless the suite was asked for.
func requireFaults(t *testing.T) {
	t.Helper()
	if os.Getenv("OTKLIK_FAULTS") != "1" {
		t.Skip("fault suite: set OTKLIK_FAULTS=1 to run it (see docs/RELIABILITY.md)")
	}
}

// workerBin is cmd/worker, built once for the whole suite: the faults hit
// the binary operators run.
var workerBin struct {
	once sync.Once
	path string
	err  error
}

func buildWorker(t *testing.T) string {
	t.Helper()
	workerBin.once.Do(func() {
		dir, err := os.MkdirTemp("", "otklik-faults-bin-")
		if err != nil {
			workerBin.err = err
			return
		}
		gobin, err := exec.LookPath("go")
		if err != nil {
			gobin = filepath.Join(runtime.GOROOT(), "bin", "go")
		}
		path := filepath.Join(dir, "otklik-worker")
		out, err := exec.Command(gobin, "build", "-o", path, "github.com/otklik/otklik/cmd/worker").CombinedOutput()
		if err != nil {
			workerBin.err = fmt.Errorf("go build ./cmd/worker: %v\n%s", err, out)
			return
		}
		workerBin.path = path
	})
	if workerBin.err != nil {
		t.Fatal(workerBin.err)
	}
	return workerBin.path
}

// Redis backends.

// miniBackend is an in-process Redis whose clock the test can move: lock
// leases are Redis TTLs, and jumping past them is how a test shows what
// happens "16 minutes later" without waiting.
type miniBackend struct {
	m    *miniredis.Miniredis
	stop func() // stops its clock
}

func startMini(t *testing.T) *miniBackend {
	m := miniredis.NewMiniRedis()
	if err := m.StartAddr("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	b := &miniBackend{m: m, stop: redisclock.Follow(m, 100*time.Millisecond)}
	t.Cleanup(func() { b.stop(); m.Close() })
	return b
}

func (b *miniBackend) url() string { return fmt.Sprintf("redis://%s/%d", b.m.Addr(), redisDB) }

// procBackend is a private redis-server the test can kill and restart.
type procBackend struct {
	t    *testing.T
	bin  string
	port int
	cmd  *exec.Cmd
}

func startRedisServer(t *testing.T) *procBackend {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("redis-server is not installed; the Redis restart case needs a private server it can kill")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	b := &procBackend{t: t, bin: bin, port: port}
	b.start()
	t.Cleanup(func() { b.kill() })
	return b
}

func (b *procBackend) start() {
	b.cmd = exec.Command(b.bin, "--port", fmt.Sprint(b.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no")
	b.cmd.Dir = b.t.TempDir()
	if err := b.cmd.Start(); err != nil {
		b.t.Fatal(err)
	}
	rdb := redis.NewClient(&redis.Options{Addr: fmt.Sprintf("127.0.0.1:%d", b.port)})
	defer rdb.Close()
	for range 100 {
		if rdb.Ping(context.Background()).Err() == nil {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	b.t.Fatal("private redis-server did not answer")
}

func (b *procBackend) kill() {
	if b.cmd != nil && b.cmd.Process != nil {
		_ = b.cmd.Process.Kill()
		_ = b.cmd.Wait()
	}
}

func (b *procBackend) url() string { return fmt.Sprintf("redis://127.0.0.1:%d/%d", b.port, redisDB) }

// env is one case's world: the sandbox over HTTP, a temp SQLite file, Redis,
// the users with one rule each, and the worker process.
type env struct {
	t        *testing.T
	ctx      context.Context
	dir      string
	sandbox  *hhsandbox.Sandbox
	counts   *hhsandbox.Counter
	hhURL    string
	store    *store.Store
	dbURL    string // DATABASE_URL: a SQLite file, or a PostgreSQL database
	secret   []byte
	redisURL string
	mini     *miniBackend // set when Redis is in-process
	rdb      *redis.Client
	queue    *asynq.Client
	insp     *asynq.Inspector
	opts     envOptions
	users    []fuser

	worker     *exec.Cmd
	workerDone chan struct{}
	second     *exec.Cmd // startSecondWorker's
	secondDone chan struct{}
	webs       int // web apps started
	starts     int

	// skipped is the simulated time the case skipped: clocks moved ahead by
	// tickLater and expireDeadLocks instead of waiting in real time.
	skipped time.Duration
	// jumps counts expireDeadLocks' moves of the Redis clock, and jumped
	// sums them.
	jumps  int
	jumped time.Duration
}

type fuser struct {
	ID       int64
	Email    string
	HHID     string
	RuleID   int64
	ResumeID string
}

type envOptions struct {
	users   int
	perUser int // each rule's daily cap: the vacancies each user gets to apply to
	// mode is each rule's mode; auto when empty.
	mode      rules.Mode
	vacancies int
	rate      float64
	interval  time.Duration
	// redis: "mini" (in-process, its clock movable), a *procBackend's URL
	// via proc, or "" for REDIS_URL's server (database 5) when set, else mini.
	redis string
	proc  *procBackend
	// expireLocks lets waitSettled and waitApplications move the in-process
	// Redis clock past the apply-lock leases of killed workers when the run
	// has stalled behind them (see expireDeadLocks).
	expireLocks bool
	// postgres runs the case on a PostgreSQL database of its own
	// (OTKLIK_TEST_POSTGRES; skipped without it) instead of a SQLite file.
	postgres bool
}

// userPassword is every fault user's password (a minimum-cost bcrypt hash,
// so that signing in through the web app is cheap).
const userPassword = "faults-password-1"

var passwordHash = sync.OnceValue(func() string {
	h, err := bcrypt.GenerateFromPassword([]byte(userPassword), bcrypt.MinCost)
	if err != nil {
		panic(err)
	}
	return string(h)
})

func newEnv(t *testing.T, o envOptions) *env {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	e := &env{t: t, ctx: ctx, dir: t.TempDir(), opts: o}

	e.sandbox = hhsandbox.New(hhsandbox.Options{Seed: 11, Vacancies: o.vacancies})
	e.counts = hhsandbox.NewCounter(e.sandbox)
	srv := httptest.NewServer(e.counts)
	t.Cleanup(srv.Close)
	e.hhURL = srv.URL

	e.secret = make([]byte, 32)
	_, _ = rand.Read(e.secret)
	cipher, err := store.NewCipherFromSecret(e.secret)
	if err != nil {
		t.Fatal(err)
	}
	e.dbURL = "file:" + filepath.Join(e.dir, "otklik.db")
	if o.postgres {
		e.dbURL = storetest.NewPostgres(t) // skips without OTKLIK_TEST_POSTGRES
	}
	if e.store, err = store.Open(ctx, e.dbURL, store.Options{Cipher: cipher, Migrate: true}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.store.Close() })

	switch {
	case o.proc != nil:
		e.redisURL = o.proc.url()
	case o.redis == "" && os.Getenv("REDIS_URL") != "":
		opt, err := redis.ParseURL(os.Getenv("REDIS_URL"))
		if err != nil {
			t.Fatal(err)
		}
		e.redisURL = fmt.Sprintf("redis://%s/%d", opt.Addr, redisDB)
		if opt.Password != "" {
			e.redisURL = fmt.Sprintf("redis://%s:%s@%s/%d", opt.Username, opt.Password, opt.Addr, redisDB)
		}
	default:
		e.mini = startMini(t)
		e.redisURL = e.mini.url()
	}
	opt, err := redis.ParseURL(e.redisURL)
	if err != nil {
		t.Fatal(err)
	}
	e.rdb = redis.NewClient(opt)
	t.Cleanup(func() { e.rdb.Close() })
	if err := e.rdb.FlushDB(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	conn, err := asynq.ParseRedisURI(e.redisURL)
	if err != nil {
		t.Fatal(err)
	}
	e.queue = asynq.NewClient(conn)
	t.Cleanup(func() { e.queue.Close() })
	e.insp = asynq.NewInspector(conn)
	t.Cleanup(func() { e.insp.Close() })

	for i, a := range e.sandbox.AddApplicants(o.users) {
		e.users = append(e.users, e.connect(i, a))
	}
	t.Cleanup(e.stopWorker)
	return e
}

// connect creates an Otklik user connected to sandbox applicant a, with one
// rule in opts.mode (auto by default) capped at perUser.
func (e *env) connect(i int, a hhsandbox.User) fuser {
	e.t.Helper()
	u, err := e.store.CreateUser(e.ctx, userEmail(i), passwordHash())
	if err != nil {
		e.t.Fatal(err)
	}
	resumeID := e.reconnect(u.ID, a.ID)
	r := rules.Defaults()
	r.UserID, r.Name, r.ResumeID = u.ID, "faults", resumeID
	r.Mode, r.LetterTemplate, r.DailyLimit = cmp.Or(e.opts.mode, rules.ModeAuto), letterTemplate, e.opts.perUser
	r.EveryHours, r.ActiveFrom, r.ActiveTo = 24, "00:00", "00:00"
	if err := e.store.CreateRule(e.ctx, &r); err != nil {
		e.t.Fatal(err)
	}
	return fuser{ID: u.ID, Email: u.Email, HHID: a.ID, RuleID: r.ID, ResumeID: resumeID}
}

func userEmail(i int) string { return fmt.Sprintf("fault%03d@otklik.test", i) }

// reconnect connects (or connects again) userID to hh account hhID with a
// fresh token, as the OAuth callback does, and returns the first published
// resume.
func (e *env) reconnect(userID int64, hhID string) string {
	e.t.Helper()
	tok, err := e.sandbox.IssueToken(hhID)
	if err != nil {
		e.t.Fatal(err)
	}
	u, _ := e.sandbox.User(hhID)
	err = e.store.SaveHHAccount(e.ctx, userID, store.HHAccount{
		HHUserID: hhID, FirstName: u.FirstName, LastName: u.LastName,
		Token: hh.Token{AccessToken: tok.AccessToken, RefreshToken: tok.RefreshToken, TokenType: "bearer", ExpiresAt: tok.ExpiresAt},
	})
	if err != nil {
		e.t.Fatal(err)
	}
	c, err := hh.NewClient(hh.Config{APIURL: e.hhURL, OAuthURL: e.hhURL, UserAgent: userAgent})
	if err != nil {
		e.t.Fatal(err)
	}
	resumes, err := c.WithToken(tok.AccessToken).MyResumes(e.ctx)
	if err != nil {
		e.t.Fatal(err)
	}
	if err := e.store.ReplaceResumes(e.ctx, userID, resumes); err != nil {
		e.t.Fatal(err)
	}
	return resumes[0].ID
}

// processEnv is the environment an operator gives Otklik's processes.
func (e *env) processEnv() []string {
	return []string{
		"REDIS_URL=" + e.redisURL,
		"DATABASE_URL=" + e.dbURL,
		"DATA_DIR=" + e.dir,
		"SECRET_KEY=" + base64.StdEncoding.EncodeToString(e.secret),
		"HH_CLIENT_ID=" + e.sandbox.ClientID(),
		"HH_CLIENT_SECRET=" + e.sandbox.ClientSecret(),
		"HH_API_URL=" + e.hhURL,
		"HH_OAUTH_URL=" + e.hhURL,
		"HH_USER_AGENT=" + userAgent,
		fmt.Sprintf("HH_RATE_LIMIT=%g", e.opts.rate),
		"APPLY_INTERVAL=" + e.opts.interval.String(),
		"LOG_LEVEL=warn",
	}
}

// startWorker runs cmd/worker with the environment an operator would give it.
func (e *env) startWorker() {
	e.t.Helper()
	e.worker, e.workerDone = e.startWorkerProcess()
	e.starts++
}

// startSecondWorker starts another worker process beside the first, as a
// second machine would; stopWorker stops it too.
func (e *env) startSecondWorker() {
	e.t.Helper()
	e.second, e.secondDone = e.startWorkerProcess()
}

// startWorkerProcess runs cmd/worker with the case's environment, logging
// to worker.log (several processes append to it).
func (e *env) startWorkerProcess() (*exec.Cmd, chan struct{}) {
	e.t.Helper()
	bin := buildWorker(e.t)
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(), e.processEnv()...)
	logf, err := os.OpenFile(filepath.Join(e.dir, "worker.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		e.t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		logf.Close()
		e.t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		logf.Close()
		close(done)
	}()
	return cmd, done
}

// killWorker is kill -9.
func (e *env) killWorker() {
	if e.worker == nil {
		return
	}
	_ = e.worker.Process.Signal(syscall.SIGKILL)
	<-e.workerDone
	e.worker = nil
}

// stopWorker is a graceful stop (SIGTERM), as at the end of a case, of the
// worker and of the second one if it runs.
func (e *env) stopWorker() {
	if e.second != nil {
		_ = e.second.Process.Signal(syscall.SIGTERM)
		select {
		case <-e.secondDone:
		case <-time.After(30 * time.Second):
			_ = e.second.Process.Signal(syscall.SIGKILL)
			<-e.secondDone
		}
		e.second = nil
	}
	if e.worker == nil {
		return
	}
	_ = e.worker.Process.Signal(syscall.SIGTERM)
	select {
	case <-e.workerDone:
	case <-time.After(30 * time.Second):
		e.killWorker()
	}
	e.worker = nil
}

// workerLog is the worker's log so far (for failure messages).
func (e *env) workerLog() string {
	b, _ := os.ReadFile(filepath.Join(e.dir, "worker.log"))
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}

// progress is the state of the run as SQLite and the sandbox see it.
type progress struct {
	applied   int // 201s at the sandbox
	queued    int // ledger rows still queued
	ledgerApp int // ledger rows applied
	rows      int
	completed int // rules whose run completed
}

func (e *env) progress() progress {
	e.t.Helper()
	p := progress{applied: len(e.sandbox.Applications())}
	for _, u := range e.users {
		rows, err := e.store.ListApplications(e.ctx, u.ID, store.ApplicationFilter{})
		if err != nil {
			e.t.Fatal(err)
		}
		p.rows += len(rows)
		for _, a := range rows {
			switch a.Status {
			case store.StatusQueued:
				p.queued++
			case store.StatusApplied:
				p.ledgerApp++
			}
		}
		r, err := e.store.Rule(e.ctx, u.ID, u.RuleID)
		if err != nil {
			e.t.Fatal(err)
		}
		if !r.LastCompletedRunAt.IsZero() {
			p.completed++
		}
	}
	return p
}

// waitSettled waits until every rule's run completed, no row is queued and
// the sandbox's applications stopped changing, or timeout. It reports
// whether the run settled. With opts.expireLocks it expires dead apply
// locks when the run stalls behind them.
func (e *env) waitSettled(timeout time.Duration) bool {
	e.t.Helper()
	deadline := time.Now().Add(timeout)
	last, stable := -1, 0
	st := e.newStallWatch()
	for time.Now().Before(deadline) {
		p := e.progress()
		if p.completed == len(e.users) && p.queued == 0 && p.applied == last {
			stable++
			if stable >= 2 {
				return true
			}
		} else {
			stable = 0
		}
		last = p.applied
		st.check(p.applied, func() int { return p.completed })
		time.Sleep(500 * time.Millisecond)
	}
	return false
}

// waitApplications waits until the sandbox holds at least n applications,
// at most bound of real time, expiring dead apply locks (with
// opts.expireLocks) when the run stalls behind them. It reports whether n
// was reached.
func (e *env) waitApplications(n int, bound time.Duration) bool {
	e.t.Helper()
	deadline := time.Now().Add(bound)
	st := e.newStallWatch()
	for {
		if len(e.sandbox.Applications()) >= n {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		st.check(len(e.sandbox.Applications()), func() int { return e.progress().completed })
		time.Sleep(50 * time.Millisecond)
	}
}

// stallAfter is how long the run may make no application before
// expireDeadLocks moves the clock.
const stallAfter = 2 * time.Second

type stallWatch struct {
	e       *env
	last    int
	since   time.Time
	enabled bool
}

func (e *env) newStallWatch() *stallWatch {
	return &stallWatch{e: e, last: -1, since: time.Now(), enabled: e.opts.expireLocks && e.mini != nil}
}

// check notes progress; every stallAfter without a new application, with
// every rule's run completed (so no live run's rule lease can be lost), it
// expires dead apply locks.
func (s *stallWatch) check(applied int, completed func() int) {
	if !s.enabled {
		return
	}
	if applied != s.last {
		s.last, s.since = applied, time.Now()
		return
	}
	if time.Since(s.since) < stallAfter {
		return
	}
	// Look again stallAfter later, whatever this look finds.
	s.since = time.Now()
	if completed() == len(s.e.users) {
		s.e.expireDeadLocks()
	}
}

// expireDeadLocks moves the in-process Redis clock just past the leases of
// apply locks that a killed worker left behind, as their 2 minutes passing
// would. A lock is dead when it was taken more than 5 s ago: a live worker
// holds one only around a single POST. It reports whether it moved the
// clock. Everything else in Redis ages by the same jump (pacing slots,
// asynq's retention, the rate budget), as it would in those minutes.
func (e *env) expireDeadLocks() bool {
	keys, err := e.rdb.Keys(e.ctx, tasks.ApplyLockPattern).Result()
	if err != nil || len(keys) == 0 {
		return false
	}
	var longest time.Duration
	for _, k := range keys {
		ttl, err := e.rdb.PTTL(e.ctx, k).Result()
		if err != nil || ttl <= 0 || ttl > tasks.ApplyLockLease-5*time.Second {
			continue
		}
		longest = max(longest, ttl)
	}
	if longest == 0 {
		return false
	}
	jump := longest + 10*time.Millisecond
	e.mini.m.FastForward(jump)
	e.skipped += jump
	e.jumps++
	e.jumped += jump
	return true
}

// waitApplied waits until the sandbox holds at least n applications.
func (e *env) waitApplied(n int, timeout time.Duration) {
	e.t.Helper()
	deadline := time.Now().Add(timeout)
	for len(e.sandbox.Applications()) < n {
		if time.Now().After(deadline) {
			e.t.Fatalf("only %d of %d applications after %s; worker log:\n%s", len(e.sandbox.Applications()), n, timeout, e.workerLog())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// tickLater runs the scheduler tick with a clock `ahead` in the future, as
// the worker's own per-minute cron would do once that time has passed: it
// re-derives from SQLite every queued row with no task in flight and every
// rule whose run did not complete. With an in-process Redis, the Redis clock
// jumps too, so lock leases held by killed workers expire as they would.
func (e *env) tickLater(ahead time.Duration) {
	e.t.Helper()
	if e.mini != nil {
		e.mini.m.FastForward(ahead)
	}
	e.skipped += ahead
	w, err := tasks.New(tasks.Deps{
		Store: e.store, Redis: e.rdb, Queue: e.queue,
		HH:        hh.Config{APIURL: e.hhURL, OAuthURL: e.hhURL, UserAgent: userAgent, ClientID: e.sandbox.ClientID(), ClientSecret: e.sandbox.ClientSecret()},
		RateLimit: e.opts.rate, ApplyInterval: e.opts.interval,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Now:    func() time.Time { return time.Now().Add(ahead) },
	})
	if err != nil {
		e.t.Fatal(err)
	}
	if err := w.Tick(e.ctx); err != nil {
		e.t.Fatalf("tick: %v", err)
	}
}

// queueDepth is the work asynq holds: pending, scheduled, active, retry.
func (e *env) queueDepth() (n int) {
	qs, err := e.insp.Queues()
	if err != nil {
		return -1
	}
	for _, q := range qs {
		if info, err := e.insp.GetQueueInfo(q); err == nil {
			n += info.Pending + info.Scheduled + info.Active + info.Retry
		}
	}
	return n
}
