package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/otklik/otklik/hh"
)

func TestConnectHHEndToEnd(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	b := env.browser()
	u := b.register("a@example.com", "good password 1")
	hhUser := env.applicant(0)

	r := b.connectHH(hhUser.ID, true)
	if r.status != http.StatusSeeOther || r.location != "/" {
		t.Fatalf("callback = %d %q\n%s", r.status, r.location, r.body)
	}
	dash := b.get("/").body
	want := "Вы вошли как <b>" + hhUser.FirstName + " " + hhUser.LastName + "</b>. <a href=\"/hh/connect?force_login=1\">Это не вы?</a>"
	if !strings.Contains(dash, want) {
		t.Errorf("dashboard lacks %q", want)
	}
	if !strings.Contains(b.get("/settings").body, hhUser.FirstName+" "+hhUser.LastName) {
		t.Error("settings do not show the hh name")
	}
	ctx := context.Background()
	acct, err := env.store.HHAccount(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if acct.HHUserID != hhUser.ID || acct.Token.AccessToken == "" {
		t.Errorf("stored account %q with token %v", acct.HHUserID, acct.Token.AccessToken != "")
	}
	resumes, _ := env.store.Resumes(ctx, u.ID)
	if len(resumes) != len(hhUser.Resumes) {
		t.Errorf("cached %d resumes, hh has %d", len(resumes), len(hhUser.Resumes))
	}

	// Connecting again replaces the token and revokes the old one.
	oldToken := acct.Token.AccessToken
	if r := b.connectHH(hhUser.ID, true); r.status != http.StatusSeeOther {
		t.Fatalf("reconnect = %d", r.status)
	}
	acct2, _ := env.store.HHAccount(ctx, u.ID)
	if acct2.Token.AccessToken == oldToken {
		t.Fatal("reconnect kept the old token")
	}
	if _, err := env.oauth.WithToken(oldToken).Me(ctx); err == nil || !hh.IsTokenUnusable(err) {
		t.Errorf("old token still works after reconnect: %v", err)
	}
	if _, err := env.oauth.WithToken(acct2.Token.AccessToken).Me(ctx); err != nil {
		t.Errorf("new token: %v", err)
	}

	// Disconnect revokes at hh and wipes the tokens.
	if r := b.post("/", "/hh/disconnect", nil); r.status != http.StatusSeeOther {
		t.Fatalf("disconnect = %d", r.status)
	}
	if _, err := env.store.HHAccount(ctx, u.ID); err == nil {
		t.Error("account still stored after disconnect")
	}
	if _, err := env.oauth.WithToken(acct2.Token.AccessToken).Me(ctx); err == nil {
		t.Error("token still works after disconnect")
	}
	if !strings.Contains(b.get("/").body, "hh.ru не подключён") {
		t.Error("dashboard does not say hh is disconnected")
	}
}

func TestConnectForceLogin(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	b := env.browser()
	b.register("a@example.com", "good password 1")
	r := b.get("/hh/connect?force_login=1")
	loc, _ := url.Parse(r.location)
	if loc.Query().Get("force_login") != "true" || loc.Query().Get("state") == "" ||
		loc.Query().Get("redirect_uri") != env.server.URL+"/hh/callback" {
		t.Errorf("authorize URL %s", r.location)
	}
}

func TestOAuthStateRefused(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	b := env.browser()
	u := b.register("a@example.com", "good password 1")
	hhUser := env.applicant(0)
	ctx := context.Background()

	// Replay: the callback URL used once does not work again.
	start := b.get("/hh/connect")
	auth, _ := url.Parse(start.location)
	form := url.Values{}
	for k, vs := range auth.Query() {
		form[k] = vs
	}
	form.Set("step", "login")
	form.Set("user", hhUser.ID)
	page := b.postRaw(env.hhURL+"/oauth/authorize", form, nil)
	form.Set("step", "consent")
	form.Set("decision", "allow")
	page = b.postRaw(env.hhURL+"/oauth/authorize", form, nil)
	callback := page.location
	if r := b.get(callback); r.status != http.StatusSeeOther {
		t.Fatalf("first callback = %d", r.status)
	}
	acct, _ := env.store.HHAccount(ctx, u.ID)
	if r := b.get(callback); r.status != http.StatusBadRequest || !strings.Contains(r.body, "устарела или уже использована") {
		t.Errorf("replayed callback = %d, want 400", r.status)
	}
	acct2, _ := env.store.HHAccount(ctx, u.ID)
	if acct2.TokenGeneration != acct.TokenGeneration {
		t.Error("a replayed callback changed the account")
	}

	// Mismatch: a state other than the one given is refused, and the real
	// one is spent by the attempt.
	start = b.get("/hh/connect")
	auth, _ = url.Parse(start.location)
	state := auth.Query().Get("state")
	if r := b.get("/hh/callback?code=whatever&state=" + url.QueryEscape(state+"x")); r.status != http.StatusBadRequest {
		t.Errorf("wrong state = %d, want 400", r.status)
	}
	if r := b.get("/hh/callback?code=whatever&state=" + url.QueryEscape(state)); r.status != http.StatusBadRequest {
		t.Errorf("state after a failed attempt = %d, want 400", r.status)
	}

	// Another person's state does not work in this session.
	other := env.browser()
	other.register("b@example.com", "good password 1")
	start = other.get("/hh/connect")
	auth, _ = url.Parse(start.location)
	if r := b.get("/hh/callback?code=whatever&state=" + url.QueryEscape(auth.Query().Get("state"))); r.status != http.StatusBadRequest {
		t.Errorf("someone else's state = %d, want 400", r.status)
	}
	if r := b.get("/hh/callback?code=whatever"); r.status != http.StatusBadRequest {
		t.Errorf("no state = %d, want 400", r.status)
	}
}

func TestOAuthAccessDenied(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	b := env.browser()
	u := b.register("a@example.com", "good password 1")
	r := b.connectHH(env.applicant(0).ID, false)
	if r.status != http.StatusOK || !strings.Contains(r.body, "Вы не разрешили Otklik доступ к hh.ru") {
		t.Fatalf("access_denied page = %d\n%s", r.status, r.body)
	}
	if _, err := env.store.HHAccount(context.Background(), u.ID); err == nil {
		t.Error("an account was stored although access was denied")
	}
}
