package web

import (
	"net/http"
	"net/url"
	"strings"
)

// contentSecurityPolicy allows no inline script or style. form-action must
// also allow hh's OAuth host: a form posting to /hh/connect may be redirected
// there, and browsers apply form-action to the whole redirect chain.
func contentSecurityPolicy(oauthURL string) string {
	formAction := "'self'"
	if u, err := url.Parse(oauthURL); err == nil && u.Scheme != "" && u.Host != "" {
		formAction += " " + u.Scheme + "://" + u.Host
	}
	return strings.Join([]string{
		"default-src 'self'",
		"script-src 'self'",
		"style-src 'self'",
		"img-src 'self' data:",
		"frame-ancestors 'none'",
		"form-action " + formAction,
		"base-uri 'none'",
		"object-src 'none'",
	}, "; ")
}

// securityHeaders sets the headers every response carries.
func securityHeaders(csp string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		next.ServeHTTP(w, r)
	})
}
