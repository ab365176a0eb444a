package faults_test

import (
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/otklik/otklik/hh/hhsandbox"
	"github.com/otklik/otklik/rules"
	"github.com/otklik/otklik/store"
)

// figures are what a case prints (and docs/RELIABILITY.md tabulates).
type figures struct {
	name       string
	applied    int // 201s at the sandbox
	dupApplied int // resume+vacancy pairs the sandbox holds more than once
	resent     int // POSTs answered already_applied: a lost answer, sent again
	rows       int
	byStatus   map[store.ApplicationStatus]int
	requests   hhsandbox.Traffic
	recover    time.Duration
	skipped    time.Duration // simulated time: clocks moved ahead instead of waiting
	notes      []string
}

var (
	summaryMu sync.Mutex
	summary   []figures
)

// verify checks what must hold after any fault, once the run has settled:
// no vacancy applied twice at hh, every rule's run completed, every ledger
// row final (nothing queued; failures, reviews and skips with a reason), the
// ledger's applied rows exactly the sandbox's applications, and every
// vacancy the rules were due to take on decided.
func (e *env) verify(name string, recover time.Duration, notes ...string) figures {
	e.t.Helper()
	f := figures{name: name, byStatus: map[store.ApplicationStatus]int{}, requests: e.counts.Snapshot(), recover: recover, skipped: e.skipped, notes: notes}
	seen := map[string]int{}
	byUser := map[string]map[string]bool{}
	for _, a := range e.sandbox.Applications() {
		key := a.ResumeID + "/" + a.VacancyID
		seen[key]++
		if seen[key] == 2 {
			f.dupApplied++
			e.t.Errorf("vacancy %s applied twice at hh for resume %s", a.VacancyID, a.ResumeID)
		}
		if byUser[a.UserID] == nil {
			byUser[a.UserID] = map[string]bool{}
		}
		byUser[a.UserID][a.VacancyID] = true
		f.applied++
	}
	for _, r := range e.sandbox.Refusals() {
		if r.Value == "already_applied" {
			f.resent++
		}
	}
	for _, u := range e.users {
		rule, err := e.store.Rule(e.ctx, u.ID, u.RuleID)
		if err != nil {
			e.t.Fatal(err)
		}
		if rule.LastCompletedRunAt.IsZero() {
			e.t.Errorf("user %d: the rule's run never completed", u.ID)
		}
		rows, err := e.store.ListApplications(e.ctx, u.ID, store.ApplicationFilter{})
		if err != nil {
			e.t.Fatal(err)
		}
		taken := 0
		var ours []string
		for _, a := range rows {
			f.rows++
			f.byStatus[a.Status]++
			switch a.Status {
			case store.StatusQueued:
				e.t.Errorf("user %d: vacancy %s still queued (reason %q) after recovery", u.ID, a.VacancyID, a.Reason)
			case store.StatusFailed:
				if a.Reason == "" || a.Message == "" {
					e.t.Errorf("user %d: vacancy %s failed without a reason and hh's words (%q, %q)", u.ID, a.VacancyID, a.Reason, a.Message)
				}
			case store.StatusReview, store.StatusSkipped, store.StatusExternal:
				if a.Reason == "" {
					e.t.Errorf("user %d: vacancy %s is %s without a reason", u.ID, a.VacancyID, a.Status)
				}
			case store.StatusApplied:
				ours = append(ours, a.VacancyID)
				if !byUser[u.HHID][a.VacancyID] {
					e.t.Errorf("user %d: the ledger says %s applied; hh has no application", u.ID, a.VacancyID)
				}
			}
			// A review item the person dismissed was taken on, and decided
			// by them.
			if a.Status != store.StatusSkipped || a.Reason == string(rules.ReasonDismissed) {
				taken++
			}
		}
		if len(ours) != len(byUser[u.HHID]) {
			sort.Strings(ours)
			e.t.Errorf("user %d: ledger has %d applied, hh %d", u.ID, len(ours), len(byUser[u.HHID]))
		}
		if taken != e.opts.perUser {
			e.t.Errorf("user %d: %d vacancies taken on (applied, review, external, failed, queued), want the rule's cap %d", u.ID, taken, e.opts.perUser)
		}
	}
	e.t.Logf("%s: %d applications at hh, %d applied twice, %d re-sent POSTs answered already_applied; ledger %d rows %v; hh requests: %s; recovered in %s real time, %s of simulated time skipped; %s",
		name, f.applied, f.dupApplied, f.resent, f.rows, f.byStatus, f.requests, f.recover.Round(100*time.Millisecond), f.skipped.Round(time.Second), strings.Join(notes, "; "))
	summaryMu.Lock()
	summary = append(summary, f)
	summaryMu.Unlock()
	return f
}

// TestZSummary prints the cases' figures as a markdown table; it runs last
// (tests run in source-file order, and this file sorts after faults_test.go).
func TestZSummary(t *testing.T) {
	requireFaults(t)
	summaryMu.Lock()
	defer summaryMu.Unlock()
	var b strings.Builder
	b.WriteString("\n| case | applications | applied twice | re-sent POSTs (already_applied) | ledger rows: applied / review / skipped / external / failed / queued | hh requests: search / POST / token (5xx, 429) | time to recover (real) | simulated time skipped | notes |\n")
	b.WriteString("|---|---:|---:|---:|---|---|---:|---:|---|\n")
	for _, f := range summary {
		s := f.byStatus
		fmt.Fprintf(&b, "| %s | %d | %d | %d | %d / %d / %d / %d / %d / %d | %d / %d / %d (%d, %d) | %s | %s | %s |\n",
			f.name, f.applied, f.dupApplied, f.resent,
			s[store.StatusApplied], s[store.StatusReview], s[store.StatusSkipped], s[store.StatusExternal], s[store.StatusFailed], s[store.StatusQueued],
			f.requests.Search, f.requests.Apply, f.requests.Token, f.requests.Status5xx, f.requests.Status429,
			f.recover.Round(100*time.Millisecond), f.skipped.Round(time.Second), strings.Join(f.notes, "; "))
	}
	t.Log(b.String())
}
