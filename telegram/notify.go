package telegram

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/otklik/otklik/locale"
	"github.com/otklik/otklik/notify"
	"github.com/otklik/otklik/rules"
	"github.com/otklik/otklik/store"
)

// Notification kinds, each switchable on /settings.
const (
	KindInvitation = "invitation"
	KindWarning    = "warning"
	KindSummary    = "summary"
	KindReview     = "review"
)

// Notification names one message to a person by ids only (it is a task
// payload); what it says is read from the database when it is sent.
type Notification struct {
	UserID int64  `json:"user_id"`
	Kind   string `json:"kind"`
	// ApplicationID: the invited ledger row (KindInvitation), or the one
	// row hh sent back to review when applied (KindReview without RunID).
	ApplicationID int64 `json:"application_id,omitempty"`
	// RunID: the rule run whose review items to send (KindReview).
	RunID int64 `json:"run_id,omitempty"`
	// Day: the summary's day, YYYY-MM-DD (KindSummary).
	Day string `json:"day,omitempty"`
	// Warning is the account state (reconnect, captcha, limited) and
	// Occurrence which time the account entered it (KindWarning).
	Warning    string `json:"warning,omitempty"`
	Occurrence int    `json:"occurrence,omitempty"`
}

// Key is the notification's deterministic id: the asynq task's id and the
// key it is recorded as sent under, so it is sent once.
func (n Notification) Key() string {
	switch n.Kind {
	case KindInvitation:
		return fmt.Sprintf("tg:invitation:%d", n.ApplicationID)
	case KindWarning:
		return fmt.Sprintf("tg:warning:%d:%s:%d", n.UserID, n.Warning, n.Occurrence)
	case KindSummary:
		return fmt.Sprintf("tg:summary:%d:%s", n.UserID, n.Day)
	case KindReview:
		if n.RunID == 0 {
			return fmt.Sprintf("tg:review:item:%d", n.ApplicationID)
		}
		return fmt.Sprintf("tg:review:%d", n.RunID)
	}
	return fmt.Sprintf("tg:%s:%d", n.Kind, n.UserID)
}

// Deliver sends n to the person's linked chat, once: nothing when no chat
// is linked, the person switched that kind off, or there is nothing left
// to tell (the invitation withdrawn, the warning passed, every item
// handled). A 403 unlinks the chat; any other error is returned for the
// task to retry (RetryAfter says how long a 429 asks to wait), the message
// not counted as sent.
func (b *Bot) Deliver(ctx context.Context, n Notification) error {
	link, err := b.store.TelegramLink(ctx, n.UserID)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if !link.Linked() || !wants(link.TelegramNotifications, n.Kind) {
		return nil
	}
	lang := b.language(ctx, n.UserID)
	m, ok, err := b.render(ctx, link, lang, n)
	if err != nil || !ok {
		return err
	}
	key := n.Key()
	claimed, err := b.store.ClaimTelegramMessage(ctx, key, n.UserID, b.now())
	if err != nil || !claimed {
		return err
	}
	err = b.client.Send(ctx, link.ChatID, m)
	if err == nil {
		b.log.Info("telegram: notification sent", "user_id", n.UserID, "kind", n.Kind)
		return nil
	}
	if IsBlocked(err) {
		b.blocked(ctx, n.UserID, link.ChatID)
		return nil
	}
	if rerr := b.store.ReleaseTelegramMessage(context.WithoutCancel(ctx), key); rerr != nil {
		return errors.Join(err, rerr)
	}
	return err
}

func wants(n store.TelegramNotifications, kind string) bool {
	switch kind {
	case KindInvitation:
		return n.Invitations
	case KindWarning:
		return n.Warnings
	case KindSummary:
		return n.Summary
	case KindReview:
		return n.Review
	}
	return false
}

func (b *Bot) render(ctx context.Context, link *store.TelegramLink, lang string, n Notification) (Message, bool, error) {
	switch n.Kind {
	case KindInvitation:
		return b.renderInvitation(ctx, lang, n)
	case KindWarning:
		return b.renderWarning(ctx, lang, n)
	case KindSummary:
		return b.renderSummary(ctx, lang, n)
	case KindReview:
		return b.renderReview(ctx, link, lang, n)
	}
	return Message{}, false, nil
}

func (b *Bot) renderInvitation(ctx context.Context, lang string, n Notification) (Message, bool, error) {
	a, err := b.store.Application(ctx, n.UserID, n.ApplicationID)
	if errors.Is(err, store.ErrNotFound) {
		return Message{}, false, nil
	}
	if err != nil || a.State != store.OutcomeInvitation {
		return Message{}, false, err
	}
	m := Message{Text: locale.Text(lang, "tg.invitation", a.EmployerName, a.VacancyName,
		b.baseURL+"/applications?outcome=invitation")}
	if a.VacancyURL != "" {
		m.Buttons = [][]Button{{{Text: locale.Text(lang, "tg.btn_open_vacancy"), URL: a.VacancyURL}}}
	}
	return m, true, nil
}

func (b *Bot) renderWarning(ctx context.Context, lang string, n Notification) (Message, bool, error) {
	acct, err := b.store.HHAccountState(ctx, n.UserID)
	if errors.Is(err, store.ErrNotFound) {
		return Message{}, false, nil
	}
	if err != nil || string(acct.State) != n.Warning {
		return Message{}, false, err // passed already
	}
	loc := time.UTC
	if u, err := b.store.User(ctx, n.UserID); err == nil {
		loc = locale.Zone(u.TimeZone)
	}
	return Message{Text: b.warningText(acct, lang, loc)}, true, nil
}

// warningText says what the person must do about the paused account.
func (b *Bot) warningText(acct *store.HHAccount, lang string, loc *time.Location) string {
	switch acct.State {
	case store.AccountReconnect:
		return locale.Text(lang, "tg.warn_reconnect", b.baseURL+"/hh/connect")
	case store.AccountCaptcha:
		return locale.Text(lang, "tg.warn_captcha", acct.CaptchaURL, b.baseURL+"/")
	case store.AccountLimited:
		return locale.Text(lang, "tg.warn_limited", acct.LimitedUntil.In(loc).Format("02.01 15:04"))
	}
	return ""
}

func (b *Bot) renderSummary(ctx context.Context, lang string, n Notification) (Message, bool, error) {
	saved, err := b.store.Summary(ctx, n.UserID, n.Day)
	if errors.Is(err, store.ErrNotFound) {
		return Message{}, false, nil
	}
	if err != nil {
		return Message{}, false, err
	}
	var sum notify.Summary
	if err := json.Unmarshal([]byte(saved.Content), &sum); err != nil {
		return Message{}, false, fmt.Errorf("telegram: stored summary of user %d: %w", n.UserID, err)
	}
	text := locale.Text(lang, "tg.summary", sum.Day, sum.Counts[string(store.StatusApplied)], len(sum.Review),
		len(sum.Invitations), sum.Counts[string(store.StatusSkipped)], b.baseURL+"/summary")
	for _, w := range sum.Warnings {
		text += "\n\n⚠ " + w.Text
	}
	return Message{Text: text}, true, nil
}

// reviewBatch is how many items one run's message carries; the rest are
// on the web.
const reviewBatch = 10

// messageLimit is under Telegram's 4096 characters for a message's text.
const messageLimit = 3900

func (b *Bot) renderReview(ctx context.Context, link *store.TelegramLink, lang string, n Notification) (Message, bool, error) {
	var items []store.Application
	if n.RunID != 0 {
		var err error
		if items, err = b.store.RunReviewItems(ctx, n.UserID, n.RunID); err != nil {
			return Message{}, false, err
		}
	} else {
		a, err := b.store.Application(ctx, n.UserID, n.ApplicationID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return Message{}, false, err
		}
		if err == nil && a.Status == store.StatusReview {
			items = append(items, *a)
		}
	}
	if len(items) == 0 {
		return Message{}, false, nil
	}
	shown := items[:min(len(items), reviewBatch)]
	m := Message{}
	for _, excerpt := range []int{0, 600, 200} {
		m = b.reviewMessage(link, lang, shown, len(items), excerpt)
		if utf8.RuneCountInString(m.Text) <= messageLimit {
			break
		}
	}
	return m, true, nil
}

// reviewMessage lists the items with their letters (cut at excerpt runes
// when not 0) and four buttons each.
func (b *Bot) reviewMessage(link *store.TelegramLink, lang string, shown []store.Application, total, excerpt int) Message {
	var text strings.Builder
	text.WriteString(locale.Text(lang, "tg.review_head", total, b.baseURL+"/review"))
	var buttons [][]Button
	for i, a := range shown {
		n := i + 1
		text.WriteString("\n\n")
		text.WriteString(locale.Text(lang, "tg.review_item", n, a.VacancyName, a.EmployerName, rules.Reason(a.Reason).Text(lang)))
		letter := a.Letter
		if excerpt > 0 && utf8.RuneCountInString(letter) > excerpt {
			letter = string([]rune(letter)[:excerpt]) + "…"
		}
		text.WriteString("\n")
		if letter == "" {
			text.WriteString(locale.Text(lang, "tg.review_no_letter"))
		} else {
			text.WriteString(locale.Text(lang, "tg.review_letter", letter))
		}
		sign := func(action string) string { return b.tokens.sign(action, a.ID, link.UserID, link.ChatID) }
		second := []Button{{Text: locale.Text(lang, "tg.btn_skip", n), Data: sign(actionSkip)}}
		if a.VacancyURL != "" {
			second = append(second, Button{Text: locale.Text(lang, "tg.btn_vacancy", n), URL: a.VacancyURL})
		}
		buttons = append(buttons, []Button{
			{Text: locale.Text(lang, "tg.btn_send", n), Data: sign(actionSend)},
			{Text: locale.Text(lang, "tg.btn_edit", n), Data: sign(actionEdit)},
		}, second)
	}
	if rest := total - len(shown); rest > 0 {
		text.WriteString("\n\n")
		text.WriteString(locale.Text(lang, "tg.review_more", rest, b.baseURL+"/review"))
	}
	return Message{Text: text.String(), Buttons: buttons}
}
