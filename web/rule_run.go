package web

import (
	"net/http"
	"strconv"
)

// runRule asks the worker to run the rule now; a run in flight is joined,
// and the person is told which happened. While hh access is down (paused,
// lost, not connected) or the rule's resume is not the connected person's,
// nothing would run: the person is told why instead, and the rule page
// shows the warning with when it resumes and what puts it right.
func (h *handler) runRule(w http.ResponseWriter, r *http.Request) {
	user := currentUser(r)
	rule, ok := h.userRule(w, r, user.ID)
	if !ok {
		return
	}
	page := "/rules/" + strconv.FormatInt(rule.ID, 10)
	conn, err := h.hhConnection(r.Context(), user.ID)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	switch {
	case conn.Warning == "captcha":
		h.redirect(w, r, page, "run_captcha")
		return
	case conn.Warning == "limit":
		h.redirect(w, r, page, "run_limit")
		return
	case conn.Warning == "reconnect":
		h.redirect(w, r, page, "run_reconnect")
		return
	case !conn.Connected:
		h.redirect(w, r, page, "run_disconnected")
		return
	case conn.RuleGone(rule.ID):
		h.redirect(w, r, page, "run_resume_gone")
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
	h.redirect(w, r, page, flash)
}
