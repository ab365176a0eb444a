package web

import (
	"errors"
	"net/http"
	"net/mail"
	"strings"

	"golang.org/x/crypto/bcrypt"

	"github.com/otklik/otklik/config"
	"github.com/otklik/otklik/store"
)

const maxEmailBytes = 254

// register creates an account as REGISTRATION allows and signs the person
// in at once.
func (h *handler) register(w http.ResponseWriter, r *http.Request) {
	if visitorOf(r).user != nil {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	form, _, err := h.registerPolicy(r)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	form.Email = strings.TrimSpace(r.PostForm.Get("email"))
	form.Invite = strings.TrimSpace(r.PostForm.Get("invite"))
	password := r.PostForm.Get("password")
	show := func(status int) {
		h.render(w, r, status, "register", h.newPage(w, r, "register", form))
	}
	if !form.CanRegister {
		show(http.StatusForbidden)
		return
	}
	wait, err := h.throttle.signUpWait(r.Context(), h.clientIP(r))
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	if wait > 0 {
		form.Error, form.Retry = "auth.throttled", h.tooManyRequests(w, r, wait)
		show(http.StatusTooManyRequests)
		return
	}
	if key := checkEmail(form.Email); key != "" {
		form.Errors["email"] = key
	}
	if key := checkPassword(password, form.Email); key != "" {
		form.Errors["password"] = key
	}
	if form.NeedInvite && (form.Invite == "" || len(form.Invite) > 64) {
		form.Errors["invite"] = "register.invite_wrong"
	}
	if len(form.Errors) > 0 {
		show(http.StatusUnprocessableEntity)
		return
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), h.hashCost)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	var user *store.User
	if h.cfg.Registration == config.RegistrationInvite {
		// The code is taken in the same transaction as the account is
		// made: one code, one account, however many sign-ups race.
		user, err = h.store.CreateUserWithInvite(r.Context(), form.Email, string(hash), form.Invite)
	} else {
		user, err = h.store.CreateUser(r.Context(), form.Email, string(hash))
	}
	switch {
	case errors.Is(err, store.ErrConflict):
		form.Errors["email"] = "register.email_taken"
	case errors.Is(err, store.ErrInviteUnusable):
		// NeedInvite too: someone else became the first user meanwhile.
		form.Errors["invite"], form.NeedInvite = "register.invite_wrong", true
	}
	if len(form.Errors) > 0 {
		show(http.StatusUnprocessableEntity)
		return
	}
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	// The language the visitor chose before signing up becomes their
	// setting; the account is made either way, so a failure here only costs
	// the choice.
	if lang := visitorOf(r).lang; lang != user.Language {
		err := h.store.UpdateSettings(r.Context(), user.ID, store.Settings{
			Language: lang, TimeZone: user.TimeZone, SummaryHour: user.SummaryHour, SummaryEmail: user.SummaryEmail})
		if err != nil {
			h.log.WarnContext(r.Context(), "save language at sign-up", "user_id", user.ID, "error", err)
		}
	}
	if err := h.startSession(w, r, user); err != nil {
		h.serverError(w, r, err)
		return
	}
	h.rememberDevice(w, r, user)
	h.log.InfoContext(r.Context(), "user registered", "user_id", user.ID, "admin", user.IsAdmin)
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// checkEmail returns a translation key for what is wrong with an e-mail, or "".
func checkEmail(s string) string {
	if s == "" {
		return "register.email_required"
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || len(s) > maxEmailBytes || !strings.Contains(s, "@") {
		return "register.email_invalid"
	}
	return ""
}
