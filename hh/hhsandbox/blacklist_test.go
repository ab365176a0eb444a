package hhsandbox_test

import (
	"net/http"
	"slices"
	"testing"

	"github.com/otklik/otklik/hh/hhsandbox"
)

// relationsOf returns the relations userID's similar_vacancies reports for
// id, and whether the vacancy was in the results at all.
func (e *env) relationsOf(userID, id string) ([]string, bool) {
	e.t.Helper()
	for _, it := range e.searchAllAs(userID, e.token(userID), "") {
		if it.ID == id {
			return it.Relations, true
		}
	}
	return nil, false
}

func TestBlacklistVacancyIsIdempotentAndHides(t *testing.T) {
	e := newEnv(t, hhsandbox.Options{})
	tok, v := e.token(ivan), e.vacancy(plain)
	for range 2 {
		if r := e.request(http.MethodPut, "/vacancies/blacklisted/"+v.ID, tok, nil, ""); r.StatusCode != 204 || len(r.body) != 0 {
			t.Fatalf("PUT: %d %q, want 204 twice", r.StatusCode, r.body)
		}
	}
	if _, found := e.relationsOf(ivan, v.ID); found {
		t.Error("a hidden vacancy is still in search")
	}
	if _, found := e.relationsOf(anna, v.ID); !found {
		t.Error("ivan's hidden vacancy is hidden from anna too")
	}
	var list struct {
		Found int
		Items []struct {
			ID        string
			Relations []string
		}
	}
	e.get("/vacancies/blacklisted", tok).json(t, &list)
	if list.Found != 1 || list.Items[0].ID != v.ID || !slices.Contains(list.Items[0].Relations, "blacklisted") {
		t.Errorf("blacklist: %+v", list)
	}
	var full struct{ Relations []string }
	e.get("/vacancies/"+v.ID, tok).json(t, &full)
	if !slices.Contains(full.Relations, "blacklisted") {
		t.Errorf("GET /vacancies/%s relations %v, want blacklisted", v.ID, full.Relations)
	}
	for range 2 {
		if r := e.request(http.MethodDelete, "/vacancies/blacklisted/"+v.ID, tok, nil, ""); r.StatusCode != 204 {
			t.Fatalf("DELETE: %d, want 204 twice", r.StatusCode)
		}
	}
	if rel, found := e.relationsOf(ivan, v.ID); !found || len(rel) != 0 {
		t.Errorf("after DELETE: found=%v relations %v", found, rel)
	}
	r := e.request(http.MethodPut, "/vacancies/blacklisted/1", tok, nil, "")
	if r.StatusCode != 404 || r.errorValues(t)[0] != "vacancies_blacklist/not_found" {
		t.Errorf("unknown vacancy: %d %s", r.StatusCode, r.body)
	}
}

func TestBlacklistEmployerIsIdempotentAndHides(t *testing.T) {
	e := newEnv(t, hhsandbox.Options{})
	tok := e.token(ivan)
	v := e.vacancy(func(v hhsandbox.Vacancy) bool { return plain(v) && v.EmployerID != "" })
	for range 2 {
		if r := e.request(http.MethodPut, "/employers/blacklisted/"+v.EmployerID, tok, nil, ""); r.StatusCode != 204 {
			t.Fatalf("PUT: %d, want 204 twice", r.StatusCode)
		}
	}
	for _, it := range e.searchAll(tok, "") {
		if it.Employer.ID != nil && *it.Employer.ID == v.EmployerID {
			t.Fatalf("vacancy %s of a hidden employer in search", it.ID)
		}
	}
	var list struct {
		Found int
		Items []struct {
			ID            string
			Name          string
			OpenVacancies float64 `json:"open_vacancies"`
		}
	}
	e.get("/employers/blacklisted", tok).json(t, &list)
	if list.Found != 1 || list.Items[0].ID != v.EmployerID || list.Items[0].Name != v.EmployerName || list.Items[0].OpenVacancies < 1 {
		t.Errorf("employer blacklist: %+v", list)
	}
	var full struct {
		Employer struct{ Blacklisted bool }
	}
	e.get("/vacancies/"+v.ID, tok).json(t, &full)
	if !full.Employer.Blacklisted {
		t.Error("GET /vacancies/{id} does not mark the employer blacklisted")
	}
	for range 2 {
		if r := e.request(http.MethodDelete, "/employers/blacklisted/"+v.EmployerID, tok, nil, ""); r.StatusCode != 204 {
			t.Fatalf("DELETE: %d", r.StatusCode)
		}
	}
	if _, found := e.relationsOf(ivan, v.ID); !found {
		t.Error("vacancy still hidden after the employer was shown again")
	}
	if r := e.request(http.MethodDelete, "/employers/blacklisted/0", tok, nil, ""); r.StatusCode != 404 || r.errorValues(t)[0] != "employers_blacklist/not_found" {
		t.Errorf("unknown employer: %d %s", r.StatusCode, r.body)
	}
}

func TestRelations(t *testing.T) {
	e := newEnv(t, hhsandbox.Options{})
	tok := e.token(ivan)
	v := e.vacancy(plain)
	if rel, _ := e.relationsOf(ivan, v.ID); len(rel) != 0 {
		t.Fatalf("fresh vacancy has relations %v", rel)
	}
	e.apply(tok, v.ID, e.resume(ivan, 0), "")
	if rel, _ := e.relationsOf(ivan, v.ID); !slices.Equal(rel, []string{"got_response"}) {
		t.Errorf("after applying: %v, want [got_response]", rel)
	}
	if rel, _ := e.relationsOf(anna, v.ID); len(rel) != 0 {
		t.Errorf("anna sees ivan's relations: %v", rel)
	}
	if err := e.sb.SetRelation(ivan, v.ID, "got_invitation"); err != nil {
		t.Fatal(err)
	}
	if rel, _ := e.relationsOf(ivan, v.ID); !slices.Equal(rel, []string{"got_response", "got_invitation"}) {
		t.Errorf("after an invitation: %v", rel)
	}
	if err := e.sb.SetRelation(ivan, v.ID, "got_rejection"); err != nil {
		t.Fatal(err)
	}
	if rel, _ := e.relationsOf(ivan, v.ID); !slices.Equal(rel, []string{"got_response", "got_rejection"}) {
		t.Errorf("a rejection replaces the invitation: %v", rel)
	}
	var full struct{ Relations []string }
	e.get("/vacancies/"+v.ID, tok).json(t, &full)
	if !slices.Equal(full.Relations, []string{"got_response", "got_rejection"}) {
		t.Errorf("GET /vacancies/{id} relations %v", full.Relations)
	}
	if err := e.sb.SetRelation(ivan, v.ID, "got_response"); err == nil {
		t.Error("got_response must follow from applying, not be set")
	}
	if err := e.sb.SetRelation(ivan, v.ID, ""); err != nil {
		t.Fatal(err)
	}
	if rel, _ := e.relationsOf(ivan, v.ID); !slices.Equal(rel, []string{"got_response"}) {
		t.Errorf("after clearing: %v", rel)
	}
}
