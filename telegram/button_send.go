package telegram

import (
	"context"
	"errors"

	"github.com/go-telegram/bot/models"

	"github.com/otklik/otklik/locale"
	"github.com/otklik/otklik/review"
	"github.com/otklik/otklik/rules"
	"github.com/otklik/otklik/store"
)

// pressSend is «Отправить»: the item is sent with letter through
// review.Send, the path POST /review/{id}/send takes (the same letter
// check, the same move back to queued, the same vacancy:apply).
func (b *Bot) pressSend(ctx context.Context, cq *models.CallbackQuery, link *store.TelegramLink, lang string,
	a *store.Application, letter string) {
	err := review.Send(ctx, b.store, b.jobs, b.log, a, letter)
	switch {
	case errors.Is(err, review.ErrHandled):
		b.answer(ctx, cq, locale.Text(lang, "tg.done_already"))
		return
	case errors.Is(err, rules.ErrLetterChars), errors.Is(err, rules.ErrLetterEmpty), errors.Is(err, rules.ErrLetterTooLong):
		b.answer(ctx, cq, locale.Text(lang, letterProblem(err)))
		return
	case err != nil:
		b.log.Error("telegram: send review item", "user_id", link.UserID, "application_id", a.ID, "error", err)
		return
	}
	if link.LetterFor == a.ID {
		b.clearLetter(ctx, link)
	}
	b.log.Info("telegram: review item sent", "user_id", link.UserID, "application_id", a.ID)
	b.answer(ctx, cq, locale.Text(lang, "tg.sent", a.VacancyName))
}

// letterProblem is the locale key the web shows for a letter ReviewLetter
// refused.
func letterProblem(err error) string {
	switch {
	case errors.Is(err, rules.ErrLetterChars):
		return "review.letter_chars"
	case errors.Is(err, rules.ErrLetterTooLong):
		return "review.letter_too_long"
	}
	return "review.letter_empty"
}
