package telegram

import (
	"context"

	"github.com/otklik/otklik/locale"
	"github.com/otklik/otklik/store"
)

// pause is /pause (enabled false) and /resume (true): every rule of the
// person, through the store call the web's rule form uses.
func (b *Bot) pause(ctx context.Context, link *store.TelegramLink, lang string, enabled bool) {
	list, err := b.store.Rules(ctx, link.UserID)
	if err != nil {
		b.log.Error("telegram: pause", "user_id", link.UserID, "error", err)
		return
	}
	if len(list) == 0 {
		b.reply(ctx, link.ChatID, link.UserID, Message{Text: locale.Text(lang, "tg.no_rules", b.baseURL+"/rules/new")})
		return
	}
	for _, r := range list {
		if r.Enabled == enabled {
			continue
		}
		if err := b.store.SetRuleEnabled(ctx, link.UserID, r.ID, enabled); err != nil {
			b.log.Error("telegram: pause", "user_id", link.UserID, "rule_id", r.ID, "error", err)
			return
		}
	}
	key := "tg.paused"
	if enabled {
		key = "tg.resumed"
	}
	b.reply(ctx, link.ChatID, link.UserID, Message{Text: locale.Text(lang, key, len(list))})
}
