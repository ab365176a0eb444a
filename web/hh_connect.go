package web

import (
	"net/http"

	"github.com/otklik/otklik/hh"
)

// connectHH starts hh's OAuth flow: a fresh random state, single-use and
// bound to this session, then off to hh's login page. With
// ?force_login=1 hh shows its login form even to a signed-in person, so
// they can switch accounts ("Это не вы?").
func (h *handler) connectHH(w http.ResponseWriter, r *http.Request) {
	sess := visitorOf(r).session
	state := randomToken()
	if err := h.store.SetOAuthState(r.Context(), sess.ID, state); err != nil {
		h.serverError(w, r, err)
		return
	}
	q := r.URL.Query()
	force := q.Get("force_login") == "1" || q.Get("force_login") == "true"
	target := h.oauth.AuthorizeURL(hh.AuthorizeParams{
		State:       state,
		RedirectURI: h.cfg.RedirectURI(),
		ForceLogin:  force,
	})
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, target, http.StatusFound)
}
