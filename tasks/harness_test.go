package tasks_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"os"
	"sort"
	"sync/atomic"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/otklik/otklik/hh"
	"github.com/otklik/otklik/hh/hhsandbox"
	"github.com/otklik/otklik/internal/redisclock"
	"github.com/otklik/otklik/rules"
	"github.com/otklik/otklik/store"
	"github.com/otklik/otklik/store/storetest"
	"github.com/otklik/otklik/tasks"
)

// redisDB is this package's own Redis database number: `go test ./...` runs
// packages in parallel and asynq has no key prefix.
const redisDB = 1

// testSecret is the token encryption key of every test store.
const testSecret = "0123456789abcdef0123456789abcdef"

// env is one test's world: the hh sandbox over HTTP, a temp SQLite store, a
// Redis, and workers.
type env struct {
	t       *testing.T
	ctx     context.Context
	sandbox *hhsandbox.Sandbox
	traffic *hhsandbox.Counter // every request that reached the sandbox
	hhURL   string
	store   *store.Store
	conn    asynq.RedisConnOpt
	rdb     redis.UniversalClient
	queue   *asynq.Client
	hhCfg   hh.Config
	dbPath  string // the database DSN, for worker processes the test starts
	// requests counts every HTTP attempt to hh made by the workers.
	requests   atomic.Int64
	workerOpts workerOptions
}

type envOptions struct {
	vacancies     int
	applyInterval time.Duration
	rateLimit     float64
	sandbox       hhsandbox.Options
}

func newEnv(t *testing.T, o envOptions) *env {
	t.Helper()
	if o.vacancies == 0 {
		o.vacancies = 300
	}
	if o.rateLimit == 0 {
		o.rateLimit = 500
	}
	if o.applyInterval == 0 {
		o.applyInterval = 5 * time.Millisecond
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	e := &env{t: t, ctx: ctx}

	so := o.sandbox
	so.Seed = 42
	so.Vacancies = o.vacancies
	e.sandbox = hhsandbox.New(so)
	e.traffic = hhsandbox.NewCounter(e.sandbox)
	srv := httptest.NewServer(e.traffic)
	t.Cleanup(srv.Close)
	e.hhURL = srv.URL

	cipher, err := store.NewCipherFromSecret([]byte(testSecret))
	if err != nil {
		t.Fatal(err)
	}
	e.dbPath = storetest.DSN(t)
	e.store, err = store.Open(ctx, e.dbPath, store.Options{Cipher: cipher, Migrate: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.store.Close() })

	if url := os.Getenv("REDIS_URL"); url != "" {
		opt, err := redis.ParseURL(url)
		if err != nil {
			t.Fatal(err)
		}
		opt.DB = redisDB
		e.conn = asynq.RedisClientOpt{Addr: opt.Addr, Username: opt.Username, Password: opt.Password, DB: redisDB}
		e.rdb = redis.NewClient(opt)
		if err := e.rdb.FlushDB(ctx).Err(); err != nil {
			t.Fatal(err)
		}
	} else {
		m := miniredis.RunT(t)
		t.Cleanup(redisclock.Follow(m, 50*time.Millisecond))
		e.conn = asynq.RedisClientOpt{Addr: m.Addr()}
		e.rdb = redis.NewClient(&redis.Options{Addr: m.Addr()})
	}
	t.Cleanup(func() { e.rdb.Close() })
	e.queue = asynq.NewClient(e.conn)
	t.Cleanup(func() { e.queue.Close() })

	e.hhCfg = hh.Config{
		APIURL:       srv.URL,
		OAuthURL:     srv.URL,
		UserAgent:    "OtklikTest/1.0 (tests@otklik.example)",
		ClientID:     e.sandbox.ClientID(),
		ClientSecret: e.sandbox.ClientSecret(),
		Observe:      func(hh.RequestInfo) { e.requests.Add(1) },
	}
	e.workerOpts = workerOptions{rateLimit: o.rateLimit, applyInterval: o.applyInterval}
	return e
}

type workerOptions struct {
	rateLimit     float64
	applyInterval time.Duration
}

func (e *env) logger() *slog.Logger {
	if testing.Verbose() {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	}
	return slog.New(slog.NewTextHandler(discard{}, nil))
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

// newWorker builds a Worker over the env (not processing tasks).
func (e *env) newWorker(mod ...func(*tasks.Deps)) *tasks.Worker {
	e.t.Helper()
	d := tasks.Deps{
		Store: e.store, Redis: e.rdb, Queue: e.queue, HH: e.hhCfg,
		RateLimit: e.workerOpts.rateLimit, ApplyInterval: e.workerOpts.applyInterval,
		BaseURL: "http://otklik.test", Logger: e.logger(),
	}
	for _, m := range mod {
		m(&d)
	}
	w, err := tasks.New(d)
	if err != nil {
		e.t.Fatal(err)
	}
	return w
}

// startWorker runs a worker process's asynq server until the test ends.
func (e *env) startWorker(mod ...func(*tasks.Deps)) *tasks.Worker {
	e.t.Helper()
	w := e.newWorker(mod...)
	srv := asynq.NewServer(e.conn, tasks.ServerConfig(8, e.logger()))
	mux := asynq.NewServeMux()
	w.Register(mux)
	if err := srv.Start(mux); err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(srv.Shutdown)
	return w
}

// connect creates an Otklik user connected to sandbox user sbUser (an index
// into the sandbox's applicants) and returns the user and their first
// published resume.
func (e *env) connect(email string, sbUser int) (*store.User, string) {
	e.t.Helper()
	var applicants []hhsandbox.User
	for _, u := range e.sandbox.Users() {
		if u.Applicant {
			applicants = append(applicants, u)
		}
	}
	sbu := applicants[sbUser]
	u, err := e.store.CreateUser(e.ctx, email, "$2a$10$notarealhashnotarealhashnotarealhashnotarealhashnot")
	if err != nil {
		e.t.Fatal(err)
	}
	tok, err := e.sandbox.IssueToken(sbu.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	err = e.store.SaveHHAccount(e.ctx, u.ID, store.HHAccount{
		HHUserID: sbu.ID, FirstName: sbu.FirstName, LastName: sbu.LastName,
		Token: hh.Token{AccessToken: tok.AccessToken, RefreshToken: tok.RefreshToken, TokenType: "bearer", ExpiresAt: tok.ExpiresAt},
	})
	if err != nil {
		e.t.Fatal(err)
	}
	c, err := hh.NewClient(e.hhCfg)
	if err != nil {
		e.t.Fatal(err)
	}
	resumes, err := c.WithToken(tok.AccessToken).MyResumes(e.ctx)
	if err != nil {
		e.t.Fatal(err)
	}
	if err := e.store.ReplaceResumes(e.ctx, u.ID, resumes); err != nil {
		e.t.Fatal(err)
	}
	for _, r := range resumes {
		if r.Published() {
			return u, r.ID
		}
	}
	e.t.Fatalf("sandbox user %s has no published resume", sbu.ID)
	return nil, ""
}

// addRule saves a rule for u with sensible defaults changed by mod.
func (e *env) addRule(u *store.User, resumeID string, mod func(*rules.Rule)) *rules.Rule {
	e.t.Helper()
	r := rules.Defaults()
	r.UserID = u.ID
	r.Name = "rule"
	r.ResumeID = resumeID
	r.ActiveFrom, r.ActiveTo = "00:00", "00:00"
	r.DailyLimit = 200
	if mod != nil {
		mod(&r)
	}
	if err := e.store.CreateRule(e.ctx, &r); err != nil {
		e.t.Fatal(err)
	}
	return &r
}

// sandboxUser is the hh id of the sandbox account u is connected to.
func (e *env) sandboxUser(u *store.User) string {
	a, err := e.store.HHAccount(e.ctx, u.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	return a.HHUserID
}

// ledger returns u's ledger rows by status.
func (e *env) ledger(u *store.User) map[store.ApplicationStatus][]store.Application {
	e.t.Helper()
	rows, err := e.store.ListApplications(e.ctx, u.ID, store.ApplicationFilter{})
	if err != nil {
		e.t.Fatal(err)
	}
	out := map[store.ApplicationStatus][]store.Application{}
	for _, a := range rows {
		out[a.Status] = append(out[a.Status], a)
	}
	return out
}

// waitSettled waits until u's ledger has rows and none is queued, and the
// sandbox's applications stop changing.
func (e *env) waitSettled(users []*store.User, timeout time.Duration) {
	e.t.Helper()
	deadline := time.Now().Add(timeout)
	stable := 0
	last := -1
	for time.Now().Before(deadline) {
		queued, total := 0, 0
		for _, u := range users {
			l := e.ledger(u)
			queued += len(l[store.StatusQueued])
			for _, rows := range l {
				total += len(rows)
			}
		}
		n := len(e.sandbox.Applications())
		if queued == 0 && total > 0 && n == last {
			stable++
			if stable >= 3 {
				return
			}
		} else {
			stable = 0
		}
		last = n
		time.Sleep(200 * time.Millisecond)
	}
	e.t.Fatalf("work did not settle within %s", timeout)
}

// sandboxApplied is the set of vacancies the sandbox holds applications to
// for hh user id, failing the test on any duplicate.
func (e *env) sandboxApplied(hhUserID string) map[string]hhsandbox.Application {
	e.t.Helper()
	out := map[string]hhsandbox.Application{}
	seen := map[string]bool{}
	for _, a := range e.sandbox.Applications() {
		if a.UserID != hhUserID {
			continue
		}
		key := a.ResumeID + "/" + a.VacancyID
		if seen[key] {
			e.t.Errorf("vacancy %s applied twice at the sandbox for resume %s", a.VacancyID, a.ResumeID)
		}
		seen[key] = true
		out[a.VacancyID] = a
	}
	return out
}

// assertLedgerMatchesSandbox checks that u's applied rows are exactly the
// sandbox's applications for that account.
func (e *env) assertLedgerMatchesSandbox(u *store.User) {
	e.t.Helper()
	applied := e.sandboxApplied(e.sandboxUser(u))
	var ours []string
	for _, a := range e.ledger(u)[store.StatusApplied] {
		ours = append(ours, a.VacancyID)
		if _, ok := applied[a.VacancyID]; !ok {
			e.t.Errorf("ledger says %s applied; the sandbox has no application", a.VacancyID)
		}
	}
	if len(ours) != len(applied) {
		var theirs []string
		for id := range applied {
			theirs = append(theirs, id)
		}
		sort.Strings(ours)
		sort.Strings(theirs)
		e.t.Errorf("ledger has %d applied, sandbox %d:\nours   %v\ntheirs %v", len(ours), len(applied), ours, theirs)
	}
}

func describe(l map[store.ApplicationStatus][]store.Application) string {
	s := ""
	for _, st := range store.Statuses {
		s += fmt.Sprintf("%s=%d ", st, len(l[st]))
	}
	return s
}
