// Package hh is a typed client of the applicant side of the hh.ru API: OAuth,
// the user's profile and resumes, vacancy search, applications, blacklists and
// dictionaries, with strictly decoded responses and one error type.
//
// A Client holds the application's configuration and no user state; bind it to
// one user's access token with WithToken for each request or task:
//
//	c, err := hh.NewClient(hh.Config{UserAgent: "Otklik/1.0 (ops@example.com)"})
//	me, err := c.WithToken(accessToken).Me(ctx)
//
// Every request sends HH-User-Agent (and Authorization: Bearer when bound to a
// token), waits on the configured Limiter, honours its context and a
// per-attempt timeout, and reports each HTTP attempt to Config.Observe. Only
// GET requests are retried. Responses are checked against the fields hh's
// official OpenAPI description marks required (see DecodeError), and every
// non-2xx answer is an *Error that the predicates in this package
// (IsTokenExpired, IsLimitExceeded, CaptchaURL, …) classify.
//
// The API is documented at https://api.hh.ru/openapi/redoc.
package hh

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Default endpoints.
const (
	DefaultAPIURL   = "https://api.hh.ru"
	DefaultOAuthURL = "https://hh.ru"
)

// Defaults applied by NewClient to zero Config fields.
const (
	DefaultTimeout    = 30 * time.Second
	DefaultMaxRetries = 2
)

// Operation names reported in RequestInfo.Op and Error.Op. They are stable and
// suitable as metric labels.
const (
	OpToken                = "token"
	OpRevokeToken          = "revoke_token"
	OpMe                   = "me"
	OpMyResumes            = "my_resumes"
	OpResume               = "resume"
	OpSimilarVacancies     = "similar_vacancies"
	OpVacancy              = "vacancy"
	OpApply                = "apply"
	OpNegotiations         = "negotiations"
	OpBlacklistedVacancies = "blacklisted_vacancies"
	OpBlacklistVacancy     = "blacklist_vacancy"
	OpUnblacklistVacancy   = "unblacklist_vacancy"
	OpBlacklistedEmployers = "blacklisted_employers"
	OpBlacklistEmployer    = "blacklist_employer"
	OpUnblacklistEmployer  = "unblacklist_employer"
	OpDictionaries         = "dictionaries"
	OpAreas                = "areas"
	OpProfessionalRoles    = "professional_roles"
	OpPublishResume        = "publish_resume"
)

// Limiter paces requests. Wait blocks until one request may be sent or ctx is
// done. *golang.org/x/time/rate.Limiter satisfies it; a shared budget across
// processes (for example in Redis) can too.
type Limiter interface {
	Wait(ctx context.Context) error
}

// RequestInfo describes one HTTP attempt, reported to Config.Observe after it
// completes. It never carries tokens or request bodies.
type RequestInfo struct {
	Op       string        // operation name, one of the Op constants
	Method   string        // HTTP method
	Status   int           // HTTP status; 0 when no response arrived
	Duration time.Duration // time from sending to the end of the body
	Attempt  int           // 1 for the first attempt, 2 for the first retry…
	Err      error         // the attempt's error, nil on success
}

// Config configures a Client. Only UserAgent is required.
type Config struct {
	// APIURL is the API base, DefaultAPIURL when empty. It may carry a path
	// prefix (for example http://localhost:8080/sandbox).
	APIURL string
	// OAuthURL is where /oauth/authorize lives, DefaultOAuthURL when empty.
	OAuthURL string
	// UserAgent is sent as HH-User-Agent; hh requires it, as
	// "AppName/1.0 (contact@example.com)".
	UserAgent string
	// ClientID and ClientSecret identify the application at dev.hh.ru; they
	// are needed only for AuthorizeURL and ExchangeCode.
	ClientID     string
	ClientSecret string
	// HTTPClient sends the requests; when nil, a shared client whose transport
	// keeps enough idle connections to hh for a busy worker.
	// Its Timeout should be zero: Timeout below bounds each attempt.
	HTTPClient *http.Client
	// Limiter, when set, is waited on before every attempt.
	Limiter Limiter
	// Timeout bounds each attempt, body included; DefaultTimeout when zero.
	Timeout time.Duration
	// MaxRetries is how many times a failed GET is retried;
	// DefaultMaxRetries when zero, no retries when negative.
	MaxRetries int
	// Observe, when set, is called after every HTTP attempt.
	Observe func(RequestInfo)
}

// Client is an hh.ru API client. It is safe for concurrent use and holds no
// mutable state; WithToken returns a copy bound to one user's access token.
type Client struct {
	apiURL       *url.URL
	oauthURL     *url.URL
	userAgent    string
	clientID     string
	clientSecret string
	httpClient   *http.Client
	noRedirect   *http.Client // for POST /negotiations, whose 303 must not be followed
	limiter      Limiter
	timeout      time.Duration
	maxRetries   int
	observe      func(RequestInfo)
	token        string
	locale       string // hh's locale parameter on API calls; "" is hh's default (RU)

	retryBase time.Duration                                    // first backoff step
	sleepFn   func(ctx context.Context, d time.Duration) error // tests replace the retry wait
}

// defaultHTTPClient carries the requests of every client built without an
// HTTPClient of its own. Its transport keeps up to maxIdlePerHost idle
// connections to a host: every request goes to one host (api.hh.ru), and
// net/http's default of two meant that a worker with a few POSTs in flight
// closed the extra connections as they finished and dialled (and, against
// hh, TLS-handshook) anew for the next ones: in the load harness, 293 new
// connections for 800 requests.
var defaultHTTPClient = &http.Client{Transport: newTransport()}

const maxIdlePerHost = 64

func newTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = maxIdlePerHost
	return t
}

// NewClient returns a client configured by cfg. It refuses an empty UserAgent
// and base URLs that are not absolute http(s) URLs without query or fragment.
func NewClient(cfg Config) (*Client, error) {
	if strings.TrimSpace(cfg.UserAgent) == "" {
		return nil, errors.New("hh: new client: UserAgent is required (hh refuses requests without HH-User-Agent)")
	}
	if strings.ContainsAny(cfg.UserAgent, "\r\n") {
		return nil, errors.New("hh: new client: UserAgent must be one line")
	}
	apiURL, err := parseBaseURL("APIURL", cfg.APIURL, DefaultAPIURL)
	if err != nil {
		return nil, err
	}
	oauthURL, err := parseBaseURL("OAuthURL", cfg.OAuthURL, DefaultOAuthURL)
	if err != nil {
		return nil, err
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = defaultHTTPClient
	}
	nr := *hc
	nr.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	c := &Client{
		apiURL:       apiURL,
		oauthURL:     oauthURL,
		userAgent:    cfg.UserAgent,
		clientID:     cfg.ClientID,
		clientSecret: cfg.ClientSecret,
		httpClient:   hc,
		noRedirect:   &nr,
		limiter:      cfg.Limiter,
		timeout:      cfg.Timeout,
		maxRetries:   cfg.MaxRetries,
		observe:      cfg.Observe,
		retryBase:    retryBaseDelay,
	}
	if c.timeout <= 0 {
		c.timeout = DefaultTimeout
	}
	switch {
	case c.maxRetries == 0:
		c.maxRetries = DefaultMaxRetries
	case c.maxRetries < 0:
		c.maxRetries = 0
	}
	return c, nil
}

func parseBaseURL(name, raw, def string) (*url.URL, error) {
	if raw == "" {
		raw = def
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("hh: new client: %s: %w", name, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("hh: new client: %s %q is not an absolute http(s) URL", name, raw)
	}
	if u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return nil, fmt.Errorf("hh: new client: %s %q must not carry a query, fragment or user info", name, raw)
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	u.RawPath = strings.TrimSuffix(u.RawPath, "/")
	return u, nil
}

// WithToken returns a copy of c that sends Authorization: Bearer accessToken
// with every request. c itself is unchanged.
func (c *Client) WithToken(accessToken string) *Client {
	cc := *c
	cc.token = accessToken
	return &cc
}

// WithLocale returns a copy of the client whose API calls ask hh for
// locale ("EN"; "" for hh's default, RU): dictionaries, areas and
// professional roles then come in that language where hh has it.
func (c *Client) WithLocale(locale string) *Client {
	cc := *c
	cc.locale = locale
	return &cc
}

// resolve joins an escaped relative path such as "resumes/abc/similar_vacancies"
// onto base, keeping base's own path prefix.
func resolve(base *url.URL, rel string, query url.Values) (*url.URL, error) {
	u, err := url.Parse(base.String() + "/" + strings.TrimPrefix(rel, "/"))
	if err != nil {
		return nil, err
	}
	if len(query) > 0 {
		u.RawQuery = query.Encode()
	}
	return u, nil
}
