package web

import (
	"errors"
	"net/http"
	"net/mail"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"

	"github.com/otklik/otklik/store"
)

const (
	minPasswordRunes = 8
	maxPasswordBytes = 72 // bcrypt reads no further
	maxEmailBytes    = 254
)

// register creates an account as REGISTRATION allows and signs the person
// in at once.
func (h *handler) register(w http.ResponseWriter, r *http.Request) {
	if visitorOf(r).user != nil {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	form, users, err := h.registerPolicy(r)
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
	if !h.throttle.allow(h.clientIP(r), "", h.now()) {
		form.Error = "auth.throttled"
		show(http.StatusTooManyRequests)
		return
	}
	if key := checkEmail(form.Email); key != "" {
		form.Errors["email"] = key
	}
	switch {
	case utf8.RuneCountInString(password) < minPasswordRunes:
		form.Errors["password"] = "register.password_short"
	case len(password) > maxPasswordBytes:
		form.Errors["password"] = "register.password_long"
	}
	if form.NeedInvite && !h.validInvite(users, form.Invite) {
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
	user, err := h.store.CreateUser(r.Context(), form.Email, string(hash))
	if errors.Is(err, store.ErrConflict) {
		form.Errors["email"] = "register.email_taken"
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
