package web

import (
	"net/http"

	"github.com/otklik/otklik/hh"
)

// switchData is the Data of the page shown before connecting another hh
// person: who is connected now and what waits on their account.
type switchData struct {
	HH hhConnection
}

// connectHH starts hh's OAuth flow: a fresh random state, single-use and
// bound to this session, then off to hh's login page. With
// ?force_login=1 hh shows its login form even to a signed-in person, so
// they can switch accounts ("Это не вы?"); when an account is connected,
// the person is first told what switching does to their rules and queue,
// and goes on with confirm=1.
func (h *handler) connectHH(w http.ResponseWriter, r *http.Request) {
	sess := visitorOf(r).session
	q := r.URL.Query()
	force := q.Get("force_login") == "1" || q.Get("force_login") == "true"
	if force && q.Get("confirm") != "1" {
		conn, err := h.hhConnection(r.Context(), currentUser(r).ID)
		if err != nil {
			h.serverError(w, r, err)
			return
		}
		if conn.Connected {
			h.render(w, r, http.StatusOK, "hh_switch", h.newPage(w, r, "dashboard", &switchData{HH: conn}))
			return
		}
	}
	state := randomToken()
	if err := h.store.SetOAuthState(r.Context(), sess.ID, state); err != nil {
		h.serverError(w, r, err)
		return
	}
	target := h.oauth.AuthorizeURL(hh.AuthorizeParams{
		State:       state,
		RedirectURI: h.cfg.RedirectURI(),
		ForceLogin:  force,
	})
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, target, http.StatusFound)
}
