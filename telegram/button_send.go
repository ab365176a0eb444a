package telegram

import (
	"context"
	"errors"

	"github.com/go-telegram/bot/models"

	"github.com/otklik/otklik/locale"
	"github.com/otklik/otklik/rules"
	"github.com/otklik/otklik/store"
)

// pressSend is «Отправить»: the item is sent with letter exactly as
// POST /review/{id}/send sends it (the same letter check, the same move
// back to queued, the same vacancy:apply).
func (b *Bot) pressSend(ctx context.Context, cq *models.CallbackQuery, link *store.TelegramLink, lang string,
	a *store.Application, letter string) {
	checked, err := rules.ReviewLetter(letter, a.ResponseLetterRequired)
	if err != nil {
		b.answer(ctx, cq, locale.Text(lang, letterProblem(err)))
		return
	}
	if err := b.store.Requeue(ctx, link.UserID, a.ID, checked); err != nil {
		if errors.Is(err, store.ErrIllegalTransition) {
			b.answer(ctx, cq, locale.Text(lang, "tg.done_already"))
			return
		}
		b.log.Error("telegram: send review item", "user_id", link.UserID, "application_id", a.ID, "error", err)
		return
	}
	if err := b.jobs.SendApplication(ctx, link.UserID, a.ID); err != nil {
		// The row is queued in the database; the tick picks it up.
		b.log.Error("telegram: enqueue application", "user_id", link.UserID, "application_id", a.ID, "error", err)
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
