package hh

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"testing"
	"time"
)

func TestSimilarVacancies(t *testing.T) {
	c, mux := setup(t)
	mux.HandleFunc("/resumes/01234567890abcdef/similar_vacancies", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodGet)
		testHeaders(t, r, testToken)
		testQuery(t, r, url.Values{
			"text":                 {"golang developer"},
			"search_field":         {"name", "description"},
			"area":                 {"1", "2"},
			"salary":               {"250000"},
			"currency":             {"RUR"},
			"only_with_salary":     {"true"},
			"experience":           {"between1And3", "between3And6"},
			"employment":           {"full"},
			"schedule":             {"remote", "flexible"},
			"professional_role":    {"96", "104"},
			"employer_id":          {"1455"},
			"excluded_employer_id": {"777", "778"},
			"period":               {"7"},
			"order_by":             {"publication_time"},
			"page":                 {"3"},
			"per_page":             {"100"},
		})
		writeJSON(w, http.StatusOK, string(fixture(t, "similar_vacancies.json")))
	})
	page, err := c.SimilarVacancies(context.Background(), "01234567890abcdef", SimilarVacanciesParams{
		Text:               "golang developer",
		SearchField:        []string{"name", "description"},
		Area:               []string{"1", "2"},
		Salary:             250000,
		Currency:           "RUR",
		OnlyWithSalary:     true,
		Experience:         []string{"between1And3", "between3And6"},
		Employment:         []string{"full"},
		Schedule:           []string{"remote", "flexible"},
		ProfessionalRole:   []string{"96", "104"},
		EmployerID:         []string{"1455"},
		ExcludedEmployerID: []string{"777", "778"},
		Period:             7,
		OrderBy:            OrderByPublicationTime,
		Page:               3,
		PerPage:            100,
	})
	if err != nil {
		t.Fatalf("SimilarVacancies: %v", err)
	}
	if page.Found != 3 || page.Pages != 1 || page.PerPage != 100 || len(page.Items) != 3 {
		t.Fatalf("envelope = %+v", page)
	}
	v := page.Items[0]
	if v.ID != "8331228" || v.Name != "Go-разработчик" || v.Area.ID != "1" || v.Employer.Name != "HeadHunter" ||
		!v.Employer.Trusted || v.Type.ID != VacancyTypeOpen || !v.ResponseLetterRequired || v.HasTest ||
		v.Salary == nil || *v.Salary.From != 250000 || v.SalaryRange.Mode.ID != "MONTH" ||
		v.Snippet.Requirement == nil || v.ResponseURL != "" || len(v.Relations) != 0 {
		t.Errorf("item 0 = %+v", v)
	}
	if want := time.Date(2025, 11, 20, 10, 15, 0, 0, time.FixedZone("", 3*3600)); !v.PublishedAt.Equal(want) {
		t.Errorf("PublishedAt = %v, want %v", v.PublishedAt, want)
	}
	direct := page.Items[1]
	if direct.Type.ID != VacancyTypeDirect || direct.ResponseURL != "https://careers.example.com/jobs/42" || direct.Salary != nil || direct.SalaryRange != nil {
		t.Errorf("direct item = %+v", direct)
	}
	anon := page.Items[2]
	if anon.Employer.ID != "" || anon.Relations[0] != RelationGotResponse || anon.SalaryRange.Frequency != nil || anon.Salary.From != nil {
		t.Errorf("anonymous item = %+v", anon)
	}
}

func TestSimilarVacanciesDefaults(t *testing.T) {
	c, mux := setup(t)
	mux.HandleFunc("/resumes/r1/similar_vacancies", func(w http.ResponseWriter, r *http.Request) {
		testQuery(t, r, nil) // zero values are not sent
		writeJSON(w, http.StatusOK, string(fixture(t, "similar_vacancies.json")))
	})
	if _, err := c.SimilarVacancies(context.Background(), "r1", SimilarVacanciesParams{}); err != nil {
		t.Fatal(err)
	}
}

func TestSimilarVacanciesDates(t *testing.T) {
	c, mux := setup(t)
	from := time.Date(2025, 11, 1, 0, 0, 0, 0, time.FixedZone("MSK", 3*3600))
	mux.HandleFunc("/resumes/r1/similar_vacancies", func(w http.ResponseWriter, r *http.Request) {
		testQuery(t, r, url.Values{"date_from": {"2025-11-01T00:00:00+0300"}, "date_to": {"2025-11-02T00:00:00+0300"}})
		writeJSON(w, http.StatusOK, string(fixture(t, "similar_vacancies.json")))
	})
	p := SimilarVacanciesParams{DateFrom: from, DateTo: from.Add(24 * time.Hour)}
	if _, err := c.SimilarVacancies(context.Background(), "r1", p); err != nil {
		t.Fatal(err)
	}
}

func TestSimilarVacanciesValidation(t *testing.T) {
	c, mux := setup(t)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { t.Errorf("request sent: %s", r.URL) })
	now := time.Now()
	tests := []struct {
		resume string
		p      SimilarVacanciesParams
		field  string
	}{
		{"", SimilarVacanciesParams{}, "resume_id"},
		{"..", SimilarVacanciesParams{}, "resume_id"},
		{"r1", SimilarVacanciesParams{PerPage: 101}, "per_page"},
		{"r1", SimilarVacanciesParams{PerPage: -1}, "per_page"},
		{"r1", SimilarVacanciesParams{Page: -1}, "page"},
		{"r1", SimilarVacanciesParams{Page: 20, PerPage: 100}, "page"},
		{"r1", SimilarVacanciesParams{Page: 200}, "page"}, // default per_page 10
		{"r1", SimilarVacanciesParams{Period: 31}, "period"},
		{"r1", SimilarVacanciesParams{Period: -1}, "period"},
		{"r1", SimilarVacanciesParams{Period: 3, DateFrom: now}, "period"},
		{"r1", SimilarVacanciesParams{DateTo: now}, "date_to"},
		{"r1", SimilarVacanciesParams{DateFrom: now, DateTo: now.Add(-time.Hour)}, "date_to"},
		{"r1", SimilarVacanciesParams{OrderBy: "distance"}, "order_by"},
		{"r1", SimilarVacanciesParams{OrderBy: "newest"}, "order_by"},
		{"r1", SimilarVacanciesParams{Salary: -1}, "salary"},
		{"r1", SimilarVacanciesParams{Area: []string{"1", ""}}, "area"},
		{"r1", SimilarVacanciesParams{ExcludedEmployerID: []string{""}}, "excluded_employer_id"},
	}
	for _, tt := range tests {
		_, err := c.SimilarVacancies(context.Background(), tt.resume, tt.p)
		var pe *ParamError
		if !errors.As(err, &pe) || !errors.Is(err, ErrInvalidParams) {
			t.Errorf("%+v: err = %v, want a *ParamError", tt.p, err)
			continue
		}
		if pe.Field != tt.field || pe.Op != OpSimilarVacancies {
			t.Errorf("%+v: field %q op %q, want %q", tt.p, pe.Field, pe.Op, tt.field)
		}
	}
	err := SimilarVacanciesParams{PerPage: 500}.Validate()
	if want := "hh: similar_vacancies: invalid parameter per_page: must be between 1 and 100"; err == nil || err.Error() != want {
		t.Errorf("Error() = %v, want %q", err, want)
	}
	// The edges hh accepts.
	for _, p := range []SimilarVacanciesParams{
		{Page: 19, PerPage: 100}, {Page: 199, PerPage: 10}, {Page: 199}, {Period: 30}, {PerPage: 1},
	} {
		if err := p.Validate(); err != nil {
			t.Errorf("%+v: %v", p, err)
		}
	}
}

const depthLimitBody = `{"errors":[{"type":"bad_argument","value":"page"},{"type":"bad_argument","value":"per_page"}],` +
	`"description":"you can't look up more than 2000 items in the list","request_id":"depth1"}`

func TestDepthLimitError(t *testing.T) {
	c, mux := setup(t)
	mux.HandleFunc("/resumes/r1/similar_vacancies", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusBadRequest, depthLimitBody)
	})
	_, err := c.SimilarVacancies(context.Background(), "r1", SimilarVacanciesParams{})
	e := hhError(t, err)
	if e.StatusCode != 400 || len(e.Errors) != 2 || e.Errors[0].Type != "bad_argument" || e.Errors[0].Value != "page" ||
		e.Errors[1].Value != "per_page" || e.Description != "you can't look up more than 2000 items in the list" || e.RequestID != "depth1" {
		t.Errorf("error = %+v", e)
	}
	if IsRetryable(err) {
		t.Error("a bad argument is not retryable")
	}
	if got, want := err.Error(), "hh: similar_vacancies: 400 Bad Request: bad_argument/page, bad_argument/per_page (request_id depth1)"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func TestVacancy(t *testing.T) {
	c, mux := setup(t)
	mux.HandleFunc("/vacancies/8331228", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodGet)
		testHeaders(t, r, testToken)
		testQuery(t, r, nil)
		writeJSON(w, http.StatusOK, string(fixture(t, "vacancy.json")))
	})
	v, err := c.Vacancy(context.Background(), "8331228")
	if err != nil {
		t.Fatal(err)
	}
	if v.Description == "" || len(v.KeySkills) != 2 || v.KeySkills[0].Name != "Go" || v.Test == nil || v.Test.Required ||
		!v.HasTest || v.Archived || v.Experience.ID != "between3And6" || !v.Employer.Trusted || v.Type.Name != "Открытая" {
		t.Errorf("vacancy = %+v", v)
	}
}

func TestVacancyErrors(t *testing.T) {
	c, mux := setup(t)
	mux.HandleFunc("/vacancies/404", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusNotFound, `{"request_id":"r404","errors":[{"type":"not_found"}]}`)
	})
	mux.HandleFunc("/vacancies/captcha", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusForbidden, `{"request_id":"rc","errors":[{"type":"captcha_required","value":"captcha_required","captcha_url":"https://hh.ru/account/captcha?state=abc"}]}`)
	})
	_, err := c.Vacancy(context.Background(), "404")
	if !IsNotFound(err) || !IsVacancyGone(err) || IsRetryable(err) {
		t.Errorf("404: %v", err)
	}
	_, err = c.Vacancy(context.Background(), "captcha")
	if u, ok := CaptchaURL(err, "https://otklik.example/review"); !ok || u != "https://hh.ru/account/captcha?backurl=https%3A%2F%2Fotklik.example%2Freview&state=abc" {
		t.Errorf("captcha: %q %v (%v)", u, ok, err)
	}
	if _, err := c.Vacancy(context.Background(), ""); !errors.Is(err, ErrInvalidParams) {
		t.Errorf("empty id: %v", err)
	}
}
