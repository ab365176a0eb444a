package telegram

import (
	"context"

	"github.com/go-telegram/bot/models"

	"github.com/otklik/otklik/locale"
	"github.com/otklik/otklik/rules"
	"github.com/otklik/otklik/store"
)

// pressEdit is «Изменить письмо»: the chat's next text message becomes the
// item's letter (letterTyped), shown back with «Отправить» and «Отмена».
func (b *Bot) pressEdit(ctx context.Context, cq *models.CallbackQuery, link *store.TelegramLink, lang string, a *store.Application) {
	if err := b.store.SetTelegramLetter(ctx, link.UserID, a.ID, ""); err != nil {
		b.log.Error("telegram: await letter", "user_id", link.UserID, "application_id", a.ID, "error", err)
		return
	}
	b.answer(ctx, cq, "")
	b.reply(ctx, link.ChatID, link.UserID, Message{Text: locale.Text(lang, "tg.edit_ask", a.VacancyName)})
}

// letterTyped is the text the chat sent after «Изменить письмо»: kept as
// the draft and shown back for a last look.
func (b *Bot) letterTyped(ctx context.Context, link *store.TelegramLink, lang, text string) {
	a, err := b.store.Application(ctx, link.UserID, link.LetterFor)
	if err != nil || a.Status != store.StatusReview {
		b.clearLetter(ctx, link)
		b.reply(ctx, link.ChatID, link.UserID, Message{Text: locale.Text(lang, "tg.done_already")})
		return
	}
	letter, err := rules.ReviewLetter(text, true)
	if err != nil {
		b.reply(ctx, link.ChatID, link.UserID, Message{Text: locale.Text(lang, letterProblem(err))})
		return
	}
	if err := b.store.SetTelegramLetter(ctx, link.UserID, a.ID, letter); err != nil {
		b.log.Error("telegram: keep letter", "user_id", link.UserID, "application_id", a.ID, "error", err)
		return
	}
	b.reply(ctx, link.ChatID, link.UserID, Message{
		Text: locale.Text(lang, "tg.edit_show", a.VacancyName, letter),
		Buttons: [][]Button{{
			{Text: locale.Text(lang, "tg.btn_send_typed"), Data: b.tokens.sign(actionSendTyped, a.ID, link.UserID, link.ChatID)},
			{Text: locale.Text(lang, "tg.btn_cancel"), Data: b.tokens.sign(actionCancelEdit, a.ID, link.UserID, link.ChatID)},
		}},
	})
}
