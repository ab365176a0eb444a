package hhsandbox_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/otklik/otklik/hh/hhsandbox"
)

func TestOAuthLoginConsentRedirectsWithCodeAndState(t *testing.T) {
	e := newEnv(t, hhsandbox.Options{})
	b := newBrowser(t)
	login := b.open(e.authorizeURL(nil))
	if login.status != http.StatusOK || !strings.Contains(login.body, "Песочница hh.ru") {
		t.Fatalf("login page: %d, sandbox marker missing:\n%s", login.status, login.body)
	}
	for _, u := range e.sb.Users() {
		if !strings.Contains(login.body, u.FirstName+" "+u.LastName) {
			t.Errorf("login page does not offer %s", u.FullName())
		}
	}
	consent := b.press(login, "user", ivan, nil)
	if !strings.Contains(consent.body, "Иван Петров") || !strings.Contains(consent.body, "Разрешить") {
		t.Fatalf("consent page does not name the user or offer to allow:\n%s", consent.body)
	}
	done := b.press(consent, "decision", "allow", nil)
	if done.status != http.StatusFound {
		t.Fatalf("allow: status %d, want 302", done.status)
	}
	loc, _ := url.Parse(done.loc)
	if got := loc.Scheme + "://" + loc.Host + loc.Path; got != testRedirect {
		t.Errorf("redirected to %s, want %s", got, testRedirect)
	}
	if loc.Query().Get("state") != "st-123" || loc.Query().Get("code") == "" {
		t.Errorf("redirect %s lacks code or state", done.loc)
	}
}

func TestOAuthTypedLogin(t *testing.T) {
	e := newEnv(t, hhsandbox.Options{})
	b := newBrowser(t)
	login := b.open(e.authorizeURL(nil))
	bad := b.submit(login, `name="login"`, url.Values{"login": {"nobody@example.ru"}})
	if !strings.Contains(bad.body, `data-error="login"`) {
		t.Fatalf("unknown login not reported:\n%s", bad.body)
	}
	consent := b.submit(login, `name="login"`, url.Values{"login": {"ANNA.smirnova@example.ru"}, "password": {"x"}})
	if !strings.Contains(consent.body, "Анна Смирнова") {
		t.Fatalf("typed e-mail did not sign in Анна:\n%s", consent.body)
	}
}

func TestOAuthDenyRedirectsWithAccessDenied(t *testing.T) {
	e := newEnv(t, hhsandbox.Options{})
	b := newBrowser(t)
	consent := b.press(b.open(e.authorizeURL(nil)), "user", ivan, nil)
	done := b.press(consent, "decision", "deny", nil)
	loc, _ := url.Parse(done.loc)
	if done.status != http.StatusFound || loc.Query().Get("error") != "access_denied" || loc.Query().Get("state") != "st-123" || loc.Query().Has("code") {
		t.Fatalf("deny: %d %s, want a redirect with error=access_denied&state=st-123", done.status, done.loc)
	}
	// Without state, none comes back.
	b = newBrowser(t)
	consent = b.press(b.open(e.authorizeURL(url.Values{"state": nil})), "user", ivan, nil)
	done = b.press(consent, "decision", "deny", nil)
	if loc, _ := url.Parse(done.loc); loc.Query().Has("state") {
		t.Errorf("deny without state sent state back: %s", done.loc)
	}
}

func TestOAuthRemembersSignedInUser(t *testing.T) {
	e := newEnv(t, hhsandbox.Options{})
	b := newBrowser(t)
	b.press(b.press(b.open(e.authorizeURL(nil)), "user", ivan, nil), "decision", "allow", nil)

	// Signed in and consented: the "continue as" page, no login form.
	again := b.open(e.authorizeURL(nil))
	if !strings.Contains(again.body, `value="continue"`) || strings.Contains(again.body, `name="user"`) {
		t.Fatalf("second authorize should offer to continue as Иван:\n%s", again.body)
	}
	done := b.press(again, "choice", "continue", nil)
	if loc, _ := url.Parse(done.loc); done.status != http.StatusFound || loc.Query().Get("code") == "" {
		t.Fatalf("continue: %d %s", done.status, done.loc)
	}
	// "Another account" shows the login form.
	other := b.press(b.open(e.authorizeURL(nil)), "choice", "other", nil)
	if !strings.Contains(other.body, `name="user"`) {
		t.Errorf("choosing another account did not show the login form")
	}
}

func TestOAuthSkipChooseAccountRedirectsAtOnce(t *testing.T) {
	e := newEnv(t, hhsandbox.Options{})
	b := newBrowser(t)
	skip := url.Values{"skip_choose_account": {"true"}}
	// Not yet consented: the consent page still shows.
	consent := b.press(b.open(e.authorizeURL(skip)), "user", ivan, nil)
	if !strings.Contains(consent.body, `value="allow"`) {
		t.Fatalf("first login must ask for consent:\n%s", consent.body)
	}
	b.press(consent, "decision", "allow", nil)
	p := b.open(e.authorizeURL(skip))
	if loc, _ := url.Parse(p.loc); p.status != http.StatusFound || loc.Query().Get("code") == "" || loc.Query().Get("state") != "st-123" {
		t.Fatalf("skip_choose_account with consent: %d %s, want an immediate redirect with a code", p.status, p.loc)
	}
}

func TestOAuthForceLoginShowsLoginForm(t *testing.T) {
	e := newEnv(t, hhsandbox.Options{})
	b := newBrowser(t)
	b.press(b.press(b.open(e.authorizeURL(nil)), "user", ivan, nil), "decision", "allow", nil)
	p := b.open(e.authorizeURL(url.Values{"force_login": {"true"}, "skip_choose_account": {"true"}}))
	if p.status != http.StatusOK || !strings.Contains(p.body, `name="user"`) {
		t.Fatalf("force_login must show the login form even when signed in: %d %s", p.status, p.loc)
	}
	// Signing in as another user continues the flow as that user.
	consent := b.press(p, "user", anna, nil)
	if !strings.Contains(consent.body, "Анна Смирнова") {
		t.Fatalf("after force_login the consent page should name Анна:\n%s", consent.body)
	}
	done := b.press(consent, "decision", "allow", nil)
	loc, _ := url.Parse(done.loc)
	tok := e.exchange(loc.Query().Get("code"), testRedirect)
	var me struct {
		ID string `json:"id"`
	}
	e.get("/me", tok.AccessToken).json(t, &me)
	if me.ID != anna {
		t.Errorf("token after force_login belongs to %s, want %s", me.ID, anna)
	}
}

func TestOAuthConsentOffersOtherAccount(t *testing.T) {
	e := newEnv(t, hhsandbox.Options{})
	b := newBrowser(t)
	consent := b.press(b.open(e.authorizeURL(nil)), "user", ivan, nil)
	if !strings.Contains(consent.body, "Это не вы?") || !strings.Contains(consent.body, "force_login=true") {
		t.Errorf("consent page lacks the force_login link:\n%s", consent.body)
	}
}

func TestOAuthRedirectURIRules(t *testing.T) {
	e := newEnv(t, hhsandbox.Options{RedirectURI: "http://example.com/oauth"})
	cases := []struct {
		uri     string
		allowed bool
	}{
		{"http://example.com/oauth", true},
		{"http://www.example.com/oauth", true},
		{"http://example.com/oauth/sub/path", true},
		{"http://example.com/oauth?lang=RU", true},
		{"http://www.example.com/oauth/sub/path?lang=RU", true},
		{"https://example.com/oauth", false},
		{"http://wwwexample.com/oauth", false},
		{"http://example.com/", false},
		{"http://example.com/oauths", false},
		{"http://example.com:80/oauth", false},
		{"http://example.com.evil.org/oauth", false},
		{"ftp://example.com/oauth", false},
	}
	for _, c := range cases {
		t.Run(c.uri, func(t *testing.T) {
			p := newBrowser(t).open(e.authorizeURL(url.Values{"redirect_uri": {c.uri}}))
			got := p.status == http.StatusOK && strings.Contains(p.body, `name="user"`)
			if got != c.allowed {
				t.Errorf("redirect_uri %s: allowed=%v (status %d), want %v", c.uri, got, p.status, c.allowed)
			}
			if !c.allowed && p.loc != "" {
				t.Errorf("a rejected redirect_uri must not be redirected to, got Location %s", p.loc)
			}
		})
	}
	// Extra query parameters survive next to code and state.
	b := newBrowser(t)
	login := b.open(e.authorizeURL(url.Values{"redirect_uri": {"http://www.example.com/oauth/cb?lang=RU"}}))
	done := b.loginAndAllow(login, ivan)
	loc, _ := url.Parse(done.loc)
	if loc.Host != "www.example.com" || loc.Path != "/oauth/cb" || loc.Query().Get("lang") != "RU" || loc.Query().Get("code") == "" {
		t.Errorf("redirect %s: want the given URI with lang=RU kept and a code added", done.loc)
	}
	// Without redirect_uri the registered one is used.
	b = newBrowser(t)
	done = b.loginAndAllow(b.open(e.authorizeURL(url.Values{"redirect_uri": nil})), ivan)
	if !strings.HasPrefix(done.loc, "http://example.com/oauth?code=") {
		t.Errorf("without redirect_uri: redirected to %s, want the registered URI", done.loc)
	}
}

func TestOAuthRejectsUnknownClientAndResponseType(t *testing.T) {
	e := newEnv(t, hhsandbox.Options{})
	for name, extra := range map[string]url.Values{
		"client_id":     {"client_id": {"UNKNOWN"}},
		"response_type": {"response_type": {"token"}},
	} {
		p := newBrowser(t).open(e.authorizeURL(extra))
		if p.status != http.StatusBadRequest || !strings.Contains(p.body, `data-error="authorize"`) || p.loc != "" {
			t.Errorf("bad %s: %d %q, want the error page", name, p.status, p.loc)
		}
	}
}

func TestOAuthCookieIsSigned(t *testing.T) {
	e := newEnv(t, hhsandbox.Options{})
	req, _ := http.NewRequest(http.MethodGet, e.authorizeURL(nil), nil)
	req.AddCookie(&http.Cookie{Name: "hhsandbox_user", Value: ivan + ".forged"})
	p := newBrowser(t).do(req)
	if !strings.Contains(p.body, `name="user"`) {
		t.Errorf("a forged sign-in cookie was accepted")
	}
}
