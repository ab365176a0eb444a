package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"sync"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
	"golang.org/x/sync/errgroup"

	"github.com/otklik/otklik/hh"
	"github.com/otklik/otklik/hh/hhsandbox"
	"github.com/otklik/otklik/internal/redisclock"
	"github.com/otklik/otklik/rules"
	"github.com/otklik/otklik/store"
)

// letterTemplate is every rule's template, so every application carries a
// rendered letter (as a real rule with a template does).
const letterTemplate = "Здравствуйте! Меня заинтересовала вакансия «{vacancy}» в {company}. " +
	"Моё резюме «{resume}» приложено. С уважением, {first_name} {last_name}."

// world is the harness's side: the sandbox, the store, Redis and the users.
type world struct {
	o        options
	dir      string
	sandbox  *hhsandbox.Sandbox
	counts   *hhsandbox.Counter
	hhURL    string
	server   *http.Server
	store    *store.Store
	dbPath   string
	secret   []byte
	redisCfg workerConfig // only the Redis fields
	conn     asynq.RedisConnOpt
	rdb      redis.UniversalClient
	mini     *miniredis.Miniredis
	stopMini func()
	queue    *asynq.Client
	insp     *asynq.Inspector
	users    []loadUser
}

// loadUser is one Otklik user and their rules.
type loadUser struct {
	ID      int64
	HHID    string
	RuleIDs []int64
}

func newWorld(ctx context.Context, o options, dir string) (*world, error) {
	w := &world{o: o, dir: dir}
	w.sandbox = hhsandbox.New(hhsandbox.Options{Seed: o.Seed, Vacancies: o.Vacancies})
	w.counts = hhsandbox.NewCounter(w.sandbox)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	w.hhURL = "http://" + ln.Addr().String()
	w.server = &http.Server{Handler: w.counts, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = w.server.Serve(ln) }()

	w.secret = make([]byte, 32)
	_, _ = rand.Read(w.secret)
	cipher, err := store.NewCipherFromSecret(w.secret)
	if err != nil {
		return nil, err
	}
	w.dbPath = filepath.Join(dir, "otklik.db")
	if o.Database != "" {
		w.dbPath = o.Database
	}
	if w.store, err = store.Open(ctx, w.dbPath, store.Options{Cipher: cipher, Migrate: true}); err != nil {
		return nil, err
	}
	if err := w.openRedis(ctx); err != nil {
		w.close()
		return nil, err
	}
	w.queue = asynq.NewClient(w.conn)
	w.insp = asynq.NewInspector(w.conn)
	return w, nil
}

func (w *world) openRedis(ctx context.Context) error {
	if w.o.Redis == "embedded" {
		w.mini = miniredis.NewMiniRedis()
		if err := w.mini.StartAddr("127.0.0.1:0"); err != nil {
			return err
		}
		// miniredis expires keys only when told time has passed.
		w.stopMini = redisclock.Follow(w.mini, 100*time.Millisecond)
		w.redisCfg = workerConfig{RedisAddr: w.mini.Addr()}
		w.conn = asynq.RedisClientOpt{Addr: w.mini.Addr()}
		w.rdb = redis.NewClient(&redis.Options{Addr: w.mini.Addr()})
		return nil
	}
	opt, err := redis.ParseURL(w.o.Redis)
	if err != nil {
		return fmt.Errorf("-redis: %w", err)
	}
	opt.DB = w.o.RedisDB
	w.redisCfg = workerConfig{RedisAddr: opt.Addr, RedisUser: opt.Username, RedisPassword: opt.Password, RedisDB: opt.DB}
	w.conn = asynq.RedisClientOpt{Addr: opt.Addr, Username: opt.Username, Password: opt.Password, DB: opt.DB}
	w.rdb = redis.NewClient(opt)
	if err := w.rdb.FlushDB(ctx).Err(); err != nil {
		return fmt.Errorf("flush Redis DB %d: %w", opt.DB, err)
	}
	return nil
}

func (w *world) close() {
	if w.insp != nil {
		_ = w.insp.Close()
	}
	if w.queue != nil {
		_ = w.queue.Close()
	}
	if w.rdb != nil {
		_ = w.rdb.Close()
	}
	if w.mini != nil {
		w.stopMini()
		w.mini.Close()
	}
	if w.store != nil {
		_ = w.store.Close()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = w.server.Shutdown(ctx)
}

// workerConfig is the configuration of worker process i.
func (w *world) workerConfig(i int) workerConfig {
	c := w.redisCfg
	c.Database = w.dbPath
	c.SecretHex = hex.EncodeToString(w.secret)
	c.HHURL = w.hhURL
	c.ClientID = w.sandbox.ClientID()
	c.ClientSecret = w.sandbox.ClientSecret()
	c.RateLimit = w.o.Rate
	c.ApplyInterval = w.o.ApplyInterval
	c.Concurrency = w.o.Concurrency
	c.BusyAfter, c.QuietAfter = w.o.BusyAfter, w.o.QuietAfter
	c.Timings = filepath.Join(w.dir, fmt.Sprintf("timings-%d.tsv", i))
	c.LogFile = filepath.Join(w.dir, fmt.Sprintf("worker-%d.log", i))
	if w.o.CPUProfile != "" {
		c.CPUProfile = fmt.Sprintf("%s-w%d", w.o.CPUProfile, i)
	}
	return c
}

// populate creates the users, connects each to its own sandbox applicant (a
// token issued as if they had walked the OAuth pages, the resumes read over
// the API) and gives each o.Rules rules.
func (w *world) populate(ctx context.Context) error {
	applicants := w.sandbox.AddApplicants(w.o.Users)
	w.users = make([]loadUser, len(applicants))
	hc, err := hh.NewClient(hh.Config{APIURL: w.hhURL, OAuthURL: w.hhURL, UserAgent: "OtklikLoadtest/1.0 (loadtest@otklik.example)"})
	if err != nil {
		return err
	}
	var mu sync.Mutex
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(8)
	for i, a := range applicants {
		g.Go(func() error {
			u, err := w.connect(gctx, hc, i, a)
			if err != nil {
				return err
			}
			mu.Lock()
			w.users[i] = u
			mu.Unlock()
			return nil
		})
	}
	return g.Wait()
}

func (w *world) connect(ctx context.Context, hc *hh.Client, i int, a hhsandbox.User) (loadUser, error) {
	u, err := w.store.CreateUser(ctx, fmt.Sprintf("load%05d@otklik.test", i),
		"$2a$10$loadtestloadtestloadtestloadtestloadtestloadtestloadte")
	if err != nil {
		return loadUser{}, err
	}
	tok, err := w.sandbox.IssueToken(a.ID)
	if err != nil {
		return loadUser{}, err
	}
	err = w.store.SaveHHAccount(ctx, u.ID, store.HHAccount{
		HHUserID: a.ID, FirstName: a.FirstName, LastName: a.LastName,
		Token: hh.Token{AccessToken: tok.AccessToken, RefreshToken: tok.RefreshToken, TokenType: "bearer", ExpiresAt: tok.ExpiresAt},
	})
	if err != nil {
		return loadUser{}, err
	}
	resumes, err := hc.WithToken(tok.AccessToken).MyResumes(ctx)
	if err != nil {
		return loadUser{}, err
	}
	if err := w.store.ReplaceResumes(ctx, u.ID, resumes); err != nil {
		return loadUser{}, err
	}
	var published []string
	for _, r := range resumes {
		if r.Published() {
			published = append(published, r.ID)
		}
	}
	if len(published) == 0 {
		return loadUser{}, errors.New("sandbox applicant " + a.ID + " has no published resume")
	}
	lu := loadUser{ID: u.ID, HHID: a.ID}
	for k := range w.o.Rules {
		r := rules.Defaults()
		r.UserID = u.ID
		r.Name = fmt.Sprintf("rule %d", k+1)
		r.ResumeID = published[k%len(published)]
		r.Mode = rules.Mode(w.o.Mode)
		r.LetterTemplate = letterTemplate
		r.DailyLimit = w.o.DailyLimit
		r.EveryHours = 24
		r.ActiveFrom, r.ActiveTo = "00:00", "00:00"
		if err := w.store.CreateRule(ctx, &r); err != nil {
			return loadUser{}, err
		}
		lu.RuleIDs = append(lu.RuleIDs, r.ID)
	}
	return lu, nil
}
