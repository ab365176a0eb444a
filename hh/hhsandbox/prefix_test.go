package hhsandbox_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/otklik/otklik/hh/hhsandbox"
)

// TestMountedUnderPrefix serves the sandbox the way cmd/web does, under
// /sandbox next to the application, and walks it from the browser and the
// API side.
func TestMountedUnderPrefix(t *testing.T) {
	srv := httptest.NewServer(nil)
	t.Cleanup(srv.Close)
	sb := hhsandbox.New(hhsandbox.Options{Seed: 3, Vacancies: 200, RedirectURI: srv.URL + "/hh/callback",
		BaseURL: srv.URL + "/sandbox", Clock: func() time.Time { return fixedNow }})
	mux := http.NewServeMux()
	mux.Handle("/sandbox/", http.StripPrefix("/sandbox", sb))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "the application", http.StatusTeapot) })
	srv.Config.Handler = mux
	e := &env{t: t, sb: sb, srv: srv}

	b := newBrowser(t)
	q := url.Values{"response_type": {"code"}, "client_id": {sb.ClientID()}, "state": {"s"}, "redirect_uri": {srv.URL + "/hh/callback"}}
	login := b.open(srv.URL + "/sandbox/oauth/authorize?" + q.Encode())
	if login.status != 200 || !strings.Contains(login.body, "Песочница hh.ru") {
		t.Fatalf("login page under /sandbox: %d", login.status)
	}
	done := b.loginAndAllow(login, ivan) // relative form actions resolve under /sandbox
	loc, _ := url.Parse(done.loc)
	if done.status != http.StatusFound || loc.Path != "/hh/callback" || loc.Query().Get("code") == "" {
		t.Fatalf("after consent: %d %s", done.status, done.loc)
	}
	// The sign-in cookie is scoped to the sandbox.
	u, _ := url.Parse(srv.URL + "/")
	for _, c := range b.client.Jar.Cookies(u) {
		if c.Name == "hhsandbox_user" {
			t.Errorf("sign-in cookie leaks to the application's paths")
		}
	}

	r := e.form("/sandbox/token", url.Values{"grant_type": {"authorization_code"}, "client_id": {sb.ClientID()},
		"client_secret": {sb.ClientSecret()}, "code": {loc.Query().Get("code")}})
	var tok tokenPair
	r.json(t, &tok)
	var me struct {
		ResumesURL string `json:"resumes_url"`
	}
	e.get("/sandbox/me", tok.AccessToken).json(t, &me)
	if me.ResumesURL != srv.URL+"/sandbox/resumes/mine" {
		t.Errorf("resumes_url %q, want it under the prefix", me.ResumesURL)
	}
	var resumes struct {
		Items []struct {
			ID               string
			SimilarVacancies struct{ URL string } `json:"similar_vacancies"`
		}
	}
	e.get("/sandbox/resumes/mine", tok.AccessToken).json(t, &resumes)
	similar := resumes.Items[0].SimilarVacancies.URL
	if !strings.HasPrefix(similar, srv.URL+"/sandbox/resumes/") {
		t.Fatalf("similar_vacancies url %q", similar)
	}
	var results struct {
		Items []struct {
			ID, URL string
		}
	}
	e.get(strings.TrimPrefix(similar, srv.URL), tok.AccessToken).json(t, &results)
	if len(results.Items) == 0 || results.Items[0].URL != srv.URL+"/sandbox/vacancies/"+results.Items[0].ID {
		t.Fatalf("vacancy url under the prefix: %+v", results.Items)
	}
	v := e.vacancy(plain)
	ap := e.request(http.MethodPost, "/sandbox/negotiations", tok.AccessToken,
		strings.NewReader(url.Values{"vacancy_id": {v.ID}, "resume_id": {resumes.Items[0].ID}}.Encode()), "application/x-www-form-urlencoded")
	if ap.StatusCode != 201 || !strings.HasPrefix(ap.Header.Get("Location"), "/sandbox/negotiations/") {
		t.Errorf("apply under the prefix: %d Location %q", ap.StatusCode, ap.Header.Get("Location"))
	}
	sb.SetFaults(hhsandbox.Faults{Captcha: true})
	var captcha struct {
		Errors []struct {
			CaptchaURL string `json:"captcha_url"`
		}
	}
	e.get("/sandbox/vacancies/"+v.ID, tok.AccessToken).json(t, &captcha)
	if len(captcha.Errors) == 0 || !strings.HasPrefix(captcha.Errors[0].CaptchaURL, srv.URL+"/sandbox/account/captcha?") {
		t.Errorf("captcha_url %+v, want it under the prefix", captcha)
	}

	// The response page (apply_alternate_url) sends the browser to the
	// vacancy page, under the prefix too.
	resp := b.open(srv.URL + "/sandbox/applicant/vacancy_response?vacancyId=" + v.ID)
	target, err := url.Parse(resp.loc)
	if err != nil || resp.status != http.StatusFound {
		t.Fatalf("vacancy_response: %d %q", resp.status, resp.loc)
	}
	if got := resp.url.ResolveReference(target); got.Path != "/sandbox/vacancy/"+v.ID {
		t.Errorf("vacancy_response redirects to %s, want /sandbox/vacancy/%s", got.Path, v.ID)
	} else if p := b.open(got.String()); p.status != http.StatusOK || !strings.Contains(p.body, "Песочница hh.ru") {
		t.Errorf("the vacancy page it leads to: %d", p.status)
	}
}

// TestBaseURLFromRequest covers a sandbox created before its address is
// known: links then follow the request's host.
func TestBaseURLFromRequest(t *testing.T) {
	sb := hhsandbox.New(hhsandbox.Options{Vacancies: 50})
	srv := httptest.NewServer(sb)
	t.Cleanup(srv.Close)
	e := &env{t: t, sb: sb, srv: srv}
	var me struct {
		ResumesURL string `json:"resumes_url"`
	}
	e.get("/me", e.token(ivan)).json(t, &me)
	if me.ResumesURL != srv.URL+"/resumes/mine" {
		t.Errorf("resumes_url %q, want %s/resumes/mine", me.ResumesURL, srv.URL)
	}
	// With no registered redirect URI any http(s) one is accepted.
	b := newBrowser(t)
	p := b.open(srv.URL + "/oauth/authorize?response_type=code&client_id=" + sb.ClientID() + "&redirect_uri=" + url.QueryEscape("http://localhost:8080/hh/callback"))
	if p.status != 200 || !strings.Contains(p.body, `name="user"`) {
		t.Errorf("any redirect_uri with none registered: %d", p.status)
	}
}
