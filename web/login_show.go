package web

import (
	"net/http"

	"github.com/otklik/otklik/config"
)

// loginForm is the Data of the sign-in page; Error is a translation key.
type loginForm struct {
	Email       string
	Error       string
	Retry       string // when to try again, with Error auth.throttled
	CanRegister bool
	Next        string // the page asked for before signing in
}

func (h *handler) showLogin(w http.ResponseWriter, r *http.Request) {
	if visitorOf(r).user != nil {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	h.renderLogin(w, r, http.StatusOK, &loginForm{})
}

func (h *handler) renderLogin(w http.ResponseWriter, r *http.Request, status int, f *loginForm) {
	f.CanRegister = h.cfg.Registration != config.RegistrationClosed
	if next := r.FormValue("next"); next != "" {
		f.Next = safeNext(next)
	}
	h.render(w, r, status, "login", h.newPage(w, r, "login", f))
}
