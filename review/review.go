// Package review is what a person does with a vacancy held for them: send
// it with a letter. It is the one path behind both front doors, the web's
// «Отправить» on /review and the bot's button, so neither checks less than
// the other or enqueues differently.
package review

import (
	"context"
	"errors"
	"log/slog"

	"github.com/otklik/otklik/rules"
	"github.com/otklik/otklik/store"
)

// ErrHandled: the item was sent or dismissed meanwhile (elsewhere, or by
// another press), so nothing was done.
var ErrHandled = errors.New("review: item already handled")

// Jobs enqueues the apply of a sent item (tasks.Jobs implements it).
type Jobs interface {
	SendApplication(ctx context.Context, userID, applicationID int64) error
}

// Send sends review item a with letter: the letter is checked
// (rules.ReviewLetter: its errors are returned as they are), the row moves
// back to queued with it, and vacancy:apply is enqueued. A row no longer in
// a state that may be sent gives ErrHandled. An enqueue that fails is
// logged, not returned: the row is queued in the database and the tick
// picks it up.
func Send(ctx context.Context, st *store.Store, jobs Jobs, log *slog.Logger, a *store.Application, letter string) error {
	checked, err := rules.ReviewLetter(letter, a.ResponseLetterRequired)
	if err != nil {
		return err
	}
	if err := st.Requeue(ctx, a.UserID, a.ID, checked); err != nil {
		if errors.Is(err, store.ErrIllegalTransition) {
			return ErrHandled
		}
		return err
	}
	if err := jobs.SendApplication(ctx, a.UserID, a.ID); err != nil {
		log.ErrorContext(ctx, "enqueue application", "user_id", a.UserID, "application_id", a.ID, "error", err)
	}
	return nil
}
