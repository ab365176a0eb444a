package web

import (
	"net/url"
	"time"

	"github.com/otklik/otklik/store"
)

// inviteTTL is how long an invite an admin creates stays good.
const inviteTTL = 7 * 24 * time.Hour

// inviteView is a pending invite as the admin's settings page shows it.
type inviteView struct {
	ID        int64
	Code      string // grouped by four, as people read it out
	URL       string
	ExpiresAt time.Time
}

func (h *handler) inviteView(inv store.Invite) inviteView {
	code := inv.Code
	grouped := ""
	for i := 0; i < len(code); i += 4 {
		if i > 0 {
			grouped += "-"
		}
		grouped += code[i:min(i+4, len(code))]
	}
	return inviteView{ID: inv.ID, Code: grouped, ExpiresAt: inv.ExpiresAt,
		URL: h.cfg.BaseURL.String() + "/register?invite=" + url.QueryEscape(grouped)}
}
