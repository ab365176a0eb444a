package web

import (
	"errors"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/otklik/otklik/store"
)

// login signs a person in. An unknown e-mail and a wrong password get the
// same answer after the same bcrypt work, so the form does not tell which
// e-mails have accounts. The throttle (throttle.go) answers 429 with when to
// try again.
func (h *handler) login(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	email := strings.TrimSpace(r.PostForm.Get("email"))
	password := r.PostForm.Get("password")
	form := &loginForm{Email: email}
	ip := h.clientIP(r)
	user, err := h.store.UserByEmail(ctx, email)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		h.serverError(w, r, err)
		return
	}
	device := h.knownDevice(r, user)
	wait, err := h.throttle.signInWait(ctx, ip, email, device)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	if wait > 0 {
		h.log.InfoContext(ctx, "sign-in throttled", "ip", ip, "retry_after", wait.Round(time.Second).String())
		form.Error, form.Retry = "auth.throttled", h.tooManyRequests(w, r, wait)
		h.renderLogin(w, r, http.StatusTooManyRequests, form)
		return
	}
	hash := h.dummyHash
	if user != nil {
		hash = []byte(user.PasswordHash)
	}
	if bcrypt.CompareHashAndPassword(hash, []byte(password)) != nil || user == nil {
		if err := h.throttle.failed(ctx, ip, email, device); err != nil {
			h.serverError(w, r, err)
			return
		}
		form.Error = "login.failed"
		h.renderLogin(w, r, http.StatusUnauthorized, form)
		return
	}
	if err := h.throttle.succeeded(ctx, ip, email, device); err != nil {
		h.log.WarnContext(ctx, "sign-in throttle not cleared", "user_id", user.ID, "error", err)
	}
	if err := h.startSession(w, r, user); err != nil {
		h.serverError(w, r, err)
		return
	}
	h.rememberDevice(w, r, user)
	h.log.InfoContext(ctx, "user signed in", "user_id", user.ID)
	http.Redirect(w, r, safeNext(r.PostForm.Get("next")), http.StatusSeeOther)
}

// tooManyRequests sets Retry-After for wait and returns when to retry, in
// words of the visitor's language, for the page.
func (h *handler) tooManyRequests(w http.ResponseWriter, r *http.Request, wait time.Duration) string {
	secs := int(math.Ceil(wait.Seconds()))
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	return waitText(visitorOf(r).lang, secs)
}

// waitText says "in N seconds" or "in N minutes", abbreviated so no plural
// forms are needed.
func waitText(lang string, secs int) string {
	if secs < 60 {
		return translate(lang, "wait.seconds", secs)
	}
	return translate(lang, "wait.minutes", (secs+59)/60)
}
