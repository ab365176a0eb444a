package hhsandbox

import (
	"fmt"
	"net/http"
	"time"
)

// tokenResponse is the 200 body of POST /token.
type tokenResponse struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    *int64 `json:"expires_in,omitempty"`
	RefreshToken string `json:"refresh_token,omitempty"`
}

// appTokenInterval is how often hh lets an application ask for a new app token.
const appTokenInterval = 5 * time.Minute

// handleToken serves POST /token (and the deprecated POST /oauth/token): the
// authorization_code, refresh_token and client_credentials grants with hh's
// exact error pairs (REFERENCE §2.2).
func (s *Sandbox) handleToken(w http.ResponseWriter, r *http.Request) {
	s.sleep(r)
	if userAgent(r) == "" {
		s.writeError(w, http.StatusBadRequest, errorBody{Description: "Bad Request", Errors: []apiError{{Type: "bad_user_agent", Value: "unset"}}})
		return
	}
	if s.injectFault(w) {
		return
	}
	if err := r.ParseForm(); err != nil {
		s.tokenError(w, http.StatusBadRequest, "unsupported_grant_type", "unsupported grant_type")
		return
	}
	f := r.PostForm
	s.mu.Lock()
	defer s.mu.Unlock()
	switch f.Get("grant_type") {
	case "authorization_code":
		if !s.clientOK(w, f.Get("client_id"), f.Get("client_secret")) {
			return
		}
		code := s.st.codes[f.Get("code")]
		switch {
		case code == nil:
			s.tokenError(w, http.StatusBadRequest, "invalid_request", "code not found")
			return
		case code.Used:
			s.tokenError(w, http.StatusBadRequest, "invalid_grant", "code has already been used")
			return
		case !s.nowLocked().Before(code.ExpiresAt):
			s.tokenError(w, http.StatusBadRequest, "invalid_grant", "code expired")
			return
		}
		// The old docs: redirect_uri must repeat the one given to authorize
		// exactly. When authorize had none, only the registered one (the
		// default it stood for) is accepted.
		if got := f.Get("redirect_uri"); got != "" {
			want := code.RedirectURI
			if want == "" {
				want = s.opts.RedirectURI
			}
			if got != want {
				s.tokenError(w, http.StatusBadRequest, "invalid_request", "bad redirect url")
				return
			}
		}
		code.Used = true
		s.issueLocked(w, code.UserID)
	case "refresh_token":
		token := f.Get("refresh_token")
		if token == "" {
			s.tokenError(w, http.StatusBadRequest, "invalid_request", "token is empty")
			return
		}
		g := s.st.refreshes[token]
		switch {
		case g == nil:
			s.tokenError(w, http.StatusBadRequest, "invalid_request", "token not found")
			return
		case g.Refreshed:
			s.tokenError(w, http.StatusBadRequest, "invalid_grant", "token has already been refreshed")
			return
		case g.Revoked:
			s.tokenError(w, http.StatusBadRequest, "invalid_grant", "token was revoked")
			return
		case s.nowLocked().Before(g.ExpiresAt):
			s.tokenError(w, http.StatusBadRequest, "invalid_grant", "token not expired")
			return
		}
		g.Refreshed = true
		s.issueLocked(w, g.UserID)
	case "client_credentials":
		if !s.clientOK(w, f.Get("client_id"), f.Get("client_secret")) {
			return
		}
		now := s.nowLocked()
		if s.st.appToken != "" && now.Sub(s.st.appIssued) < appTokenInterval {
			// errors.md says 403; hh's OpenAPI puts the pair in the 400
			// schema, which is what clients are generated from.
			s.tokenError(w, http.StatusBadRequest, "forbidden", "app token refresh too early")
			return
		}
		s.st.appToken = "APPL" + s.randomString(60) // asking again revokes the old one
		s.st.appIssued = now
		writeJSON(w, http.StatusOK, tokenResponse{AccessToken: s.st.appToken, TokenType: "bearer"})
	default:
		s.tokenError(w, http.StatusBadRequest, "unsupported_grant_type", "unsupported grant_type")
	}
}

// clientOK checks the application's credentials: an unknown client_id is
// invalid_client, a known one with the wrong secret is hh's "account not
// found" (a wrong client_id/client_secret pair).
func (s *Sandbox) clientOK(w http.ResponseWriter, id, secret string) bool {
	switch {
	case id != s.opts.ClientID:
		s.tokenError(w, http.StatusBadRequest, "invalid_client", "client_id or client_secret not found")
		return false
	case secret != s.opts.ClientSecret:
		s.tokenError(w, http.StatusBadRequest, "invalid_request", "account not found")
		return false
	}
	return true
}

// issueLocked creates a new token pair for userID and writes it.
func (s *Sandbox) issueLocked(w http.ResponseWriter, userID string) {
	g := s.newGrantLocked(userID)
	ttl := int64(s.faults.TokenTTL / time.Second)
	writeJSON(w, http.StatusOK, tokenResponse{AccessToken: g.Access, TokenType: "bearer", ExpiresIn: &ttl, RefreshToken: g.Refresh})
}

func (s *Sandbox) newGrantLocked(userID string) *grant {
	g := &grant{
		UserID:    userID,
		Access:    "USER" + s.randomString(60),
		Refresh:   "USER" + s.randomString(60),
		ExpiresAt: s.nowLocked().Add(s.faults.TokenTTL),
	}
	s.st.tokens[g.Access] = g
	s.st.refreshes[g.Refresh] = g
	return g
}

// handleRevoke serves DELETE /oauth/token: the user's access token stops
// working and its refresh token is refused with "token was revoked".
func (s *Sandbox) handleRevoke(w http.ResponseWriter, r *http.Request, c caller) {
	if c.grant == nil { // application tokens cannot be invalidated this way
		s.writeError(w, http.StatusForbidden, errorBody{Description: "Forbidden",
			Errors: []apiError{{Type: "oauth", Value: "user_auth_expected"}}})
		return
	}
	s.mu.Lock()
	c.grant.Revoked = true
	s.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

// Token is a token pair issued by IssueToken.
type Token struct {
	AccessToken  string
	RefreshToken string
	ExpiresAt    time.Time
}

// IssueToken issues a token pair for userID as if the user had walked the
// OAuth pages, for tests that do not exercise the login flow.
func (s *Sandbox) IssueToken(userID string) (Token, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.st.userIDs[userID] == nil {
		return Token{}, fmt.Errorf("hhsandbox: no user %q", userID)
	}
	s.st.consented[userID] = true
	g := s.newGrantLocked(userID)
	return Token{AccessToken: g.Access, RefreshToken: g.Refresh, ExpiresAt: g.ExpiresAt}, nil
}

// ExpireTokens makes the current access tokens of the given users (all users
// when none are given) expire now, so the next call gets token_expired and a
// refresh is allowed.
func (s *Sandbox) ExpireTokens(userIDs ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.nowLocked()
	for _, g := range s.grantsLocked(userIDs) {
		if g.ExpiresAt.After(now) {
			g.ExpiresAt = now
		}
	}
}

// RevokeTokens revokes every token of the given users (all users when none
// are given), as when a user changes their password: API calls get
// token_revoked and refreshes "token was revoked".
func (s *Sandbox) RevokeTokens(userIDs ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, g := range s.grantsLocked(userIDs) {
		g.Revoked = true
	}
}

func (s *Sandbox) grantsLocked(userIDs []string) []*grant {
	want := map[string]bool{}
	for _, id := range userIDs {
		want[id] = true
	}
	var out []*grant
	for _, g := range s.st.tokens {
		if len(want) == 0 || want[g.UserID] {
			out = append(out, g)
		}
	}
	return out
}
