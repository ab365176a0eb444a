package telegram

import (
	"context"
	"errors"

	"github.com/go-telegram/bot/models"

	"github.com/otklik/otklik/locale"
	"github.com/otklik/otklik/rules"
	"github.com/otklik/otklik/store"
)

// pressSkip is «Пропустить»: the item is dismissed as POST
// /review/{id}/dismiss dismisses it.
func (b *Bot) pressSkip(ctx context.Context, cq *models.CallbackQuery, link *store.TelegramLink, lang string, a *store.Application) {
	if err := b.store.MarkSkipped(ctx, link.UserID, a.ID, string(rules.ReasonDismissed)); err != nil {
		if errors.Is(err, store.ErrIllegalTransition) {
			b.answer(ctx, cq, locale.Text(lang, "tg.done_already"))
			return
		}
		b.log.Error("telegram: dismiss review item", "user_id", link.UserID, "application_id", a.ID, "error", err)
		return
	}
	if link.LetterFor == a.ID {
		b.clearLetter(ctx, link)
	}
	b.answer(ctx, cq, locale.Text(lang, "tg.skipped", a.VacancyName))
}
