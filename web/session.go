package web

import (
	"context"
	"crypto/hkdf"
	"crypto/sha256"
	"errors"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/otklik/otklik/store"
)

const (
	sessionCookie = "otklik_session"
	langCookie    = "lang"
	sessionTTL    = 30 * 24 * time.Hour
	// touchEvery bounds how often a session's expiry slides forward, so
	// browsing is not a database write per page.
	touchEvery   = time.Hour
	maxFormBytes = 1 << 20
)

type ctxKey int

const visitorKey ctxKey = 0

// visitor is who made the request: a signed-in user with their session, or
// nobody, and the language to answer in.
type visitor struct {
	session *store.Session
	user    *store.User
	lang    string
}

func visitorOf(r *http.Request) *visitor {
	if v, ok := r.Context().Value(visitorKey).(*visitor); ok {
		return v
	}
	return &visitor{lang: defaultLang}
}

// currentUser is the signed-in user; only call it behind signedIn.
func currentUser(r *http.Request) *store.User { return visitorOf(r).user }

// middleware wraps the routes: security headers on everything, Go's
// cross-origin protection, the session, then the CSRF token on every POST.
func (h *handler) middleware(next http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(h.forbidden))
	return securityHeaders(contentSecurityPolicy(h.cfg.HHOAuthURL), cop.Handler(h.withVisitor(h.checkCSRF(next))))
}

// withVisitor loads the session named by the cookie, if any, and the
// language: the user's setting, else ?lang= (remembered in a cookie), else
// the cookie, else Russian.
func (h *handler) withVisitor(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if sessionless(r.URL.Path) {
			next.ServeHTTP(w, r)
			return
		}
		v := &visitor{lang: defaultLang}
		if ck, err := r.Cookie(h.cookieName(sessionCookie)); err == nil && ck.Value != "" {
			sess, err := h.store.SessionByToken(r.Context(), ck.Value)
			switch {
			case errors.Is(err, store.ErrNotFound):
				h.clearCookie(w, h.cookieName(sessionCookie))
			case err != nil:
				h.serverError(w, r, err)
				return
			default:
				user, err := h.store.User(r.Context(), sess.UserID)
				if err != nil && !errors.Is(err, store.ErrNotFound) {
					h.serverError(w, r, err)
					return
				}
				if user != nil {
					v.session, v.user = sess, user
					if h.now().Sub(sess.LastSeen) > touchEvery {
						if err := h.store.TouchSession(r.Context(), sess.ID, sessionTTL); err != nil && !errors.Is(err, store.ErrNotFound) {
							h.log.WarnContext(r.Context(), "touch session", "user_id", user.ID, "error", err)
						}
						h.setSessionCookie(w, ck.Value)
					}
				}
			}
		}
		if v.user != nil && validLang(v.user.Language) {
			v.lang = v.user.Language
		} else if q := r.URL.Query().Get("lang"); validLang(q) {
			v.lang = q
			http.SetCookie(w, &http.Cookie{Name: h.cookieName(langCookie), Value: q, Path: "/", MaxAge: 365 * 24 * 3600,
				HttpOnly: true, Secure: h.cfg.SecureCookies(), SameSite: http.SameSiteLaxMode})
		} else if ck, err := r.Cookie(h.cookieName(langCookie)); err == nil && validLang(ck.Value) {
			v.lang = ck.Value
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), visitorKey, v)))
	})
}

// sessionless paths need no session: no database read for a stylesheet
// or a health probe.
func sessionless(path string) bool {
	return strings.HasPrefix(path, "/static/") || path == "/healthz" || path == "/readyz" || path == "/metrics"
}

// checkCSRF refuses a state-changing request without a valid csrf field:
// for a signed-in visitor the session's token and nothing else, for
// signed-out forms the signed double-submit token. Nothing behind it runs,
// whatever the request's headers say.
func (h *handler) checkCSRF(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			next.ServeHTTP(w, r)
			return
		}
		if (h.queues != nil && strings.HasPrefix(r.URL.Path, QueueDashboardPath+"/")) ||
			(h.sbAdmin != nil && strings.HasPrefix(r.URL.Path, SandboxAdminPath)) {
			// The dashboard's own script and the sandbox's JSON admin API
			// cannot carry our token; their requests are admin-only and
			// cross-origin protection still applies to them.
			next.ServeHTTP(w, r)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
		if err := r.ParseForm(); err != nil {
			h.badRequest(w, r)
			return
		}
		token := r.PostForm.Get(csrfField)
		v := visitorOf(r)
		valid := h.csrf.valid(r, token)
		if v.session != nil {
			valid = tokensEqual(v.session.CSRFToken, token)
		}
		if !valid {
			h.log.InfoContext(r.Context(), "csrf token refused", "path", r.URL.Path)
			h.forbidden(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// signedIn sends visitors who are not signed in to the login page.
func (h *handler) signedIn(fn http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if visitorOf(r).user == nil {
			http.Redirect(w, r, loginURL(r), http.StatusSeeOther)
			return
		}
		fn(w, r)
	}
}

// startSession signs user in with a fresh session (the id is never reused
// across a sign-in) and drops the session the browser had before.
func (h *handler) startSession(w http.ResponseWriter, r *http.Request, user *store.User) error {
	if old := visitorOf(r).session; old != nil {
		if err := h.store.DeleteSession(r.Context(), old.ID); err != nil {
			return err
		}
	}
	raw, _, err := h.store.CreateSession(r.Context(), user.ID, sessionTTL)
	if err != nil {
		return err
	}
	h.setSessionCookie(w, raw)
	return nil
}

func (h *handler) setSessionCookie(w http.ResponseWriter, raw string) {
	http.SetCookie(w, &http.Cookie{
		Name: h.cookieName(sessionCookie), Value: raw, Path: "/", MaxAge: int(sessionTTL / time.Second),
		HttpOnly: true, Secure: h.cfg.SecureCookies(), SameSite: http.SameSiteLaxMode,
	})
}

func (h *handler) clearCookie(w http.ResponseWriter, name string) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: h.cfg.SecureCookies(), SameSite: http.SameSiteLaxMode})
}

// cookieName is the name a cookie of Otklik's goes by: with the __Host-
// prefix when BASE_URL is https, so the browser only takes it Secure, for
// the whole host and from this host alone (no sibling subdomain can plant
// or shadow it).
func (h *handler) cookieName(name string) string {
	if h.cfg.SecureCookies() {
		return "__Host-" + name
	}
	return name
}

// clientIP is the address the sign-in throttle keys on.
func (h *handler) clientIP(r *http.Request) string {
	if h.trustXFF {
		if xff := r.Header.Get("X-Forwarded-For"); xff != "" {
			parts := strings.Split(xff, ",")
			return strings.TrimSpace(parts[len(parts)-1])
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// deriveKey derives a purpose-bound key from SECRET_KEY.
func deriveKey(secret []byte, purpose string) []byte {
	k, err := hkdf.Key(sha256.New, secret, nil, "otklik "+purpose, 32)
	if err != nil {
		panic("web: hkdf: " + err.Error()) // only for lengths sha256 cannot give
	}
	return k
}
