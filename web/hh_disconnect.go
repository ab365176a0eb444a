package web

import (
	"errors"
	"net/http"

	"github.com/otklik/otklik/store"
)

// disconnectHH revokes the token at hh and wipes it (and the cached
// resumes). A token hh no longer knows is wiped all the same.
func (h *handler) disconnectHH(w http.ResponseWriter, r *http.Request) {
	user := currentUser(r)
	ctx := r.Context()
	acct, err := h.store.HHAccount(ctx, user.ID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		h.redirect(w, r, "/", "")
		return
	case err != nil:
		h.log.WarnContext(ctx, "read hh account to disconnect", "user_id", user.ID, "error", err)
	default:
		if err := h.oauth.WithToken(acct.Token.AccessToken).RevokeToken(ctx); err != nil {
			h.log.WarnContext(ctx, "revoke hh token", "user_id", user.ID, "error", err)
		}
	}
	if err := h.store.DeleteHHAccount(ctx, user.ID); err != nil {
		h.serverError(w, r, err)
		return
	}
	if err := h.store.ReplaceResumes(ctx, user.ID, nil); err != nil {
		h.serverError(w, r, err)
		return
	}
	h.log.InfoContext(ctx, "hh disconnected", "user_id", user.ID)
	h.redirect(w, r, "/", "hh_disconnect")
}
