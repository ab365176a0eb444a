package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/otklik/otklik/locale"
	"github.com/otklik/otklik/store"
)

const applicationsPerPage = 100

type applicationsData struct {
	Items    []store.Application
	Rules    []store.Rule
	RuleName map[int64]string
	Statuses []string
	// The filter as given, to keep the form filled.
	Status, Rule, From, To string
	Outcome                string
	Outcomes               []string
	Total, Page, Pages     int
	PrevURL, NextURL, CSV  string
	// HH says why queued rows wait while access is down; Here is this
	// page's URL, to come back to after «Повторить».
	HH   hhConnection
	Here string
}

// applicationFilter reads ?status=&rule=&from=&to=&outcome= (dates in the user's
// time zone, both inclusive). Unknown values filter nothing.
func applicationFilter(q url.Values, loc *time.Location) store.ApplicationFilter {
	var f store.ApplicationFilter
	if st := store.ApplicationStatus(q.Get("status")); st.Valid() {
		f.Status = st
	}
	if id, err := strconv.ParseInt(q.Get("rule"), 10, 64); err == nil && id > 0 {
		f.RuleID = id
	}
	if o := q.Get("outcome"); slices.Contains(store.OutcomeKinds, o) {
		f.Outcome = o
	}
	if t, err := time.ParseInLocation(time.DateOnly, q.Get("from"), loc); err == nil {
		f.From = t
	}
	if t, err := time.ParseInLocation(time.DateOnly, q.Get("to"), loc); err == nil {
		f.To = t.AddDate(0, 0, 1)
	}
	return f
}

// showApplications is the history, filtered, a page at a time, or all of
// it as CSV with ?format=csv.
func (h *handler) showApplications(w http.ResponseWriter, r *http.Request) {
	user := currentUser(r)
	ctx := r.Context()
	q := r.URL.Query()
	f := applicationFilter(q, locale.Zone(user.TimeZone))
	rulesList, err := h.store.Rules(ctx, user.ID)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	names := make(map[int64]string, len(rulesList))
	for _, rl := range rulesList {
		names[rl.ID] = rl.Name
	}
	if q.Get("format") == "csv" {
		h.applicationsCSV(w, r, f, names)
		return
	}
	total, err := h.store.CountApplications(ctx, user.ID, f)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	pages := max(1, (total+applicationsPerPage-1)/applicationsPerPage)
	pageNo, _ := strconv.Atoi(q.Get("page"))
	pageNo = min(max(pageNo, 1), pages)
	f.Limit, f.Offset = applicationsPerPage, (pageNo-1)*applicationsPerPage
	items, err := h.store.ListApplications(ctx, user.ID, f)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	d := &applicationsData{
		Items: items, Rules: rulesList, RuleName: names,
		Status: q.Get("status"), Rule: q.Get("rule"), From: q.Get("from"), To: q.Get("to"),
		Total: total, Page: pageNo, Pages: pages,
		Outcome: f.Outcome, Outcomes: store.OutcomeKinds,
	}
	if d.HH, err = h.hhConnection(ctx, user.ID); err != nil {
		h.serverError(w, r, err)
		return
	}
	d.Here = r.URL.RequestURI()
	for _, st := range store.Statuses {
		d.Statuses = append(d.Statuses, string(st))
	}
	link := func(extra map[string]string) string {
		v := url.Values{}
		for _, k := range []string{"status", "rule", "from", "to", "outcome"} {
			if s := q.Get(k); s != "" {
				v.Set(k, s)
			}
		}
		for k, s := range extra {
			v.Set(k, s)
		}
		return "/applications?" + v.Encode()
	}
	d.CSV = link(map[string]string{"format": "csv"})
	if pageNo > 1 {
		d.PrevURL = link(map[string]string{"page": strconv.Itoa(pageNo - 1)})
	}
	if pageNo < pages {
		d.NextURL = link(map[string]string{"page": strconv.Itoa(pageNo + 1)})
	}
	h.render(w, r, http.StatusOK, "applications", h.newPage(w, r, "applications", d))
}
