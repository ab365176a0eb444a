package web

import (
	"net/http"

	"github.com/otklik/otklik/config"
)

// registerForm is the Data of the sign-up page. Errors and Error hold
// translation keys.
type registerForm struct {
	Email       string
	Invite      string
	CanRegister bool
	NeedInvite  bool
	Errors      map[string]string
	Error       string
	Retry       string // when to try again, with Error auth.throttled
}

func (h *handler) showRegister(w http.ResponseWriter, r *http.Request) {
	if visitorOf(r).user != nil {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	form, _, err := h.registerPolicy(r)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	form.Invite = r.URL.Query().Get("invite")
	h.render(w, r, http.StatusOK, "register", h.newPage(w, r, "register", form))
}

// registerPolicy reads REGISTRATION against the number of users: the very
// first person may always register (and becomes the admin); after that
// "closed" lets nobody in and "invite" asks for the current invite code.
func (h *handler) registerPolicy(r *http.Request) (*registerForm, int, error) {
	n, err := h.store.CountUsers(r.Context())
	if err != nil {
		return nil, 0, err
	}
	f := &registerForm{CanRegister: true, Errors: map[string]string{}}
	if n > 0 {
		switch h.cfg.Registration {
		case config.RegistrationClosed:
			f.CanRegister = false
		case config.RegistrationInvite:
			f.NeedInvite = true
		}
	}
	return f, n, nil
}
