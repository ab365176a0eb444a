package telegram

import (
	"context"
	"errors"
	"strings"

	"github.com/go-telegram/bot/models"

	"github.com/otklik/otklik/locale"
	"github.com/otklik/otklik/store"
)

// start is /start <code>: the one-time code from /settings links this chat
// to its user; the bot greets them by their Otklik e-mail. /start without a
// valid code explains how to link.
func (b *Bot) start(ctx context.Context, m *models.Message, code string) {
	chatID := m.Chat.ID
	if code == "" {
		lang := locale.Default
		if link, err := b.store.TelegramLinkByChat(ctx, chatID); err == nil {
			lang = b.language(ctx, link.UserID)
		}
		b.reply(ctx, chatID, 0, Message{Text: locale.Text(lang, "tg.start_how")})
		return
	}
	name := strings.TrimSpace(m.Chat.FirstName + " " + m.Chat.LastName)
	if m.Chat.Username != "" {
		name = "@" + m.Chat.Username
	}
	userID, err := b.store.LinkTelegram(ctx, code, chatID, name, b.now())
	switch {
	case errors.Is(err, store.ErrExpired):
		b.reply(ctx, chatID, 0, Message{Text: locale.Text(locale.Default, "tg.start_expired")})
		return
	case errors.Is(err, store.ErrNotFound):
		b.reply(ctx, chatID, 0, Message{Text: locale.Text(locale.Default, "tg.start_unknown")})
		return
	case err != nil:
		b.log.Error("telegram: link chat", "error", err)
		return
	}
	user, err := b.store.User(ctx, userID)
	if err != nil {
		b.log.Error("telegram: linked user", "user_id", userID, "error", err)
		return
	}
	b.log.Info("telegram: chat linked", "user_id", userID)
	b.reply(ctx, chatID, userID, Message{Text: locale.Text(b.language(ctx, userID), "tg.start_hello", user.Email)})
}
