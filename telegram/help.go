package telegram

import (
	"context"

	"github.com/otklik/otklik/locale"
	"github.com/otklik/otklik/store"
)

// help is /help: what the bot does and its commands.
func (b *Bot) help(ctx context.Context, link *store.TelegramLink, lang string) {
	b.reply(ctx, link.ChatID, link.UserID, Message{Text: locale.Text(lang, "tg.help", b.baseURL+"/settings")})
}
