package hhsandbox_test

import (
	"context"
	"net/http/httptest"
	"testing"

	"github.com/otklik/otklik/hh"
	"github.com/otklik/otklik/hh/hhsandbox"
)

// TestAddApplicants: the added accounts are the same for one seed, continue
// across calls, and work over the API like the built-in ones.
func TestAddApplicants(t *testing.T) {
	a := hhsandbox.New(hhsandbox.Options{Seed: 7, Vacancies: 10})
	b := hhsandbox.New(hhsandbox.Options{Seed: 7, Vacancies: 10})
	first := a.AddApplicants(2)
	more := a.AddApplicants(1)
	again := b.AddApplicants(3)
	got := append(first, more...)
	if len(got) != 3 || got[0].ID != "32000001" || got[2].ID != "32000003" {
		t.Fatalf("ids %v, want 32000001…32000003", ids(got))
	}
	for i := range got {
		if got[i].ID != again[i].ID || got[i].Resumes[0].ID != again[i].Resumes[0].ID {
			t.Errorf("account %d differs between sandboxes of one seed: %+v vs %+v", i, got[i], again[i])
		}
	}
	if n := len(a.Users()); n != 5+3 {
		t.Errorf("Users() has %d accounts, want the 5 built-in and 3 added", n)
	}

	srv := httptest.NewServer(a)
	defer srv.Close()
	tok, err := a.IssueToken(got[2].ID)
	if err != nil {
		t.Fatal(err)
	}
	c, err := hh.NewClient(hh.Config{APIURL: srv.URL, OAuthURL: srv.URL, UserAgent: "PopulationTest/1.0 (t@example.com)"})
	if err != nil {
		t.Fatal(err)
	}
	resumes, err := c.WithToken(tok.AccessToken).MyResumes(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(resumes) != 2 || !resumes[0].Published() || !resumes[1].Published() {
		t.Fatalf("resumes/mine = %+v, want two published resumes", resumes)
	}
	page, err := c.WithToken(tok.AccessToken).SimilarVacancies(context.Background(), resumes[0].ID, hh.SimilarVacanciesParams{PerPage: 100})
	if err != nil {
		t.Fatal(err)
	}
	if page.Found == 0 {
		t.Error("an added applicant's resume finds no similar vacancies")
	}
}

func ids(us []hhsandbox.User) []string {
	var out []string
	for _, u := range us {
		out = append(out, u.ID)
	}
	return out
}
