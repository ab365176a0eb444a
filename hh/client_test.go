package hh

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/time/rate"
)

// rate.Limiter is what the worker's tests and the simplest deployments plug in.
var _ Limiter = (*rate.Limiter)(nil)

func TestNewClient(t *testing.T) {
	c, err := NewClient(Config{UserAgent: testUserAgent})
	if err != nil {
		t.Fatal(err)
	}
	if c.apiURL.String() != DefaultAPIURL || c.oauthURL.String() != DefaultOAuthURL {
		t.Errorf("defaults: api %s, oauth %s", c.apiURL, c.oauthURL)
	}
	if c.timeout != DefaultTimeout || c.maxRetries != DefaultMaxRetries {
		t.Errorf("defaults: timeout %s, retries %d", c.timeout, c.maxRetries)
	}
	if c2, _ := NewClient(Config{UserAgent: testUserAgent, MaxRetries: -1}); c2.maxRetries != 0 {
		t.Errorf("MaxRetries -1 gives %d retries, want 0", c2.maxRetries)
	}

	bad := []Config{
		{},
		{UserAgent: "   "},
		{UserAgent: "a\r\nX-Injected: 1"},
		{UserAgent: testUserAgent, APIURL: "api.hh.ru"},
		{UserAgent: testUserAgent, APIURL: "ftp://api.hh.ru"},
		{UserAgent: testUserAgent, APIURL: "https://api.hh.ru/?x=1"},
		{UserAgent: testUserAgent, APIURL: "https://user:pass@api.hh.ru"},
		{UserAgent: testUserAgent, APIURL: "://bad"},
		{UserAgent: testUserAgent, OAuthURL: "/relative"},
	}
	for _, cfg := range bad {
		if _, err := NewClient(cfg); err == nil {
			t.Errorf("NewClient(%+v) succeeded, want an error", cfg)
		}
	}
}

func TestWithTokenCopies(t *testing.T) {
	c, err := NewClient(Config{UserAgent: testUserAgent})
	if err != nil {
		t.Fatal(err)
	}
	a, b := c.WithToken("USERA"), c.WithToken("USERB")
	if c.token != "" || a.token != "USERA" || b.token != "USERB" {
		t.Errorf("tokens: base %q, a %q, b %q", c.token, a.token, b.token)
	}
}

func TestBasePathPrefix(t *testing.T) {
	c, mux := setup(t)
	mux.HandleFunc("/resumes/a%2Fb/similar_vacancies", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.EscapedPath() != "/resumes/a%2Fb/similar_vacancies" {
			t.Errorf("path = %s", r.URL.EscapedPath())
		}
		writeJSON(w, http.StatusOK, string(fixture(t, "similar_vacancies.json")))
	})
	// An id with a slash stays one path segment under the /sandbox prefix.
	if _, err := c.SimilarVacancies(context.Background(), "a/b", SimilarVacanciesParams{}); err != nil {
		t.Fatal(err)
	}
}

func TestRetryGET(t *testing.T) {
	c, mux := setup(t)
	var calls atomic.Int32
	mux.HandleFunc("/me", func(w http.ResponseWriter, r *http.Request) {
		switch calls.Add(1) {
		case 1:
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusBadGateway)
			w.Write([]byte("<html><body><h1>502 Bad Gateway</h1></body></html>"))
		case 2:
			writeJSON(w, http.StatusServiceUnavailable, `{"request_id":"r2","errors":[{"type":"service_unavailable"}]}`)
		default:
			writeJSON(w, http.StatusOK, string(fixture(t, "me.json")))
		}
	})
	me, err := c.Me(context.Background())
	if err != nil {
		t.Fatalf("Me after two failures: %v", err)
	}
	if me.FirstName != "Иван" || calls.Load() != 3 {
		t.Errorf("got %q after %d calls, want Иван after 3", me.FirstName, calls.Load())
	}
}

func TestRetryGiveUp(t *testing.T) {
	c, mux := setup(t)
	var calls atomic.Int32
	mux.HandleFunc("/me", func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.WriteHeader(http.StatusInternalServerError)
	})
	_, err := c.Me(context.Background())
	if e := hhError(t, err); e.StatusCode != 500 || !IsRetryable(err) {
		t.Errorf("err = %v", err)
	}
	if calls.Load() != 1+DefaultMaxRetries {
		t.Errorf("%d calls, want %d", calls.Load(), 1+DefaultMaxRetries)
	}
}

func TestRetryAfter(t *testing.T) {
	date := time.Now().Add(5 * time.Second).UTC().Format(http.TimeFormat)
	tests := []struct {
		header string
		min    time.Duration
		max    time.Duration
		calls  int32
	}{
		{"2", 2 * time.Second, 2 * time.Second, 2},
		{date, 3 * time.Second, 5 * time.Second, 2},
		{"3600", 0, 0, 1}, // longer than the client waits: handed to the caller
	}
	for _, tt := range tests {
		t.Run(tt.header, func(t *testing.T) {
			c, mux := setup(t)
			var waits []time.Duration
			c.sleepFn = func(ctx context.Context, d time.Duration) error {
				waits = append(waits, d)
				return nil
			}
			var calls atomic.Int32
			mux.HandleFunc("/dictionaries", func(w http.ResponseWriter, r *http.Request) {
				if calls.Add(1) == 1 {
					w.Header().Set("Retry-After", tt.header)
					w.WriteHeader(http.StatusTooManyRequests)
					return
				}
				writeJSON(w, http.StatusOK, string(fixture(t, "dictionaries.json")))
			})
			_, err := c.Dictionaries(context.Background())
			if calls.Load() != tt.calls {
				t.Fatalf("%d calls, want %d (err %v)", calls.Load(), tt.calls, err)
			}
			if tt.calls == 1 {
				e := hhError(t, err)
				if e.RetryAfter != time.Hour || !IsRetryable(err) || IsLimitExceeded(err) {
					t.Errorf("err = %+v: want a retryable 429 with RetryAfter 1h", e)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(waits) != 1 || waits[0] < tt.min || waits[0] > tt.max {
				t.Errorf("waited %v, want one wait in [%s, %s]", waits, tt.min, tt.max)
			}
		})
	}
}

func TestNoRetryForNonGET(t *testing.T) {
	for _, tc := range []struct {
		name string
		path string
		call func(c *Client) error
	}{
		{"apply", "/negotiations", func(c *Client) error {
			_, err := c.Apply(context.Background(), "1", "r1", "")
			return err
		}},
		{"blacklist", "/vacancies/blacklisted/1", func(c *Client) error {
			return c.BlacklistVacancy(context.Background(), "1")
		}},
		{"revoke", "/oauth/token", func(c *Client) error { return c.RevokeToken(context.Background()) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, mux := setup(t)
			var calls atomic.Int32
			mux.HandleFunc(tc.path, func(w http.ResponseWriter, r *http.Request) {
				calls.Add(1)
				writeJSON(w, http.StatusServiceUnavailable, `{"errors":[{"type":"service_unavailable"}]}`)
			})
			if err := tc.call(c); !IsRetryable(err) {
				t.Errorf("err = %v, want a retryable 503", err)
			}
			if calls.Load() != 1 {
				t.Errorf("%d calls, want exactly 1", calls.Load())
			}
		})
	}
}

func TestContextCanceled(t *testing.T) {
	c, mux := setup(t)
	ctx, cancel := context.WithCancel(context.Background())
	var calls atomic.Int32
	mux.HandleFunc("/me", func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		cancel()
		<-r.Context().Done()
	})
	_, err := c.Me(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if IsRetryable(err) || calls.Load() != 1 {
		t.Errorf("canceled request retried or retryable: %d calls, %v", calls.Load(), err)
	}
	// An already canceled context sends nothing.
	if _, err := c.Me(ctx); !errors.Is(err, context.Canceled) || calls.Load() != 1 {
		t.Errorf("err = %v after %d calls", err, calls.Load())
	}
}

func TestCallerDeadline(t *testing.T) {
	c, mux := setup(t)
	mux.HandleFunc("/me", func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := c.Me(ctx)
	if !errors.Is(err, context.DeadlineExceeded) || IsRetryable(err) {
		t.Errorf("err = %v: want the caller's DeadlineExceeded, not retryable", err)
	}
}

func TestTimeout(t *testing.T) {
	var calls atomic.Int32
	c, mux := setup(t, func(cfg *Config) { cfg.Timeout = 50 * time.Millisecond; cfg.MaxRetries = 1 })
	mux.HandleFunc("/me", func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	})
	start := time.Now()
	_, err := c.Me(context.Background())
	if !errors.Is(err, ErrTimeout) || !IsRetryable(err) {
		t.Fatalf("err = %v, want a retryable ErrTimeout", err)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		t.Error("an attempt timeout must not look like the caller's deadline")
	}
	if calls.Load() != 2 {
		t.Errorf("%d calls, want 2 (one retry)", calls.Load())
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("took %s", d)
	}
}

type countingLimiter struct {
	n   atomic.Int32
	err error
}

func (l *countingLimiter) Wait(ctx context.Context) error {
	l.n.Add(1)
	return l.err
}

func TestLimiter(t *testing.T) {
	lim := &countingLimiter{}
	c, mux := setup(t, func(cfg *Config) { cfg.Limiter = lim })
	var calls atomic.Int32
	mux.HandleFunc("/me", func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		writeJSON(w, http.StatusOK, string(fixture(t, "me.json")))
	})
	if _, err := c.Me(context.Background()); err != nil {
		t.Fatal(err)
	}
	if lim.n.Load() != 2 {
		t.Errorf("limiter waited %d times, want once per attempt (2)", lim.n.Load())
	}

	denied := &countingLimiter{err: errors.New("budget exhausted")}
	c2, mux2 := setup(t, func(cfg *Config) { cfg.Limiter = denied })
	mux2.HandleFunc("/me", func(w http.ResponseWriter, r *http.Request) { t.Error("request sent despite the limiter") })
	if _, err := c2.Me(context.Background()); err == nil || !strings.Contains(err.Error(), "budget exhausted") {
		t.Errorf("err = %v, want the limiter's error", err)
	}
}

func TestRateLimiterPlugsIn(t *testing.T) {
	lim := rate.NewLimiter(rate.Every(time.Hour), 1)
	c, mux := setup(t, func(cfg *Config) { cfg.Limiter = lim })
	mux.HandleFunc("/me", serveFixture(t, "me.json"))
	if _, err := c.Me(context.Background()); err != nil {
		t.Fatal(err)
	}
	// The bucket is empty now: the next request must wait past the deadline.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := c.Me(ctx); err == nil {
		t.Error("second request was not held back by the limiter")
	}
}

func TestObserve(t *testing.T) {
	var mu sync.Mutex
	var seen []RequestInfo
	c, mux := setup(t, func(cfg *Config) {
		cfg.Observe = func(ri RequestInfo) { mu.Lock(); seen = append(seen, ri); mu.Unlock() }
	})
	var calls atomic.Int32
	mux.HandleFunc("/resumes/r1/similar_vacancies", func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		writeJSON(w, http.StatusOK, string(fixture(t, "similar_vacancies.json")))
	})
	mux.HandleFunc("/negotiations", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", "/negotiations/1")
		w.WriteHeader(http.StatusCreated)
	})
	if _, err := c.SimilarVacancies(context.Background(), "r1", SimilarVacanciesParams{}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Apply(context.Background(), "1", "r1", ""); err != nil {
		t.Fatal(err)
	}
	want := []RequestInfo{
		{Op: OpSimilarVacancies, Method: "GET", Status: 502, Attempt: 1},
		{Op: OpSimilarVacancies, Method: "GET", Status: 200, Attempt: 2},
		{Op: OpApply, Method: "POST", Status: 201, Attempt: 1},
	}
	if len(seen) != len(want) {
		t.Fatalf("observed %+v, want %d attempts", seen, len(want))
	}
	for i, w := range want {
		got := seen[i]
		if got.Op != w.Op || got.Method != w.Method || got.Status != w.Status || got.Attempt != w.Attempt || got.Duration <= 0 {
			t.Errorf("attempt %d = %+v, want %+v", i, got, w)
		}
		if (got.Err != nil) != (w.Status >= 400) {
			t.Errorf("attempt %d: Err = %v", i, got.Err)
		}
	}
}

func TestNetworkErrorRetryable(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	base := srv.URL
	srv.Close() // connection refused from now on
	c, err := NewClient(Config{APIURL: base, UserAgent: testUserAgent, MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.WithToken(testToken).Me(context.Background())
	if err == nil || !IsRetryable(err) {
		t.Errorf("err = %v, want a retryable network error", err)
	}
	mustContainNone(t, err.Error(), testToken)
	if !strings.HasPrefix(err.Error(), "hh: me: ") {
		t.Errorf("err = %q, want it to name the op", err)
	}
}

func TestRedaction(t *testing.T) {
	c, mux := setup(t)
	echo := func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		all := testToken + " " + testClientSecret + " " + r.PostForm.Get("code") + " " + r.PostForm.Get("refresh_token")
		writeJSON(w, http.StatusBadRequest, `{"request_id":"x","description":"`+all+`",`+
			`"errors":[{"type":"bad_argument","value":"`+all+`","extra":"`+all+`"}],`+
			`"error":"invalid_grant","error_description":"`+all+`"}`)
	}
	mux.HandleFunc("/token", echo)
	mux.HandleFunc("/me", echo)
	secrets := []string{testToken, testClientSecret, "USERREFRESHSECRET", "CODESECRET"}
	for _, err := range []error{
		func() error {
			_, err := c.ExchangeCode(context.Background(), "CODESECRET", "http://localhost/cb")
			return err
		}(),
		func() error { _, err := c.RefreshToken(context.Background(), "USERREFRESHSECRET"); return err }(),
		func() error { _, err := c.Me(context.Background()); return err }(),
	} {
		e := hhError(t, err)
		mustContainNone(t, err.Error(), secrets...)
		mustContainNone(t, e.Description+e.TokenErrorDescription+e.Errors[0].Value+e.Errors[0].Extra["extra"].(string), secrets...)
	}
}

// A worker posts several applications at once to one host; clients built
// without an HTTPClient of their own (one per application, as the worker
// builds them) keep those connections for the next ones instead of closing
// all but two and dialling again.
func TestConcurrentRequestsReuseConnections(t *testing.T) {
	var dialled atomic.Int64
	release := make(chan struct{})
	var inFlight sync.WaitGroup
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		inFlight.Done()
		<-release
		writeJSON(w, http.StatusOK, `{"auth_type":"application","is_admin":false,"is_applicant":false,"is_application":true,"is_employer":false,"is_employer_integration":false}`)
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			dialled.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()

	const concurrent = 8
	round := func() {
		inFlight.Add(concurrent)
		var done sync.WaitGroup
		for range concurrent {
			done.Add(1)
			go func() {
				defer done.Done()
				c, err := NewClient(Config{UserAgent: testUserAgent, APIURL: srv.URL, OAuthURL: srv.URL})
				if err != nil {
					t.Error(err)
					return
				}
				if _, err := c.WithToken("T").Me(context.Background()); err != nil {
					t.Error(err)
				}
			}()
		}
		inFlight.Wait() // all eight on connections of their own at once
		release <- struct{}{}
		for range concurrent - 1 {
			release <- struct{}{}
		}
		done.Wait()
	}
	round()
	first := dialled.Load()
	round()
	if first != concurrent {
		t.Fatalf("first round dialled %d connections, want %d", first, concurrent)
	}
	if again := dialled.Load() - first; again != 0 {
		t.Errorf("second round dialled %d new connections; the first round's %d should have been kept", again, concurrent)
	}
}
