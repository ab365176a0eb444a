package hh

import (
	"context"
	"errors"
	"net/http"
	"net/url"
)

// Token endpoint error codes (Error.TokenError), RFC 6749.
const (
	TokenErrInvalidRequest       = "invalid_request"
	TokenErrInvalidClient        = "invalid_client"
	TokenErrInvalidGrant         = "invalid_grant"
	TokenErrUnsupportedGrantType = "unsupported_grant_type"
	TokenErrForbidden            = "forbidden"
)

// asError returns the *Error in err's tree.
func asError(err error) (*Error, bool) {
	return errors.AsType[*Error](err)
}

// IsTokenExpired reports whether the access token's lifetime is over
// (403 oauth/token_expired, or the legacy oauth_error token-expired): refresh
// the pair, then retry once.
func IsTokenExpired(err error) bool {
	e, ok := asError(err)
	return ok && e.StatusCode == http.StatusForbidden && e.oauthValue() == "token_expired"
}

// IsTokenUnusable reports whether the user must connect hh again: the access
// token was revoked or is unknown (403 oauth/token_revoked,
// oauth/bad_authorization), or the token endpoint refused the grant for good
// (any invalid_grant except "token not expired", and invalid_request "token
// not found").
func IsTokenUnusable(err error) bool {
	e, ok := asError(err)
	if !ok {
		return false
	}
	if e.StatusCode == http.StatusForbidden {
		switch e.oauthValue() {
		case "token_revoked", "bad_authorization":
			return true
		}
	}
	switch e.TokenError {
	case TokenErrInvalidGrant:
		return e.TokenErrorDescription != "token not expired"
	case TokenErrInvalidRequest:
		return e.TokenErrorDescription == "token not found"
	}
	return false
}

// IsRefreshTooEarly reports whether a refresh was refused because the access
// token has not expired yet (invalid_grant "token not expired"); hh accepts a
// refresh only after expiry.
func IsRefreshTooEarly(err error) bool {
	e, ok := asError(err)
	return ok && e.TokenError == TokenErrInvalidGrant && e.TokenErrorDescription == "token not expired"
}

// CaptchaURL reports whether hh demands a captcha and returns the page to send
// the person to: captcha_url, or fallback_url when there is none, with
// backurl=backURL added so hh returns them to backURL (an absolute URL)
// afterwards. Once solved, the same request succeeds.
func CaptchaURL(err error, backURL string) (string, bool) {
	e, ok := asError(err)
	if !ok {
		return "", false
	}
	for _, it := range e.Errors {
		if it.Type != ErrorTypeCaptcha {
			continue
		}
		target := it.CaptchaURL
		if target == "" {
			target = it.FallbackURL
		}
		if target == "" {
			return "", true
		}
		u, perr := url.Parse(target)
		if perr != nil || backURL == "" {
			return target, true
		}
		q := u.Query()
		q.Set("backurl", backURL)
		u.RawQuery = q.Encode()
		return u.String(), true
	}
	return "", false
}

// IsCaptchaRequired reports whether hh demands a captcha; see CaptchaURL.
func IsCaptchaRequired(err error) bool {
	_, ok := CaptchaURL(err, "")
	return ok
}

// IsLimitExceeded reports whether the daily application limit is reached:
// negotiations/limit_exceeded on 400, 403 or 429, or a bare 429 from Apply
// (no errors[] items; hhru/api#817), with or without Retry-After: a
// Retry-After does not make the limit retryable. A 429 whose errors[] names
// something else, such as too_many_requests, is the request rate, which
// IsRetryable covers. Stop applying for this account for now.
func IsLimitExceeded(err error) bool {
	e, ok := asError(err)
	if !ok {
		return false
	}
	switch e.StatusCode {
	case http.StatusBadRequest, http.StatusForbidden, http.StatusTooManyRequests:
		if e.has(ErrorTypeNegotiations, "limit_exceeded") {
			return true
		}
	}
	return e.StatusCode == http.StatusTooManyRequests && e.Op == OpApply && len(e.Errors) == 0
}

// IsAlreadyApplied reports whether a negotiation already exists for this
// resume and vacancy (negotiations/already_applied).
func IsAlreadyApplied(err error) bool {
	e, ok := asError(err)
	return ok && e.has(ErrorTypeNegotiations, "already_applied")
}

// IsTestRequired reports whether the vacancy requires the employer's test,
// which cannot be taken through the API (negotiations/test_required).
func IsTestRequired(err error) bool {
	e, ok := asError(err)
	return ok && e.has(ErrorTypeNegotiations, "test_required")
}

// IsLetterMissing reports whether the vacancy requires a cover letter and
// none was sent (negotiations/empty_message).
func IsLetterMissing(err error) bool {
	e, ok := asError(err)
	return ok && e.has(ErrorTypeNegotiations, "empty_message")
}

// IsLetterTooLong reports whether the cover letter is over hh's limit
// (negotiations/too_long_message).
func IsLetterTooLong(err error) bool {
	e, ok := asError(err)
	return ok && e.has(ErrorTypeNegotiations, "too_long_message")
}

// IsVacancyGone reports whether the vacancy cannot be applied to any more:
// negotiations/invalid_vacancy, archived or vacancy_not_found, or a 404 from
// Vacancy.
func IsVacancyGone(err error) bool {
	e, ok := asError(err)
	if !ok {
		return false
	}
	if e.Op == OpVacancy && e.StatusCode == http.StatusNotFound {
		return true
	}
	return e.has(ErrorTypeNegotiations, "invalid_vacancy", "archived", "vacancy_not_found")
}

// IsResumeNotFound reports whether hh refused an application because the
// resume is hidden, deleted or not the token's user's
// (negotiations/resume_not_found).
func IsResumeNotFound(err error) bool {
	e, ok := asError(err)
	return ok && e.has(ErrorTypeNegotiations, "resume_not_found")
}

// IsNotFound reports whether hh answered 404.
func IsNotFound(err error) bool {
	e, ok := asError(err)
	return ok && e.StatusCode == http.StatusNotFound
}

// IsRetryable reports whether the same request may succeed later: a 5xx, a
// 429 other than Apply's daily limit, or a network failure or attempt timeout.
// The caller's own context cancellation or deadline is not retryable.
func IsRetryable(err error) bool {
	if err == nil {
		return false
	}
	if e, ok := asError(err); ok {
		if e.StatusCode >= 500 {
			return true
		}
		return e.StatusCode == http.StatusTooManyRequests && !IsLimitExceeded(e)
	}
	if errors.Is(err, ErrTimeout) {
		return true
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	_, ok := errors.AsType[*netError](err)
	return ok
}

// IsPublishTooEarly reports whether hh refused to raise a resume because
// its cooldown has not passed (429 from PublishResume, resumes/
// touch_limit_exceeded or a bare 429): try again at the resume's
// NextPublishAt, not sooner.
func IsPublishTooEarly(err error) bool {
	e, ok := asError(err)
	return ok && e.Op == OpPublishResume && e.StatusCode == http.StatusTooManyRequests &&
		(len(e.Errors) == 0 || e.has(ErrorTypeResumes, "touch_limit_exceeded"))
}

// IsPublishRefused reports whether hh refused to publish a resume for what
// the resume is (400 from PublishResume: mandatory fields missing, blocked
// by a moderator and not edited since, on moderation). Only the person can
// change that on hh.
func IsPublishRefused(err error) bool {
	e, ok := asError(err)
	return ok && e.Op == OpPublishResume && e.StatusCode == http.StatusBadRequest
}
