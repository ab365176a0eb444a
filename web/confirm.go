package web

import (
	"net/http"
	"strconv"
)

// confirmData is the Data of a confirmation page: the second step before a
// change that cannot be undone, with no script needed. Title, Text and
// Button are translation keys; Arg fills Text's %s.
type confirmData struct {
	Title, Text, Button string
	Arg                 string
	Action              string // where the confirming form posts
	Cancel              string // where «Отмена» leads
	Details             []string
}

// confirmDisconnectHH asks before disconnecting hh, saying what stops and
// what waits.
func (h *handler) confirmDisconnectHH(w http.ResponseWriter, r *http.Request) {
	user := currentUser(r)
	conn, err := h.hhConnection(r.Context(), user.ID)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	if !conn.Connected {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	lang := visitorOf(r).lang
	d := &confirmData{Title: "confirm.disconnect_title", Text: "confirm.disconnect_text", Button: "hh.disconnect",
		Arg: conn.Name, Action: "/hh/disconnect", Cancel: "/"}
	if conn.Queued > 0 {
		d.Details = append(d.Details, translate(lang, "confirm.disconnect_queued", conn.Queued))
	}
	d.Details = append(d.Details, translate(lang, "confirm.disconnect_rules"))
	h.render(w, r, http.StatusOK, "confirm", h.newPage(w, r, "dashboard", d))
}

// confirmDeleteRule asks before deleting a rule.
func (h *handler) confirmDeleteRule(w http.ResponseWriter, r *http.Request) {
	user := currentUser(r)
	rule, ok := h.userRule(w, r, user.ID)
	if !ok {
		return
	}
	page := "/rules/" + strconv.FormatInt(rule.ID, 10)
	d := &confirmData{Title: "confirm.delete_rule_title", Text: "confirm.delete_rule_text", Button: "rule.delete",
		Arg: rule.Name, Action: page + "/delete", Cancel: page}
	h.render(w, r, http.StatusOK, "confirm", h.newPage(w, r, "rules", d))
}
