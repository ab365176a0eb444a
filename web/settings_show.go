package web

import (
	"net/http"
	"strconv"

	"github.com/otklik/otklik/config"
)

// commonTimeZones are offered in the time zone field; any IANA name is accepted.
var commonTimeZones = []string{
	"Europe/Kaliningrad", "Europe/Moscow", "Europe/Samara", "Asia/Yekaterinburg", "Asia/Omsk",
	"Asia/Novosibirsk", "Asia/Krasnoyarsk", "Asia/Irkutsk", "Asia/Yakutsk", "Asia/Vladivostok",
	"Asia/Magadan", "Asia/Kamchatka", "Europe/Minsk", "Asia/Almaty", "Asia/Tashkent", "Asia/Tbilisi",
	"Asia/Yerevan", "Europe/Kyiv", "Europe/Istanbul", "Europe/Berlin", "Europe/London", "Asia/Dubai", "UTC",
}

type settingsData struct {
	Language     string
	TimeZone     string
	SummaryHour  string
	SummaryEmail string
	Errors       map[string]string // field → translation key
	Hours        []int
	TimeZones    []string
	HH           hhConnection
	Email        string
	InviteCode   string // shown to the admin when REGISTRATION=invite
	InviteURL    string
	NoMail       bool // SMTP is not configured: summaries are on the site only
}

func (h *handler) showSettings(w http.ResponseWriter, r *http.Request) {
	user := currentUser(r)
	d := &settingsData{
		Language:     user.Language,
		TimeZone:     user.TimeZone,
		SummaryHour:  strconv.Itoa(user.SummaryHour),
		SummaryEmail: user.SummaryEmail,
	}
	h.renderSettings(w, r, http.StatusOK, d)
}

func (h *handler) renderSettings(w http.ResponseWriter, r *http.Request, status int, d *settingsData) {
	user := currentUser(r)
	conn, err := h.hhConnection(r.Context(), user.ID)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	d.HH, d.Email, d.TimeZones = conn, user.Email, commonTimeZones
	d.NoMail = h.cfg.SMTPURL == ""
	for i := 0; i < 24; i++ {
		d.Hours = append(d.Hours, i)
	}
	if d.Errors == nil {
		d.Errors = map[string]string{}
	}
	if user.IsAdmin && h.cfg.Registration == config.RegistrationInvite {
		n, err := h.store.CountUsers(r.Context())
		if err != nil {
			h.serverError(w, r, err)
			return
		}
		d.InviteCode = h.inviteCode(n)
		d.InviteURL = h.cfg.BaseURL.String() + "/register?invite=" + d.InviteCode
	}
	h.render(w, r, status, "settings", h.newPage(w, r, "settings", d))
}
