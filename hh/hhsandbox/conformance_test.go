package hhsandbox_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/otklik/otklik/hh/hhsandbox"
)

// specPath is the trimmed copy of hh's official OpenAPI description.
const specPath = "../testdata/openapi.yml"

var (
	specOnce   sync.Once
	specRouter routers.Router
	specErr    error
)

// router loads and validates the spec once per test binary. The servers
// are dropped so that routes match on path alone: the sandbox serves both
// hh hosts on one origin.
func router(t *testing.T) routers.Router {
	t.Helper()
	specOnce.Do(func() {
		loader := openapi3.NewLoader()
		doc, err := loader.LoadFromFile(specPath)
		if err != nil {
			specErr = err
			return
		}
		if err = doc.Validate(context.Background(), openapi3.DisableExamplesValidation()); err != nil {
			specErr = err
			return
		}
		doc.Servers = nil
		for _, item := range doc.Paths.Map() {
			item.Servers = nil
			for _, op := range item.Operations() {
				op.Servers = nil
			}
		}
		specRouter, specErr = legacy.NewRouter(doc, openapi3.DisableExamplesValidation())
		// hh types the empty 201/303 bodies of POST /negotiations text/html.
		openapi3filter.RegisterBodyDecoder("text/html", openapi3filter.FileBodyDecoder)
	})
	if specErr != nil {
		t.Fatalf("load %s: %v", specPath, specErr)
	}
	return specRouter
}

// conform validates one sandbox response against the operation it answers.
// The sandbox's POST /token is the spec's POST /oauth/token (hh's
// deprecated path, still how the spec models the operation).
func conform(t *testing.T, method, path string, r response) {
	t.Helper()
	u, err := url.Parse(path)
	if err != nil {
		t.Fatal(err)
	}
	if u.Path == "/token" {
		u.Path = "/oauth/token"
	}
	req, err := http.NewRequest(method, "http://api.hh.ru"+u.String(), nil)
	if err != nil {
		t.Fatal(err)
	}
	route, params, err := router(t).FindRoute(req)
	if err != nil {
		t.Fatalf("%s %s: no operation in the spec: %v", method, path, err)
	}
	input := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{
			Request: req, PathParams: params, Route: route,
			Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc},
		},
		Status: r.StatusCode,
		Header: r.Header,
		Body:   io.NopCloser(bytes.NewReader(r.body)),
		Options: &openapi3filter.Options{
			IncludeResponseStatus: true,
			MultiError:            true,
			AuthenticationFunc:    openapi3filter.NoopAuthenticationFunc,
		},
	}
	if err := openapi3filter.ValidateResponse(context.Background(), input); err != nil {
		body := string(r.body)
		if len(body) > 1500 {
			body = body[:1500] + "…"
		}
		t.Errorf("%s %s → %d does not conform to hh's OpenAPI: %v\nbody: %s", method, path, r.StatusCode, err, body)
	}
}

// check sends a request, asserts its status and validates the response.
func (e *env) check(method, path, token string, body io.Reader, contentType string, wantStatus int) response {
	e.t.Helper()
	r := e.request(method, path, token, body, contentType)
	if r.StatusCode != wantStatus {
		e.t.Fatalf("%s %s: status %d, want %d: %s", method, path, r.StatusCode, wantStatus, r.body)
	}
	conform(e.t, method, path, r)
	return r
}

func TestConformanceOAuthToken(t *testing.T) {
	e := newEnv(t, hhsandbox.Options{})
	code := e.authorizeCode(ivan)
	form := func(v url.Values) io.Reader { return strings.NewReader(v.Encode()) }
	const ct = "application/x-www-form-urlencoded"
	r := e.check("POST", "/token", "", form(url.Values{"grant_type": {"authorization_code"}, "client_id": {e.sb.ClientID()},
		"client_secret": {e.sb.ClientSecret()}, "code": {code}, "redirect_uri": {testRedirect}}), ct, 200)
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	r.json(t, &tok)

	errCases := []url.Values{
		{"grant_type": {"authorization_code"}, "client_id": {e.sb.ClientID()}, "client_secret": {e.sb.ClientSecret()}, "code": {code}},
		{"grant_type": {"authorization_code"}, "client_id": {e.sb.ClientID()}, "client_secret": {e.sb.ClientSecret()}, "code": {"nope"}},
		{"grant_type": {"authorization_code"}, "client_id": {"nope"}, "client_secret": {"nope"}, "code": {"nope"}},
		{"grant_type": {"refresh_token"}, "refresh_token": {"nope"}},
		{"grant_type": {"refresh_token"}},
		{"grant_type": {"password"}},
	}
	for _, v := range errCases {
		e.check("POST", "/token", "", form(v), ct, 400)
	}
	e.check("POST", "/token", "", form(url.Values{"grant_type": {"client_credentials"}, "client_id": {e.sb.ClientID()},
		"client_secret": {e.sb.ClientSecret()}}), ct, 200)
	e.check("POST", "/token", "", form(url.Values{"grant_type": {"client_credentials"}, "client_id": {e.sb.ClientID()},
		"client_secret": {e.sb.ClientSecret()}}), ct, 400) // too early

	e.check("DELETE", "/oauth/token", tok.AccessToken, nil, "", 204)
	e.check("DELETE", "/oauth/token", tok.AccessToken, nil, "", 403)
}

func TestConformanceProfileAndResumes(t *testing.T) {
	e := newEnv(t, hhsandbox.Options{})
	tok := e.token(ivan)
	e.check("GET", "/me", tok, nil, "", 200)
	e.check("GET", "/me", e.token(employerUser), nil, "", 200)
	e.check("GET", "/me", "", nil, "", 403)
	e.sb.ExpireTokens(ivan)
	e.check("GET", "/me", tok, nil, "", 403)

	tok = e.token(ivan)
	e.check("GET", "/resumes/mine", tok, nil, "", 200)
	e.check("GET", "/resumes/mine", e.token(employerUser), nil, "", 403)
	e.check("GET", "/resumes/"+e.resume(ivan, 0), tok, nil, "", 200)
	e.check("GET", "/resumes/nope", tok, nil, "", 404)
	e.sb.RevokeTokens(ivan)
	e.check("GET", "/resumes/mine", tok, nil, "", 403)
}

func TestConformanceSearch(t *testing.T) {
	e := newEnv(t, hhsandbox.Options{})
	tok := e.token(ivan)
	base := "/resumes/" + e.resume(ivan, 0) + "/similar_vacancies"
	for _, q := range []string{
		"",
		"?per_page=100",
		"?per_page=100&page=3",
		"?text=разработчик&order_by=relevance",
		"?area=113&salary=150000&currency=RUR&order_by=salary_desc",
		"?only_with_salary=true&experience=between1And3&employment=full&schedule=remote",
		"?period=3&order_by=publication_time",
		"?per_page=10&page=199",
	} {
		e.check("GET", base+q, tok, nil, "", 200)
	}
	e.check("GET", base+"?per_page=100&page=20", tok, nil, "", 400)
	e.check("GET", base+"?per_page=101", tok, nil, "", 400)
	e.check("GET", "/resumes/"+e.resume(anna, 0)+"/similar_vacancies", tok, nil, "", 404)
}

func TestConformanceVacancy(t *testing.T) {
	e := newEnv(t, hhsandbox.Options{})
	tok := e.token(ivan)
	for _, v := range []hhsandbox.Vacancy{
		e.vacancy(plain),
		e.vacancy(func(v hhsandbox.Vacancy) bool { return v.HasTest }),
		e.vacancy(func(v hhsandbox.Vacancy) bool { return v.Type == "direct" }),
		e.vacancy(func(v hhsandbox.Vacancy) bool { return v.Type == "anonymous" }),
		e.vacancy(func(v hhsandbox.Vacancy) bool { return v.Archived }),
		e.vacancy(func(v hhsandbox.Vacancy) bool { return !v.HasSalary() }),
	} {
		e.check("GET", "/vacancies/"+v.ID, tok, nil, "", 200)
	}
	e.check("GET", "/vacancies/1", tok, nil, "", 404)
	e.sb.SetFaults(hhsandbox.Faults{Captcha: true})
	e.check("GET", "/vacancies/"+e.vacancy(plain).ID, tok, nil, "", 403)
}

func TestConformanceNegotiations(t *testing.T) {
	e := newEnv(t, hhsandbox.Options{})
	tok := e.token(ivan)
	resume := e.resume(ivan, 0)
	apply := func(vacancyID, message string, status int) {
		t.Helper()
		v := url.Values{"vacancy_id": {vacancyID}, "resume_id": {resume}}
		if message != "" {
			v.Set("message", message)
		}
		e.check("POST", "/negotiations", tok, strings.NewReader(v.Encode()), "application/x-www-form-urlencoded", status)
	}
	ok := e.vacancy(plain)
	apply(ok.ID, "", 201)
	apply(ok.ID, "", 403) // already_applied
	apply(e.vacancy(func(v hhsandbox.Vacancy) bool { return v.Type == "direct" && !v.Archived }).ID, "", 303)
	apply(e.vacancy(func(v hhsandbox.Vacancy) bool { return v.Archived }).ID, "", 403)
	apply("1", "", 400) // vacancy_not_found
	e.check("POST", "/negotiations", tok, strings.NewReader(`{"vacancy_id":"1","resume_id":"2"}`), "application/json", 400)
	e.check("POST", "/negotiations", e.token(employerUser), strings.NewReader("vacancy_id=1&resume_id=2"), "application/x-www-form-urlencoded", 403)
	e.sb.SetFaults(hhsandbox.Faults{Captcha: true})
	apply(e.vacancy(plain).ID, "", 403)
	e.sb.SetFaults(hhsandbox.Faults{})

	if err := e.sb.SetRelation(ivan, ok.ID, "got_invitation"); err != nil {
		t.Fatal(err)
	}
	e.check("GET", "/negotiations", tok, nil, "", 200)
	e.check("GET", "/negotiations?status=invitations&order_by=created_at&order=asc", tok, nil, "", 200)
	if err := e.sb.SetNegotiation(e.sb.Applications()[0].NegotiationID, "discard", nil); err != nil {
		t.Fatal(err)
	}
	e.check("GET", "/negotiations?order_by=updated_at&order=desc&per_page=100&page=0", tok, nil, "", 200)
	e.check("GET", "/negotiations?status=discard&has_updates=true", tok, nil, "", 200)
	e.check("GET", "/negotiations?has_updates=maybe", tok, nil, "", 400)

	// Employers acting by themselves answer in the same shapes.
	busy := newEnv(t, hhsandbox.Options{EmployerActivity: true})
	busyTok := busy.token(ivan)
	busy.applyTo(busyTok, 10)
	busy.sb.Advance(time.Hour)
	busy.check("GET", "/negotiations?order_by=updated_at&order=desc&per_page=100", busyTok, nil, "", 200)
	e.check("GET", "/negotiations?per_page=1000", tok, nil, "", 400)
	e.check("GET", "/negotiations", e.token(employerUser), nil, "", 403)
}

// Each refusal of POST /negotiations the worker branches on answers in the
// shape hh's description gives it.
func TestConformanceApplyRefusals(t *testing.T) {
	e := newEnv(t, hhsandbox.Options{})
	tok := e.token(ivan)
	refuse := func(tok, vacancyID, resumeID, message string, status int, value string) {
		t.Helper()
		v := url.Values{"vacancy_id": {vacancyID}, "resume_id": {resumeID}}
		if message != "" {
			v.Set("message", message)
		}
		r := e.check("POST", "/negotiations", tok, strings.NewReader(v.Encode()), "application/x-www-form-urlencoded", status)
		if got := strings.Join(r.errorValues(t), ","); got != "negotiations/"+value {
			t.Errorf("refused with %s, want negotiations/%s", got, value)
		}
	}
	resume := e.resume(ivan, 0)
	letterRequired := e.vacancy(func(v hhsandbox.Vacancy) bool {
		return v.Type == "open" && v.ResponseLetterRequired && !v.HasTest && !v.Archived
	})
	refuse(tok, letterRequired.ID, resume, "", 403, "empty_message")
	testRequired := e.vacancy(func(v hhsandbox.Vacancy) bool { return v.TestRequired && !v.Archived && v.Type != "direct" })
	refuse(tok, testRequired.ID, resume, "Письмо", 403, "test_required")
	refuse(tok, e.vacancy(plain).ID, resume, strings.Repeat("я", hhsandbox.MaxMessageLength+1), 403, "too_long_message")
	refuse(tok, e.vacancy(plain).ID, e.resume(ivan, 2), "", 403, "resume_not_found") // unpublished
	refuse(tok, e.vacancy(plain).ID, "nosuchresume", "", 403, "resume_not_found")

	for _, status := range []int{400, 403} {
		e := newEnv(t, hhsandbox.Options{DailyLimit: 1, Faults: hhsandbox.Faults{LimitStatus: status}})
		tok := e.token(ivan)
		first := e.vacancy(plain)
		if r := e.apply(tok, first.ID, e.resume(ivan, 0), ""); r.StatusCode != 201 {
			t.Fatalf("first application: %d %s", r.StatusCode, r.body)
		}
		second := e.vacancy(func(v hhsandbox.Vacancy) bool { return plain(v) && v.ID != first.ID })
		v := url.Values{"vacancy_id": {second.ID}, "resume_id": {e.resume(ivan, 0)}}
		r := e.check("POST", "/negotiations", tok, strings.NewReader(v.Encode()), "application/x-www-form-urlencoded", status)
		if got := strings.Join(r.errorValues(t), ","); got != "negotiations/limit_exceeded" {
			t.Errorf("%d: refused with %s, want negotiations/limit_exceeded", status, got)
		}
	}
}

func TestConformanceBlacklists(t *testing.T) {
	e := newEnv(t, hhsandbox.Options{})
	tok := e.token(ivan)
	v := e.vacancy(plain)
	emp := e.vacancy(func(x hhsandbox.Vacancy) bool { return plain(x) && x.EmployerID != "" && x.EmployerID != v.EmployerID })
	e.check("PUT", "/vacancies/blacklisted/"+v.ID, tok, nil, "", 204)
	e.check("PUT", "/vacancies/blacklisted/1", tok, nil, "", 404)
	e.check("GET", "/vacancies/blacklisted", tok, nil, "", 200)
	e.check("DELETE", "/vacancies/blacklisted/"+v.ID, tok, nil, "", 204)
	e.check("DELETE", "/vacancies/blacklisted/1", tok, nil, "", 404)
	e.check("GET", "/vacancies/blacklisted", e.token(employerUser), nil, "", 403)

	e.check("PUT", "/employers/blacklisted/"+emp.EmployerID, tok, nil, "", 204)
	e.check("PUT", "/employers/blacklisted/0", tok, nil, "", 404)
	e.check("GET", "/employers/blacklisted", tok, nil, "", 200)
	e.check("DELETE", "/employers/blacklisted/"+emp.EmployerID, tok, nil, "", 204)
	e.check("DELETE", "/employers/blacklisted/0", tok, nil, "", 404)
	e.check("GET", "/employers/blacklisted", e.token(employerUser), nil, "", 403)
}

func TestConformanceDictionariesAndAreas(t *testing.T) {
	e := newEnv(t, hhsandbox.Options{})
	e.check("GET", "/dictionaries", "", nil, "", 200)
	e.check("GET", "/areas", "", nil, "", 200)
	e.check("GET", "/professional_roles", "", nil, "", 200)
	e.check("GET", "/professional_roles", e.token(ivan), nil, "", 200)
}
