package hhsandbox_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/otklik/otklik/hh/hhsandbox"
)

type negotiationItem struct {
	ID    string `json:"id"`
	State struct {
		ID string `json:"id"`
	} `json:"state"`
	UpdatedAt        string `json:"updated_at"`
	ViewedByOpponent bool   `json:"viewed_by_opponent"`
	HasUpdates       bool   `json:"has_updates"`
	Vacancy          struct {
		ID string `json:"id"`
	} `json:"vacancy"`
}

type negotiationList struct {
	Found   int               `json:"found"`
	Pages   int               `json:"pages"`
	PerPage int               `json:"per_page"`
	Page    int               `json:"page"`
	Items   []negotiationItem `json:"items"`
}

func (e *env) negotiations(token, query string) negotiationList {
	e.t.Helper()
	var l negotiationList
	r := e.get("/negotiations"+query, token)
	if r.StatusCode != 200 {
		e.t.Fatalf("GET /negotiations%s: %d %s", query, r.StatusCode, r.body)
	}
	r.json(e.t, &l)
	return l
}

// applyTo applies ivan to n plain vacancies, a minute apart, and returns
// the negotiation ids, oldest first.
func (e *env) applyTo(token string, n int) []string {
	e.t.Helper()
	var ids []string
	seen := map[string]bool{}
	for range n {
		v := e.vacancy(func(v hhsandbox.Vacancy) bool { return plain(v) && !seen[v.ID] })
		seen[v.ID] = true
		if r := e.apply(token, v.ID, e.resume(ivan, 0), ""); r.StatusCode != 201 {
			e.t.Fatalf("apply: %d %s", r.StatusCode, r.body)
		}
		apps := e.sb.Applications()
		ids = append(ids, apps[len(apps)-1].NegotiationID)
		e.sb.Advance(time.Minute)
	}
	return ids
}

func TestNegotiationsListPagingOrderAndFilters(t *testing.T) {
	e := newEnv(t, hhsandbox.Options{})
	tok := e.token(ivan)
	ids := e.applyTo(tok, 5)

	// The employer of the oldest acts last: it becomes the newest update.
	if r := e.admin("POST", "negotiations/"+ids[0], `{"state":"invitation","viewed":true}`); r.StatusCode != 204 {
		t.Fatalf("admin negotiation: %d %s", r.StatusCode, r.body)
	}
	if r := e.admin("POST", "negotiations/"+ids[1], `{"viewed":true}`); r.StatusCode != 204 {
		t.Fatalf("admin negotiation: %d %s", r.StatusCode, r.body)
	}
	e.sb.Advance(time.Minute)
	if err := e.sb.SetNegotiation(ids[2], "discard", nil); err != nil {
		t.Fatal(err)
	}

	l := e.negotiations(tok, "?order_by=updated_at&order=desc&per_page=2")
	if l.Found != 5 || l.Pages != 3 || len(l.Items) != 2 {
		t.Fatalf("first page: found %d, pages %d, %d items", l.Found, l.Pages, len(l.Items))
	}
	if l.Items[0].ID != ids[2] || l.Items[0].State.ID != "discard" || !l.Items[0].ViewedByOpponent {
		t.Errorf("newest update %+v, want %s discarded and viewed", l.Items[0], ids[2])
	}
	if l.Items[1].ID != ids[1] || l.Items[1].State.ID != "response" || !l.Items[1].ViewedByOpponent {
		t.Errorf("second %+v, want %s viewed, no answer", l.Items[1], ids[1])
	}
	if l := e.negotiations(tok, "?order_by=updated_at&order=desc&per_page=2&page=1"); len(l.Items) != 2 || l.Items[0].ID != ids[0] || l.Items[0].State.ID != "invitation" {
		t.Errorf("second page %+v, want %s invited first", l.Items, ids[0])
	}
	if l := e.negotiations(tok, "?order_by=updated_at&order=asc&per_page=1"); l.Items[0].ID != ids[3] {
		t.Errorf("oldest update first: %s, want %s", l.Items[0].ID, ids[3])
	}
	if l := e.negotiations(tok, "?status=invitations"); l.Found != 1 || l.Items[0].ID != ids[0] {
		t.Errorf("status=invitations: %+v", l)
	}
	if l := e.negotiations(tok, "?status=discard"); l.Found != 1 || l.Items[0].ID != ids[2] {
		t.Errorf("status=discard: %+v", l)
	}
	if l := e.negotiations(tok, "?has_updates=true"); l.Found != 2 {
		t.Errorf("has_updates=true: %d, want the invitation and the discard", l.Found)
	}
	if l := e.negotiations(tok, "?has_updates=false"); l.Found != 3 {
		t.Errorf("has_updates=false: %d, want 3", l.Found)
	}
	for _, q := range []string{"?has_updates=maybe", "?order=sideways", "?order_by=salary"} {
		if r := e.get("/negotiations"+q, tok); r.StatusCode != 400 {
			t.Errorf("%s: %d, want 400", q, r.StatusCode)
		}
	}
	for _, body := range []string{`{"state":"bogus"}`} {
		if r := e.admin("POST", "negotiations/"+ids[0], body); r.StatusCode != 400 {
			t.Errorf("%s: %d, want 400", body, r.StatusCode)
		}
	}
	if r := e.admin("POST", "negotiations/1", `{"state":"invitation"}`); r.StatusCode != 400 {
		t.Errorf("unknown negotiation: %d, want 400", r.StatusCode)
	}
}

// With EmployerActivity on, employers view, invite and discard over sandbox
// time by themselves, the same way every time.
func TestEmployerActivity(t *testing.T) {
	count := func() (viewed, invited, discarded int, states map[string]string) {
		e := newEnv(t, hhsandbox.Options{EmployerActivity: true})
		tok := e.token(ivan)
		e.applyTo(tok, 30)
		e.sb.Advance(time.Hour)
		states = map[string]string{}
		for _, it := range e.negotiations(tok, "?per_page=100").Items {
			states[it.ID] = it.State.ID
			if it.ViewedByOpponent {
				viewed++
			}
			switch it.State.ID {
			case "invitation":
				invited++
			case "discard":
				discarded++
			}
		}
		return viewed, invited, discarded, states
	}
	v1, i1, d1, s1 := count()
	if v1 == 0 || v1 == 30 || i1 == 0 || d1 == 0 || i1+d1 > v1 {
		t.Errorf("after an hour: %d viewed, %d invited, %d discarded of 30", v1, i1, d1)
	}
	_, _, _, s2 := count()
	for id, st := range s1 {
		if s2[id] != st {
			t.Errorf("negotiation %s: %s, then %s in the same sandbox", id, st, s2[id])
		}
	}
}

// What the admin API set of a negotiation survives a restart of a sandbox
// kept in a state file.
func TestNegotiationStateSurvivesRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sandbox.json")
	first := openEnv(t, hhsandbox.Options{}, path)
	tok := first.token(ivan)
	ids := first.applyTo(tok, 2)
	if r := first.admin("POST", "negotiations/"+ids[1], `{"state":"invitation","viewed":true}`); r.StatusCode != 204 {
		t.Fatalf("admin negotiation: %d %s", r.StatusCode, r.body)
	}
	if err := first.sb.Close(); err != nil {
		t.Fatal(err)
	}
	second := openEnv(t, hhsandbox.Options{}, path)
	l := second.negotiations(tok, "?status=invitations")
	if l.Found != 1 || l.Items[0].ID != ids[1] || !l.Items[0].ViewedByOpponent {
		t.Errorf("after a restart: %+v, want %s invited and viewed", l, ids[1])
	}
}
