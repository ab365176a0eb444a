package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/otklik/otklik/store"
)

// saveSettings stores language, time zone, summary hour and summary e-mail.
func (h *handler) saveSettings(w http.ResponseWriter, r *http.Request) {
	user := currentUser(r)
	d := &settingsData{
		Language:     strings.TrimSpace(r.PostForm.Get("language")),
		TimeZone:     strings.TrimSpace(r.PostForm.Get("time_zone")),
		SummaryHour:  strings.TrimSpace(r.PostForm.Get("summary_hour")),
		SummaryEmail: strings.TrimSpace(r.PostForm.Get("summary_email")),
		Errors:       map[string]string{},
	}
	if !validLang(d.Language) {
		d.Errors["language"] = "settings.language_invalid"
	}
	// Only IANA names: time.LoadLocation also reads "Local" and file paths.
	if len(d.TimeZone) > 64 {
		d.Errors["time_zone"] = "settings.time_zone_invalid"
	} else if _, err := time.LoadLocation(d.TimeZone); err != nil || d.TimeZone == "" || d.TimeZone == "Local" || strings.HasPrefix(d.TimeZone, "/") || strings.Contains(d.TimeZone, "..") {
		d.Errors["time_zone"] = "settings.time_zone_invalid"
	}
	hour, err := strconv.Atoi(d.SummaryHour)
	if err != nil || hour < 0 || hour > 23 {
		d.Errors["summary_hour"] = "settings.summary_hour_invalid"
	}
	if d.SummaryEmail != "" && h.cfg.SMTPURL == "" {
		d.Errors["summary_email"] = "settings.summary_email_no_smtp"
	} else if d.SummaryEmail != "" && checkEmail(d.SummaryEmail) != "" {
		d.Errors["summary_email"] = "settings.summary_email_invalid"
	}
	if len(d.Errors) > 0 {
		h.renderSettings(w, r, http.StatusUnprocessableEntity, d)
		return
	}
	err = h.store.UpdateSettings(r.Context(), user.ID, store.Settings{
		Language: d.Language, TimeZone: d.TimeZone, SummaryHour: hour, SummaryEmail: d.SummaryEmail,
	})
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	h.redirect(w, r, "/settings", "settings_saved")
}
