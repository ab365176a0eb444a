package web

import (
	"net/http"

	"github.com/otklik/otklik/store"
)

type ruleListData struct {
	Rules []store.Rule
	HH    hhConnection
}

func (h *handler) showRules(w http.ResponseWriter, r *http.Request) {
	user := currentUser(r)
	list, err := h.store.Rules(r.Context(), user.ID)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	conn, err := h.hhConnection(r.Context(), user.ID)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	conn.Back = "/rules"
	h.render(w, r, http.StatusOK, "rules", h.newPage(w, r, "rules", &ruleListData{Rules: list, HH: conn}))
}
