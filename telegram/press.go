package telegram

import (
	"context"
	"errors"

	"github.com/go-telegram/bot/models"

	"github.com/otklik/otklik/locale"
	"github.com/otklik/otklik/store"
)

// press is a button press. Only the chat linked to a user acts, only on
// that user's items, and only with callback data signed for that user and
// chat: anything else answers «Не найдено» and changes nothing.
func (b *Bot) press(ctx context.Context, cq *models.CallbackQuery) {
	chatID := cq.From.ID
	if m := cq.Message.Message; m != nil {
		chatID = m.Chat.ID
	}
	link, err := b.store.TelegramLinkByChat(ctx, chatID)
	if errors.Is(err, store.ErrNotFound) {
		b.answer(ctx, cq, locale.Text(locale.Default, "tg.not_found"))
		return
	}
	if err != nil {
		b.log.Error("telegram: read link", "error", err)
		return
	}
	lang := b.language(ctx, link.UserID)
	action, id, ok := b.tokens.verify(cq.Data, link.UserID, chatID)
	if !ok {
		b.log.Warn("telegram: callback data that does not verify", "user_id", link.UserID)
		b.answer(ctx, cq, locale.Text(lang, "tg.not_found"))
		return
	}
	a, err := b.store.Application(ctx, link.UserID, id)
	if errors.Is(err, store.ErrNotFound) {
		b.answer(ctx, cq, locale.Text(lang, "tg.not_found"))
		return
	}
	if err != nil {
		b.log.Error("telegram: read review item", "user_id", link.UserID, "application_id", id, "error", err)
		return
	}
	if a.Status != store.StatusReview {
		// Sent or dismissed on the web, or by another press.
		if link.LetterFor == a.ID {
			b.clearLetter(ctx, link)
		}
		b.answer(ctx, cq, locale.Text(lang, "tg.done_already"))
		return
	}
	switch action {
	case actionSend:
		b.pressSend(ctx, cq, link, lang, a, a.Letter)
	case actionSendTyped:
		if link.LetterFor != a.ID || link.LetterDraft == "" {
			b.answer(ctx, cq, locale.Text(lang, "tg.done_already"))
			return
		}
		b.pressSend(ctx, cq, link, lang, a, link.LetterDraft)
	case actionEdit:
		b.pressEdit(ctx, cq, link, lang, a)
	case actionCancelEdit:
		b.clearLetter(ctx, link)
		b.answer(ctx, cq, locale.Text(lang, "tg.edit_cancelled"))
	case actionSkip:
		b.pressSkip(ctx, cq, link, lang, a)
	default:
		b.answer(ctx, cq, locale.Text(lang, "tg.not_found"))
	}
}

func (b *Bot) clearLetter(ctx context.Context, link *store.TelegramLink) {
	if err := b.store.SetTelegramLetter(ctx, link.UserID, 0, ""); err != nil {
		b.log.Error("telegram: clear letter", "user_id", link.UserID, "error", err)
	}
}
