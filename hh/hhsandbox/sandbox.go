// Package hhsandbox is a faithful, stateful emulator of hh.ru for tests and the
// zero-setup demo: one http.Handler serving both hh hosts (the OAuth pages of
// hh.ru and the api.hh.ru API) over a deterministic, seeded dataset.
//
// It follows hh's documented behaviour (errors, paging limits, token rules,
// application refusals) and its responses validate against hh's OpenAPI
// description. Tests drive it over HTTP like a real client would and inspect
// or steer it through the Go methods of *Sandbox (Applications, Refusals,
// SetFaults, Advance, SetRelation, SetNegotiation, PublishNew, PutVacancy, IssueToken,
// ExpireTokens, RevokeTokens, Reset…) or the same operations as JSON under
// /_sandbox/ (GET /_sandbox/ lists them). The admin API has no
// authentication of its own: standalone, the sandbox holds only made-up
// data. A host that lets real people use it (their letters reach it) sets
// Options.HideAdmin and serves AdminHandler behind its own access control.
// New keeps the state in memory; Open keeps it in a file as well, so that a
// restart of the host keeps the tokens and applications (Close saves it last).
//
// Served paths: GET/POST /oauth/authorize (login, consent, account choice),
// /account/captcha, /vacancy/{id}, /applicant/negotiations/item; POST /token (and the deprecated POST
// /oauth/token), DELETE /oauth/token, GET /me, GET /resumes/mine,
// GET /resumes/{id}/similar_vacancies, GET /vacancies/{id}, POST and GET
// /negotiations, GET /negotiations/{id}, the vacancy and employer blacklists,
// GET /dictionaries, GET /areas, GET /areas/{id}, GET /professional_roles.
package hhsandbox

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"html/template"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Defaults applied by New to zero Options fields.
const (
	DefaultVacancies  = 3000
	DefaultTokenTTL   = 14 * 24 * time.Hour
	DefaultCodeTTL    = 10 * time.Minute
	DefaultDailyLimit = 200
	DefaultClientID   = "SANDBOXCLIENTID0000000000000000"
)

// Options configure a Sandbox. Zero values take the defaults above.
type Options struct {
	// Seed makes the dataset, tokens and fault draws reproducible.
	Seed int64
	// Vacancies is the size of the generated catalogue (default 3000).
	Vacancies int
	// ClientID and ClientSecret are the registered application's credentials.
	// Empty ClientID means DefaultClientID; empty ClientSecret is derived
	// from the seed.
	ClientID, ClientSecret string
	// RedirectURI is the application's registered redirect URI, checked by
	// hh's rules (subdomain, deeper path and extra query allowed). Empty
	// accepts any absolute http(s) URI, and authorize then requires one.
	RedirectURI string
	// BaseURL is the public URL of the sandbox, including any mount prefix
	// (e.g. "http://localhost:8080/sandbox"). It is used in url fields,
	// Location headers and captcha links. Empty derives scheme and host from
	// each request, with no prefix.
	BaseURL string
	// TokenTTL is the access-token lifetime (default 14 days).
	TokenTTL time.Duration
	// CodeTTL is the authorization-code lifetime (default 10 minutes).
	CodeTTL time.Duration
	// DailyLimit is the number of applications a user may send in a rolling
	// 24 hours (default 200).
	DailyLimit int
	// Clock is the time source the virtual clock runs on (default
	// time.Now). Advance and SetNow shift the sandbox's time relative to it.
	Clock func() time.Time
	// Faults are the initial fault-injection settings.
	Faults Faults
	// HideAdmin leaves the admin API (/_sandbox/) out of ServeHTTP, which
	// then answers 404 there like for any unknown path; AdminHandler serves
	// it instead, for the host to put behind its own access control.
	HideAdmin bool
	// EmployerActivity makes employers act on applications over sandbox
	// time, deterministically by negotiation: about 60% are viewed some
	// minutes after they were sent, and of those about a third are invited
	// and about a third discarded some minutes later (see employerActs).
	// The zero-setup demo turns it on so its funnel lives; tests leave it
	// off and set outcomes with SetNegotiation.
	EmployerActivity bool
	// Logger hears of a state file that could not be written (Open only);
	// nil means slog.Default().
	Logger *slog.Logger
}

// Sandbox is the hh emulator. It is safe for concurrent use.
type Sandbox struct {
	opts    Options
	mux     *http.ServeMux
	pages   *template.Template
	dicts   dictionaries
	roles   []byte // GET /professional_roles
	areas   *areaTree
	signKey []byte

	requestSeq atomic.Uint64

	mu     sync.Mutex
	offset time.Duration // virtual clock: Now() = opts.Clock() + offset
	faults Faults
	rng    *rand.Rand // tokens, request ids and fault draws
	src    *rand.PCG  // rng's source, whose position a state file keeps
	st     *state

	saver *saver // nil unless opened with Open
}

// New builds a Sandbox with its dataset generated from opts.Seed.
func New(opts Options) *Sandbox {
	if opts.Vacancies <= 0 {
		opts.Vacancies = DefaultVacancies
	}
	if opts.ClientID == "" {
		opts.ClientID = DefaultClientID
	}
	if opts.ClientSecret == "" {
		opts.ClientSecret = derivedSecret(opts.Seed)
	}
	if opts.TokenTTL <= 0 {
		opts.TokenTTL = DefaultTokenTTL
	}
	if opts.CodeTTL <= 0 {
		opts.CodeTTL = DefaultCodeTTL
	}
	if opts.DailyLimit <= 0 {
		opts.DailyLimit = DefaultDailyLimit
	}
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	opts.BaseURL = strings.TrimRight(opts.BaseURL, "/")
	mac := hmac.New(sha256.New, []byte(opts.ClientSecret))
	_ = binary.Write(mac, binary.BigEndian, opts.Seed)
	s := &Sandbox{
		opts:    opts,
		pages:   parsePages(),
		dicts:   loadDictionaries(),
		roles:   professionalRolesJSON(),
		areas:   newAreaTree(),
		signKey: mac.Sum(nil),
	}
	s.resetLocked()
	s.mux = s.routes()
	return s
}

// resetLocked restores the initial state: dataset, faults, tokens, history.
// The virtual clock keeps its position. Callers hold s.mu or own s.
func (s *Sandbox) resetLocked() {
	seed := uint64(s.opts.Seed)
	s.src = rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)
	s.rng = rand.New(s.src)
	s.faults = s.opts.Faults.withDefaults(s.opts)
	s.st = newState(s.opts.Seed, s.opts.Vacancies, s.nowLocked(), s.areas, s.dicts.rates)
}

// ServeHTTP serves the OAuth pages, the API and, unless Options.HideAdmin,
// the admin API.
func (s *Sandbox) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mux.ServeHTTP(w, r)
	s.changed()
}

// ClientID is the registered application's client_id.
func (s *Sandbox) ClientID() string { return s.opts.ClientID }

// ClientSecret is the registered application's client_secret.
func (s *Sandbox) ClientSecret() string { return s.opts.ClientSecret }

// RedirectURI is the registered redirect URI ("" when any is accepted).
func (s *Sandbox) RedirectURI() string { return s.opts.RedirectURI }

// Now is the sandbox's current (virtual) time.
func (s *Sandbox) Now() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.nowLocked()
}

func (s *Sandbox) nowLocked() time.Time { return s.opts.Clock().Add(s.offset) }

// Advance moves the virtual clock forward by d (backward if d < 0).
func (s *Sandbox) Advance(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.offset += d
}

// SetNow moves the virtual clock so that Now returns t at this instant.
func (s *Sandbox) SetNow(t time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.offset = t.Sub(s.opts.Clock())
}

// Reset restores the initial dataset and forgets every token, application,
// refusal, blacklist entry and relation; faults return to Options.Faults.
// The virtual clock keeps its position, and the catalogue's publication times
// are spread back from it.
func (s *Sandbox) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.resetLocked()
}

// baseURL is the public URL of the sandbox for links in responses.
func (s *Sandbox) baseURL(r *http.Request) string {
	if s.opts.BaseURL != "" {
		return s.opts.BaseURL
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	if p := r.Header.Get("X-Forwarded-Proto"); p == "http" || p == "https" {
		scheme = p
	}
	return scheme + "://" + r.Host
}

// cookiePath scopes the sign-in cookie to the sandbox's mount point.
func (s *Sandbox) cookiePath() string {
	if s.opts.BaseURL == "" {
		return "/"
	}
	u, err := url.Parse(s.opts.BaseURL)
	if err != nil || u.Path == "" {
		return "/"
	}
	return u.Path
}

func derivedSecret(seed int64) string {
	sum := sha256.Sum256(fmt.Appendf(nil, "hhsandbox-secret-%d", seed))
	return strings.ToUpper(fmt.Sprintf("%x", sum[:16]))
}

// randomString returns n characters of [A-Z0-9] from the seeded source.
func (s *Sandbox) randomString(n int) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[s.rng.IntN(len(alphabet))]
	}
	return string(b)
}

// newRequestID returns a fresh hh-style request id (32 hex characters). It
// takes no lock, so handlers may call it while holding s.mu.
func (s *Sandbox) newRequestID() string {
	n := s.requestSeq.Add(1)
	mac := hmac.New(sha256.New, s.signKey)
	_ = binary.Write(mac, binary.BigEndian, n)
	return fmt.Sprintf("%x", mac.Sum(nil)[:16])
}
