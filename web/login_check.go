package web

import (
	"errors"
	"net/http"
	"strings"

	"golang.org/x/crypto/bcrypt"

	"github.com/otklik/otklik/store"
)

// login signs a person in. An unknown e-mail and a wrong password get the
// same answer after the same bcrypt work, so the form does not tell which
// e-mails have accounts.
func (h *handler) login(w http.ResponseWriter, r *http.Request) {
	email := strings.TrimSpace(r.PostForm.Get("email"))
	password := r.PostForm.Get("password")
	form := &loginForm{Email: email}
	if !h.throttle.allow(h.clientIP(r), email, h.now()) {
		h.log.InfoContext(r.Context(), "sign-in throttled", "ip", h.clientIP(r))
		form.Error = "auth.throttled"
		h.renderLogin(w, r, http.StatusTooManyRequests, form)
		return
	}
	user, err := h.store.UserByEmail(r.Context(), email)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		h.serverError(w, r, err)
		return
	}
	hash := h.dummyHash
	if user != nil {
		hash = []byte(user.PasswordHash)
	}
	if bcrypt.CompareHashAndPassword(hash, []byte(password)) != nil || user == nil {
		form.Error = "login.failed"
		h.renderLogin(w, r, http.StatusUnauthorized, form)
		return
	}
	if err := h.startSession(w, r, user); err != nil {
		h.serverError(w, r, err)
		return
	}
	h.log.InfoContext(r.Context(), "user signed in", "user_id", user.ID)
	http.Redirect(w, r, safeNext(r.PostForm.Get("next")), http.StatusSeeOther)
}
