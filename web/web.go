// Package web is Otklik's web app: server-rendered pages where a job seeker
// signs in, connects hh.ru, writes rules and letter templates, clears the
// review queue and reads the history and daily summaries.
package web

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"time"

	"github.com/redis/go-redis/v9"
	"golang.org/x/crypto/bcrypt"

	"github.com/otklik/otklik/ai"
	"github.com/otklik/otklik/config"
	"github.com/otklik/otklik/hh"
	"github.com/otklik/otklik/plan"
	"github.com/otklik/otklik/store"
)

// Jobs is what the web app asks of the background worker. internal/app
// passes the worker's implementation (tasks.Jobs); the web never imports the
// queue itself.
type Jobs interface {
	// StartRule starts a run of the rule within seconds; a run already
	// pending or running is joined, not duplicated, and reported as joined.
	StartRule(ctx context.Context, userID, ruleID int64) (joined bool, err error)
	// SendApplication enqueues the apply of a review item the person sent.
	SendApplication(ctx context.Context, userID, applicationID int64) error
	// SyncOutcomes syncs the person's negotiations with hh now («Обновить»).
	SyncOutcomes(ctx context.Context, userID int64) error
}

// Telegram is what the settings page asks of the bot (TELEGRAM_BOT_TOKEN):
// its @username, for the deep link.
type Telegram interface {
	Username(ctx context.Context) (string, error)
}

// HHAccess hands out hh clients bound to one user's token.
type HHAccess interface {
	// Client returns a client with a valid token, refreshed if it expired;
	// an error when the account is not connected or must be reconnected.
	Client(ctx context.Context, userID int64) (*hh.Client, error)
	// Account is Client with the account it read: one read for a page that
	// needs both (the rule preview).
	Account(ctx context.Context, userID int64) (*hh.Client, *store.HHAccount, error)
	// Probe asks hh at once whether the user's paused account (captcha,
	// limit) may work again, lifts the pause when hh agrees and sends what
	// waits in the queue; it returns the account's state afterwards ("" when
	// none is connected). An error: hh could not be asked.
	Probe(ctx context.Context, userID int64) (store.AccountState, error)
}

// Deps is everything the web app needs. Config, Store, Redis, OAuth,
// HHAccess and Jobs are required; the rest have defaults.
type Deps struct {
	Config config.Config
	Store  *store.Store
	// Redis is the instance's Redis (in embedded mode the in-process one):
	// the sign-in throttle and the per-user share of hh's budget live there,
	// so every web process of the instance sees the same counts.
	Redis redis.UniversalClient
	// OAuth is the application's own hh client (no user token): it builds
	// the authorize URL, exchanges codes and reads dictionaries and areas.
	OAuth    *hh.Client
	HHAccess HHAccess
	Jobs     Jobs
	Logger   *slog.Logger

	// Templates replaces the embedded templates (tests; a theme).
	Templates fs.FS
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// Throttle limits sign-in attempts; DefaultThrottleLimits when zero.
	Throttle ThrottleLimits
	// FairShare limits the hh requests one person makes from the web;
	// DefaultFairShareLimits when zero.
	FairShare FairShareLimits
	// ChoicesTTL is how long hh's dictionaries, areas and professional roles
	// are cached; 6h when zero.
	ChoicesTTL time.Duration
	// Metrics, when set, is served at GET /metrics.
	Metrics http.Handler
	// QueueDashboard, when set, is served at QueueDashboardPath to admins
	// only (the asynq dashboard, asynqmon, rooted at that path).
	QueueDashboard http.Handler
	// SandboxAdmin, when set, is served at SandboxAdminPath to admins only
	// (hhsandbox's admin API, which expects the paths unchanged after
	// /sandbox); everyone else gets 404.
	SandboxAdmin http.Handler
	// Ready, when set, is checked by GET /readyz in addition to the store.
	Ready func(context.Context) error
	// PasswordCost is the bcrypt cost of new password hashes;
	// bcrypt.DefaultCost when zero. Tests lower it.
	PasswordCost int
	// TrustForwardedFor makes the sign-in throttle key on the last address
	// of X-Forwarded-For; set it only behind a reverse proxy that sets it.
	TrustForwardedFor bool
	// AI is the model the rule preview screens with; when nil and
	// Config.AI is set, it is built from Config.AI.
	AI plan.Model
	// Telegram is the bot; nil: no Telegram anywhere, nothing shown.
	Telegram Telegram
}

// Server is the web app.
type Server struct {
	handler http.Handler
}

// Handler returns the app's root handler.
func (s *Server) Handler() http.Handler { return s.handler }

// ServeHTTP serves the app.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// handler holds the dependencies every action uses.
type handler struct {
	cfg       config.Config
	store     *store.Store
	oauth     *hh.Client
	hhAccess  HHAccess
	tests     *plan.Tests // employers' tests, looked up once for the previews of this process
	jobs      Jobs
	log       *slog.Logger
	views     *views
	now       func() time.Time
	csrf      csrfSigner
	throttle  *throttle
	fair      *fairShare
	choices   *choiceCache
	choicesEN *choiceCache // the same lists in English, for the English form
	dummyHash []byte
	hashCost  int
	deviceKey []byte
	trustXFF  bool
	metrics   http.Handler
	queues    http.Handler
	sbAdmin   http.Handler
	ready     func(context.Context) error
	texts     *vacancyTexts
	// model is the AI (AI_BASE_URL) the preview screens with; nil: none.
	model plan.Model
	// telegram is the bot; nil without TELEGRAM_BOT_TOKEN.
	telegram Telegram
}

// New builds the web app. It parses every template up front, so a broken
// template is an error here and not on some page view later.
//
// In cmd/web, with the worker's pieces (tasks.Worker implements HHAccess,
// tasks.Jobs implements Jobs):
//
//	oauth, _ := hh.NewClient(hh.Config{APIURL: cfg.HHAPIURL, OAuthURL: cfg.HHOAuthURL,
//		UserAgent: cfg.HHUserAgent, ClientID: cfg.HHClientID, ClientSecret: cfg.HHClientSecret})
//	srv, err := web.New(web.Deps{Config: cfg, Store: st, OAuth: oauth,
//		HHAccess: worker, Jobs: tasks.Jobs{Queue: queue, Store: st}, Logger: logger,
//		Metrics: promhttp.Handler()})
//	http.ListenAndServe(cfg.ListenAddr, srv.Handler())
func New(d Deps) (*Server, error) {
	switch {
	case d.Store == nil:
		return nil, errors.New("web: Deps.Store is required")
	case d.Redis == nil:
		return nil, errors.New("web: Deps.Redis is required")
	case d.OAuth == nil:
		return nil, errors.New("web: Deps.OAuth is required")
	case d.HHAccess == nil:
		return nil, errors.New("web: Deps.HHAccess is required")
	case d.Jobs == nil:
		return nil, errors.New("web: Deps.Jobs is required")
	case d.Config.BaseURL == nil:
		return nil, errors.New("web: Deps.Config.BaseURL is required")
	case len(d.Config.SecretKey) < 32:
		return nil, errors.New("web: Deps.Config.SecretKey must hold at least 32 bytes")
	}
	tfs := d.Templates
	if tfs == nil {
		sub, err := fs.Sub(embedded, "templates")
		if err != nil {
			return nil, fmt.Errorf("web: templates: %w", err)
		}
		tfs = sub
	}
	v, err := parseViews(tfs)
	if err != nil {
		return nil, err
	}
	log := d.Logger
	if log == nil {
		log = slog.Default()
	}
	now := d.Now
	if now == nil {
		now = time.Now
	}
	limits := d.Throttle
	if limits == (ThrottleLimits{}) {
		limits = DefaultThrottleLimits
	}
	fair := d.FairShare
	if fair == (FairShareLimits{}) {
		fair = DefaultFairShareLimits
	}
	ttl := d.ChoicesTTL
	if ttl == 0 {
		ttl = 6 * time.Hour
	}
	// Compared against when an e-mail is unknown, so an unknown e-mail
	// costs the same bcrypt time as a wrong password.
	cost := d.PasswordCost
	if cost == 0 {
		cost = bcrypt.DefaultCost
	}
	dummy, err := bcrypt.GenerateFromPassword([]byte(randomToken()), cost)
	if err != nil {
		return nil, fmt.Errorf("web: dummy hash: %w", err)
	}
	h := &handler{
		cfg:       d.Config,
		store:     d.Store,
		oauth:     d.OAuth,
		hhAccess:  d.HHAccess,
		tests:     plan.NewTests(d.Store),
		jobs:      d.Jobs,
		log:       log,
		views:     v,
		now:       now,
		throttle:  newThrottle(d.Redis, limits),
		fair:      newFairShare(d.Redis, fair),
		choices:   newChoiceCache(d.OAuth, ttl, now),
		choicesEN: newChoiceCache(d.OAuth.WithLocale("EN"), ttl, now),
		dummyHash: dummy,
		hashCost:  cost,
		deviceKey: deriveKey(d.Config.SecretKey, "web known device"),
		trustXFF:  d.TrustForwardedFor,
		metrics:   d.Metrics,
		queues:    d.QueueDashboard,
		sbAdmin:   d.SandboxAdmin,
		ready:     d.Ready,
		texts:     &vacancyTexts{rdb: d.Redis},
		model:     d.AI,
		telegram:  d.Telegram,
	}
	if h.model == nil && d.Config.AI.Enabled() {
		c := d.Config.AI
		h.model = ai.New(ai.Config{BaseURL: c.BaseURL, APIKey: c.APIKey, Model: c.Model, DailyTokens: c.DailyTokens}, d.Store)
	}
	h.csrf = csrfSigner{key: deriveKey(d.Config.SecretKey, "web csrf"), secure: d.Config.SecureCookies(),
		cookie: h.cookieName(preSessionCookie)}
	return &Server{handler: h.middleware(h.routes())}, nil
}
