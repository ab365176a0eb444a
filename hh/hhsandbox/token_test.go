package hhsandbox_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/otklik/otklik/hh/hhsandbox"
)

type tokenPair struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    *int   `json:"expires_in"`
	RefreshToken string `json:"refresh_token"`
}

type tokenErr struct {
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description"`
}

func (e *env) tokenRequest(v url.Values) response {
	return e.form("/token", v)
}

func (e *env) codeGrant(code, redirectURI string) response {
	v := url.Values{"grant_type": {"authorization_code"}, "client_id": {e.sb.ClientID()},
		"client_secret": {e.sb.ClientSecret()}, "code": {code}}
	if redirectURI != "" {
		v.Set("redirect_uri", redirectURI)
	}
	return e.tokenRequest(v)
}

func (e *env) refreshGrant(refresh string) response {
	return e.tokenRequest(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refresh}})
}

// exchange trades a code for a token pair or fails the test.
func (e *env) exchange(code, redirectURI string) tokenPair {
	e.t.Helper()
	r := e.codeGrant(code, redirectURI)
	if r.StatusCode != http.StatusOK {
		e.t.Fatalf("code exchange: %d %s", r.StatusCode, r.body)
	}
	var p tokenPair
	r.json(e.t, &p)
	return p
}

// wantTokenError asserts hh's exact status and error pair.
func wantTokenError(t *testing.T, r response, status int, code, description string) {
	t.Helper()
	var got tokenErr
	r.json(t, &got)
	if r.StatusCode != status || got.Error != code || got.ErrorDescription != description {
		t.Errorf("got %d %s/%q, want %d %s/%q", r.StatusCode, got.Error, got.ErrorDescription, status, code, description)
	}
}

func TestTokenCodeGrant(t *testing.T) {
	e := newEnv(t, hhsandbox.Options{TokenTTL: 30 * time.Second})
	p := e.exchange(e.authorizeCode(ivan), testRedirect)
	if !strings.HasPrefix(p.AccessToken, "USER") || !strings.HasPrefix(p.RefreshToken, "USER") || p.TokenType != "bearer" {
		t.Errorf("token pair %+v: want USER… tokens of type bearer", p)
	}
	if p.ExpiresIn == nil || *p.ExpiresIn != 30 {
		t.Errorf("expires_in %v, want the configured 30 seconds", p.ExpiresIn)
	}
	if r := e.get("/me", p.AccessToken); r.StatusCode != http.StatusOK {
		t.Errorf("new access token refused: %d %s", r.StatusCode, r.body)
	}
}

func TestTokenDefaultLifetimeIsFourteenDays(t *testing.T) {
	e := newEnv(t, hhsandbox.Options{})
	if p := e.exchange(e.authorizeCode(ivan), ""); p.ExpiresIn == nil || *p.ExpiresIn != 1209600 {
		t.Errorf("expires_in %v, want 1209600", p.ExpiresIn)
	}
}

func TestTokenCodeErrors(t *testing.T) {
	e := newEnv(t, hhsandbox.Options{CodeTTL: time.Minute})
	t.Run("reused", func(t *testing.T) {
		code := e.authorizeCode(ivan)
		e.exchange(code, testRedirect)
		wantTokenError(t, e.codeGrant(code, testRedirect), 400, "invalid_grant", "code has already been used")
	})
	t.Run("unknown", func(t *testing.T) {
		wantTokenError(t, e.codeGrant("NOSUCHCODE", ""), 400, "invalid_request", "code not found")
	})
	t.Run("expired", func(t *testing.T) {
		code := e.authorizeCode(ivan)
		e.sb.Advance(time.Minute)
		wantTokenError(t, e.codeGrant(code, ""), 400, "invalid_grant", "code expired")
	})
	t.Run("redirect_uri differs from authorize", func(t *testing.T) {
		code := e.authorizeCode(ivan)
		wantTokenError(t, e.codeGrant(code, testRedirect+"/other"), 400, "invalid_request", "bad redirect url")
		// The failed attempt does not burn the code.
		e.exchange(code, testRedirect)
	})
	t.Run("unknown client", func(t *testing.T) {
		r := e.tokenRequest(url.Values{"grant_type": {"authorization_code"}, "client_id": {"NOPE"},
			"client_secret": {e.sb.ClientSecret()}, "code": {e.authorizeCode(ivan)}})
		wantTokenError(t, r, 400, "invalid_client", "client_id or client_secret not found")
	})
	t.Run("wrong secret", func(t *testing.T) {
		r := e.tokenRequest(url.Values{"grant_type": {"authorization_code"}, "client_id": {e.sb.ClientID()},
			"client_secret": {"WRONG"}, "code": {e.authorizeCode(ivan)}})
		wantTokenError(t, r, 400, "invalid_request", "account not found")
	})
	t.Run("unsupported grant", func(t *testing.T) {
		wantTokenError(t, e.tokenRequest(url.Values{"grant_type": {"password"}}), 400, "unsupported_grant_type", "unsupported grant_type")
	})
}

func TestTokenRefreshOnlyAfterExpiryAndOnce(t *testing.T) {
	e := newEnv(t, hhsandbox.Options{TokenTTL: 10 * time.Second})
	p := e.exchange(e.authorizeCode(ivan), "")

	wantTokenError(t, e.refreshGrant(p.RefreshToken), 400, "invalid_grant", "token not expired")

	e.sb.Advance(10 * time.Second)
	if r := e.get("/me", p.AccessToken); r.StatusCode != 403 || r.errorValues(t)[0] != "oauth/token_expired" {
		t.Fatalf("expired access token: %d %s", r.StatusCode, r.body)
	}
	r := e.refreshGrant(p.RefreshToken)
	if r.StatusCode != http.StatusOK {
		t.Fatalf("refresh after expiry: %d %s", r.StatusCode, r.body)
	}
	var next tokenPair
	r.json(t, &next)
	if next.AccessToken == p.AccessToken || next.RefreshToken == p.RefreshToken || next.RefreshToken == "" {
		t.Errorf("refresh must return a new pair, got %+v after %+v", next, p)
	}
	if r := e.get("/me", next.AccessToken); r.StatusCode != http.StatusOK {
		t.Errorf("refreshed access token refused: %d %s", r.StatusCode, r.body)
	}
	wantTokenError(t, e.refreshGrant(p.RefreshToken), 400, "invalid_grant", "token has already been refreshed")

	// The new refresh token again only after the new access token expires.
	wantTokenError(t, e.refreshGrant(next.RefreshToken), 400, "invalid_grant", "token not expired")
	e.sb.ExpireTokens(ivan)
	if r := e.refreshGrant(next.RefreshToken); r.StatusCode != http.StatusOK {
		t.Errorf("refresh after ExpireTokens: %d %s", r.StatusCode, r.body)
	}
}

func TestTokenRefreshErrors(t *testing.T) {
	e := newEnv(t, hhsandbox.Options{})
	wantTokenError(t, e.refreshGrant(""), 400, "invalid_request", "token is empty")
	wantTokenError(t, e.refreshGrant("USERNOSUCHTOKEN"), 400, "invalid_request", "token not found")

	p := e.exchange(e.authorizeCode(ivan), "")
	e.sb.RevokeTokens(ivan)
	e.sb.Advance(15 * 24 * time.Hour)
	wantTokenError(t, e.refreshGrant(p.RefreshToken), 400, "invalid_grant", "token was revoked")
}

func TestTokenRevokeWithDelete(t *testing.T) {
	e := newEnv(t, hhsandbox.Options{})
	p := e.exchange(e.authorizeCode(ivan), "")
	r := e.request(http.MethodDelete, "/oauth/token", p.AccessToken, nil, "")
	if r.StatusCode != http.StatusNoContent || len(r.body) != 0 {
		t.Fatalf("DELETE /oauth/token: %d %q, want 204 and no body", r.StatusCode, r.body)
	}
	r = e.get("/me", p.AccessToken)
	if r.StatusCode != 403 || r.errorValues(t)[0] != "oauth/token_revoked" {
		t.Errorf("revoked token: %d %s, want 403 oauth/token_revoked", r.StatusCode, r.body)
	}
	var legacy struct {
		OAuthError string `json:"oauth_error"`
	}
	r.json(t, &legacy)
	if legacy.OAuthError != "token-revoked" {
		t.Errorf("oauth_error %q, want token-revoked", legacy.OAuthError)
	}
	e.sb.Advance(15 * 24 * time.Hour)
	wantTokenError(t, e.refreshGrant(p.RefreshToken), 400, "invalid_grant", "token was revoked")
}

func TestTokenClientCredentials(t *testing.T) {
	e := newEnv(t, hhsandbox.Options{})
	grant := url.Values{"grant_type": {"client_credentials"}, "client_id": {e.sb.ClientID()}, "client_secret": {e.sb.ClientSecret()}}
	r := e.tokenRequest(grant)
	var app tokenPair
	r.json(t, &app)
	if r.StatusCode != 200 || app.AccessToken == "" || app.ExpiresIn != nil || app.RefreshToken != "" {
		t.Fatalf("app token: %d %s, want a token without expires_in or refresh_token", r.StatusCode, r.body)
	}
	var me struct {
		AuthType      string `json:"auth_type"`
		IsApplication bool   `json:"is_application"`
		ID            string `json:"id"`
	}
	e.get("/me", app.AccessToken).json(t, &me)
	if me.AuthType != "application" || !me.IsApplication || me.ID != "" {
		t.Errorf("/me with an app token: %+v, want only the application flags", me)
	}
	if r := e.get("/resumes/mine", app.AccessToken); r.StatusCode != 403 || r.errorValues(t)[0] != "oauth/user_auth_expected" {
		t.Errorf("app token on an applicant call: %d %s", r.StatusCode, r.body)
	}
	if r := e.request(http.MethodDelete, "/oauth/token", app.AccessToken, nil, ""); r.StatusCode != 403 {
		t.Errorf("DELETE /oauth/token with an app token: %d, want 403", r.StatusCode)
	}
	wantTokenError(t, e.tokenRequest(grant), 400, "forbidden", "app token refresh too early")
	e.sb.Advance(5 * time.Minute)
	var next tokenPair
	e.tokenRequest(grant).json(t, &next)
	if next.AccessToken == "" || next.AccessToken == app.AccessToken {
		t.Fatalf("a new app token after 5 minutes, got %+v", next)
	}
	if r := e.get("/me", app.AccessToken); r.StatusCode != 403 {
		t.Errorf("the previous app token still works after a new one was issued")
	}
}

func TestTokenDeprecatedPathWorks(t *testing.T) {
	e := newEnv(t, hhsandbox.Options{})
	r := e.form("/oauth/token", url.Values{"grant_type": {"authorization_code"}, "client_id": {e.sb.ClientID()},
		"client_secret": {e.sb.ClientSecret()}, "code": {e.authorizeCode(ivan)}})
	if r.StatusCode != http.StatusOK {
		t.Errorf("POST /oauth/token: %d %s", r.StatusCode, r.body)
	}
}
