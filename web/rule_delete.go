package web

import "net/http"

func (h *handler) deleteRule(w http.ResponseWriter, r *http.Request) {
	user := currentUser(r)
	rule, ok := h.userRule(w, r, user.ID)
	if !ok {
		return
	}
	if err := h.store.DeleteRule(r.Context(), user.ID, rule.ID); err != nil {
		h.serverError(w, r, err)
		return
	}
	h.log.InfoContext(r.Context(), "rule deleted", "user_id", user.ID, "rule_id", rule.ID)
	h.redirect(w, r, "/rules", "rule_deleted")
}
