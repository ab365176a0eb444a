package hhsandbox_test

import (
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/otklik/otklik/hh/hhsandbox"
)

func TestVacancyPageFromAlternateURL(t *testing.T) {
	e := newEnv(t, hhsandbox.Options{})
	v := e.put(hhsandbox.Vacancy{Name: "Go-разработчик <b>срочно</b>", Description: `<p>Описание</p><script>alert(1)</script>`,
		ResponseLetterRequired: true})
	var item struct {
		AlternateURL      string `json:"alternate_url"`
		ApplyAlternateURL string `json:"apply_alternate_url"`
	}
	e.get("/vacancies/"+v.ID, e.token(ivan)).json(t, &item)
	b := newBrowser(t)
	p := b.open(item.AlternateURL)
	if p.status != 200 || !strings.Contains(p.body, `data-vacancy-id="`+v.ID+`"`) || !strings.Contains(p.body, "сопроводительное письмо") {
		t.Fatalf("vacancy page: %d\n%s", p.status, p.body)
	}
	if strings.Contains(p.body, "<script>") || strings.Contains(p.body, "<b>срочно") {
		t.Error("the vacancy page renders stored HTML")
	}
	if p := b.open(item.ApplyAlternateURL); p.status != http.StatusFound || !strings.HasSuffix(p.loc, "vacancy/"+v.ID) {
		t.Errorf("apply_alternate_url: %d %q", p.status, p.loc)
	}
	if p := b.open(e.srv.URL + "/vacancy/1"); p.status != 404 {
		t.Errorf("unknown vacancy page: %d", p.status)
	}
}

// TestConcurrentUse runs searches, applications, refreshes and admin calls
// at once; the race detector checks the locking.
func TestConcurrentUse(t *testing.T) {
	e := newEnv(t, hhsandbox.Options{})
	var ids []string
	for _, v := range e.sb.Vacancies() {
		if plain(v) && len(ids) < 40 {
			ids = append(ids, v.ID)
		}
	}
	users := []string{ivan, anna, "31000003", "31000004"}
	tokens := map[string]string{}
	resumes := map[string]string{}
	for _, u := range users {
		tokens[u], resumes[u] = e.token(u), e.resume(u, 0)
	}
	var wg sync.WaitGroup
	for _, u := range users {
		wg.Go(func() {
			for i, id := range ids {
				switch i % 4 {
				case 0:
					e.apply(tokens[u], id, resumes[u], "")
				case 1:
					e.get("/resumes/"+resumes[u]+"/similar_vacancies?text=разработчик&per_page=20", tokens[u])
				case 2:
					e.request(http.MethodPut, "/vacancies/blacklisted/"+id, tokens[u], nil, "")
				default:
					e.get("/negotiations", tokens[u])
				}
			}
		})
	}
	wg.Go(func() {
		for range 10 {
			e.sb.PublishNew(1)
			e.sb.Applications()
			e.sb.Refusals()
			e.admin("GET", "faults", "")
		}
	})
	wg.Wait()
	if n := len(e.sb.Applications()); n != len(users)*10 {
		t.Errorf("%d applications, want %d", n, len(users)*10)
	}
}
