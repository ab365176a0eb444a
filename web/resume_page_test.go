package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/otklik/otklik/hh"
)

// resumeRowRe finds a /resumes row's markers.
var resumeRowRe = regexp.MustCompile(`<li data-resume-id="([^"]+)" data-raise="(on|off)"(?: data-next-raise="([^"]+)")?`)

type resumeMarkers struct {
	raise, next string
}

func resumeRows(t *testing.T, body string) map[string]resumeMarkers {
	t.Helper()
	out := map[string]resumeMarkers{}
	for _, m := range resumeRowRe.FindAllStringSubmatch(body, -1) {
		out[m[1]] = resumeMarkers{raise: m[2], next: m[3]}
	}
	return out
}

func TestResumesPageAndAutoRaiseToggle(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	ctx := context.Background()
	b, userID, resumeID := signedInWithHH(t, env, "a@example.com", 0)

	page := b.get("/resumes")
	if page.status != http.StatusOK || !strings.Contains(page.body, `href="/resumes" aria-current="page"`) {
		t.Fatalf("/resumes = %d, or not in the menu", page.status)
	}
	rows := resumeRows(t, page.body)
	cached, err := env.store.Resumes(ctx, userID)
	if err != nil || len(rows) != len(cached) || len(rows) == 0 {
		t.Fatalf("%d rows for %d cached resumes (%v)", len(rows), len(cached), err)
	}
	var hidden string
	for _, r := range cached {
		if r.Status == hh.ResumeStatusNotPublished {
			hidden = r.ID
		}
	}
	row := rows[resumeID]
	if row.raise != "off" || row.next == "" {
		t.Fatalf("published resume row %+v: want off with hh's next raise time", row)
	}
	if _, err := time.Parse(time.RFC3339, row.next); err != nil {
		t.Errorf("data-next-raise %q is not RFC 3339", row.next)
	}
	if !strings.Contains(page.body, "Поднимать автоматически") || !strings.Contains(page.body, "опубликовано") {
		t.Error("the toggle or the status is missing")
	}

	// Switch on: POST-redirect-GET, and the row says so.
	r := b.post("/resumes", "/resumes/"+resumeID, url.Values{"auto_raise": {"on"}})
	if r.status != http.StatusSeeOther || r.location != "/resumes" {
		t.Fatalf("toggle on = %d %q\n%s", r.status, r.location, r.body)
	}
	page = b.get("/resumes")
	row = resumeRows(t, page.body)[resumeID]
	if row.raise != "on" || row.next == "" || !strings.Contains(page.body, "Автоподнятие включено") {
		t.Fatalf("after switching on: %+v", row)
	}
	rr, err := env.store.ResumeRaise(ctx, userID, resumeID)
	if err != nil || !rr.AutoRaise || rr.DueAt == nil || rr.DueAt.After(time.Now().Add(time.Minute)) {
		t.Fatalf("stored switch %+v, %v: want on and due now (hh allows a raise)", rr, err)
	}

	// hh refused it, and it was raised earlier: both show.
	raisedAt := time.Now().Add(-3 * time.Hour).Truncate(time.Second)
	if err := env.store.RecordRaise(ctx, userID, resumeID, *rr.DueAt, raisedAt, *rr.DueAt); err != nil {
		t.Fatal(err)
	}
	if ok, err := env.store.BlockRaise(ctx, userID, resumeID, *rr.DueAt, "Резюме находится на проверке у модератора"); !ok || err != nil {
		t.Fatalf("BlockRaise = %v, %v", ok, err)
	}
	page = b.get("/resumes")
	if !strings.Contains(page.body, `data-raise-warning="refused"`) || !strings.Contains(page.body, "на проверке у модератора") ||
		!strings.Contains(page.body, `data-raised-at="`+raisedAt.UTC().Format(time.RFC3339)+`"`) {
		t.Fatalf("the refusal or the raise time is not shown:\n%s", page.body)
	}
	if row := resumeRows(t, page.body)[resumeID]; row.next != "" {
		t.Errorf("a refused raise shows a next raise %q", row.next)
	}

	// Without a CSRF token nothing changes.
	r = b.postRaw("/resumes/"+resumeID, url.Values{}, nil)
	if r.status != http.StatusForbidden {
		t.Errorf("toggle without csrf = %d", r.status)
	}
	// Switch off (an unchecked box sends nothing).
	if r := b.post("/resumes", "/resumes/"+resumeID, url.Values{}); r.status != http.StatusSeeOther {
		t.Fatalf("toggle off = %d", r.status)
	}
	page = b.get("/resumes")
	if row := resumeRows(t, page.body)[resumeID]; row.raise != "off" || strings.Contains(page.body, `data-raise-warning="refused"`) {
		t.Fatalf("after switching off: %+v", row)
	}

	// An unpublished resume offers no toggle; forcing one is a 422 naming the field.
	if hidden == "" {
		t.Fatal("the sandbox user has no unpublished resume")
	}
	r = b.post("/resumes", "/resumes/"+hidden, url.Values{"auto_raise": {"on"}})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "Поднимать автоматически: резюме не опубликовано") {
		t.Fatalf("unpublished resume toggle = %d", r.status)
	}
	if row := resumeRows(t, r.body)[hidden]; row.raise != "on" {
		t.Errorf("the 422 page does not keep what was asked: %+v", row)
	}

	// Another person cannot see or change these resumes.
	other, _, _ := signedInWithHH(t, env, "b@example.com", 1)
	if r := other.post("/resumes", "/resumes/"+resumeID, url.Values{"auto_raise": {"on"}}); r.status != http.StatusNotFound {
		t.Errorf("another user's toggle = %d", r.status)
	}
	if page := other.get("/resumes"); strings.Contains(page.body, resumeID) {
		t.Error("another user's resume is listed")
	}
	if rr, _ := env.store.ResumeRaise(ctx, userID, resumeID); rr.AutoRaise {
		t.Error("another user switched this resume on")
	}
}
