package web

import (
	"errors"
	"net/http"

	"github.com/otklik/otklik/store"
)

// deleteInvite withdraws an unused invite (admins only).
func (h *handler) deleteInvite(w http.ResponseWriter, r *http.Request) {
	user := currentUser(r)
	id, ok := pathID(r)
	if !user.IsAdmin || !ok {
		h.notFound(w, r)
		return
	}
	if err := h.store.DeleteInvite(r.Context(), id); err != nil && !errors.Is(err, store.ErrNotFound) {
		h.serverError(w, r, err)
		return
	}
	h.log.InfoContext(r.Context(), "invite withdrawn", "user_id", user.ID, "invite_id", id)
	h.redirect(w, r, "/settings#invites", "invite_deleted")
}
