package web

import "net/http"

func (h *handler) logout(w http.ResponseWriter, r *http.Request) {
	if sess := visitorOf(r).session; sess != nil {
		if err := h.store.DeleteSession(r.Context(), sess.ID); err != nil {
			h.serverError(w, r, err)
			return
		}
	}
	h.clearCookie(w, h.cookieName(sessionCookie))
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}
