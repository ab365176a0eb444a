package web

import (
	"net/http"

	"github.com/otklik/otklik/config"
)

// createInvite makes a new single-use invite (admins, REGISTRATION=invite).
func (h *handler) createInvite(w http.ResponseWriter, r *http.Request) {
	user := currentUser(r)
	if !user.IsAdmin || h.cfg.Registration != config.RegistrationInvite {
		h.notFound(w, r)
		return
	}
	inv, err := h.store.CreateInvite(r.Context(), user.ID, inviteTTL)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	h.log.InfoContext(r.Context(), "invite created", "user_id", user.ID, "invite_id", inv.ID)
	h.redirect(w, r, "/settings#invites", "invite_created")
}
