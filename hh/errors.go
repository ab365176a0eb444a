package hh

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Error is hh's answer to a request with a status of 400 or above. It covers
// the general envelope
// ({"request_id","description","errors":[…],"oauth_error"}) and the token
// endpoint's RFC 6749 pair ({"error","error_description"}). Bodies that are not
// JSON (a proxy's 502 page) or carry no errors[] leave the fields empty; the
// status is always set.
//
// Branch on it with the predicates (IsTokenExpired, IsLimitExceeded,
// CaptchaURL, …) rather than on the strings. Its text never holds the access
// token, refresh token, authorization code or client secret of the request.
//
// Docs: https://api.hh.ru/openapi/redoc#section/Obshaya-informaciya/Oshibki-i-kody-otvetov
type Error struct {
	// Op is the operation that failed, one of the Op constants.
	Op string
	// StatusCode is the HTTP status.
	StatusCode int
	// RequestID is hh's request_id from the body, or the X-Request-Id header.
	RequestID string
	// Description is hh's legacy human-readable description, if any.
	Description string
	// OAuthError is the legacy top-level oauth_error ("token-expired", …).
	OAuthError string
	// Errors are the items of errors[], in hh's order.
	Errors []ErrorItem
	// TokenError and TokenErrorDescription are the token endpoint's error and
	// error_description, with surrounding spaces trimmed (hh's strings carry
	// trailing spaces, e.g. "bad token ").
	TokenError            string
	TokenErrorDescription string
	// RetryAfter is the Retry-After header, zero when absent.
	RetryAfter time.Duration
}

// ErrorItem is one item of errors[]: Type is always set; Value and Reason are
// optional. Captcha errors carry CaptchaURL and/or FallbackURL; any other
// keys are kept in Extra.
type ErrorItem struct {
	Type        string         `json:"type"`
	Value       string         `json:"value,omitempty"`
	Reason      string         `json:"reason,omitempty"`
	CaptchaURL  string         `json:"captcha_url,omitempty"`
	FallbackURL string         `json:"fallback_url,omitempty"`
	Extra       map[string]any `json:"-"`
}

// UnmarshalJSON reads the known keys and keeps the rest in Extra. Non-string
// values of the known keys are tolerated and left empty.
func (it *ErrorItem) UnmarshalJSON(b []byte) error {
	var raw map[string]any
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	*it = ErrorItem{}
	take := func(key string) string {
		v, ok := raw[key]
		if !ok {
			return ""
		}
		delete(raw, key)
		s, _ := v.(string)
		return s
	}
	it.Type = take("type")
	it.Value = take("value")
	it.Reason = take("reason")
	it.CaptchaURL = take("captcha_url")
	it.FallbackURL = take("fallback_url")
	if len(raw) > 0 {
		it.Extra = raw
	}
	return nil
}

// Error types and values of errors[] that the predicates recognise.
const (
	ErrorTypeOAuth              = "oauth"
	ErrorTypeForbidden          = "forbidden"
	ErrorTypeNegotiations       = "negotiations"
	ErrorTypeCaptcha            = "captcha_required"
	ErrorTypeBadArgument        = "bad_argument"
	ErrorTypeNotFound           = "not_found"
	ErrorTypeBadUserAgent       = "bad_user_agent"
	ErrorTypeVacanciesBlacklist = "vacancies_blacklist"
	ErrorTypeEmployersBlacklist = "employers_blacklist"
	ErrorTypeResumes            = "resumes"
	ErrorTypeBadRequest         = "bad_request"
)

// Error implements error. The text names the operation, status, hh's error
// items (or the token error pair, or the description) and the request id.
func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "hh: %s: %d %s", e.Op, e.StatusCode, http.StatusText(e.StatusCode))
	switch {
	case len(e.Errors) > 0:
		b.WriteString(":")
		for i, it := range e.Errors {
			if i > 0 {
				b.WriteString(",")
			}
			b.WriteString(" " + it.Type)
			if it.Value != "" {
				b.WriteString("/" + it.Value)
			}
			if it.Reason != "" {
				b.WriteString(" (" + it.Reason + ")")
			}
		}
	case e.TokenError != "":
		b.WriteString(": " + e.TokenError)
		if e.TokenErrorDescription != "" {
			fmt.Fprintf(&b, " %q", e.TokenErrorDescription)
		}
	case e.OAuthError != "":
		b.WriteString(": oauth_error " + e.OAuthError)
	}
	if e.Description != "" && len(e.Errors) == 0 && e.TokenError == "" {
		fmt.Fprintf(&b, ": %q", e.Description)
	}
	if e.RequestID != "" {
		b.WriteString(" (request_id " + e.RequestID + ")")
	}
	return b.String()
}

// has reports whether errors[] holds an item of type typ (any type when
// empty) whose value is one of values.
func (e *Error) has(typ string, values ...string) bool {
	for _, it := range e.Errors {
		if typ != "" && it.Type != typ {
			continue
		}
		for _, v := range values {
			if it.Value == v {
				return true
			}
		}
	}
	return false
}

// oauthValue returns the value of the first oauth (or forbidden) item, or,
// when there is none, the legacy oauth_error translated to the new spelling.
func (e *Error) oauthValue() string {
	for _, it := range e.Errors {
		if it.Type == ErrorTypeOAuth || it.Type == ErrorTypeForbidden {
			if it.Value != "" {
				return it.Value
			}
		}
	}
	switch e.OAuthError {
	case "token-expired":
		return "token_expired"
	case "token-revoked":
		return "token_revoked"
	case "bad-auth-type":
		return "bad_authorization"
	case "client-id-deleted":
		return "application_not_found"
	}
	return ""
}

// errorBody is every error envelope hh uses, read in one pass.
type errorBody struct {
	RequestID        string      `json:"request_id"`
	Description      string      `json:"description"`
	OAuthError       string      `json:"oauth_error"`
	Errors           []ErrorItem `json:"errors"`
	Error            string      `json:"error"`
	ErrorDescription string      `json:"error_description"`
}

// newError builds the *Error for a response of status 400 or above from a
// body already cut to maxErrorBodySize. A body that is not a JSON object is
// ignored: the status tells enough.
func (c *Client) newError(r *request, resp *http.Response, body []byte) *Error {
	e := &Error{
		Op:         r.op,
		StatusCode: resp.StatusCode,
		RequestID:  resp.Header.Get("X-Request-Id"),
		RetryAfter: parseRetryAfter(resp.Header.Get("Retry-After"), time.Now()),
	}
	var eb errorBody
	if json.Unmarshal(body, &eb) == nil {
		if eb.RequestID != "" {
			e.RequestID = eb.RequestID
		}
		e.Description = eb.Description
		e.OAuthError = eb.OAuthError
		e.Errors = eb.Errors
		e.TokenError = strings.TrimSpace(eb.Error)
		e.TokenErrorDescription = strings.TrimSpace(eb.ErrorDescription)
	}
	c.redact(e, r.secrets)
	return e
}

// redact replaces any secret the request carried that hh may have echoed
// back. hh is not known to do so; the guarantee is cheap to keep.
func (c *Client) redact(e *Error, extra []string) {
	secrets := append([]string{c.token, c.clientSecret}, extra...)
	clean := func(s string) string {
		for _, sec := range secrets {
			if len(sec) >= 4 && strings.Contains(s, sec) {
				s = strings.ReplaceAll(s, sec, "[REDACTED]")
			}
		}
		return s
	}
	e.RequestID = clean(e.RequestID)
	e.Description = clean(e.Description)
	e.OAuthError = clean(e.OAuthError)
	e.TokenError = clean(e.TokenError)
	e.TokenErrorDescription = clean(e.TokenErrorDescription)
	for i := range e.Errors {
		it := &e.Errors[i]
		it.Type, it.Value, it.Reason = clean(it.Type), clean(it.Value), clean(it.Reason)
		for k, v := range it.Extra {
			if s, ok := v.(string); ok {
				it.Extra[k] = clean(s)
			}
		}
	}
}
