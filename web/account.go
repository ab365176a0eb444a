package web

import (
	"context"
	"errors"
	"time"

	"github.com/otklik/otklik/store"
)

// hhConnection is what pages show of a user's hh account; it never carries
// the tokens.
type hhConnection struct {
	Connected    bool
	Name         string // "Имя Фамилия" on hh
	Warning      string // "", "reconnect", "captcha" or "limit"
	CaptchaURL   string
	LimitedUntil time.Time
	ConnectedAt  time.Time
}

// hhConnection reads userID's account for display.
func (h *handler) hhConnection(ctx context.Context, userID int64) (hhConnection, error) {
	acct, err := h.store.HHAccount(ctx, userID)
	if errors.Is(err, store.ErrNotFound) {
		return hhConnection{}, nil
	}
	if err != nil {
		return hhConnection{}, err
	}
	c := hhConnection{Connected: true, Name: joinName(acct.FirstName, acct.LastName), ConnectedAt: acct.ConnectedAt}
	switch acct.State {
	case store.AccountReconnect:
		c.Warning = "reconnect"
	case store.AccountCaptcha:
		c.Warning, c.CaptchaURL = "captcha", acct.CaptchaURL
	case store.AccountLimited:
		if acct.LimitedUntil.After(h.now()) {
			c.Warning, c.LimitedUntil = "limit", acct.LimitedUntil
		}
	}
	return c, nil
}

func joinName(first, last string) string {
	switch {
	case first == "":
		return last
	case last == "":
		return first
	}
	return first + " " + last
}

// startOfDay is local midnight of now in loc.
func startOfDay(now time.Time, loc *time.Location) time.Time {
	y, m, d := now.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, loc)
}

// userLocation is the user's time zone, UTC when it does not load.
func userLocation(u *store.User) *time.Location {
	if loc, err := time.LoadLocation(u.TimeZone); err == nil {
		return loc
	}
	return time.UTC
}
