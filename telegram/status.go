package telegram

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/otklik/otklik/locale"
	"github.com/otklik/otklik/store"
)

// status is /status: today's numbers (since local midnight) and what is
// wrong with the hh account, if anything.
func (b *Bot) status(ctx context.Context, link *store.TelegramLink, lang string) {
	user, err := b.store.User(ctx, link.UserID)
	if err != nil {
		b.log.Error("telegram: status", "user_id", link.UserID, "error", err)
		return
	}
	loc, lerr := time.LoadLocation(user.TimeZone)
	if lerr != nil {
		loc = time.UTC
	}
	now := b.now().In(loc)
	midnight := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
	counts, err := b.store.CountsByStatusSince(ctx, link.UserID, midnight)
	if err != nil {
		b.log.Error("telegram: status", "user_id", link.UserID, "error", err)
		return
	}
	waiting, err := b.store.ReviewItems(ctx, link.UserID)
	if err != nil {
		b.log.Error("telegram: status", "user_id", link.UserID, "error", err)
		return
	}
	lines := []string{locale.Text(lang, "tg.status", counts[store.StatusApplied], len(waiting),
		counts[store.StatusSkipped], counts[store.StatusFailed], b.baseURL+"/review")}
	acct, err := b.store.HHAccountState(ctx, link.UserID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		lines = append(lines, locale.Text(lang, "tg.status_disconnected", b.baseURL+"/hh/connect"))
	case err != nil:
		b.log.Error("telegram: status", "user_id", link.UserID, "error", err)
		return
	case acct.State == store.AccountConnected:
		lines = append(lines, locale.Text(lang, "tg.status_ok"))
	default:
		lines = append(lines, b.warningText(acct, lang, loc))
	}
	b.reply(ctx, link.ChatID, link.UserID, Message{Text: strings.Join(lines, "\n\n")})
}
