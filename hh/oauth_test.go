package hh

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestAuthorizeURL(t *testing.T) {
	c, _ := setup(t)
	tests := []struct {
		p    AuthorizeParams
		want url.Values
	}{
		{AuthorizeParams{}, url.Values{"response_type": {"code"}, "client_id": {testClientID}}},
		{
			AuthorizeParams{State: "s t&x", RedirectURI: "http://localhost:8080/hh/callback?lang=RU", ForceLogin: true, SkipChooseAccount: true},
			url.Values{
				"response_type": {"code"}, "client_id": {testClientID}, "state": {"s t&x"},
				"redirect_uri": {"http://localhost:8080/hh/callback?lang=RU"},
				"force_login":  {"true"}, "skip_choose_account": {"true"},
			},
		},
	}
	for _, tt := range tests {
		raw := c.AuthorizeURL(tt.p)
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		if got := u.Scheme + "://" + u.Host + u.Path; got != testOAuthURL+"/oauth/authorize" {
			t.Errorf("AuthorizeURL = %s, want it at %s/oauth/authorize", raw, testOAuthURL)
		}
		if got := u.Query(); !equalValues(got, tt.want) {
			t.Errorf("AuthorizeURL query = %v, want %v", got, tt.want)
		}
	}
}

func equalValues(a, b url.Values) bool {
	return a.Encode() == b.Encode()
}

func TestExchangeCode(t *testing.T) {
	c, mux := setup(t)
	mux.HandleFunc("/token", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodPost)
		testHeaders(t, r, "") // never the bound user's token
		testForm(t, r, "application/x-www-form-urlencoded", url.Values{
			"grant_type": {"authorization_code"}, "client_id": {testClientID},
			"client_secret": {testClientSecret}, "code": {"CODE123"},
			"redirect_uri": {"http://localhost:8080/hh/callback"},
		})
		writeJSON(w, http.StatusOK, string(fixture(t, "token.json")))
	})
	before := time.Now()
	tok, err := c.ExchangeCode(context.Background(), "CODE123", "http://localhost:8080/hh/callback")
	if err != nil {
		t.Fatalf("ExchangeCode: %v", err)
	}
	if !strings.HasPrefix(tok.AccessToken, "USER") || !strings.HasPrefix(tok.RefreshToken, "USER") || tok.TokenType != "bearer" || tok.ExpiresIn != 1209600 {
		t.Errorf("token = %+v", tok)
	}
	if lo, hi := before.Add(14*24*time.Hour), time.Now().Add(14*24*time.Hour); tok.ExpiresAt.Before(lo) || tok.ExpiresAt.After(hi) {
		t.Errorf("ExpiresAt = %v, want 14 days from now", tok.ExpiresAt)
	}
}

func TestExchangeCodeNeedsCredentials(t *testing.T) {
	c, _ := setup(t, func(cfg *Config) { cfg.ClientSecret = "" })
	_, err := c.ExchangeCode(context.Background(), "CODE", "http://localhost/cb")
	if !errors.Is(err, ErrInvalidParams) {
		t.Errorf("err = %v, want ErrInvalidParams", err)
	}
	if _, err := c.ExchangeCode(context.Background(), "", "http://localhost/cb"); !errors.Is(err, ErrInvalidParams) {
		t.Errorf("empty code: err = %v, want ErrInvalidParams", err)
	}
}

// hh's description requires redirect_uri on the code grant: an empty one is
// refused before anything is sent, naming the field.
func TestExchangeCodeNeedsRedirectURI(t *testing.T) {
	c, mux := setup(t)
	sent := 0
	mux.HandleFunc("/token", func(w http.ResponseWriter, r *http.Request) {
		sent++
		writeJSON(w, http.StatusOK, string(fixture(t, "token.json")))
	})
	_, err := c.ExchangeCode(context.Background(), "CODE123", "")
	var pe *ParamError
	if !errors.As(err, &pe) || pe.Field != "redirect_uri" || !strings.Contains(err.Error(), "redirect_uri") {
		t.Errorf("err = %v, want a ParamError naming redirect_uri", err)
	}
	if sent != 0 {
		t.Errorf("%d token requests sent without redirect_uri", sent)
	}
}

func TestRefreshToken(t *testing.T) {
	c, mux := setup(t)
	mux.HandleFunc("/token", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodPost)
		testHeaders(t, r, "")
		// Only these two fields: hh rejects a refresh with anything else.
		testForm(t, r, "application/x-www-form-urlencoded", url.Values{
			"grant_type": {"refresh_token"}, "refresh_token": {"USEROLDREFRESH"},
		})
		writeJSON(w, http.StatusOK, string(fixture(t, "token.json")))
	})
	tok, err := c.RefreshToken(context.Background(), "USEROLDREFRESH")
	if err != nil {
		t.Fatalf("RefreshToken: %v", err)
	}
	if tok.ExpiresAt.IsZero() {
		t.Error("ExpiresAt not set")
	}
	if _, err := c.RefreshToken(context.Background(), ""); !errors.Is(err, ErrInvalidParams) {
		t.Errorf("empty refresh token: err = %v, want ErrInvalidParams", err)
	}
}

// Every pair of REFERENCE.md §2.2, with the spec's trailing spaces.
func TestTokenErrors(t *testing.T) {
	tests := []struct {
		status             int
		error, desc        string
		unusable, tooEarly bool
	}{
		{400, "invalid_request", "account not found", false, false},
		{400, "invalid_request", "account is locked", false, false},
		{400, "invalid_request", "password invalidated", false, false},
		{400, "invalid_request", "login not verified", false, false},
		{400, "invalid_request", "bad redirect url", false, false},
		{400, "invalid_request", "token is empty", false, false},
		{400, "invalid_request", "token not found", true, false},
		{400, "invalid_request", "code not found ", false, false},
		{400, "invalid_client", "client_id or client_secret not found", false, false},
		{400, "invalid_grant", "token has already been refreshed", true, false},
		{400, "invalid_grant", "token not expired", false, true},
		{400, "invalid_grant", "token was revoked", true, false},
		{400, "invalid_grant", "bad token ", true, false},
		{400, "invalid_grant", "code has already been used", true, false},
		{400, "invalid_grant", "code expired", true, false},
		{400, "invalid_grant", "code was revoke", true, false},
		{400, "invalid_grant", "token deactivated ", true, false},
		{400, "unsupported_grant_type", "unsupported grant_type", false, false},
		{403, "forbidden", "app token refresh too early", false, false},
		{400, "forbidden", "app token refresh too early", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.error+"/"+tt.desc, func(t *testing.T) {
			c, mux := setup(t)
			mux.HandleFunc("/token", func(w http.ResponseWriter, r *http.Request) {
				writeJSON(w, tt.status, `{"error":"`+tt.error+`","error_description":"`+tt.desc+`"}`)
			})
			_, err := c.RefreshToken(context.Background(), "USERREFRESH")
			e := hhError(t, err)
			if e.Op != OpToken || e.StatusCode != tt.status || e.TokenError != tt.error || e.TokenErrorDescription != strings.TrimSpace(tt.desc) {
				t.Errorf("error = %+v", e)
			}
			if got := IsTokenUnusable(err); got != tt.unusable {
				t.Errorf("IsTokenUnusable = %v, want %v", got, tt.unusable)
			}
			if got := IsRefreshTooEarly(err); got != tt.tooEarly {
				t.Errorf("IsRefreshTooEarly = %v, want %v", got, tt.tooEarly)
			}
			if IsRetryable(err) || IsTokenExpired(err) {
				t.Errorf("a token error must be neither retryable nor 'expired': %v", err)
			}
			if !strings.Contains(err.Error(), tt.error) {
				t.Errorf("Error() = %q, want it to name %s", err, tt.error)
			}
		})
	}
}

func TestTokenNotRetried(t *testing.T) {
	c, mux := setup(t)
	calls := 0
	mux.HandleFunc("/token", func(w http.ResponseWriter, r *http.Request) {
		calls++
		w.WriteHeader(http.StatusBadGateway)
	})
	_, err := c.RefreshToken(context.Background(), "USERREFRESH")
	if !IsRetryable(err) || calls != 1 {
		t.Errorf("err = %v after %d calls; want one retryable 502", err, calls)
	}
}

func TestRevokeToken(t *testing.T) {
	c, mux := setup(t)
	mux.HandleFunc("/oauth/token", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodDelete)
		testHeaders(t, r, testToken)
		w.WriteHeader(http.StatusNoContent)
	})
	if err := c.RevokeToken(context.Background()); err != nil {
		t.Errorf("RevokeToken: %v", err)
	}
	unbound, err := NewClient(Config{UserAgent: testUserAgent})
	if err != nil {
		t.Fatal(err)
	}
	if err := unbound.RevokeToken(context.Background()); !errors.Is(err, ErrInvalidParams) {
		t.Errorf("unbound RevokeToken: err = %v, want ErrInvalidParams", err)
	}
}

func TestRevokeTokenForbidden(t *testing.T) {
	c, mux := setup(t)
	mux.HandleFunc("/oauth/token", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusForbidden, `{"request_id":"abc","errors":[{"type":"oauth","value":"bad_authorization"}],"oauth_error":"bad-auth-type"}`)
	})
	err := c.RevokeToken(context.Background())
	if e := hhError(t, err); e.Op != OpRevokeToken || !IsTokenUnusable(err) {
		t.Errorf("err = %v, want an unusable-token error from revoke_token", err)
	}
}
