package web

import (
	"context"
	"errors"
	"time"

	"github.com/otklik/otklik/locale"
	"github.com/otklik/otklik/store"
)

// hhConnection is what pages show of a user's hh account and of what waits
// on it; it never carries the tokens.
type hhConnection struct {
	Connected    bool
	Name         string // "Имя Фамилия" on hh
	Warning      string // "", "reconnect", "captcha", "limit" or "disconnected"
	CaptchaURL   string
	LimitedUntil time.Time
	ConnectedAt  time.Time

	// Queued and Review count the work that waits on access: applications
	// not sent yet and items waiting for the person.
	Queued, Review int
	// GoneRules are the rules whose resume is not among the connected
	// person's resumes (another hh person connected, or the resume was
	// deleted): they need a new resume.
	GoneRules []store.Rule
	// HasRules: a disconnected account is a warning only for someone with
	// rules or waiting work; a new person just sees «Подключить hh.ru».
	HasRules bool

	// For the warning's form: the session's CSRF token, the user's time
	// zone and the page to come back to after «Я решил капчу».
	CSRF string
	Loc  *time.Location
	Back string
}

// hhConnection reads userID's account, and what waits on it, for display.
// ctx is the request's: the visitor in it gives the CSRF token and time zone.
func (h *handler) hhConnection(ctx context.Context, userID int64) (hhConnection, error) {
	c := hhConnection{Loc: time.UTC, Back: "/"}
	if v, ok := ctx.Value(visitorKey).(*visitor); ok {
		if v.session != nil {
			c.CSRF = v.session.CSRFToken
		}
		if v.user != nil {
			c.Loc = locale.Zone(v.user.TimeZone)
		}
	}
	var err error
	if c.Queued, err = h.store.CountApplications(ctx, userID, store.ApplicationFilter{Status: store.StatusQueued}); err != nil {
		return c, err
	}
	review, err := h.store.ReviewItems(ctx, userID)
	if err != nil {
		return c, err
	}
	c.Review = len(review)
	list, err := h.store.Rules(ctx, userID)
	if err != nil {
		return c, err
	}
	c.HasRules = len(list) > 0

	acct, err := h.store.HHAccountState(ctx, userID)
	if errors.Is(err, store.ErrNotFound) {
		if c.HasRules || c.Queued > 0 {
			c.Warning = "disconnected"
		}
		return c, nil
	}
	if err != nil {
		return c, err
	}
	c.Connected, c.Name, c.ConnectedAt = true, joinName(acct.FirstName, acct.LastName), acct.ConnectedAt
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
	if c.HasRules {
		if c.GoneRules, err = h.store.RulesWithGoneResume(ctx, userID); err != nil {
			return c, err
		}
	}
	return c, nil
}

// Paused reports whether the worker cannot use the account now.
func (c hhConnection) Paused() bool { return c.Warning != "" }

// WaitReason is the reason code (rules.Reason) a queued application waits
// for while access is down; "" when it is not.
func (c hhConnection) WaitReason() string {
	switch c.Warning {
	case "captcha":
		return "captcha"
	case "limit":
		return "limit_exceeded"
	case "reconnect":
		return "reconnect"
	case "disconnected":
		return "not_connected"
	}
	if !c.Connected {
		return "not_connected"
	}
	return ""
}

// RuleGone reports whether rule id is among GoneRules.
func (c hhConnection) RuleGone(id int64) bool {
	for _, r := range c.GoneRules {
		if r.ID == id {
			return true
		}
	}
	return false
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
