package hhsandbox_test

import (
	"net/http"
	"testing"

	"github.com/otklik/otklik/hh"
	"github.com/otklik/otklik/hh/hhsandbox"
)

func TestAPIRequiresUserAgent(t *testing.T) {
	e := newEnv(t, hhsandbox.Options{})
	tok := e.token(ivan)
	send := func(path string, headers map[string]string) response {
		req, _ := http.NewRequest(http.MethodGet, e.srv.URL+path, nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("User-Agent", "") // Go's default agent would count as one
		for k, v := range headers {
			req.Header.Set(k, v)
		}
		return e.do(req)
	}
	for _, path := range []string{"/me", "/dictionaries", "/professional_roles", "/token"} {
		r := send(path, nil)
		if path == "/token" {
			r = e.do(func() *http.Request {
				req, _ := http.NewRequest(http.MethodPost, e.srv.URL+path, nil)
				req.Header.Set("User-Agent", "")
				return req
			}())
		}
		if r.StatusCode != 400 || r.errorValues(t)[0] != "bad_user_agent/unset" {
			t.Errorf("%s without a user agent: %d %s, want 400 bad_user_agent/unset", path, r.StatusCode, r.body)
		}
	}
	if r := send("/me", map[string]string{"User-Agent": "Otklik/1.0 (a@b.c)"}); r.StatusCode != 200 {
		t.Errorf("User-Agent alone: %d, want 200", r.StatusCode)
	}
	if r := send("/me", map[string]string{"HH-User-Agent": "Otklik/1.0 (a@b.c)"}); r.StatusCode != 200 {
		t.Errorf("HH-User-Agent alone: %d, want 200", r.StatusCode)
	}
}

func TestAPIBearerChecks(t *testing.T) {
	e := newEnv(t, hhsandbox.Options{})
	cases := []struct {
		name, header, want, legacy string
	}{
		{"missing", "", "oauth/bad_authorization", "bad-auth-type"},
		{"not bearer", "Basic dXNlcjpwYXNz", "oauth/bad_authorization", "bad-auth-type"},
		{"unknown", "Bearer USERNOSUCHTOKEN", "oauth/bad_authorization", "bad-auth-type"},
	}
	for _, c := range cases {
		req, _ := http.NewRequest(http.MethodGet, e.srv.URL+"/resumes/mine", nil)
		req.Header.Set("HH-User-Agent", userAgent)
		if c.header != "" {
			req.Header.Set("Authorization", c.header)
		}
		r := e.do(req)
		var body struct {
			OAuthError string `json:"oauth_error"`
		}
		r.json(t, &body)
		if r.StatusCode != 403 || r.errorValues(t)[0] != c.want || body.OAuthError != c.legacy {
			t.Errorf("%s: %d %s, want 403 %s with oauth_error %s", c.name, r.StatusCode, r.body, c.want, c.legacy)
		}
	}
	tok := e.token(ivan)
	e.sb.ExpireTokens(ivan)
	r := e.get("/resumes/mine", tok)
	var body struct {
		OAuthError string `json:"oauth_error"`
	}
	r.json(t, &body)
	if r.StatusCode != 403 || r.errorValues(t)[0] != "oauth/token_expired" || body.OAuthError != "token-expired" {
		t.Errorf("expired: %d %s", r.StatusCode, r.body)
	}
	// Expiring one user leaves the others alone.
	if r := e.get("/resumes/mine", e.token(anna)); r.StatusCode != 200 {
		t.Errorf("anna's fresh token: %d", r.StatusCode)
	}
}

func TestAPIApplicantCheck(t *testing.T) {
	e := newEnv(t, hhsandbox.Options{})
	tok := e.token(employerUser)
	var me struct {
		IsApplicant bool   `json:"is_applicant"`
		AuthType    string `json:"auth_type"`
	}
	e.get("/me", tok).json(t, &me)
	if me.IsApplicant || me.AuthType != "employer" {
		t.Errorf("employer /me: %+v", me)
	}
	for _, path := range []string{"/resumes/mine", "/negotiations", "/vacancies/blacklisted"} {
		r := e.get(path, tok)
		if r.StatusCode != 403 || r.errorValues(t)[0] != "forbidden/" {
			t.Errorf("%s as employer: %d %s, want 403 forbidden", path, r.StatusCode, r.body)
		}
	}
}

func TestErrorsCarryRequestID(t *testing.T) {
	e := newEnv(t, hhsandbox.Options{})
	for _, path := range []string{"/me", "/vacancies/1", "/nowhere"} {
		r := e.get(path, "")
		var body struct {
			RequestID string `json:"request_id"`
		}
		r.json(t, &body)
		if body.RequestID == "" || r.Header.Get("X-Request-Id") != body.RequestID {
			t.Errorf("%s: request_id %q, X-Request-Id %q: want the same non-empty id", path, body.RequestID, r.Header.Get("X-Request-Id"))
		}
	}
}

func TestDictionariesAndAreasAreAnonymous(t *testing.T) {
	e := newEnv(t, hhsandbox.Options{})
	var dict struct {
		Experience []struct{ ID string } `json:"experience"`
		Currency   []struct {
			Code    string `json:"code"`
			Default bool   `json:"default"`
		} `json:"currency"`
		VacancySearchOrder []struct{ ID string } `json:"vacancy_search_order"`
	}
	e.get("/dictionaries", "").json(t, &dict)
	if len(dict.Experience) != 4 || len(dict.VacancySearchOrder) == 0 {
		t.Errorf("dictionaries look empty: %+v", dict)
	}
	var areas []struct {
		ID    string `json:"id"`
		Areas []struct {
			ID string `json:"id"`
		} `json:"areas"`
	}
	e.get("/areas", "").json(t, &areas)
	found := map[string]bool{}
	for _, a := range areas {
		found[a.ID] = true
		for _, c := range a.Areas {
			found[c.ID] = true
		}
	}
	for _, id := range []string{"113", "1", "2", "40", "160", "159", "16", "1002"} {
		if !found[id] {
			t.Errorf("/areas lacks %s", id)
		}
	}
}

// The role catalogue is public and covers every role a vacancy carries, so
// a search form built from it can find each generated vacancy.
func TestProfessionalRolesCoverTheCatalogue(t *testing.T) {
	e := newEnv(t, hhsandbox.Options{})
	var pr hh.ProfessionalRoles
	e.get("/professional_roles", "").json(t, &pr)
	roles := map[string]hh.ProfessionalRole{}
	for _, c := range pr.Categories {
		if c.ID == "" || c.Name == "" || len(c.Roles) == 0 {
			t.Errorf("category %+v", c)
		}
		for _, r := range c.Roles {
			roles[r.ID] = r
		}
	}
	for id, name := range map[string]string{"96": "Программист, разработчик", "124": "Тестировщик", "10": "Аналитик",
		"34": "Дизайнер, художник", "160": "DevOps-инженер", "113": "Системный администратор"} {
		if roles[id].Name != name || roles[id].SearchDeprecated {
			t.Errorf("role %s = %+v, want %q offered in search", id, roles[id], name)
		}
	}
	deprecated := 0
	for _, r := range roles {
		if r.SearchDeprecated {
			deprecated++
		}
	}
	if deprecated == 0 {
		t.Error("no role is search_deprecated; the form's filtering goes untested")
	}
	for _, v := range e.sb.Vacancies() {
		if r, ok := roles[v.ProfessionalRole]; !ok || r.SearchDeprecated {
			t.Fatalf("vacancy %s has role %q, which the catalogue does not offer (%+v)", v.ID, v.ProfessionalRole, r)
		}
	}
	if _, err := e.sb.PutVacancy(hhsandbox.Vacancy{Name: "Астронавт", ProfessionalRole: "999999"}); err == nil {
		t.Error("a vacancy with an unknown role was accepted")
	}
}
