package web

import (
	"net/http"
	"strconv"
)

// runRule asks the worker to run the rule now; a run in flight is joined.
func (h *handler) runRule(w http.ResponseWriter, r *http.Request) {
	user := currentUser(r)
	rule, ok := h.userRule(w, r, user.ID)
	if !ok {
		return
	}
	if err := h.jobs.RunRule(r.Context(), user.ID, rule.ID); err != nil {
		h.serverError(w, r, err)
		return
	}
	h.redirect(w, r, "/rules/"+strconv.FormatInt(rule.ID, 10), "rule_started")
}
