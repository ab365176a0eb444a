package faults_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/otklik/otklik/config"
	"github.com/otklik/otklik/internal/app"
	"github.com/otklik/otklik/rules"
)

// webApp is the web process as cmd/web builds it: config.Load over the same
// environment the worker gets, then app.OpenInstance (its own store on the
// same SQLite file, its own Redis client, hh access through the worker's
// code), served over HTTP.
type webApp struct {
	url     string
	logPath string
}

// startWeb serves the web app for the case; it stops with the case.
func (e *env) startWeb() *webApp {
	e.t.Helper()
	srv := httptest.NewUnstartedServer(nil)
	addr := srv.Listener.Addr().String()
	vars := map[string]string{"LISTEN_ADDR": addr, "BASE_URL": "http://" + addr}
	for _, kv := range e.processEnv() {
		k, v, _ := strings.Cut(kv, "=")
		vars[k] = v
	}
	cfg, err := config.Load(func(k string) string { return vars[k] })
	if err != nil {
		e.t.Fatal(err)
	}
	e.webs++
	name := "web.log"
	if e.webs > 1 {
		name = fmt.Sprintf("web-%d.log", e.webs)
	}
	w := &webApp{url: "http://" + addr, logPath: filepath.Join(e.dir, name)}
	logf, err := os.Create(w.logPath)
	if err != nil {
		e.t.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(logf, &slog.HandlerOptions{Level: slog.LevelWarn}))
	inst, err := app.OpenInstance(e.ctx, cfg, srv.Listener, logger)
	if err != nil {
		logf.Close()
		e.t.Fatal(err)
	}
	srv.Config.Handler = inst.Handler
	srv.Config.ErrorLog = slog.NewLogLogger(logger.Handler(), slog.LevelWarn)
	srv.Start()
	e.t.Cleanup(func() {
		srv.Close()
		inst.Close()
		logf.Close()
	})
	return w
}

// log is the web app's log (warnings and errors).
func (w *webApp) log() string {
	b, _ := os.ReadFile(w.logPath)
	return string(b)
}

// webStats are the figures of a web load.
type webStats struct {
	mu        sync.Mutex
	byKind    map[string][]time.Duration // "GET", "POST"
	byRoute   map[string]int
	status5xx int
	bad       int // any other answer than the one the route gives
	badFirst  []string
	signIns   int
	sent      int // review items sent
	dismissed int // review items dismissed
}

func newWebStats() *webStats {
	return &webStats{byKind: map[string][]time.Duration{}, byRoute: map[string]int{}}
}

func (s *webStats) record(method, route string, d time.Duration, status, want int, detail string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.byKind[method] = append(s.byKind[method], d)
	s.byRoute[method+" "+route]++
	if status == want {
		return
	}
	if status >= 500 {
		s.status5xx++
	} else {
		s.bad++
	}
	if len(s.badFirst) < 5 {
		s.badFirst = append(s.badFirst, fmt.Sprintf("%s %s: %d, want %d: %s", method, route, status, want, detail))
	}
}

func (s *webStats) count(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.byKind[method])
}

// latency is the p50, p99 and slowest of method's requests ("" for all).
func (s *webStats) latency(method string) (p50, p99, top time.Duration) {
	s.mu.Lock()
	var all []time.Duration
	for m, ds := range s.byKind {
		if method == "" || m == method {
			all = append(all, ds...)
		}
	}
	s.mu.Unlock()
	if len(all) == 0 {
		return 0, 0, 0
	}
	slices.Sort(all)
	q := func(p float64) time.Duration { return all[min(len(all)-1, int(p*float64(len(all))))] }
	return q(0.50), q(0.99), all[len(all)-1]
}

func (s *webStats) routes() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	keys := make([]string, 0, len(s.byRoute))
	for k := range s.byRoute {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s %d", k, s.byRoute[k]))
	}
	return strings.Join(parts, ", ")
}

// webTransport is shared by the browsers, with enough idle connections for
// all of them.
var webTransport = &http.Transport{MaxIdleConns: 64, MaxIdleConnsPerHost: 64, IdleConnTimeout: time.Minute}

// browser is one signed-in person clicking through the web app: cookies
// kept, redirects not followed (every POST answers 303), the form token
// taken from the pages it gets.
type browser struct {
	e   *env
	web *webApp
	// also are more web processes of the same instance: each request goes
	// to web or one of these at random, the browser's cookies with it.
	also    []*webApp
	stats   *webStats
	u       fuser
	c       *http.Client
	csrf    string
	rng     *rand.Rand
	rule    int64 // the rule this browser created and edits
	lang    string
	tz      string
	reviews *sync.Map
	cycles  int // sign-out/sign-in cycles left
}

var (
	csrfRe    = regexp.MustCompile(`name="csrf" value="([^"]+)"`)
	ruleLocRe = regexp.MustCompile(`^/rules/(\d+)`)
	// A review item's tag carries data-vacancy-id and data-status (docs/ARCHITECTURE.md, "Contracts":
	// markers); its id and data-reason are read from the same tag.
	reviewTag = regexp.MustCompile(`<li [^>]*data-vacancy-id="[^>]*>`)
	tagItemID = regexp.MustCompile(`\bid="item-(\d+)"`)
	tagStatus = regexp.MustCompile(`\bdata-status="([a-z]*)"`)
	tagReason = regexp.MustCompile(`\bdata-reason="([a-z_]*)"`)
)

func (e *env) newBrowser(w *webApp, s *webStats, u fuser, seed uint64, reviews *sync.Map) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{
		e: e, web: w, stats: s, u: u, reviews: reviews, cycles: 2,
		rng: rand.New(rand.NewPCG(seed, 77)),
		c: &http.Client{
			Jar: jar, Transport: webTransport, Timeout: time.Minute,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
	}
}

// do sends one request and records it under route; it returns the body and
// the Location header.
func (b *browser) do(ctx context.Context, method, path, route string, form url.Values, want int) (string, string, error) {
	var body io.Reader
	if form != nil {
		form.Set("csrf", b.csrf)
		body = strings.NewReader(form.Encode())
	}
	base := b.web.url
	if n := len(b.also); n > 0 {
		if i := b.rng.IntN(n + 1); i < n {
			base = b.also[i].url
		}
	}
	req, err := http.NewRequestWithContext(ctx, method, base+path, body)
	if err != nil {
		return "", "", err
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	start := time.Now()
	res, err := b.c.Do(req)
	if err != nil {
		return "", "", err
	}
	raw, err := io.ReadAll(res.Body)
	res.Body.Close()
	d := time.Since(start)
	if err != nil {
		return "", "", err
	}
	page := string(raw)
	if m := csrfRe.FindStringSubmatch(page); m != nil {
		b.csrf = m[1]
	}
	detail := res.Header.Get("Location")
	if res.StatusCode != want && detail == "" {
		detail = page[:min(len(page), 300)]
	}
	b.stats.record(method, route, d, res.StatusCode, want, detail)
	return page, res.Header.Get("Location"), nil
}

// signIn is GET /login (the form's token) and POST /login.
func (b *browser) signIn(ctx context.Context) error {
	if _, _, err := b.do(ctx, http.MethodGet, "/login", "/login", nil, http.StatusOK); err != nil {
		return err
	}
	_, loc, err := b.do(ctx, http.MethodPost, "/login", "/login", url.Values{"email": {b.u.Email}, "password": {userPassword}}, http.StatusSeeOther)
	if err != nil {
		return err
	}
	if loc != "/" {
		return fmt.Errorf("sign-in of %s went to %q", b.u.Email, loc)
	}
	b.stats.mu.Lock()
	b.stats.signIns++
	b.stats.mu.Unlock()
	// The session's form token is on every signed-in page.
	_, _, err = b.do(ctx, http.MethodGet, "/", "/", nil, http.StatusOK)
	return err
}

// ruleForm is the rule form as a person fills it in: a rule of their own,
// disabled, that the browser creates and then edits (the worker's running
// rule is left alone, so the run's outcome stays checkable).
func (b *browser) ruleForm(n int) url.Values {
	return url.Values{
		rules.FieldName:           {fmt.Sprintf("web %d", n)},
		rules.FieldResumeID:       {b.u.ResumeID},
		rules.FieldText:           {"golang"},
		rules.FieldCurrency:       {"RUR"},
		rules.FieldSalary:         {strconv.Itoa(100000 + n)},
		rules.FieldExcludeWords:   {fmt.Sprintf("стажёр, intern%d", n%7)},
		rules.FieldMode:           {string(rules.ModeReview)},
		rules.FieldLetterTemplate: {letterTemplate},
		rules.FieldDailyLimit:     {strconv.Itoa(1 + n%50)},
		rules.FieldEveryHours:     {"24"},
		rules.FieldActiveFrom:     {"09:00"},
		rules.FieldActiveTo:       {"21:00"},
	}
}

// setUp signs in and creates the browser's own rule.
func (b *browser) setUp(ctx context.Context) error {
	u, err := b.e.store.User(ctx, b.u.ID)
	if err != nil {
		return err
	}
	b.lang, b.tz = u.Language, u.TimeZone
	if err := b.signIn(ctx); err != nil {
		return err
	}
	if _, _, err := b.do(ctx, http.MethodGet, "/rules/new", "/rules/new", nil, http.StatusOK); err != nil {
		return err
	}
	_, loc, err := b.do(ctx, http.MethodPost, "/rules", "/rules", b.ruleForm(0), http.StatusSeeOther)
	if err != nil {
		return err
	}
	m := ruleLocRe.FindStringSubmatch(loc)
	if m == nil {
		return fmt.Errorf("POST /rules went to %q", loc)
	}
	b.rule, _ = strconv.ParseInt(m[1], 10, 64)
	return nil
}

// step is one click: a page view, a form post, or a review decision.
func (b *browser) step(ctx context.Context) error {
	get := func(path, route string) error {
		_, _, err := b.do(ctx, http.MethodGet, path, route, nil, http.StatusOK)
		return err
	}
	switch k := b.rng.IntN(20); {
	case k < 3:
		return get("/", "/")
	case k < 6:
		return get("/applications", "/applications")
	case k < 7:
		return get("/applications?format=csv", "/applications?format=csv")
	case k < 8:
		return get("/rules", "/rules")
	case k < 9:
		return get("/rules/"+strconv.FormatInt(b.u.RuleID, 10), "/rules/{id}")
	case k < 10:
		return get("/summary", "/summary")
	case k < 11:
		return get("/settings", "/settings")
	case k < 14: // edit the browser's own rule
		_, _, err := b.do(ctx, http.MethodPost, "/rules/"+strconv.FormatInt(b.rule, 10), "/rules/{id}", b.ruleForm(1+b.rng.IntN(1000)), http.StatusSeeOther)
		return err
	case k < 16: // settings: language and time zone as they are, another summary hour
		form := url.Values{"language": {b.lang}, "time_zone": {b.tz}, "summary_hour": {strconv.Itoa(b.rng.IntN(24))}, "summary_email": {""}}
		_, _, err := b.do(ctx, http.MethodPost, "/settings", "/settings", form, http.StatusSeeOther)
		return err
	case k < 19:
		return b.review(ctx)
	default:
		if b.cycles == 0 || b.rng.IntN(10) != 0 {
			return get("/review", "/review")
		}
		// Sign out and in again. Sign-ins are throttled per address (30,
		// then one every 2 s) and per e-mail (5, then one a minute): two
		// cycles per browser stay within that.
		b.cycles--
		if _, _, err := b.do(ctx, http.MethodPost, "/logout", "/logout", url.Values{}, http.StatusSeeOther); err != nil {
			return err
		}
		return b.signIn(ctx)
	}
}

// review views the review queue and decides one item no browser has decided
// yet: sent with a letter, or dismissed. Each item is decided once, so the
// run can settle.
func (b *browser) review(ctx context.Context) error {
	page, _, err := b.do(ctx, http.MethodGet, "/review", "/review", nil, http.StatusOK)
	if err != nil {
		return err
	}
	attr := func(re *regexp.Regexp, tag string) string {
		if m := re.FindStringSubmatch(tag); m != nil {
			return m[1]
		}
		return ""
	}
	for _, tag := range reviewTag.FindAllString(page, -1) {
		id, status, reason := attr(tagItemID, tag), attr(tagStatus, tag), attr(tagReason, tag)
		if id == "" {
			continue
		}
		if _, taken := b.reviews.LoadOrStore(id, true); taken {
			continue
		}
		if status == "review" && reason != string(rules.ReasonDirect) && b.rng.IntN(2) == 0 {
			form := url.Values{"message": {"Здравствуйте! Прошу рассмотреть мою кандидатуру."}}
			if _, _, err := b.do(ctx, http.MethodPost, "/review/"+id+"/send", "/review/{id}/send", form, http.StatusSeeOther); err != nil {
				return err
			}
			b.stats.mu.Lock()
			b.stats.sent++
			b.stats.mu.Unlock()
			return nil
		}
		if _, _, err := b.do(ctx, http.MethodPost, "/review/"+id+"/dismiss", "/review/{id}/dismiss", url.Values{}, http.StatusSeeOther); err != nil {
			return err
		}
		b.stats.mu.Lock()
		b.stats.dismissed++
		b.stats.mu.Unlock()
		return nil
	}
	return nil
}

// run clicks until done is closed, finishing the click in hand: a request
// cut off mid-way would be a client hanging up, not load.
func (b *browser) run(ctx context.Context, done <-chan struct{}) error {
	if err := b.setUp(ctx); err != nil {
		return err
	}
	for {
		select {
		case <-done:
			return nil
		default:
		}
		if err := b.step(ctx); err != nil {
			return err
		}
	}
}
