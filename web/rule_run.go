package web

import (
	"net/http"
	"strconv"
)

// runRule asks the worker to run the rule now; a run in flight is joined,
// and the person is told which happened.
func (h *handler) runRule(w http.ResponseWriter, r *http.Request) {
	user := currentUser(r)
	rule, ok := h.userRule(w, r, user.ID)
	if !ok {
		return
	}
	joined, err := h.jobs.StartRule(r.Context(), user.ID, rule.ID)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	flash := "rule_started"
	if joined {
		flash = "rule_running"
	}
	h.redirect(w, r, "/rules/"+strconv.FormatInt(rule.ID, 10), flash)
}
