package hh

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"
)

func TestMe(t *testing.T) {
	c, mux := setup(t)
	mux.HandleFunc("/me", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodGet)
		testHeaders(t, r, testToken)
		testQuery(t, r, nil)
		writeJSON(w, http.StatusOK, string(fixture(t, "me.json")))
	})
	me, err := c.Me(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := Me{
		ID: "12345678", FirstName: "Иван", LastName: "Иванов", Email: "ivan@example.com", Phone: "79161234567",
		AuthType: AuthTypeApplicant, IsApplicant: true, IsInSearch: true,
		ResumesURL: "https://api.hh.ru/resumes/mine", NegotiationsURL: "https://api.hh.ru/negotiations",
	}
	if *me != want {
		t.Errorf("Me = %+v\nwant %+v", *me, want)
	}
}

func TestMyResumesAllPages(t *testing.T) {
	c, mux := setup(t)
	var pages []string
	mux.HandleFunc("/resumes/mine", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodGet)
		testHeaders(t, r, testToken)
		page := r.URL.Query().Get("page")
		pages = append(pages, page)
		switch page {
		case "":
			testQuery(t, r, nil)
			writeJSON(w, http.StatusOK, edit(t, "resumes_mine.json", func(d map[string]any) {
				d["pages"], d["per_page"], d["found"] = 2.0, 2.0, 3.0
			}))
		case "1":
			testQuery(t, r, url.Values{"page": {"1"}})
			writeJSON(w, http.StatusOK, edit(t, "resumes_mine.json", func(d map[string]any) {
				d["pages"], d["per_page"], d["found"], d["page"] = 2.0, 2.0, 3.0, 1.0
				d["items"] = d["items"].([]any)[:1]
			}))
		default:
			t.Errorf("page %s requested", page)
		}
	})
	resumes, err := c.MyResumes(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(resumes) != 3 || fmt.Sprint(pages) != "[ 1]" {
		t.Fatalf("%d resumes over pages %q", len(resumes), pages)
	}
	r := resumes[0]
	if r.ID != "01234567890abcdef01234567890abcdef0123" || r.Title != "Go developer" || !r.Published() ||
		r.Access.Type.ID != "clients" || r.Area.ID != "1" || r.CreatedAt.IsZero() {
		t.Errorf("resume = %+v", r)
	}
	if r.CanPublishOrUpdate == nil || *r.CanPublishOrUpdate ||
		!r.NextPublishAt.Equal(time.Date(2025, 11, 21, 1, 0, 0, 0, time.UTC)) {
		t.Errorf("raise: can %v, next %v", r.CanPublishOrUpdate, r.NextPublishAt)
	}
	if resumes[1].Published() || resumes[1].Title != "" || resumes[1].Area != nil {
		t.Errorf("unpublished resume = %+v", resumes[1])
	}
}

func TestPublishResume(t *testing.T) {
	c, mux := setup(t)
	var calls int
	mux.HandleFunc("/resumes/abc123/publish", func(w http.ResponseWriter, r *http.Request) {
		calls++
		testMethod(t, r, http.MethodPost)
		testHeaders(t, r, testToken)
		testQuery(t, r, nil)
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("/resumes/early/publish", func(w http.ResponseWriter, r *http.Request) {
		calls++
		writeJSON(w, http.StatusTooManyRequests, `{"request_id":"e","errors":[{"type":"resumes","value":"touch_limit_exceeded"}]}`)
	})
	mux.HandleFunc("/resumes/blocked/publish", func(w http.ResponseWriter, r *http.Request) {
		calls++
		writeJSON(w, http.StatusBadRequest, `{"request_id":"b","errors":[{"type":"bad_request"}],"description":"Резюме находится на проверке у модератора"}`)
	})
	mux.HandleFunc("/resumes/gone/publish", func(w http.ResponseWriter, r *http.Request) {
		calls++
		writeJSON(w, http.StatusNotFound, `{"request_id":"n","errors":[{"type":"not_found"}]}`)
	})
	ctx := context.Background()
	if err := c.PublishResume(ctx, "abc123"); err != nil {
		t.Fatal(err)
	}
	err := c.PublishResume(ctx, "early")
	if !IsPublishTooEarly(err) || IsPublishRefused(err) || hhError(t, err).Op != OpPublishResume {
		t.Errorf("429: %v", err)
	}
	err = c.PublishResume(ctx, "blocked")
	if !IsPublishRefused(err) || IsPublishTooEarly(err) || hhError(t, err).Description == "" {
		t.Errorf("400: %v", err)
	}
	err = c.PublishResume(ctx, "gone")
	if !IsNotFound(err) || IsPublishRefused(err) {
		t.Errorf("404: %v", err)
	}
	if calls != 4 {
		t.Errorf("%d requests, want 4 (a POST is never retried)", calls)
	}
	if err := c.PublishResume(ctx, ""); !errors.Is(err, ErrInvalidParams) {
		t.Errorf("empty id: %v", err)
	}
}

func TestMyResumesNotApplicant(t *testing.T) {
	c, mux := setup(t)
	mux.HandleFunc("/resumes/mine", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusForbidden, `{"request_id":"x","errors":[{"type":"forbidden"}],"description":"current user is not an applicant"}`)
	})
	_, err := c.MyResumes(context.Background())
	if e := hhError(t, err); e.Op != OpMyResumes || e.StatusCode != 403 || e.Description == "" {
		t.Errorf("err = %+v", e)
	}
}

func TestBlacklists(t *testing.T) {
	c, mux := setup(t)
	var seen []string
	record := func(w http.ResponseWriter, r *http.Request) {
		testHeaders(t, r, testToken)
		testQuery(t, r, nil)
		seen = append(seen, r.Method+" "+r.URL.Path)
		w.WriteHeader(http.StatusNoContent)
	}
	mux.HandleFunc("/vacancies/blacklisted/8331228", record)
	mux.HandleFunc("/employers/blacklisted/1455", record)
	ctx := context.Background()
	for _, err := range []error{
		c.BlacklistVacancy(ctx, "8331228"),
		c.BlacklistVacancy(ctx, "8331228"), // idempotent
		c.UnblacklistVacancy(ctx, "8331228"),
		c.BlacklistEmployer(ctx, "1455"),
		c.UnblacklistEmployer(ctx, "1455"),
	} {
		if err != nil {
			t.Error(err)
		}
	}
	want := "[PUT /vacancies/blacklisted/8331228 PUT /vacancies/blacklisted/8331228 DELETE /vacancies/blacklisted/8331228 " +
		"PUT /employers/blacklisted/1455 DELETE /employers/blacklisted/1455]"
	if fmt.Sprint(seen) != want {
		t.Errorf("requests %v\nwant %s", seen, want)
	}
	for _, err := range []error{c.BlacklistVacancy(ctx, ""), c.UnblacklistVacancy(ctx, ""), c.BlacklistEmployer(ctx, ""), c.UnblacklistEmployer(ctx, "")} {
		if !errors.Is(err, ErrInvalidParams) {
			t.Errorf("empty id: %v", err)
		}
	}
}

func TestBlacklistErrors(t *testing.T) {
	c, mux := setup(t)
	mux.HandleFunc("/vacancies/blacklisted/full", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusBadRequest, `{"request_id":"l","errors":[{"type":"vacancies_blacklist","value":"limit_exceeded"}]}`)
	})
	mux.HandleFunc("/employers/blacklisted/404", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusNotFound, `{"request_id":"n","errors":[{"type":"employers_blacklist","value":"not_found"}]}`)
	})
	err := c.BlacklistVacancy(context.Background(), "full")
	if e := hhError(t, err); e.Op != OpBlacklistVacancy || e.Errors[0].Type != ErrorTypeVacanciesBlacklist || IsLimitExceeded(err) {
		t.Errorf("err = %v", err)
	}
	err = c.BlacklistEmployer(context.Background(), "404")
	if !IsNotFound(err) || hhError(t, err).Errors[0].Type != ErrorTypeEmployersBlacklist {
		t.Errorf("err = %v", err)
	}
}

func TestBlacklistedLists(t *testing.T) {
	c, mux := setup(t)
	mux.HandleFunc("/vacancies/blacklisted", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodGet)
		testHeaders(t, r, testToken)
		testQuery(t, r, url.Values{"page": {"2"}, "per_page": {"50"}})
		writeJSON(w, http.StatusOK, string(fixture(t, "blacklisted_vacancies.json")))
	})
	mux.HandleFunc("/employers/blacklisted", func(w http.ResponseWriter, r *http.Request) {
		testQuery(t, r, nil)
		writeJSON(w, http.StatusOK, string(fixture(t, "blacklisted_employers.json")))
	})
	vp, err := c.BlacklistedVacancies(context.Background(), ListParams{Page: 2, PerPage: 50})
	if err != nil {
		t.Fatal(err)
	}
	if vp.Found != 2 || len(vp.Items) != 2 || vp.LimitReached || vp.Items[0].Relations[0] != RelationBlacklisted {
		t.Errorf("vacancies = %+v", vp)
	}
	ep, err := c.BlacklistedEmployers(context.Background(), ListParams{})
	if err != nil {
		t.Fatal(err)
	}
	if ep.Found != 1 || ep.Items[0] != (BlacklistedEmployer{ID: "777", Name: "Example LLC", URL: "https://api.hh.ru/employers/777",
		AlternateURL: "https://hh.ru/employer/777", VacanciesURL: "https://api.hh.ru/vacancies?employer_id=777", OpenVacancies: 3}) {
		t.Errorf("employers = %+v", ep)
	}
	if _, err := c.BlacklistedEmployers(context.Background(), ListParams{PerPage: 1000}); !errors.Is(err, ErrInvalidParams) {
		t.Errorf("per_page 1000: %v", err)
	}
}

func TestDictionaries(t *testing.T) {
	c, mux := setup(t)
	mux.HandleFunc("/dictionaries", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodGet)
		testHeaders(t, r, testToken)
		writeJSON(w, http.StatusOK, string(fixture(t, "dictionaries.json")))
	})
	d, err := c.Dictionaries(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Experience) != 4 || d.Experience[0].ID != "noExperience" || d.Currency[0] != (Currency{Code: "RUR", Abbr: "₽", Name: "Рубли", Default: true, Rate: 1, InUse: true}) ||
		len(d.VacancySearchOrder) != 5 || len(d.WorkFormat) != 4 || d.Schedule[3].ID != "remote" {
		t.Errorf("dictionaries = %+v", d)
	}
}

func TestAreas(t *testing.T) {
	c, mux := setup(t)
	mux.HandleFunc("/areas", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodGet)
		testHeaders(t, r, testToken)
		writeJSON(w, http.StatusOK, string(fixture(t, "areas.json")))
	})
	areas, err := c.Areas(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(areas) != 2 || areas[0].Name != "Россия" || areas[0].ParentID != "" || areas[0].Areas[1].Areas[0].ParentID != "1620" {
		t.Errorf("areas = %+v", areas)
	}
}

func TestProfessionalRoles(t *testing.T) {
	c, mux := setup(t)
	mux.HandleFunc("/professional_roles", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodGet)
		testHeaders(t, r, testToken)
		if r.URL.RawQuery != "" {
			t.Errorf("query = %q, want none", r.URL.RawQuery)
		}
		writeJSON(w, http.StatusOK, string(fixture(t, "professional_roles.json")))
	})
	pr, err := c.ProfessionalRoles(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(pr.Categories) != 2 || pr.Categories[0].ID != "11" || pr.Categories[0].Name != "Информационные технологии" || len(pr.Categories[0].Roles) != 4 {
		t.Fatalf("categories = %+v", pr.Categories)
	}
	if got, want := pr.Categories[0].Roles[0], (ProfessionalRole{ID: "96", Name: "Программист, разработчик"}); got != want {
		t.Errorf("role = %+v, want %+v", got, want)
	}
	if got, want := pr.Categories[0].Roles[3], (ProfessionalRole{ID: "55", Name: "Оператор ПК, оператор базы данных",
		AcceptIncompleteResumes: true, SearchDeprecated: true, SelectDeprecated: true}); got != want {
		t.Errorf("deprecated role = %+v, want %+v", got, want)
	}
	if got := pr.Categories[1].Roles[0]; !got.IsDefault || !got.AcceptIncompleteResumes {
		t.Errorf("default role = %+v", got)
	}
}

func TestAnonymousClientSendsNoAuthorization(t *testing.T) {
	c, mux := setup(t)
	anon, err := NewClient(Config{APIURL: c.apiURL.String(), UserAgent: testUserAgent})
	if err != nil {
		t.Fatal(err)
	}
	mux.HandleFunc("/areas", func(w http.ResponseWriter, r *http.Request) {
		testHeaders(t, r, "")
		writeJSON(w, http.StatusOK, string(fixture(t, "areas.json")))
	})
	if _, err := anon.Areas(context.Background()); err != nil {
		t.Fatal(err)
	}
}
