package hhsandbox

import (
	"cmp"
	"net/http"
	"strconv"
	"time"
)

// Faults are the switches tests and the demo use to make the sandbox behave
// like hh on a bad day. Shares are fractions of API requests, 0 to 1.
type Faults struct {
	// Latency delays every API response.
	Latency time.Duration
	// ErrorRate is the share of API requests answered with a 5xx (503 with
	// hh's service_unavailable body, 502 with an HTML body, or a bare 500).
	ErrorRate float64
	// RateLimitRate is the share of API requests answered 429 with Retry-After.
	RateLimitRate float64
	// RetryAfter is the Retry-After of those 429s (default 1s, whole seconds).
	RetryAfter time.Duration
	// Captcha makes POST /negotiations and GET /vacancies/{id} demand a
	// captcha (403 captcha_required with captcha_url) until the user solves
	// it on the sandbox's captcha page.
	Captcha bool
	// TokenTTL is the lifetime of access tokens issued from now on.
	TokenTTL time.Duration
	// DailyLimit is the number of applications per user in a rolling 24h.
	DailyLimit int
	// LimitStatus is the HTTP status of limit_exceeded: 400 (default), 403 or 429.
	LimitStatus int
}

// withDefaults fills zero settings from Options.Faults, then from the other
// Options, then from hh's defaults.
func (f Faults) withDefaults(o Options) Faults {
	f.TokenTTL = cmp.Or(f.TokenTTL, o.Faults.TokenTTL, o.TokenTTL)
	f.DailyLimit = cmp.Or(f.DailyLimit, o.Faults.DailyLimit, o.DailyLimit)
	f.RetryAfter = cmp.Or(f.RetryAfter, o.Faults.RetryAfter, time.Second)
	f.LimitStatus = cmp.Or(f.LimitStatus, o.Faults.LimitStatus)
	if f.LimitStatus != http.StatusForbidden && f.LimitStatus != http.StatusTooManyRequests {
		f.LimitStatus = http.StatusBadRequest
	}
	return f
}

// Faults returns the current fault settings.
func (s *Sandbox) Faults() Faults {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.faults
}

// SetFaults replaces the fault settings; zero TokenTTL, DailyLimit,
// LimitStatus and RetryAfter fall back to the values New was given. Turning
// the captcha on makes every user solve it again.
func (s *Sandbox) SetFaults(f Faults) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.setFaultsLocked(f)
}

func (s *Sandbox) setFaultsLocked(f Faults) {
	if f.Captcha && !s.faults.Captcha {
		s.st.captchaSolved = map[string]bool{}
	}
	s.faults = f.withDefaults(s.opts)
}

// injectFault answers the request with a drawn 5xx or 429 and reports true,
// or reports false to let it through.
func (s *Sandbox) injectFault(w http.ResponseWriter) bool {
	s.mu.Lock()
	f := s.faults
	errDraw, limitDraw, kind := s.rng.Float64(), s.rng.Float64(), s.rng.IntN(3)
	s.mu.Unlock()
	switch {
	case errDraw < f.ErrorRate:
		switch kind {
		case 0:
			s.writeError(w, http.StatusServiceUnavailable, errorBody{Description: "Service Unavailable", Errors: []apiError{{Type: "service_unavailable"}}})
		case 1:
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Header().Set("X-Request-Id", s.newRequestID())
			w.WriteHeader(http.StatusBadGateway)
			_, _ = w.Write([]byte("<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>\n"))
		default:
			w.Header().Set("X-Request-Id", s.newRequestID())
			w.WriteHeader(http.StatusInternalServerError)
		}
		return true
	case limitDraw < f.RateLimitRate:
		secs := int((f.RetryAfter + time.Second - 1) / time.Second)
		w.Header().Set("Retry-After", strconv.Itoa(secs))
		s.writeError(w, http.StatusTooManyRequests, errorBody{Description: "Too Many Requests", Errors: []apiError{{Type: "too_many_requests"}}})
		return true
	}
	return false
}

// sleep waits for the configured latency or until the request is gone.
func (s *Sandbox) sleep(r *http.Request) {
	s.mu.Lock()
	d := s.faults.Latency
	s.mu.Unlock()
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-r.Context().Done():
	}
}
