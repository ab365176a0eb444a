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

// sandboxCSP is the policy of the hh sandbox's pages: the app's, except
// that their one stylesheet is inline in the page (the sandbox is a
// self-contained emulator, with no static files of its own).
const sandboxCSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; " +
	"frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'"

// SandboxHeaders gives the hh sandbox mounted in the web app (its OAuth
// consent, captcha and vacancy pages, and its API) the app's security
// headers, so that no other site can frame its pages.
func SandboxHeaders(next http.Handler) http.Handler { return securityHeaders(sandboxCSP, next) }

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
