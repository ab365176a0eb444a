package hh

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// The 403s of REFERENCE.md §2.4 on an authorized call, with and without the
// legacy oauth_error.
func TestOAuthErrors(t *testing.T) {
	type want struct{ expired, unusable bool }
	tests := []struct {
		body string
		want want
	}{
		{`{"request_id":"a","description":"Forbidden","errors":[{"type":"oauth","value":"token_expired"}],"oauth_error":"token-expired"}`, want{expired: true}},
		{`{"errors":[{"type":"oauth","value":"token_expired"}]}`, want{expired: true}}, // the 2015 maintainer example
		{`{"request_id":"b","oauth_error":"token-expired"}`, want{expired: true}},      // legacy only
		{`{"request_id":"c","errors":[{"type":"oauth","value":"token_revoked"}],"oauth_error":"token-revoked"}`, want{unusable: true}},
		{`{"request_id":"d","oauth_error":"token-revoked"}`, want{unusable: true}},
		{`{"request_id":"e","errors":[{"type":"oauth","value":"bad_authorization"}]}`, want{unusable: true}},
		{`{"request_id":"f","errors":[{"type":"forbidden","value":"bad_authorization"}]}`, want{unusable: true}},
		{`{"request_id":"g","errors":[{"type":"oauth","value":"application_not_found"}],"oauth_error":"client-id-deleted"}`, want{}},
		{`{"request_id":"h","errors":[{"type":"oauth","value":"user_auth_expected"}]}`, want{}},
		{`{"request_id":"i","errors":[{"type":"oauth","value":"no_scope"}]}`, want{}},
		// errors[] wins over the legacy field.
		{`{"request_id":"j","errors":[{"type":"oauth","value":"token_revoked"}],"oauth_error":"token-expired"}`, want{unusable: true}},
		{`{"request_id":"k","errors":[{"type":"forbidden"}],"description":"current user is not an applicant"}`, want{}},
	}
	for i, tt := range tests {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			c, mux := setup(t)
			mux.HandleFunc("/me", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, http.StatusForbidden, tt.body) })
			_, err := c.Me(context.Background())
			hhError(t, err)
			if got := (want{IsTokenExpired(err), IsTokenUnusable(err)}); got != tt.want {
				t.Errorf("expired/unusable = %+v, want %+v for %s", got, tt.want, tt.body)
			}
			if IsRetryable(err) || IsRefreshTooEarly(err) {
				t.Errorf("misread %v", err)
			}
		})
	}
}

func TestTokenExpiredNeeds403(t *testing.T) {
	e := &Error{StatusCode: 400, Errors: []ErrorItem{{Type: "oauth", Value: "token_expired"}}}
	if IsTokenExpired(e) {
		t.Error("token_expired on a 400 is not the documented signal")
	}
}

func TestErrorBodies(t *testing.T) {
	tests := []struct {
		name, contentType, body string
		status                  int
		check                   func(t *testing.T, e *Error)
	}{
		{"html 502", "text/html", "<html><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>", 502,
			func(t *testing.T, e *Error) {
				if e.Description != "" || e.Errors != nil || e.RequestID != "hdr" {
					t.Errorf("%+v", e)
				}
			}},
		{"empty 500", "", "", 500, func(t *testing.T, e *Error) {}},
		{"json array", "application/json", `["odd"]`, 500, func(t *testing.T, e *Error) {}},
		{"bad user agent", "application/json", `{"request_id":"ua","errors":[{"type":"bad_user_agent","value":"blacklisted"}]}`, 400,
			func(t *testing.T, e *Error) {
				if e.Errors[0].Type != ErrorTypeBadUserAgent || e.RequestID != "ua" {
					t.Errorf("%+v", e)
				}
			}},
		{"bad request", "application/json", `{"request_id":"br","errors":[{"type":"bad_request"}]}`, 400,
			func(t *testing.T, e *Error) {
				if e.Errors[0].Type != "bad_request" || e.Errors[0].Value != "" {
					t.Errorf("%+v", e)
				}
			}},
		{"no user agent", "application/json", `{"errors":[{"type":"bad_user_agent","value":"unset"}]}`, 400,
			func(t *testing.T, e *Error) {
				if e.Errors[0].Value != "unset" || e.RequestID != "hdr" {
					t.Errorf("%+v", e)
				}
			}},
		{"extras kept", "application/json", `{"request_id":"x","errors":[{"type":"bad_argument","value":"area","reason":"invalid","pos":3,"name":{"ru":"регион"}}]}`, 400,
			func(t *testing.T, e *Error) {
				it := e.Errors[0]
				if it.Reason != "invalid" || it.Extra["pos"] != 3.0 || it.Extra["name"].(map[string]any)["ru"] != "регион" || len(it.Extra) != 2 {
					t.Errorf("%+v", it)
				}
			}},
		{"odd item types", "application/json", `{"errors":[{"type":"x","value":7}]}`, 400,
			func(t *testing.T, e *Error) {
				if e.Errors[0].Type != "x" || e.Errors[0].Value != "" {
					t.Errorf("%+v", e.Errors[0])
				}
			}},
		{"huge body", "application/json", `{"description":"` + strings.Repeat("x", 3<<20) + `"}`, 400,
			func(t *testing.T, e *Error) {
				if e.Description != "" { // cut at 1 MiB: no longer JSON, ignored
					t.Errorf("description of %d bytes", len(e.Description))
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, mux := setup(t, func(cfg *Config) { cfg.MaxRetries = -1 })
			mux.HandleFunc("/areas", func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("X-Request-Id", "hdr")
				if tt.contentType != "" {
					w.Header().Set("Content-Type", tt.contentType)
				}
				w.WriteHeader(tt.status)
				fmt.Fprint(w, tt.body)
			})
			_, err := c.Areas(context.Background())
			e := hhError(t, err)
			if e.StatusCode != tt.status || e.Op != OpAreas {
				t.Errorf("error = %+v", e)
			}
			if IsRetryable(err) != (tt.status >= 500) {
				t.Errorf("IsRetryable = %v for %d", IsRetryable(err), tt.status)
			}
			tt.check(t, e)
		})
	}
}

func TestErrorString(t *testing.T) {
	tests := []struct {
		e    *Error
		want string
	}{
		{&Error{Op: OpApply, StatusCode: 403, RequestID: "r1", Errors: []ErrorItem{{Type: "negotiations", Value: "already_applied"}}},
			"hh: apply: 403 Forbidden: negotiations/already_applied (request_id r1)"},
		{&Error{Op: OpToken, StatusCode: 400, TokenError: "invalid_grant", TokenErrorDescription: "token not expired"},
			`hh: token: 400 Bad Request: invalid_grant "token not expired"`},
		{&Error{Op: OpMe, StatusCode: 403, OAuthError: "token-expired"}, "hh: me: 403 Forbidden: oauth_error token-expired"},
		{&Error{Op: OpAreas, StatusCode: 502}, "hh: areas: 502 Bad Gateway"},
		{&Error{Op: OpSimilarVacancies, StatusCode: 400, Errors: []ErrorItem{{Type: "bad_argument", Value: "text", Reason: "too_long_value"}}},
			"hh: similar_vacancies: 400 Bad Request: bad_argument/text (too_long_value)"},
	}
	for _, tt := range tests {
		if got := tt.e.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
}

func TestPredicatesOnOtherErrors(t *testing.T) {
	for _, err := range []error{nil, errors.New("x"), &ParamError{Op: "x", Field: "y"}, &DecodeError{Op: "x", Err: ErrMissingField}} {
		if IsTokenExpired(err) || IsTokenUnusable(err) || IsRefreshTooEarly(err) || IsLimitExceeded(err) ||
			IsAlreadyApplied(err) || IsTestRequired(err) || IsLetterMissing(err) || IsLetterTooLong(err) ||
			IsVacancyGone(err) || IsNotFound(err) || IsRetryable(err) || IsCaptchaRequired(err) {
			t.Errorf("a predicate matched %v", err)
		}
	}
	// Predicates see through wrapping.
	wrapped := fmt.Errorf("tasks: apply vacancy 1: %w", &Error{Op: OpApply, StatusCode: 403, Errors: []ErrorItem{{Type: "negotiations", Value: "already_applied"}}})
	if !IsAlreadyApplied(wrapped) {
		t.Error("IsAlreadyApplied does not unwrap")
	}
	// A blacklist's own limit is not the daily application limit.
	full := &Error{Op: OpBlacklistVacancy, StatusCode: 400, Errors: []ErrorItem{{Type: ErrorTypeVacanciesBlacklist, Value: "limit_exceeded"}}}
	if IsLimitExceeded(full) {
		t.Error("vacancies_blacklist/limit_exceeded read as the daily limit")
	}
	// A 429 outside apply is a rate limit to wait out, not the daily limit.
	if e := (&Error{Op: OpSimilarVacancies, StatusCode: 429}); IsLimitExceeded(e) || !IsRetryable(e) {
		t.Error("429 on search misread")
	}
	// On apply, a bare 429 is the daily limit (hhru/api#817, REFERENCE §7),
	// Retry-After or not; one that carries its own error items, as the
	// sandbox's injected too_many_requests does, is the request rate.
	if e := (&Error{Op: OpApply, StatusCode: 429}); !IsLimitExceeded(e) || IsRetryable(e) {
		t.Error("a bare 429 from apply is the daily limit")
	}
	if e := (&Error{Op: OpApply, StatusCode: 429, RetryAfter: time.Minute}); !IsLimitExceeded(e) || IsRetryable(e) {
		t.Error("a bare 429 from apply with Retry-After is still the daily limit, not a rate limit to retry")
	}
	if e := (&Error{Op: OpApply, StatusCode: 429, RetryAfter: time.Second, Errors: []ErrorItem{{Type: "too_many_requests"}}}); IsLimitExceeded(e) || !IsRetryable(e) {
		t.Error("a 429 from apply with other error items is the request rate, not the daily limit")
	}
	if e := (&Error{Op: OpApply, StatusCode: 429, Errors: []ErrorItem{{Type: ErrorTypeNegotiations, Value: "limit_exceeded"}}}); !IsLimitExceeded(e) {
		t.Error("negotiations/limit_exceeded on 429 is the daily limit")
	}
}
