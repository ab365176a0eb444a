package hhsandbox_test

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/otklik/otklik/hh/hhsandbox"
)

// fixedNow is the sandbox clock in tests, so datasets and times repeat.
var fixedNow = time.Date(2025, 3, 14, 12, 0, 0, 0, time.UTC)

const (
	testRedirect = "http://app.example.com/hh/callback"
	userAgent    = "OtklikTest/1.0 (test@example.com)"
	ivan         = "31000001" // applicant with three resumes, the last unpublished
	anna         = "31000002"
	employerUser = "31000005"
)

// env is a sandbox served over real HTTP.
type env struct {
	t   *testing.T
	sb  *hhsandbox.Sandbox
	srv *httptest.Server
}

// newEnv starts a sandbox with a small catalogue on a fixed clock; opts
// fields left zero keep those test defaults.
func newEnv(t *testing.T, opts hhsandbox.Options) *env {
	t.Helper()
	srv := httptest.NewUnstartedServer(nil)
	srv.Start()
	t.Cleanup(srv.Close)
	if opts.Seed == 0 {
		opts.Seed = 7
	}
	if opts.Vacancies == 0 {
		opts.Vacancies = 600
	}
	if opts.RedirectURI == "" {
		opts.RedirectURI = testRedirect
	}
	if opts.BaseURL == "" {
		opts.BaseURL = srv.URL
	}
	if opts.Clock == nil {
		opts.Clock = func() time.Time { return fixedNow }
	}
	sb := hhsandbox.New(opts)
	srv.Config.Handler = sb
	return &env{t: t, sb: sb, srv: srv}
}

// response is a finished HTTP exchange.
type response struct {
	*http.Response
	body []byte
}

func (r response) json(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}

// errorValues returns "type/value" of each errors[] item.
func (r response) errorValues(t *testing.T) []string {
	t.Helper()
	var body struct {
		Errors []struct{ Type, Value string }
	}
	r.json(t, &body)
	var out []string
	for _, e := range body.Errors {
		out = append(out, e.Type+"/"+e.Value)
	}
	return out
}

// request sends one request with the test user agent; token may be empty.
func (e *env) request(method, path, token string, body io.Reader, contentType string) response {
	e.t.Helper()
	req, err := http.NewRequest(method, e.srv.URL+path, body)
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("HH-User-Agent", userAgent)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	return e.do(req)
}

// do sends req as it is, without following redirects.
func (e *env) do(req *http.Request) response {
	e.t.Helper()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return response{resp, b}
}

func (e *env) get(path, token string) response {
	return e.request(http.MethodGet, path, token, nil, "")
}

func (e *env) form(path string, values url.Values) response {
	return e.request(http.MethodPost, path, "", strings.NewReader(values.Encode()), "application/x-www-form-urlencoded")
}

// apply posts an url-encoded application.
func (e *env) apply(token, vacancyID, resumeID, message string) response {
	v := url.Values{"vacancy_id": {vacancyID}, "resume_id": {resumeID}}
	if message != "" {
		v.Set("message", message)
	}
	return e.request(http.MethodPost, "/negotiations", token, strings.NewReader(v.Encode()), "application/x-www-form-urlencoded")
}

// applyMultipart posts a multipart/form-data application, as hh documents.
func (e *env) applyMultipart(token, vacancyID, resumeID, message string) response {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("vacancy_id", vacancyID)
	_ = mw.WriteField("resume_id", resumeID)
	if message != "" {
		_ = mw.WriteField("message", message)
	}
	_ = mw.Close()
	return e.request(http.MethodPost, "/negotiations", token, &buf, mw.FormDataContentType())
}

// token issues an access token for userID without the OAuth pages.
func (e *env) token(userID string) string {
	e.t.Helper()
	tok, err := e.sb.IssueToken(userID)
	if err != nil {
		e.t.Fatal(err)
	}
	return tok.AccessToken
}

// resume returns the id of userID's n-th resume.
func (e *env) resume(userID string, n int) string {
	e.t.Helper()
	u, ok := e.sb.User(userID)
	if !ok || n >= len(u.Resumes) {
		e.t.Fatalf("no resume %d of user %s", n, userID)
	}
	return u.Resumes[n].ID
}

// vacancy finds a searchable catalogue vacancy satisfying ok.
func (e *env) vacancy(ok func(v hhsandbox.Vacancy) bool) hhsandbox.Vacancy {
	e.t.Helper()
	for _, v := range e.sb.Vacancies() {
		if ok(v) {
			return v
		}
	}
	e.t.Fatal("no vacancy in the catalogue matches")
	return hhsandbox.Vacancy{}
}

// plain is an open vacancy that any published resume can apply to at once.
func plain(v hhsandbox.Vacancy) bool {
	return v.Type == "open" && !v.Archived && !v.HasTest && !v.ResponseLetterRequired
}

// put stores a vacancy or fails the test.
func (e *env) put(v hhsandbox.Vacancy) hhsandbox.Vacancy {
	e.t.Helper()
	stored, err := e.sb.PutVacancy(v)
	if err != nil {
		e.t.Fatal(err)
	}
	return stored
}

// searchPage is the part of a similar_vacancies answer tests look at.
type searchPage struct {
	Found, Pages, Page int
	PerPage            int `json:"per_page"`
	Items              []searchItem
}

type searchItem struct {
	ID, Name    string
	PublishedAt string `json:"published_at"`
	Area        struct{ ID string }
	Salary      *struct {
		From, To *int
		Currency string
	}
	Employer struct {
		ID   *string
		Name string
	}
	Relations []string
	Snippet   struct {
		Requirement, Responsibility *string
	}
	Experience, Employment, Schedule *struct{ ID string }
	ProfessionalRoles                []struct{ ID string } `json:"professional_roles"`
}

// search runs similar_vacancies for ivan's first resume with query q.
func (e *env) search(token, q string) searchPage {
	e.t.Helper()
	return e.searchAs(ivan, token, q)
}

// searchAs runs similar_vacancies for userID's first resume.
func (e *env) searchAs(userID, token, q string) searchPage {
	e.t.Helper()
	r := e.get("/resumes/"+e.resume(userID, 0)+"/similar_vacancies?"+q, token)
	if r.StatusCode != http.StatusOK {
		e.t.Fatalf("search %q: %d %s", q, r.StatusCode, r.body)
	}
	var p searchPage
	r.json(e.t, &p)
	return p
}

// searchAll pages through every result of q (per_page=100).
func (e *env) searchAll(token, q string) []searchItem {
	e.t.Helper()
	return e.searchAllAs(ivan, token, q)
}

func (e *env) searchAllAs(userID, token, q string) []searchItem {
	e.t.Helper()
	var all []searchItem
	for page := 0; ; page++ {
		p := e.searchAs(userID, token, q+"&per_page=100&page="+strconv.Itoa(page))
		all = append(all, p.Items...)
		if page+1 >= p.Pages {
			return all
		}
	}
}
