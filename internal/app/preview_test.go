package app

import (
	"encoding/csv"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

var (
	hiddenRe  = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)"`)
	userRe    = regexp.MustCompile(`name="user" value="([^"]+)"`)
	resumeRe  = regexp.MustCompile(`<option value="([0-9a-f]{8,})"`)
	previewRe = regexp.MustCompile(`data-vacancy-id="([^"]+)" data-action="([^"]+)"`)
)

// follow GETs path, following redirects within the instance, and returns
// the last page and where it was.
func (v *visitor) follow(path string) (string, string) {
	v.t.Helper()
	for range 10 {
		req, _ := http.NewRequest(http.MethodGet, v.base+path, nil)
		res, err := v.c.Do(req)
		if err != nil {
			v.t.Fatal(err)
		}
		body := readAll(res)
		if res.StatusCode/100 != 3 {
			return body, path
		}
		loc, _ := url.Parse(res.Header.Get("Location"))
		path = loc.RequestURI()
	}
	v.t.Fatalf("too many redirects from %s", path)
	return "", ""
}

func hidden(page string) url.Values {
	form := url.Values{}
	for _, m := range hiddenRe.FindAllStringSubmatch(page, -1) {
		form.Set(html.UnescapeString(m[1]), html.UnescapeString(m[2]))
	}
	return form
}

// The preview shows exactly what a run started now does: every vacancy of
// the first page it says would be applied to, held for review, skipped or
// left for later (the rule's daily cap) ends up so in the ledger after the
// run.
func TestPreviewIsWhatTheRunDoes(t *testing.T) {
	inst, base := startInstance(t, map[string]string{"APPLY_INTERVAL": "10ms"})
	if err := inst.StartWorker(8); err != nil {
		t.Fatal(err)
	}
	v := newVisitor(t, base)
	v.register("anna@example.com")

	// Connect hh through the sandbox's pages: pick a user, allow.
	page, at := v.follow("/hh/connect")
	user := userRe.FindStringSubmatch(page)
	if user == nil {
		t.Fatalf("no sandbox user to pick at %s:\n%s", at, page)
	}
	authorize := strings.SplitN(at, "?", 2)[0]
	form := hidden(page)
	form.Set("user", user[1])
	_, page = v.do(http.MethodPost, authorize, form)
	form = hidden(page)
	form.Set("decision", "allow")
	req, _ := http.NewRequest(http.MethodPost, base+authorize, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := v.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	readAll(res)
	callback, _ := url.Parse(res.Header.Get("Location"))
	if page, _ = v.follow(callback.RequestURI()); !strings.Contains(page, "Вы вошли как") {
		t.Fatalf("connecting hh failed:\n%s", page)
	}

	page, _ = v.follow("/rules/new")
	resume := resumeRe.FindStringSubmatch(page)
	if resume == nil {
		t.Fatalf("the rule form offers no resume:\n%s", page)
	}
	status, _ := v.do(http.MethodPost, "/rules", url.Values{
		"name": {"Все"}, "resume_id": {resume[1]}, "mode": {"letters"}, "currency": {"RUR"},
		"letter_template": {"Здравствуйте! Меня заинтересовала вакансия {vacancy}."},
		"daily_limit":     {"12"}, "every_hours": {"24"}, "active_from": {"00:00"}, "active_to": {"00:00"},
		// Disabled: only the press below runs it, not also the tick.
		"csrf": {v.csrf("/rules/new")}})
	if status != http.StatusSeeOther {
		t.Fatalf("creating the rule: %d", status)
	}
	page, _ = v.follow("/rules")
	ruleID := regexp.MustCompile(`href="/rules/(\d+)"`).FindStringSubmatch(page)
	if ruleID == nil {
		t.Fatalf("no rule listed:\n%s", page)
	}
	rulePath := "/rules/" + ruleID[1]

	// The person's share of hh (one preview per 10 s) lives in Redis under
	// their user id, which other tests of the package sharing its Redis
	// database may have just spent: wait as the page says, as a person would.
	for range 3 {
		if status, page = v.do(http.MethodGet, rulePath+"/preview", nil); status != http.StatusTooManyRequests {
			break
		}
		time.Sleep(11 * time.Second)
	}
	if status != http.StatusOK {
		t.Fatalf("preview: %d\n%s", status, page)
	}
	said := map[string]string{}
	actions := map[string]int{}
	for _, m := range previewRe.FindAllStringSubmatch(page, -1) {
		said[m[1]] = m[2]
		actions[m[2]]++
	}
	if actions["apply"] == 0 || actions["review"] == 0 || actions["later"] == 0 {
		t.Fatalf("the preview shows %v: the scenario needs applications, reviews and the cap", actions)
	}

	if status, _ := v.do(http.MethodPost, rulePath+"/run", url.Values{"csrf": {v.csrf(rulePath)}}); status != http.StatusSeeOther {
		t.Fatalf("run now: %d", status)
	}
	var ledger map[string]string
	deadline := time.Now().Add(90 * time.Second)
	for {
		ledger = ledgerStatuses(t, v)
		queued := 0
		for _, st := range ledger {
			if st == "queued" {
				queued++
			}
		}
		if len(ledger) > 0 && queued == 0 {
			break
		}
		if time.Now().After(deadline) {
			_, rp := v.do(http.MethodGet, rulePath, nil)
			_, csvBody := v.do(http.MethodGet, "/applications?format=csv", nil)
			t.Fatalf("the run did not settle: %v\n%s\n%s", ledger, csvBody, between(rp, "<main", "</main>"))
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Logf("the preview said %v", actions)
	want := map[string]string{"apply": "applied", "review": "review", "skip": "skipped", "later": ""}
	for id, action := range said {
		if got := ledger[id]; got != want[action] {
			t.Errorf("vacancy %s: the preview said %s, the run made it %q", id, action, got)
		}
	}

	// The rule's page tells what the run found and did.
	_, page = v.do(http.MethodGet, rulePath, nil)
	applied := regexp.MustCompile(`data-run="applied"><b>(\d+)</b>`).FindStringSubmatch(page)
	if !strings.Contains(page, "data-last-run=") || applied == nil || applied[1] != strconv.Itoa(actions["apply"]) {
		t.Errorf("the rule page's last run shows applied %v, want %d:\n%s", applied, actions["apply"], between(page, "data-last-run", "</section>"))
	}
}

// ledgerStatuses reads the visitor's history as CSV: vacancy id → status.
func ledgerStatuses(t *testing.T, v *visitor) map[string]string {
	t.Helper()
	status, body := v.do(http.MethodGet, "/applications?format=csv", nil)
	if status != http.StatusOK {
		t.Fatalf("CSV export: %d", status)
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, r := range rows[1:] {
		out[r[0]] = r[3]
	}
	return out
}

func readAll(res *http.Response) string {
	defer res.Body.Close()
	var b strings.Builder
	buf := make([]byte, 32<<10)
	for {
		n, err := res.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			return b.String()
		}
	}
}

func between(s, from, to string) string {
	i := strings.Index(s, from)
	if i < 0 {
		return ""
	}
	j := strings.Index(s[i:], to)
	if j < 0 {
		return s[i:]
	}
	return s[i : i+j]
}
