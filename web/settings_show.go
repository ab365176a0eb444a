package web

import (
	"net/http"
	"strconv"

	"github.com/otklik/otklik/ai"
	"github.com/otklik/otklik/config"
	"github.com/otklik/otklik/locale"
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
	NoMail       bool // SMTP is not configured: summaries are on the site only
	// Invites: shown to an admin when REGISTRATION=invite.
	CanInvite bool
	Invites   []inviteView
	// PasswordErrors are the change-password form's: field → translation
	// key; PasswordRetry says when to try again when throttled.
	PasswordErrors map[string]string
	PasswordRetry  string
	// AI: a model is configured (AI_BASE_URL); AIUsed of AILimit tokens
	// spent today.
	AI              bool
	AIUsed, AILimit locale.Number
	// Telegram is the bot's card; nil without TELEGRAM_BOT_TOKEN.
	Telegram *telegramView
}

func (h *handler) showSettings(w http.ResponseWriter, r *http.Request) {
	h.showSettingsWith(w, r, http.StatusOK, &settingsData{})
}

// showSettingsWith shows the settings page with the stored settings and
// d's other forms' state (the password form's errors).
func (h *handler) showSettingsWith(w http.ResponseWriter, r *http.Request, status int, d *settingsData) {
	user := currentUser(r)
	d.Language, d.TimeZone = user.Language, user.TimeZone
	d.SummaryHour, d.SummaryEmail = strconv.Itoa(user.SummaryHour), user.SummaryEmail
	h.renderSettings(w, r, status, d)
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
		pending, err := h.store.PendingInvites(r.Context())
		if err != nil {
			h.serverError(w, r, err)
			return
		}
		d.CanInvite = true
		for _, inv := range pending {
			d.Invites = append(d.Invites, h.inviteView(inv))
		}
	}
	if d.PasswordErrors == nil {
		d.PasswordErrors = map[string]string{}
	}
	if h.cfg.AI.Enabled() {
		used, err := h.store.AITokensUsed(r.Context(), user.ID, ai.Day(h.now(), locale.Zone(user.TimeZone)))
		if err != nil {
			h.serverError(w, r, err)
			return
		}
		d.AI, d.AIUsed, d.AILimit = true, locale.Number(used), locale.Number(h.cfg.AI.DailyTokens)
	}
	if h.telegram != nil {
		tv, err := h.telegramView(r.Context(), user)
		if err != nil {
			h.serverError(w, r, err)
			return
		}
		d.Telegram = tv
	}
	h.render(w, r, status, "settings", h.newPage(w, r, "settings", d))
}
