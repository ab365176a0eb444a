package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/otklik/otklik/store"
)

// checkHH is «Я решил капчу»: the worker asks hh at once whether the
// account may work again and lifts the pause when hh agrees; the person is
// told which, back on the page they pressed it on.
func (h *handler) checkHH(w http.ResponseWriter, r *http.Request) {
	user := currentUser(r)
	back := safeNext(r.PostForm.Get("next"))
	state, err := h.hhAccess.Probe(r.Context(), user.ID)
	if err != nil {
		h.log.WarnContext(r.Context(), "probe hh account", "user_id", user.ID, "error", err)
		h.redirect(w, r, back, "hh_check_failed")
		return
	}
	flash := "hh_check_ok"
	switch state {
	case "":
		flash = "hh_check_none"
	case store.AccountCaptcha:
		flash = "hh_check_captcha"
	case store.AccountLimited:
		flash = "hh_check_limit"
	case store.AccountReconnect:
		flash = "hh_check_reconnect"
	}
	h.log.InfoContext(r.Context(), "hh account checked", "user_id", user.ID, "state", string(state))
	h.redirect(w, r, back, flash)
}

// safeNext is a local path to send the person to after an action: next
// when it is a path on this site ("/review", "/rules/3"), "/" otherwise, so
// a crafted link cannot send anyone elsewhere.
func safeNext(next string) string {
	if next == "" || next[0] != '/' || strings.HasPrefix(next, "//") ||
		strings.ContainsAny(next, "\\\r\n\t") || strings.Contains(next, "/..") {
		return "/"
	}
	return next
}

// loginURL is the sign-in page for a signed-out visitor of r: a GET of a
// page other than the dashboard comes back there after signing in.
func loginURL(r *http.Request) string {
	if r.Method != http.MethodGet || r.URL.Path == "/" {
		return "/login"
	}
	return "/login?next=" + url.QueryEscape(safeNext(r.URL.RequestURI()))
}
