package web

import (
	"net/http"
	"time"

	"github.com/otklik/otklik/locale"
	"github.com/otklik/otklik/store"
)

// page is what the layout needs plus the page's own Data.
type page struct {
	Lang    string
	Nav     string // which nav item is current
	User    *store.User
	CSRF    string
	Sandbox bool
	Flash   string // already translated
	Loc     *time.Location
	Data    any
}

// newPage fills the layout's fields for r: user, CSRF token (the session's,
// or a signed-out form token), language, time zone and any flash message.
func (h *handler) newPage(w http.ResponseWriter, r *http.Request, nav string, data any) *page {
	v := visitorOf(r)
	p := &page{Lang: v.lang, Nav: nav, User: v.user, Sandbox: h.cfg.Sandbox(), Loc: time.UTC, Data: data}
	if v.session != nil {
		p.CSRF = v.session.CSRFToken
	} else {
		p.CSRF = h.csrf.token(w, r)
	}
	if v.user != nil {
		p.Loc = locale.Zone(v.user.TimeZone)
	}
	if ck, err := r.Cookie(h.cookieName(flashCookie)); err == nil {
		if key, ok := flashes[ck.Value]; ok {
			p.Flash = translate(v.lang, key)
		}
		h.clearCookie(w, h.cookieName(flashCookie))
	}
	return p
}

const flashCookie = "otklik_flash"

// flashes are the messages a redirect may leave for the next page; the
// cookie holds only a name from this list, never text.
var flashes = map[string]string{
	"rule_saved":     "flash.rule_saved",
	"rule_created":   "flash.rule_created",
	"rule_deleted":   "flash.rule_deleted",
	"rule_started":   "flash.rule_started",
	"rule_running":   "flash.rule_running",
	"review_sent":    "flash.review_sent",
	"review_dismiss": "flash.review_dismissed",
	"review_hidden":  "flash.review_hidden",
	"hh_connected":   "flash.hh_connected",
	"hh_disconnect":  "flash.hh_disconnected",
	"settings_saved": "flash.settings_saved",
	"hide_failed":    "flash.hide_failed",

	"hh_check_ok":        "flash.hh_check_ok",
	"hh_check_captcha":   "flash.hh_check_captcha",
	"hh_check_limit":     "flash.hh_check_limit",
	"hh_check_failed":    "flash.hh_check_failed",
	"hh_check_reconnect": "flash.hh_check_reconnect",
	"hh_check_none":      "flash.hh_check_none",
	"run_captcha":        "flash.run_captcha",
	"run_limit":          "flash.run_limit",
	"run_reconnect":      "flash.run_reconnect",
	"run_disconnected":   "flash.run_disconnected",
	"run_resume_gone":    "flash.run_resume_gone",
	"hh_switched":        "flash.hh_switched",
	"review_waiting":     "flash.review_waiting",
	"retry_queued":       "flash.retry_queued",
	"external_done":      "flash.external_done",
	"employer_excluded":  "flash.employer_excluded",
	"bulk_sent":          "flash.bulk_sent",

	"ai_rewritten":      "flash.ai_rewritten",
	"ai_rewrite_failed": "flash.ai_rewrite_failed",
	"ai_cap_spent":      "flash.ai_cap_spent",

	"outcomes_refreshing": "flash.outcomes_refreshing",
	"outcomes_wait":       "flash.outcomes_wait",
	"outcomes_no_hh":      "flash.outcomes_no_hh",
	"bulk_partly":         "flash.bulk_partly",
	"bulk_dismissed":      "flash.bulk_dismissed",
	"bulk_none":           "flash.bulk_none",
	// Accounts (issue 13).
	"password_changed":  "flash.password_changed",
	"sessions_ended":    "flash.sessions_ended",
	"invite_created":    "flash.invite_created",
	"telegram_unlinked": "flash.telegram_unlinked",
	"telegram_saved":    "flash.telegram_saved",
	"invite_deleted":    "flash.invite_deleted",

	"employer_hidden":      "flash.employer_hidden",
	"employer_hide_failed": "flash.employer_hide_failed",
	"employer_no_rule":     "flash.employer_no_rule",

	// Resumes (issue 17).
	"resume_raise_on":  "resumes.flash_on",
	"resume_raise_off": "resumes.flash_off",
}

// redirect answers a POST with 303 to url, leaving a flash message by name.
func (h *handler) redirect(w http.ResponseWriter, r *http.Request, url, flash string) {
	if flash != "" {
		http.SetCookie(w, &http.Cookie{Name: h.cookieName(flashCookie), Value: flash, Path: "/", MaxAge: 60,
			HttpOnly: true, Secure: h.cfg.SecureCookies(), SameSite: http.SameSiteLaxMode})
	}
	http.Redirect(w, r, url, http.StatusSeeOther)
}
