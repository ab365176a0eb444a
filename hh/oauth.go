package hh

import (
	"context"
	"net/http"
	"net/url"
	"time"
)

// AuthorizeParams are the optional parameters of the browser login URL.
type AuthorizeParams struct {
	// State is an unguessable value returned in the redirect, against CSRF.
	State string
	// RedirectURI overrides the one registered for the application; hh
	// checks it against the registered one (subdomains, deeper paths and extra
	// query parameters are allowed).
	RedirectURI string
	// ForceLogin always shows the login form, even when the person is signed
	// in to hh (to switch accounts).
	ForceLogin bool
	// SkipChooseAccount skips the "continue as…" screen for a person who is
	// signed in and has granted access before.
	SkipChooseAccount bool
}

// AuthorizeURL returns {OAuthURL}/oauth/authorize?response_type=code&client_id=…
// where the person grants the application access. hh redirects back to the
// redirect URI with code and state, or with error=access_denied.
//
// Docs: https://api.hh.ru/openapi/redoc#section/Avtorizaciya/Avtorizaciya-polzovatelya
func (c *Client) AuthorizeURL(p AuthorizeParams) string {
	q := url.Values{}
	q.Set("response_type", "code")
	q.Set("client_id", c.clientID)
	if p.State != "" {
		q.Set("state", p.State)
	}
	if p.RedirectURI != "" {
		q.Set("redirect_uri", p.RedirectURI)
	}
	if p.ForceLogin {
		q.Set("force_login", "true")
	}
	if p.SkipChooseAccount {
		q.Set("skip_choose_account", "true")
	}
	u, _ := resolve(c.oauthURL, "oauth/authorize", q) // both parts were validated
	return u.String()
}

// ExchangeCode trades the authorization code from the login redirect for a
// user's token pair at POST {APIURL}/token (grant_type=authorization_code).
// redirectURI must be the one passed to AuthorizeURL, character for
// character. It is required: hh's description requires redirect_uri on this
// grant, so pass the redirect URI to AuthorizeURL too.
//
// Docs: https://api.hh.ru/openapi/redoc#tag/Avtorizaciya-rabotodatelya/operation/authorize
func (c *Client) ExchangeCode(ctx context.Context, code, redirectURI string) (*Token, error) {
	if code == "" {
		return nil, &ParamError{Op: OpToken, Field: "code", Reason: "must not be empty"}
	}
	if redirectURI == "" {
		return nil, &ParamError{Op: OpToken, Field: "redirect_uri", Reason: "must not be empty (hh requires the redirect URI given to AuthorizeURL)"}
	}
	if c.clientID == "" || c.clientSecret == "" {
		return nil, &ParamError{Op: OpToken, Field: "client_id", Reason: "ClientID and ClientSecret must be configured"}
	}
	form := url.Values{}
	form.Set("grant_type", "authorization_code")
	form.Set("client_id", c.clientID)
	form.Set("client_secret", c.clientSecret)
	form.Set("code", code)
	form.Set("redirect_uri", redirectURI)
	return c.requestToken(ctx, form, code)
}

// RefreshToken trades a refresh token for a new pair at POST {APIURL}/token
// (grant_type=refresh_token). hh accepts it only after the access token has
// expired (see IsRefreshTooEarly) and only once; store the new pair.
//
// Docs: https://api.hh.ru/openapi/redoc#tag/Avtorizaciya-rabotodatelya/operation/authorize
func (c *Client) RefreshToken(ctx context.Context, refreshToken string) (*Token, error) {
	if refreshToken == "" {
		return nil, &ParamError{Op: OpToken, Field: "refresh_token", Reason: "must not be empty"}
	}
	form := url.Values{}
	form.Set("grant_type", "refresh_token")
	form.Set("refresh_token", refreshToken)
	return c.requestToken(ctx, form, refreshToken)
}

func (c *Client) requestToken(ctx context.Context, form url.Values, secret string) (*Token, error) {
	resp, err := c.send(ctx, &request{
		op: OpToken, method: http.MethodPost, path: "token",
		form: form, noAuth: true, secrets: []string{secret},
	})
	if err != nil {
		return nil, err
	}
	var t Token
	if err := decode(OpToken, resp.body, shapeToken, &t); err != nil {
		return nil, err
	}
	t.ExpiresAt = time.Now().Add(time.Duration(t.ExpiresIn) * time.Second)
	return &t, nil
}

// RevokeToken invalidates the bound access token and its refresh token at
// DELETE {APIURL}/oauth/token (204). The person must log in again afterwards.
//
// Docs: https://api.hh.ru/openapi/redoc#tag/Avtorizaciya-rabotodatelya/operation/invalidate-token
func (c *Client) RevokeToken(ctx context.Context) error {
	if c.token == "" {
		return &ParamError{Op: OpRevokeToken, Field: "access_token", Reason: "client is not bound to a token (use WithToken)"}
	}
	return c.exec(ctx, OpRevokeToken, http.MethodDelete, "oauth/token")
}
