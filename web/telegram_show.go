package web

import (
	"context"
	"errors"
	"net/url"

	"github.com/otklik/otklik/locale"
	"github.com/otklik/otklik/store"
)

// telegramView is the Telegram card on /settings.
type telegramView struct {
	Linked   bool
	ChatName string
	// Blocked: Telegram said the person blocked the bot, so the chat was
	// unlinked.
	Blocked bool
	Notify  store.TelegramNotifications
	// Code is the one-time code still valid (after «Подключить
	// Telegram»), DeepLink the t.me link that carries it, Until when it
	// stops working (the person's time), Unavailable: Telegram did not
	// say the bot's name just now.
	Code        string
	DeepLink    string
	Until       string
	Unavailable bool
}

func (h *handler) telegramView(ctx context.Context, user *store.User) (*telegramView, error) {
	tv := &telegramView{}
	link, err := h.store.TelegramLink(ctx, user.ID)
	switch {
	case errors.Is(err, store.ErrNotFound):
	case err != nil:
		return nil, err
	default:
		tv.Linked, tv.Blocked, tv.ChatName, tv.Notify = link.Linked(), !link.Linked(), link.ChatName, link.TelegramNotifications
	}
	if tv.Linked {
		return tv, nil
	}
	code, until, err := h.store.TelegramCode(ctx, user.ID, h.now())
	if errors.Is(err, store.ErrNotFound) {
		return tv, nil
	}
	if err != nil {
		return nil, err
	}
	tv.Code, tv.Until = code, until.In(locale.Zone(user.TimeZone)).Format("15:04")
	name, err := h.telegram.Username(ctx)
	if err != nil {
		h.log.WarnContext(ctx, "telegram getMe", "error", err)
		tv.Unavailable = true
		return tv, nil
	}
	tv.DeepLink = "https://t.me/" + url.PathEscape(name) + "?start=" + url.QueryEscape(code)
	return tv, nil
}
