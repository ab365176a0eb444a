package web

import (
	"net/http"

	"golang.org/x/crypto/bcrypt"
)

// changePassword sets a new password after checking the current one, and
// ends every other session of the user: whoever else was signed in must
// sign in again with the new password. Wrong current passwords count
// against the sign-in throttle like wrong sign-ins, so a borrowed session
// cannot be used to guess the password.
func (h *handler) changePassword(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	user := currentUser(r)
	sess := visitorOf(r).session
	current := r.PostForm.Get("current_password")
	next := r.PostForm.Get("new_password")
	d := &settingsData{PasswordErrors: map[string]string{}}
	fail := func(status int) {
		h.showSettingsWith(w, r, status, d)
	}
	ip, device := h.clientIP(r), h.knownDevice(r, user)
	wait, err := h.throttle.signInWait(ctx, ip, user.Email, device)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	if wait > 0 {
		d.PasswordErrors["current_password"] = "auth.throttled"
		d.PasswordRetry = h.tooManyRequests(w, r, wait)
		fail(http.StatusTooManyRequests)
		return
	}
	if bcrypt.CompareHashAndPassword([]byte(user.PasswordHash), []byte(current)) != nil {
		if err := h.throttle.failed(ctx, ip, user.Email, device); err != nil {
			h.serverError(w, r, err)
			return
		}
		d.PasswordErrors["current_password"] = "password.current_wrong"
		fail(http.StatusUnprocessableEntity)
		return
	}
	if key := checkPassword(next, user.Email); key != "" {
		d.PasswordErrors["new_password"] = key
	} else if next == current {
		d.PasswordErrors["new_password"] = "password.same"
	}
	if len(d.PasswordErrors) > 0 {
		fail(http.StatusUnprocessableEntity)
		return
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(next), h.hashCost)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	if err := h.store.ChangePassword(ctx, user.ID, string(hash), sess.ID); err != nil {
		h.serverError(w, r, err)
		return
	}
	user.PasswordHash = string(hash)
	// The known-device mark is signed over the password hash: renew this
	// browser's; every other browser's lapses with the old password.
	h.rememberDevice(w, r, user)
	h.log.InfoContext(ctx, "password changed; other sessions ended", "user_id", user.ID)
	h.redirect(w, r, "/settings", "password_changed")
}

// endOtherSessions signs the user out everywhere but this browser.
func (h *handler) endOtherSessions(w http.ResponseWriter, r *http.Request) {
	user := currentUser(r)
	n, err := h.store.DeleteOtherSessions(r.Context(), user.ID, visitorOf(r).session.ID)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	h.log.InfoContext(r.Context(), "signed out everywhere else", "user_id", user.ID, "sessions", n)
	h.redirect(w, r, "/settings", "sessions_ended")
}
