package hhsandbox_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/otklik/otklik/hh/hhsandbox"
)

const maria = "31000004" // applicant whose second resume is blocked by a moderator

type mineItem struct {
	ID                 string              `json:"id"`
	Status             struct{ ID string } `json:"status"`
	CanPublishOrUpdate bool                `json:"can_publish_or_update"`
	NextPublishAt      *string             `json:"next_publish_at"`
	UpdatedAt          string              `json:"updated_at"`
}

func (e *env) mine(token, resumeID string) mineItem {
	e.t.Helper()
	var page struct{ Items []mineItem }
	e.check("GET", "/resumes/mine", token, nil, "", 200).json(e.t, &page)
	for _, it := range page.Items {
		if it.ID == resumeID {
			return it
		}
	}
	e.t.Fatalf("resume %s not in /resumes/mine", resumeID)
	return mineItem{}
}

func TestPublishResumeCooldown(t *testing.T) {
	e := newEnv(t, hhsandbox.Options{})
	tok := e.token(ivan)
	id := e.resume(ivan, 0)
	path := "/resumes/" + id + "/publish"

	// Seeded three days ago: raisable now.
	if it := e.mine(tok, id); !it.CanPublishOrUpdate || it.NextPublishAt == nil {
		t.Fatalf("before: %+v", it)
	}
	e.check("POST", path, tok, nil, "", 204)
	it := e.mine(tok, id)
	wantNext := fixedNow.Add(hhsandbox.PublishCooldown)
	if it.CanPublishOrUpdate || it.NextPublishAt == nil || !hhTimeIs(t, *it.NextPublishAt, wantNext) ||
		!hhTimeIs(t, it.UpdatedAt, fixedNow) {
		t.Fatalf("after a raise: %+v, want next %s", it, wantNext)
	}
	r := e.check("POST", path, tok, nil, "", 429)
	if v := r.errorValues(t); len(v) != 1 || v[0] != "resumes/touch_limit_exceeded" {
		t.Errorf("429 errors %v", v)
	}
	e.sb.Advance(hhsandbox.PublishCooldown - time.Second)
	e.check("POST", path, tok, nil, "", 429)
	e.sb.Advance(time.Second)
	if it := e.mine(tok, id); !it.CanPublishOrUpdate {
		t.Errorf("at the end of the cooldown: %+v", it)
	}
	e.check("POST", path, tok, nil, "", 204)

	u, _ := e.sb.User(ivan)
	var got []int
	for _, p := range u.Resumes[0].Publishes {
		got = append(got, p.Status)
	}
	if want := []int{204, 429, 429, 204}; len(got) != len(want) || got[0] != 204 || got[1] != 429 || got[3] != 204 {
		t.Errorf("publishes %v, want %v", got, want)
	}

	// Someone else's resume, or none: 404.
	e.check("POST", "/resumes/"+e.resume(anna, 0)+"/publish", tok, nil, "", 404)
	e.check("POST", "/resumes/nope/publish", tok, nil, "", 404)
	e.check("POST", path, e.token(employerUser), nil, "", 403)
}

func TestPublishResumeBlockedAndUnpublished(t *testing.T) {
	e := newEnv(t, hhsandbox.Options{})
	tok := e.token(maria)
	blocked := e.resume(maria, 1)
	if it := e.mine(tok, blocked); it.Status.ID != "blocked" || it.CanPublishOrUpdate || it.NextPublishAt != nil {
		t.Fatalf("blocked resume: %+v", it)
	}
	r := e.check("POST", "/resumes/"+blocked+"/publish", tok, nil, "", 400)
	if !strings.Contains(string(r.body), "bad_request") {
		t.Errorf("400 body %s", r.body)
	}

	// An unpublished resume is published by its first publication.
	ivanTok := e.token(ivan)
	hidden := e.resume(ivan, 2)
	if it := e.mine(ivanTok, hidden); it.Status.ID != "not_published" || !it.CanPublishOrUpdate || it.NextPublishAt != nil {
		t.Fatalf("unpublished resume: %+v", it)
	}
	e.check("POST", "/resumes/"+hidden+"/publish", ivanTok, nil, "", 204)
	if it := e.mine(ivanTok, hidden); it.Status.ID != "published" || it.CanPublishOrUpdate {
		t.Errorf("after publishing: %+v", it)
	}
}

func TestAdminResumePublishable(t *testing.T) {
	e := newEnv(t, hhsandbox.Options{})
	tok := e.token(ivan)
	id := e.resume(ivan, 0)
	at := fixedNow.Add(90 * time.Minute)
	r := e.request("POST", "/_sandbox/resumes/"+id+"/publishable", "",
		strings.NewReader(`{"at":"`+at.Format(time.RFC3339)+`"}`), "application/json")
	if r.StatusCode != http.StatusNoContent {
		t.Fatalf("admin: %d %s", r.StatusCode, r.body)
	}
	if it := e.mine(tok, id); it.CanPublishOrUpdate || it.NextPublishAt == nil || !hhTimeIs(t, *it.NextPublishAt, at) {
		t.Errorf("after admin: %+v", it)
	}
	e.check("POST", "/resumes/"+id+"/publish", tok, nil, "", 429)
	for _, body := range []string{`{"at":"tomorrow"}`, `{}`} {
		if r := e.request("POST", "/_sandbox/resumes/"+id+"/publishable", "", strings.NewReader(body), "application/json"); r.StatusCode != 400 {
			t.Errorf("%s: %d", body, r.StatusCode)
		}
	}
	if r := e.request("POST", "/_sandbox/resumes/nope/publishable", "", strings.NewReader(`{"at":"`+at.Format(time.RFC3339)+`"}`), "application/json"); r.StatusCode != 404 {
		t.Errorf("unknown resume: %d", r.StatusCode)
	}
}

// hhTimeIs reports whether hh's time s is the instant want.
func hhTimeIs(t *testing.T, s string, want time.Time) bool {
	t.Helper()
	got, err := time.Parse("2006-01-02T15:04:05-0700", s)
	if err != nil {
		t.Fatalf("hh time %q: %v", s, err)
	}
	return got.Equal(want)
}
