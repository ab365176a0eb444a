package web

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/otklik/otklik/locale"
	"github.com/otklik/otklik/notify"
	"github.com/otklik/otklik/store"
	"github.com/otklik/otklik/tasks"
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

// todaySummary is today's summary (since local midnight), built like the
// daily e-mail's.
func (h *handler) todaySummary(ctx context.Context, user *store.User, lang string) (*notify.Summary, error) {
	since := startOfDay(h.now(), locale.Zone(user.TimeZone))
	s, err := tasks.BuildSummary(ctx, h.store, user.ID, since.Format(time.DateOnly), since, h.cfg.BaseURL.String())
	if err != nil {
		return nil, err
	}
	s.Lang = lang
	return s, nil
}
