package tasks

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hibiken/asynq"

	"github.com/otklik/otklik/locale"
	"github.com/otklik/otklik/notify"
	"github.com/otklik/otklik/rules"
	"github.com/otklik/otklik/store"
	"github.com/otklik/otklik/telegram"
)

// BuildSummary gathers what happened to a user's vacancies since `since`
// (the daily e-mail: the last 24 hours; the web's "today": since local
// midnight): counts by outcome, what was sent, what waits for them now,
// failures, skips by reason, and account warnings, in the user's language.
func BuildSummary(ctx context.Context, st *store.Store, userID int64, day string, since time.Time, baseURL string) (*notify.Summary, error) {
	user, err := st.User(ctx, userID)
	if err != nil {
		return nil, err
	}
	lang := user.Language
	s := &notify.Summary{Day: day, Lang: lang, BaseURL: strings.TrimRight(baseURL, "/"), Counts: map[string]int{}}

	counts, err := st.CountsByStatusSince(ctx, userID, since)
	if err != nil {
		return nil, err
	}
	for status, n := range counts {
		s.Counts[string(status)] = n
	}
	applied, err := st.ListApplications(ctx, userID, store.ApplicationFilter{Status: store.StatusApplied, Limit: 1000})
	if err != nil {
		return nil, err
	}
	for _, a := range applied {
		if !a.AppliedAt.Before(since) {
			s.Applied = append(s.Applied, item(a, a.VacancyURL, ""))
		}
	}
	waiting, err := st.ReviewItems(ctx, userID)
	if err != nil {
		return nil, err
	}
	for _, a := range waiting {
		if a.Status == store.StatusExternal {
			s.External = append(s.External, item(a, a.ExternalURL, rules.Reason(a.Reason).Text(lang)))
			continue
		}
		s.Review = append(s.Review, item(a, a.VacancyURL, rules.Reason(a.Reason).Text(lang)))
	}
	failed, err := st.ListApplications(ctx, userID, store.ApplicationFilter{Status: store.StatusFailed, From: since, Limit: 200})
	if err != nil {
		return nil, err
	}
	for _, a := range failed {
		s.Failed = append(s.Failed, item(a, a.VacancyURL, rules.ExplainRefusal(a.Reason, a.Message, lang).Text))
	}
	skips, err := st.ReasonCountsSince(ctx, userID, store.StatusSkipped, since)
	if err != nil {
		return nil, err
	}
	for code, n := range skips {
		if rules.Reason(code) == rules.ReasonDoneOnSite {
			continue // counted with the employer's-site items
		}
		s.Skipped = append(s.Skipped, notify.ReasonCount{Code: code, Text: rules.Reason(code).Text(lang), Count: n})
	}
	s.SortSkips()
	if s.Raised, err = st.CountRaises(ctx, userID, since); err != nil {
		return nil, err
	}
	if err := addOutcomes(ctx, st, s, userID, since); err != nil {
		return nil, err
	}

	acct, err := st.HHAccount(ctx, userID)
	switch {
	case errors.Is(err, store.ErrNotFound):
	case err != nil:
		return nil, err
	default:
		if w, ok := accountWarning(acct, lang, s.BaseURL); ok {
			s.Warnings = append(s.Warnings, w)
		}
	}
	return s, nil
}

// addOutcomes adds the invitations and rejections first seen since, each
// linking to its negotiation on hh (the site of the hh the instance uses).
func addOutcomes(ctx context.Context, st *store.Store, s *notify.Summary, userID int64, since time.Time) error {
	for _, o := range []struct {
		state string
		into  *[]notify.Item
	}{{store.OutcomeInvitation, &s.Invitations}, {store.OutcomeDiscard, &s.Rejections}} {
		list, err := st.OutcomesSeenSince(ctx, userID, o.state, since)
		if err != nil {
			return err
		}
		for _, a := range list {
			*o.into = append(*o.into, item(a, NegotiationURL(hhSiteFor(a.VacancyURL), &a), ""))
		}
	}
	return nil
}

// hhSiteFor is the hh site a vacancy page lives on (its scheme, host and
// any path prefix before /vacancy/), so a link to the negotiation goes to
// the same hh, the sandbox's included.
func hhSiteFor(vacancyURL string) string {
	if i := strings.LastIndex(vacancyURL, "/vacancy/"); i > 0 {
		return vacancyURL[:i]
	}
	return ""
}

func item(a store.Application, url, reason string) notify.Item {
	return notify.Item{VacancyID: a.VacancyID, Name: a.VacancyName, Employer: a.EmployerName, Salary: a.SalaryText, URL: url, Reason: reason}
}

// accountWarning is what the person must do about the account, if anything.
func accountWarning(acct *store.HHAccount, lang, baseURL string) (notify.Warning, bool) {
	switch acct.State {
	case store.AccountReconnect:
		return notify.Warning{Kind: "reconnect", URL: baseURL + "/hh/connect",
			Text: locale.Text(lang, "mail.warn_reconnect")}, true
	case store.AccountCaptcha:
		return notify.Warning{Kind: "captcha", URL: acct.CaptchaURL,
			Text: locale.Text(lang, "mail.warn_captcha")}, true
	case store.AccountLimited:
		until := acct.LimitedUntil.UTC().Format("2006-01-02 15:04 UTC")
		return notify.Warning{Kind: "limit",
			Text: locale.Text(lang, "mail.warn_limit", until)}, true
	}
	return notify.Warning{}, false
}

// handleSummary renders one user's day once, stores it for the web and, when
// SMTP is configured and the user gave an address, e-mails it once.
func (w *Worker) handleSummary(ctx context.Context, t *asynq.Task) error {
	var p SummaryPayload
	if err := decode(t, &p); err != nil {
		return err
	}
	err := w.sendSummary(ctx, p)
	w.metrics.Tasks.WithLabelValues(TypeSummarySend, resultOf(err)).Inc()
	return err
}

func (w *Worker) sendSummary(ctx context.Context, p SummaryPayload) error {
	saved, err := w.store.Summary(ctx, p.UserID, p.Day)
	if errors.Is(err, store.ErrNotFound) {
		sum, err := BuildSummary(ctx, w.store, p.UserID, p.Day, w.now().Add(-dailyWindow), w.baseURL)
		if errors.Is(err, store.ErrNotFound) {
			return nil // the user is gone
		}
		if err != nil {
			return err
		}
		r, err := notify.Render(sum)
		if err != nil {
			return fmt.Errorf("tasks: %w: %w", err, asynq.SkipRetry)
		}
		content, err := json.Marshal(sum)
		if err != nil {
			return err
		}
		saved = &store.Summary{UserID: p.UserID, Day: p.Day, Content: string(content), Text: r.Text, HTML: r.HTML}
		if _, err := w.store.SaveSummary(ctx, saved); err != nil {
			return err
		}
	} else if err != nil {
		return err
	}
	if err := w.tellTelegram(ctx, telegram.Notification{UserID: p.UserID, Kind: telegram.KindSummary, Day: p.Day}); err != nil {
		return err
	}
	if w.mailer == nil || saved.EmailedAt != nil {
		return nil
	}
	// The day's task and the tick's hourly resend may run at once: one
	// sender at a time, reading again whether the mail went out.
	unlock, err := w.locks.lockAlive(ctx, fmt.Sprintf("otklik:lock:summary:%d:%s", p.UserID, p.Day), time.Minute, 0)
	if errors.Is(err, errLocked) {
		return retryLater(30*time.Second, nil)
	}
	if err != nil {
		return err
	}
	defer unlock()
	if saved, err = w.store.Summary(ctx, p.UserID, p.Day); err != nil || saved.EmailedAt != nil {
		return err
	}
	user, err := w.store.User(ctx, p.UserID)
	if err != nil || user.SummaryEmail == "" {
		return err
	}
	var sum notify.Summary
	if err := json.Unmarshal([]byte(saved.Content), &sum); err != nil {
		return fmt.Errorf("tasks: stored summary of user %d: %w", p.UserID, err)
	}
	r, err := notify.Render(&sum)
	if err != nil {
		return err
	}
	if err := w.mailer.Send(ctx, user.SummaryEmail, r); err != nil {
		return err
	}
	// Sent: record it even if the deadline passes now, or it goes twice.
	_, err = w.store.MarkSummaryEmailed(context.WithoutCancel(ctx), p.UserID, p.Day, w.now())
	return err
}
