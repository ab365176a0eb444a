package web

import (
	"context"
	"encoding/json"
	"net/http"
	"sort"
	"time"

	"github.com/otklik/otklik/notify"
	"github.com/otklik/otklik/rules"
	"github.com/otklik/otklik/store"
)

// pastSummaries is how many earlier days the summary page lists.
const pastSummaries = 30

type summaryDay struct {
	Summary notify.Summary
	Text    string // the stored text when its data could not be read
	Emailed bool
}

type summaryData struct {
	Today summaryDay
	Past  []summaryDay
}

// showSummary: today live from the ledger, then the stored daily summaries.
func (h *handler) showSummary(w http.ResponseWriter, r *http.Request) {
	user := currentUser(r)
	lang := visitorOf(r).lang
	today, err := h.todaySummary(r.Context(), user, lang)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	stored, err := h.store.Summaries(r.Context(), user.ID, pastSummaries+1)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	d := &summaryData{Today: summaryDay{Summary: *today}}
	for _, s := range stored {
		if s.Day == today.Day {
			continue
		}
		day := summaryDay{Emailed: s.EmailedAt != nil}
		if err := json.Unmarshal([]byte(s.Content), &day.Summary); err != nil || day.Summary.Day == "" {
			day.Summary = notify.Summary{Day: s.Day}
			day.Text = s.Text
		}
		d.Past = append(d.Past, day)
		if len(d.Past) == pastSummaries {
			break
		}
	}
	h.render(w, r, http.StatusOK, "summary", h.newPage(w, r, "summary", d))
}

// todaySummary builds today's summary (since local midnight) from the store.
func (h *handler) todaySummary(ctx context.Context, user *store.User, lang string) (*notify.Summary, error) {
	loc := userLocation(user)
	since := startOfDay(h.now(), loc)
	s := &notify.Summary{Day: since.Format(time.DateOnly), Lang: lang, Counts: map[string]int{}}
	counts, err := h.store.CountsByStatusSince(ctx, user.ID, since)
	if err != nil {
		return nil, err
	}
	for st, n := range counts {
		s.Counts[string(st)] = n
	}
	// Rows changed today; they were created at most a few days earlier.
	recent, err := h.store.ListApplications(ctx, user.ID, store.ApplicationFilter{From: since.AddDate(0, 0, -14), Limit: 2000})
	if err != nil {
		return nil, err
	}
	for _, a := range recent {
		if a.UpdatedAt.Before(since) {
			continue
		}
		it := notify.Item{VacancyID: a.VacancyID, Name: a.VacancyName, Employer: a.EmployerName, Salary: a.SalaryText, URL: a.VacancyURL}
		if a.Reason != "" {
			it.Reason = rules.Reason(a.Reason).Text(lang)
		}
		switch a.Status {
		case store.StatusApplied:
			s.Applied = append(s.Applied, it)
		case store.StatusReview:
			s.Review = append(s.Review, it)
		case store.StatusExternal:
			if a.ExternalURL != "" {
				it.URL = a.ExternalURL
			}
			s.External = append(s.External, it)
		case store.StatusFailed:
			if a.Message != "" {
				it.Reason += " — «" + a.Message + "»"
			}
			s.Failed = append(s.Failed, it)
		}
	}
	skipped, err := h.store.ReasonCountsSince(ctx, user.ID, store.StatusSkipped, since)
	if err != nil {
		return nil, err
	}
	for code, n := range skipped {
		s.Skipped = append(s.Skipped, notify.ReasonCount{Code: code, Text: rules.Reason(code).Text(lang), Count: n})
	}
	sort.Slice(s.Skipped, func(i, j int) bool {
		if s.Skipped[i].Count != s.Skipped[j].Count {
			return s.Skipped[i].Count > s.Skipped[j].Count
		}
		return s.Skipped[i].Code < s.Skipped[j].Code
	})
	return s, nil
}
