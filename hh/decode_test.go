package hh

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// edit decodes a fixture, applies change and re-encodes it.
func edit(t testing.TB, name string, change func(doc map[string]any)) string {
	var doc map[string]any
	if err := json.Unmarshal(fixture(t, name), &doc); err != nil {
		t.Fatal(err)
	}
	change(doc)
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func item(doc map[string]any, i int) map[string]any {
	return doc["items"].([]any)[i].(map[string]any)
}

// role is the j-th role of the i-th category of a professional roles answer.
func role(doc map[string]any, i, j int) map[string]any {
	cat := doc["categories"].([]any)[i].(map[string]any)
	return cat["roles"].([]any)[j].(map[string]any)
}

func TestStrictDecodingSearch(t *testing.T) {
	tests := []struct {
		name   string
		change func(doc map[string]any)
		want   string // "" means it decodes
	}{
		{"fixture", func(map[string]any) {}, ""},
		{"employer name", func(d map[string]any) { delete(item(d, 2)["employer"].(map[string]any), "name") },
			"hh: decode similar_vacancies: items[2].employer.name: required field missing"},
		{"envelope found", func(d map[string]any) { delete(d, "found") },
			"hh: decode similar_vacancies: found: required field missing"},
		{"items", func(d map[string]any) { delete(d, "items") },
			"hh: decode similar_vacancies: items: required field missing"},
		{"salary absent", func(d map[string]any) { delete(item(d, 1), "salary") },
			"hh: decode similar_vacancies: items[1].salary: required field missing"},
		{"salary null is fine", func(d map[string]any) { item(d, 0)["salary"] = nil }, ""},
		{"salary_range mode", func(d map[string]any) { delete(item(d, 0)["salary_range"].(map[string]any), "mode") },
			"hh: decode similar_vacancies: items[0].salary_range.mode: required field missing"},
		{"name null", func(d map[string]any) { item(d, 0)["name"] = nil },
			"hh: decode similar_vacancies: items[0].name: required field missing (null)"},
		{"area url", func(d map[string]any) { delete(item(d, 1)["area"].(map[string]any), "url") },
			"hh: decode similar_vacancies: items[1].area.url: required field missing"},
		{"type id", func(d map[string]any) { item(d, 0)["type"] = map[string]any{"name": "Открытая"} },
			"hh: decode similar_vacancies: items[0].type.id: required field missing"},
		{"relations", func(d map[string]any) { delete(item(d, 0), "relations") },
			"hh: decode similar_vacancies: items[0].relations: required field missing"},
		{"snippet", func(d map[string]any) { delete(item(d, 2), "snippet") },
			"hh: decode similar_vacancies: items[2].snippet: required field missing"},
		{"optional archived", func(d map[string]any) { delete(item(d, 0), "archived"); delete(item(d, 0), "response_url") }, ""},
		{"employer id null", func(d map[string]any) { item(d, 0)["employer"].(map[string]any)["id"] = nil }, ""},
		{"wrong type", func(d map[string]any) { item(d, 0)["has_test"] = "yes" },
			"hh: decode similar_vacancies: json: cannot unmarshal"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, mux := setup(t)
			body := edit(t, "similar_vacancies.json", tt.change)
			mux.HandleFunc("/resumes/r1/similar_vacancies", func(w http.ResponseWriter, r *http.Request) {
				writeJSON(w, http.StatusOK, body)
			})
			page, err := c.SimilarVacancies(context.Background(), "r1", SimilarVacanciesParams{})
			if tt.want == "" {
				if err != nil || len(page.Items) != 3 {
					t.Fatalf("err = %v", err)
				}
				return
			}
			var de *DecodeError
			if !errors.As(err, &de) || !strings.HasPrefix(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
			if strings.Contains(tt.want, "required") && !errors.Is(err, ErrMissingField) {
				t.Errorf("err does not wrap ErrMissingField")
			}
			if IsRetryable(err) {
				t.Error("a malformed answer is not retryable")
			}
		})
	}
}

func TestStrictDecodingOtherOps(t *testing.T) {
	tests := []struct {
		path, fixture string
		change        func(doc map[string]any)
		call          func(c *Client) error
		want          string
	}{
		{"/vacancies/1", "vacancy.json", func(d map[string]any) { delete(d, "description") },
			func(c *Client) error { _, err := c.Vacancy(context.Background(), "1"); return err },
			"hh: decode vacancy: description: required field missing"},
		{"/vacancies/1", "vacancy.json", func(d map[string]any) { delete(d, "employer"); delete(d, "salary_range") },
			func(c *Client) error { _, err := c.Vacancy(context.Background(), "1"); return err }, ""},
		{"/me", "me.json", func(d map[string]any) { delete(d, "first_name") },
			func(c *Client) error { _, err := c.Me(context.Background()); return err },
			"hh: decode me: first_name: required field missing"},
		{"/me", "me.json", func(d map[string]any) { delete(d, "is_applicant") },
			func(c *Client) error { _, err := c.Me(context.Background()); return err },
			"hh: decode me: is_applicant: required field missing"},
		{"/resumes/mine", "resumes_mine.json", func(d map[string]any) { delete(item(d, 1)["status"].(map[string]any), "id") },
			func(c *Client) error { _, err := c.MyResumes(context.Background()); return err },
			"hh: decode my_resumes: items[1].status.id: required field missing"},
		{"/negotiations", "negotiations.json", func(d map[string]any) { delete(item(d, 0)["state"].(map[string]any), "name") },
			func(c *Client) error {
				_, err := c.Negotiations(context.Background(), NegotiationsParams{})
				return err
			},
			"hh: decode negotiations: items[0].state.name: required field missing"},
		{"/token", "token.json", func(d map[string]any) { delete(d, "refresh_token") },
			func(c *Client) error { _, err := c.RefreshToken(context.Background(), "USERR"); return err },
			"hh: decode token: refresh_token: required field missing"},
		{"/dictionaries", "dictionaries.json", func(d map[string]any) { d["currency"].([]any)[1].(map[string]any)["code"] = nil },
			func(c *Client) error { _, err := c.Dictionaries(context.Background()); return err },
			"hh: decode dictionaries: currency[1].code: required field missing (null)"},
		{"/professional_roles", "professional_roles.json", func(d map[string]any) { delete(role(d, 1, 0), "is_default") },
			func(c *Client) error { _, err := c.ProfessionalRoles(context.Background()); return err },
			"hh: decode professional_roles: categories[1].roles[0].is_default: required field missing"},
		{"/professional_roles", "professional_roles.json", func(d map[string]any) { d["categories"].([]any)[0].(map[string]any)["name"] = nil },
			func(c *Client) error { _, err := c.ProfessionalRoles(context.Background()); return err }, ""},
		{"/professional_roles", "professional_roles.json", func(d map[string]any) { delete(role(d, 0, 2), "search_deprecated") },
			func(c *Client) error { _, err := c.ProfessionalRoles(context.Background()); return err }, ""},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			c, mux := setup(t)
			body := edit(t, tt.fixture, tt.change)
			mux.HandleFunc(tt.path, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, http.StatusOK, body) })
			err := tt.call(c)
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || err.Error() != tt.want {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestMeApplicationToken(t *testing.T) {
	c, mux := setup(t)
	// An application token's /me carries only the flags: nothing else is required.
	mux.HandleFunc("/me", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, `{"auth_type":"application","is_admin":false,"is_applicant":false,"is_application":true,"is_employer":false,"is_employer_integration":false}`)
	})
	me, err := c.Me(context.Background())
	if err != nil || !me.IsApplication || me.AuthType != AuthTypeApplication {
		t.Errorf("Me = %+v, %v", me, err)
	}
}

func TestStrictDecodingAreas(t *testing.T) {
	var areas []any
	mustUnmarshal(t, string(fixture(t, "areas.json")), &areas)
	deep := areas[0].(map[string]any)["areas"].([]any)[1].(map[string]any)["areas"].([]any)[0].(map[string]any)
	delete(deep, "name")
	body := mustMarshal(t, areas)
	var got []AreaNode
	err := decode(OpAreas, []byte(body), shapeAreas, &got)
	if err == nil || err.Error() != "hh: decode areas: [0].areas[1].areas[0].name: required field missing" {
		t.Errorf("err = %v", err)
	}
}

func TestScanner(t *testing.T) {
	s := newShape("a", "b?", "c.d", "e[].f", "[]x")
	_ = s
	obj := newShape("a", "b?", "c.d", "e[].f")
	tests := []struct {
		json string
		want string // path at fault, "" for none
	}{
		{`{"a":1,"b":null}`, ""},
		{` { "a" : [1,{"z":"}"}] , "b" : "x\"y" } `, ""},
		{`{"b":1}`, "a"},
		{`{"a":1}`, "b"},
		{`{"a":1,"b":2,"c":{"x":1}}`, "c.d"},
		{`{"a":1,"b":2,"c":null}`, ""}, // c is optional: null is fine, d is not looked for
		{`{"a":1,"b":2,"e":[{"f":1},{"g":2}]}`, "e[1].f"},
		{`{"a":1,"b":2,"e":[]}`, ""},
		{`{"\u0061":1,"b":2}`, ""},            // escaped key
		{`{"x\\":{"a":0},"b":2}`, "a"},        // escaped backslash before the closing quote
		{`{"s":"a\\\"b","a":1,"b":true}`, ""}, // escaped quote inside a value
		{`{"a":-1.5e3,"b":false,"n":[[],[{}]]}`, ""},
		{`{"a":"п","b":"ривет"}`, ""},
		{`{"a":1,"b":2,"e":[{"f":1}],"a":3}`, ""}, // duplicates: present is present
	}
	for _, tt := range tests {
		sc := scanner{data: []byte(tt.json)}
		sc.ws()
		path, err := sc.check(obj)
		if path != tt.want || (err != nil) != (tt.want != "") {
			t.Errorf("%s: path %q err %v, want %q", tt.json, path, err, tt.want)
		}
	}
	sc := scanner{data: []byte(`[{"x":1},{"y":1}]`)}
	if path, _ := sc.check(s); path != "[1].x" {
		t.Errorf("top-level array: %q", path)
	}
}

func TestNewShapePanicsOnBadPath(t *testing.T) {
	for _, p := range []string{"", "a.", "a?.b", "a[]", "[]"} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("newShape(%q) did not panic", p)
				}
			}()
			newShape(p)
		}()
	}
}

// Every success fixture decodes strictly into its type.
func TestFixturesDecode(t *testing.T) {
	for _, tc := range []struct {
		file  string
		shape *shape
		v     any
	}{
		{"token.json", shapeToken, &Token{}},
		{"me.json", shapeMeApplicant, &Me{}},
		{"resumes_mine.json", shapeResumePage, &Page[Resume]{}},
		{"similar_vacancies.json", shapeVacancyPage, &VacancyPage{}},
		{"vacancy.json", shapeVacancy, &Vacancy{}},
		{"negotiations.json", shapeNegotiationPage, &NegotiationPage{}},
		{"blacklisted_vacancies.json", shapeBlacklistedVacancyPage, &BlacklistedVacancyPage{}},
		{"blacklisted_employers.json", shapeBlacklistedEmployerPage, &BlacklistedEmployerPage{}},
		{"dictionaries.json", shapeDictionaries, &Dictionaries{}},
		{"areas.json", shapeAreas, &[]AreaNode{}},
		{"professional_roles.json", shapeProfessionalRoles, &ProfessionalRoles{}},
	} {
		if err := decode("test", fixture(t, tc.file), tc.shape, tc.v); err != nil {
			t.Errorf("%s: %v", tc.file, err)
		}
	}
	if len(fixtures) != 11 {
		t.Errorf("fixtures table has %d entries; keep it and this test in step", len(fixtures))
	}
}

// searchPage builds a realistic page of n vacancies from the fixture's items.
func searchPage(tb testing.TB, n int) []byte {
	var doc map[string]any
	if err := json.Unmarshal(fixture(tb, "similar_vacancies.json"), &doc); err != nil {
		tb.Fatal(err)
	}
	src := doc["items"].([]any)
	items := make([]any, n)
	for i := range items {
		var it map[string]any
		b, _ := json.Marshal(src[i%len(src)])
		json.Unmarshal(b, &it)
		it["id"] = fmt.Sprint(90000000 + i)
		it["name"] = fmt.Sprintf("Go-разработчик \"%d\" (вакансия №%d)", i, i)
		items[i] = it
	}
	doc["items"], doc["found"], doc["per_page"], doc["pages"] = items, 1234, n, 13
	b, err := json.Marshal(doc)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// BenchmarkDecodeSearchPage decodes a 100-vacancy search page, the worker's
// hot path, with the required-field check.
func BenchmarkDecodeSearchPage(b *testing.B) {
	body := searchPage(b, 100)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		var page VacancyPage
		if err := decode(OpSimilarVacancies, body, shapeVacancyPage, &page); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRequiredCheckSearchPage measures the required-field check alone.
func BenchmarkRequiredCheckSearchPage(b *testing.B) {
	body := searchPage(b, 100)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		sc := scanner{data: body}
		if _, err := sc.check(shapeVacancyPage); err != nil {
			b.Fatal(err)
		}
	}
}
