package web

import (
	"context"
	"fmt"
	"html/template"
	"strings"
	"time"

	"github.com/otklik/otklik/locale"
	"github.com/otklik/otklik/store"
)

// outcomesDays is the dashboard's period: the funnel and the chart cover
// the last 30 days.
const outcomesDays = 30

// funnelStage is one step of the funnel: its count and its share of the
// applications sent.
type funnelStage struct {
	Key   string // applied, viewed, invitation, discard (data-funnel)
	Count int
	Share int // percent of applied, rounded
}

// funnelView is what became of a set of applications.
type funnelView struct {
	Stages  []funnelStage
	Applied int
	// Rate is the invitation rate in percent, with one decimal.
	Rate string
}

// outcomesView is the dashboard's outcomes block.
type outcomesView struct {
	Funnel  *funnelView
	Outside int // applications made on hh by hand in the period
	Chart   template.HTML
	// SyncedAt is the last sync with hh; zero: never.
	SyncedAt  time.Time
	Connected bool
	// Invited are the latest invitations, newest first: who invited the
	// person, the question they come with.
	Invited []store.Application
}

// latestInvitations is how many invitations the dashboard names.
const latestInvitations = 5

func newFunnel(f store.Funnel) *funnelView {
	share := func(n int) int {
		if f.Applied == 0 {
			return 0
		}
		return (n*100 + f.Applied/2) / f.Applied
	}
	v := &funnelView{Applied: f.Applied, Rate: "0"}
	for _, s := range []struct {
		key string
		n   int
	}{{"applied", f.Applied}, {"viewed", f.Viewed}, {"invitation", f.Invitation}, {"discard", f.Discard}} {
		v.Stages = append(v.Stages, funnelStage{Key: s.key, Count: s.n, Share: share(s.n)})
	}
	if f.Applied > 0 {
		v.Rate = strings.TrimSuffix(fmt.Sprintf("%.1f", float64(f.Invitation)*100/float64(f.Applied)), ".0")
	}
	return v
}

// outcomes gathers the dashboard's funnel and chart for the last 30 days.
// connected says whether hh is connected, for «Обновить».
func (h *handler) outcomes(ctx context.Context, user *store.User, connected bool) (*outcomesView, error) {
	now := h.now()
	loc := locale.Zone(user.TimeZone)
	since := startOfDay(now, loc).AddDate(0, 0, -(outcomesDays - 1))
	f, err := h.store.FunnelSince(ctx, user.ID, 0, since)
	if err != nil {
		return nil, err
	}
	days, err := h.store.DailySince(ctx, user.ID, since, now, loc)
	if err != nil {
		return nil, err
	}
	sync, err := h.store.NegotiationSync(ctx, user.ID)
	if err != nil {
		return nil, err
	}
	invited, err := h.store.ListApplications(ctx, user.ID, store.ApplicationFilter{Outcome: store.OutcomeInvitation, Limit: latestInvitations})
	if err != nil {
		return nil, err
	}
	return &outcomesView{Funnel: newFunnel(f), Outside: f.Outside, SyncedAt: sync.SyncedAt,
		Connected: connected, Chart: dailyChart(days, user.Language), Invited: invited}, nil
}

// ruleFunnel is what became of one rule's applications, all time.
func (h *handler) ruleFunnel(ctx context.Context, userID, ruleID int64) (*funnelView, error) {
	f, err := h.store.FunnelSince(ctx, userID, ruleID, time.Time{})
	if err != nil {
		return nil, err
	}
	return newFunnel(f), nil
}

// dailyChart draws applications (light bars) and invitations (dark bars in
// front) per day as inline SVG: no script, no external assets. Its
// viewBox is about a phone's width, so the text stays readable at 390 px
// and the drawing scales up on wider screens.
func dailyChart(days []store.DayCount, lang string) template.HTML {
	const (
		width, height       = 320, 160
		left, right, bottom = 30, 4, 22
		top                 = 10
	)
	peak := 1
	for _, d := range days {
		peak = max(peak, d.Applied, d.Invitations)
	}
	plotW, plotH := float64(width-left-right), float64(height-top-bottom)
	slot := plotW / float64(max(len(days), 1))
	bar := max(slot-2, 1)
	y := func(n int) float64 { return float64(top) + plotH - plotH*float64(n)/float64(peak) }
	var b strings.Builder
	title := translate(lang, "outcomes.chart_title")
	fmt.Fprintf(&b, `<svg data-chart="daily" viewBox="0 0 %d %d" width="100%%" role="img" aria-labelledby="chart-title" xmlns="http://www.w3.org/2000/svg">`, width, height)
	fmt.Fprintf(&b, `<title id="chart-title">%s</title>`, template.HTMLEscapeString(title))
	// Axis: 0 and the peak.
	fmt.Fprintf(&b, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#d0d7de"/>`, left, y(0), width-right, y(0))
	fmt.Fprintf(&b, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#eaeef2" stroke-dasharray="3 3"/>`, left, y(peak), width-right, y(peak))
	fmt.Fprintf(&b, `<text x="%d" y="%.1f" font-size="12" text-anchor="end" fill="#57606a">%d</text>`, left-4, y(peak)+4, peak)
	fmt.Fprintf(&b, `<text x="%d" y="%.1f" font-size="12" text-anchor="end" fill="#57606a">0</text>`, left-4, y(0)+4)
	for i, d := range days {
		x := float64(left) + slot*float64(i) + (slot-bar)/2
		label := d.Day.Format("02.01")
		if d.Applied > 0 {
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="#9ec5fe" data-day="%s" data-applied="%d"><title>%s: %d</title></rect>`,
				x, y(d.Applied), bar, y(0)-y(d.Applied), d.Day.Format(time.DateOnly), d.Applied,
				label, d.Applied)
		}
		if d.Invitations > 0 {
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="#1a7f37" data-day="%s" data-invitations="%d"><title>%s: %d</title></rect>`,
				x, y(d.Invitations), bar, y(0)-y(d.Invitations), d.Day.Format(time.DateOnly), d.Invitations,
				label, d.Invitations)
		}
	}
	if len(days) > 0 {
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="12" fill="#57606a">%s</text>`, left, height-4, days[0].Day.Format("02.01"))
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="12" text-anchor="end" fill="#57606a">%s</text>`, width-right, height-4, days[len(days)-1].Day.Format("02.01"))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) // built here from numbers and escaped text only
}
