package hhsandbox_test

import (
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/otklik/otklik/hh"
	"github.com/otklik/otklik/hh/hhsandbox"
)

// rates are the RUR→currency rates of the sandbox's currency dictionary.
var rates = map[string]float64{"RUR": 1, "USD": 0.016311, "EUR": 0.015982, "KZT": 7.809145, "BYR": 0.042685}

func roubles(amount int, currency string) float64 { return float64(amount) / rates[currency] }

func published(t *testing.T, it searchItem) time.Time {
	t.Helper()
	p, err := time.Parse(hh.TimeLayout, it.PublishedAt)
	if err != nil {
		t.Fatalf("published_at %q: %v", it.PublishedAt, err)
	}
	return p
}

func TestSearchWithoutFiltersReturnsCatalogue(t *testing.T) {
	e := newEnv(t, hhsandbox.Options{})
	tok := e.token(ivan)
	visible := 0
	for _, v := range e.sb.Vacancies() {
		if !v.Archived {
			visible++
		}
	}
	p := e.search(tok, "")
	if p.Found != visible || p.PerPage != 10 || len(p.Items) != 10 || p.Page != 0 {
		t.Errorf("found %d per_page %d items %d, want the %d non-archived vacancies, 10 per page", p.Found, p.PerPage, len(p.Items), visible)
	}
	// Unpublished resumes belong to the user too, so they can be searched.
	if r := e.get("/resumes/"+e.resume(ivan, 2)+"/similar_vacancies", tok); r.StatusCode != 200 {
		t.Errorf("own unpublished resume: %d", r.StatusCode)
	}
}

func TestSearchNeverShowsArchived(t *testing.T) {
	e := newEnv(t, hhsandbox.Options{})
	archived := map[string]bool{}
	for _, v := range e.sb.Vacancies() {
		if v.Archived {
			archived[v.ID] = true
		}
	}
	if len(archived) == 0 {
		t.Fatal("the dataset has no archived vacancies")
	}
	for _, it := range e.searchAll(e.token(ivan), "") {
		if archived[it.ID] {
			t.Errorf("archived vacancy %s in search results", it.ID)
		}
	}
}

func TestSearchForeignResumeIsNotFound(t *testing.T) {
	e := newEnv(t, hhsandbox.Options{})
	r := e.get("/resumes/"+e.resume(anna, 0)+"/similar_vacancies", e.token(ivan))
	if r.StatusCode != 404 || r.errorValues(t)[0] != "not_found/" {
		t.Errorf("another user's resume: %d %s, want 404 not_found", r.StatusCode, r.body)
	}
	if r := e.get("/resumes/nosuchresume/similar_vacancies", e.token(ivan)); r.StatusCode != 404 {
		t.Errorf("unknown resume: %d, want 404", r.StatusCode)
	}
}

func TestSearchTextMatchesNameOrSnippetCaseInsensitively(t *testing.T) {
	e := newEnv(t, hhsandbox.Options{})
	tok := e.token(ivan)
	lower := e.searchAll(tok, "text=python")
	upper := e.searchAll(tok, "text=PYTHON")
	if len(lower) == 0 || !reflect.DeepEqual(lower, upper) {
		t.Fatalf("text=python found %d, text=PYTHON %d: want the same non-empty results", len(lower), len(upper))
	}
	for _, it := range lower {
		text := strings.ToLower(it.Name + " " + deref(it.Snippet.Requirement) + " " + deref(it.Snippet.Responsibility))
		if !strings.Contains(text, "python") {
			t.Errorf("%s %q matches text=python nowhere", it.ID, it.Name)
		}
	}
	if p := e.search(tok, "text=абракадабра"); p.Found != 0 {
		t.Errorf("nonsense text found %d", p.Found)
	}
	// Every word must match.
	both := e.searchAll(tok, "text="+url.QueryEscape("python django"))
	if len(both) == 0 || len(both) >= len(lower) {
		t.Errorf("text=python django found %d of %d python vacancies, want a non-empty subset", len(both), len(lower))
	}
}

func TestSearchTextHighlightsMatchesInSnippet(t *testing.T) {
	e := newEnv(t, hhsandbox.Options{})
	items := e.searchAll(e.token(ivan), "text=postgresql")
	if len(items) == 0 {
		t.Fatal("no results for postgresql")
	}
	highlighted := 0
	for _, it := range items {
		req := deref(it.Snippet.Requirement)
		if strings.Contains(req, "<highlighttext>PostgreSQL</highlighttext>") {
			highlighted++
		}
		if strings.Contains(strings.ReplaceAll(req, "<highlighttext>PostgreSQL</highlighttext>", ""), "PostgreSQL") {
			t.Errorf("%s: a match left unmarked in %q", it.ID, req)
		}
		if strings.Contains(it.Name, "<highlighttext>") {
			t.Errorf("%s: the name is highlighted: %q", it.ID, it.Name)
		}
	}
	if highlighted == 0 {
		t.Error("no snippet carries <highlighttext>PostgreSQL</highlighttext>")
	}
	// Without text there is no markup.
	for _, it := range e.search(e.token(ivan), "per_page=100").Items {
		if strings.Contains(deref(it.Snippet.Requirement)+deref(it.Snippet.Responsibility), "<highlighttext>") {
			t.Fatalf("highlight without text in %s", it.ID)
		}
	}
}

func TestSearchFieldName(t *testing.T) {
	e := newEnv(t, hhsandbox.Options{})
	for _, it := range e.searchAll(e.token(ivan), "text=разработ&search_field=name") {
		if !strings.Contains(strings.ToLower(it.Name), "разработ") {
			t.Errorf("search_field=name returned %q", it.Name)
		}
	}
}

func TestSearchArea(t *testing.T) {
	e := newEnv(t, hhsandbox.Options{})
	tok := e.token(ivan)
	for _, it := range e.searchAll(tok, "area=1") {
		if it.Area.ID != "1" {
			t.Errorf("area=1 returned area %s", it.Area.ID)
		}
	}
	russia := map[string]bool{}
	for _, it := range e.searchAll(tok, "area=113") {
		russia[it.Area.ID] = true
	}
	for _, id := range []string{"1", "2", "88"} {
		if !russia[id] {
			t.Errorf("area=113 (Russia) lacks vacancies in area %s", id)
		}
	}
	for _, id := range []string{"160", "159", "1002"} {
		if russia[id] {
			t.Errorf("area=113 (Russia) returned area %s", id)
		}
	}
	several := map[string]bool{}
	for _, it := range e.searchAll(tok, "area=160&area=1002") {
		several[it.Area.ID] = true
	}
	if len(several) != 2 || !several["160"] || !several["1002"] {
		t.Errorf("area=160&area=1002 returned areas %v", several)
	}
	if r := e.get("/resumes/"+e.resume(ivan, 0)+"/similar_vacancies?area=999999", tok); r.StatusCode != 400 || r.errorValues(t)[0] != "bad_argument/area" {
		t.Errorf("unknown area: %d %s", r.StatusCode, r.body)
	}
}

func TestSearchSalary(t *testing.T) {
	e := newEnv(t, hhsandbox.Options{})
	tok := e.token(ivan)
	const want = 200000.0
	items := e.searchAll(tok, "salary=200000")
	withSalary, without := 0, 0
	for _, it := range items {
		if it.Salary == nil {
			without++
			continue
		}
		withSalary++
		if it.Salary.From != nil && roubles(*it.Salary.From, it.Salary.Currency) > want+1 {
			t.Errorf("%s: from %d %s is above 200000 RUR", it.ID, *it.Salary.From, it.Salary.Currency)
		}
		if it.Salary.To != nil && roubles(*it.Salary.To, it.Salary.Currency) < want-1 {
			t.Errorf("%s: to %d %s is below 200000 RUR", it.ID, *it.Salary.To, it.Salary.Currency)
		}
	}
	if withSalary == 0 || without == 0 {
		t.Errorf("salary=200000: %d with a salary, %d without; want both (hh keeps vacancies without salary)", withSalary, without)
	}
	only := e.searchAll(tok, "salary=200000&only_with_salary=true")
	if len(only) != withSalary {
		t.Errorf("only_with_salary=true found %d, want the %d with a salary", len(only), withSalary)
	}
	// A salary in another currency is converted by the dictionary's rates.
	inUSD := e.searchAll(tok, "salary=3262&currency=USD&only_with_salary=true")
	if len(inUSD) == 0 || abs(len(inUSD)-len(only)) > len(only)/10 {
		t.Errorf("salary=3262 USD found %d, want about the %d of 200000 RUR", len(inUSD), len(only))
	}
}

func TestSearchOnlyWithSalary(t *testing.T) {
	e := newEnv(t, hhsandbox.Options{})
	items := e.searchAll(e.token(ivan), "only_with_salary=true")
	if len(items) == 0 {
		t.Fatal("no vacancies with a salary")
	}
	for _, it := range items {
		if it.Salary == nil {
			t.Errorf("only_with_salary returned %s without salary", it.ID)
		}
	}
}

func TestSearchDictionaryFilters(t *testing.T) {
	e := newEnv(t, hhsandbox.Options{})
	tok := e.token(ivan)
	cases := []struct {
		param, value string
		get          func(searchItem) string
	}{
		{"experience", "noExperience", func(it searchItem) string { return it.Experience.ID }},
		{"employment", "part", func(it searchItem) string { return it.Employment.ID }},
		{"schedule", "remote", func(it searchItem) string { return it.Schedule.ID }},
		{"professional_role", "18", func(it searchItem) string { return it.ProfessionalRoles[0].ID }},
	}
	for _, c := range cases {
		t.Run(c.param, func(t *testing.T) {
			items := e.searchAll(tok, c.param+"="+c.value)
			if len(items) == 0 {
				t.Fatalf("%s=%s found nothing", c.param, c.value)
			}
			for _, it := range items {
				if got := c.get(it); got != c.value {
					t.Errorf("%s=%s returned %s with %s", c.param, c.value, it.ID, got)
				}
			}
			if c.param != "professional_role" {
				r := e.get("/resumes/"+e.resume(ivan, 0)+"/similar_vacancies?"+c.param+"=bogus", tok)
				if r.StatusCode != 400 || r.errorValues(t)[0] != "bad_argument/"+c.param {
					t.Errorf("%s=bogus: %d %s", c.param, r.StatusCode, r.body)
				}
			}
		})
	}
	// Repeated keys mean several values.
	two := e.searchAll(tok, "experience=noExperience&experience=moreThan6")
	seen := map[string]bool{}
	for _, it := range two {
		seen[it.Experience.ID] = true
	}
	if len(seen) != 2 {
		t.Errorf("experience=noExperience&experience=moreThan6 returned %v", seen)
	}
}

func TestSearchEmployerFilters(t *testing.T) {
	e := newEnv(t, hhsandbox.Options{})
	tok := e.token(ivan)
	v := e.vacancy(func(v hhsandbox.Vacancy) bool { return !v.Archived && v.EmployerID != "" })
	for _, it := range e.searchAll(tok, "employer_id="+v.EmployerID) {
		if it.Employer.ID == nil || *it.Employer.ID != v.EmployerID {
			t.Errorf("employer_id=%s returned %s", v.EmployerID, it.ID)
		}
	}
	all := e.searchAll(tok, "")
	excluded := e.searchAll(tok, "excluded_employer_id="+v.EmployerID)
	n := 0
	for _, it := range all {
		if it.Employer.ID != nil && *it.Employer.ID == v.EmployerID {
			n++
		}
	}
	for _, it := range excluded {
		if it.Employer.ID != nil && *it.Employer.ID == v.EmployerID {
			t.Errorf("excluded employer %s returned in %s", v.EmployerID, it.ID)
		}
	}
	if n == 0 || len(excluded) != len(all)-n {
		t.Errorf("excluding %d vacancies of %s left %d of %d", n, v.EmployerID, len(excluded), len(all))
	}
}

func TestSearchAnonymousEmployerHasNullID(t *testing.T) {
	e := newEnv(t, hhsandbox.Options{})
	anon := e.vacancy(func(v hhsandbox.Vacancy) bool { return v.Type == "anonymous" && !v.Archived })
	for _, it := range e.searchAll(e.token(ivan), "") {
		if it.ID == anon.ID {
			if it.Employer.ID != nil || it.Employer.Name == "" {
				t.Errorf("anonymous vacancy employer %+v, want a null id and a name", it.Employer)
			}
			return
		}
	}
	t.Errorf("anonymous vacancy %s not in search", anon.ID)
}

func TestSearchPeriodAndDates(t *testing.T) {
	e := newEnv(t, hhsandbox.Options{})
	tok := e.token(ivan)
	day := e.searchAll(tok, "period=1")
	if len(day) == 0 {
		t.Fatal("period=1 found nothing")
	}
	for _, it := range day {
		if p := published(t, it); p.Before(fixedNow.Add(-24 * time.Hour)) {
			t.Errorf("period=1 returned %s published %s", it.ID, p)
		}
	}
	week := e.searchAll(tok, "period=7")
	if len(week) <= len(day) {
		t.Errorf("period=7 found %d, period=1 %d", len(week), len(day))
	}
	from, to := "2025-03-01", "2025-03-05T00:00:00+0300"
	ranged := e.searchAll(tok, "date_from="+from+"&date_to="+url.QueryEscape(to))
	lo := time.Date(2025, 3, 1, 0, 0, 0, 0, time.FixedZone("MSK", 3*3600))
	hi := time.Date(2025, 3, 5, 0, 0, 0, 0, time.FixedZone("MSK", 3*3600))
	if len(ranged) == 0 {
		t.Fatal("date range found nothing")
	}
	for _, it := range ranged {
		if p := published(t, it); p.Before(lo) || p.After(hi) {
			t.Errorf("date_from/date_to returned %s published %s", it.ID, p)
		}
	}
	base := "/resumes/" + e.resume(ivan, 0) + "/similar_vacancies?"
	for q, param := range map[string]string{
		"period=3&date_from=2025-03-01": "period",
		"date_to=2025-03-01":            "date_to",
		"period=31":                     "period",
		"date_from=yesterday":           "date_from",
	} {
		if r := e.get(base+q, tok); r.StatusCode != 400 || r.errorValues(t)[0] != "bad_argument/"+param {
			t.Errorf("%s: %d %s, want 400 bad_argument/%s", q, r.StatusCode, r.body, param)
		}
	}
}

func TestSearchOrderByPublicationTime(t *testing.T) {
	e := newEnv(t, hhsandbox.Options{})
	items := e.searchAll(e.token(ivan), "order_by=publication_time")
	for i := 1; i < len(items); i++ {
		if published(t, items[i]).After(published(t, items[i-1])) {
			t.Fatalf("item %d (%s) is newer than item %d", i, items[i].PublishedAt, i-1)
		}
	}
}

func TestSearchOrderBySalaryDesc(t *testing.T) {
	e := newEnv(t, hhsandbox.Options{})
	items := e.searchAll(e.token(ivan), "order_by=salary_desc")
	key := func(it searchItem) float64 {
		if it.Salary == nil {
			return -1
		}
		if it.Salary.To != nil {
			return roubles(*it.Salary.To, it.Salary.Currency)
		}
		return roubles(*it.Salary.From, it.Salary.Currency)
	}
	for i := 1; i < len(items); i++ {
		if key(items[i]) > key(items[i-1])+0.001 {
			t.Fatalf("item %d salary %v above item %d salary %v", i, key(items[i]), i-1, key(items[i-1]))
		}
	}
	if items[0].Salary == nil || items[len(items)-1].Salary != nil {
		t.Error("salary_desc: vacancies with a salary must come first and those without last")
	}
}

func TestSearchOrderByRelevance(t *testing.T) {
	e := newEnv(t, hhsandbox.Options{})
	items := e.search(e.token(ivan), "text=go&order_by=relevance&per_page=20").Items
	if len(items) == 0 || !strings.Contains(strings.ToLower(items[0].Name), "go") {
		t.Errorf("relevance: the first result %+v should match in its name", items)
	}
	if r := e.get("/resumes/"+e.resume(ivan, 0)+"/similar_vacancies?order_by=distance", e.token(ivan)); r.StatusCode != 400 {
		t.Errorf("order_by=distance without a sort point: %d, want 400", r.StatusCode)
	}
}

func TestSearchPaging(t *testing.T) {
	e := newEnv(t, hhsandbox.Options{})
	tok := e.token(ivan)
	first := e.search(tok, "text=разработчик&per_page=7")
	if first.PerPage != 7 || len(first.Items) != 7 || first.Pages != (first.Found+6)/7 {
		t.Fatalf("per_page=7: %+v", first)
	}
	seen := map[string]bool{}
	for page := 0; page < first.Pages; page++ {
		for _, it := range e.search(tok, "text=разработчик&per_page=7&page="+strconv.Itoa(page)).Items {
			if seen[it.ID] {
				t.Errorf("%s on two pages", it.ID)
			}
			seen[it.ID] = true
		}
	}
	if len(seen) != first.Found {
		t.Errorf("pages hold %d vacancies, found says %d", len(seen), first.Found)
	}
	if p := e.search(tok, "text=разработчик&per_page=7&page="+strconv.Itoa(first.Pages)); len(p.Items) != 0 {
		t.Errorf("a page past the end returned %d items", len(p.Items))
	}
	base := "/resumes/" + e.resume(ivan, 0) + "/similar_vacancies?"
	for _, q := range []string{"per_page=101", "per_page=0", "page=-1", "per_page=x"} {
		if r := e.get(base+q, tok); r.StatusCode != 400 {
			t.Errorf("%s: %d, want 400", q, r.StatusCode)
		}
	}
}

func TestSearchDepthLimit(t *testing.T) {
	e := newEnv(t, hhsandbox.Options{Vacancies: 2600})
	tok := e.token(ivan)
	all := e.search(tok, "per_page=100")
	if all.Found <= 2000 || all.Pages != 20 {
		t.Fatalf("found %d pages %d: want more than 2000 found and pages capped at 20", all.Found, all.Pages)
	}
	if p := e.search(tok, "per_page=10&page=199"); len(p.Items) != 10 || p.Pages != 200 {
		t.Errorf("per_page=10&page=199: %d items, %d pages", len(p.Items), p.Pages)
	}
	r := e.get("/resumes/"+e.resume(ivan, 0)+"/similar_vacancies?per_page=10&page=200", tok)
	var body struct {
		Description string `json:"description"`
		RequestID   string `json:"request_id"`
	}
	r.json(t, &body)
	if r.StatusCode != 400 || !slices.Equal(r.errorValues(t), []string{"bad_argument/page", "bad_argument/per_page"}) ||
		body.Description != "you can't look up more than 2000 items in the list" || body.RequestID == "" {
		t.Errorf("depth error: %d %s", r.StatusCode, r.body)
	}
}

func TestSearchIsDeterministicWithTheSeed(t *testing.T) {
	a := newEnv(t, hhsandbox.Options{Seed: 42})
	b := newEnv(t, hhsandbox.Options{Seed: 42})
	c := newEnv(t, hhsandbox.Options{Seed: 43})
	pa := a.search(a.token(ivan), "per_page=50&order_by=publication_time")
	pb := b.search(b.token(ivan), "per_page=50&order_by=publication_time")
	pc := c.search(c.token(ivan), "per_page=50&order_by=publication_time")
	if !reflect.DeepEqual(pa, pb) {
		t.Error("two sandboxes with seed 42 differ")
	}
	if reflect.DeepEqual(pa, pc) {
		t.Error("seeds 42 and 43 gave the same catalogue")
	}
}

func TestDatasetShape(t *testing.T) {
	e := newEnv(t, hhsandbox.Options{Vacancies: 3000})
	vs := e.sb.Vacancies()
	if len(vs) != 3000 {
		t.Fatalf("%d vacancies, want 3000", len(vs))
	}
	count := func(ok func(hhsandbox.Vacancy) bool) int {
		n := 0
		for _, v := range vs {
			if ok(v) {
				n++
			}
		}
		return n
	}
	shares := []struct {
		name     string
		ok       func(hhsandbox.Vacancy) bool
		min, max int
	}{
		{"without salary", func(v hhsandbox.Vacancy) bool { return !v.HasSalary() }, 600, 1200},
		{"in USD", func(v hhsandbox.Vacancy) bool { return v.Currency == "USD" }, 10, 400},
		{"in KZT", func(v hhsandbox.Vacancy) bool { return v.Currency == "KZT" }, 50, 500},
		{"letter required", func(v hhsandbox.Vacancy) bool { return v.ResponseLetterRequired }, 250, 650},
		{"with a test", func(v hhsandbox.Vacancy) bool { return v.HasTest }, 120, 400},
		{"test required", func(v hhsandbox.Vacancy) bool { return v.TestRequired }, 40, 250},
		{"direct", func(v hhsandbox.Vacancy) bool { return v.Type == "direct" && v.ResponseURL != "" }, 50, 250},
		{"anonymous", func(v hhsandbox.Vacancy) bool { return v.Type == "anonymous" && v.EmployerID == "" }, 80, 250},
		{"archived", func(v hhsandbox.Vacancy) bool { return v.Archived }, 40, 180},
		{"Go developers", func(v hhsandbox.Vacancy) bool { return strings.Contains(v.Name, "Go") }, 100, 600},
		{"accountants", func(v hhsandbox.Vacancy) bool { return strings.Contains(v.Name, "ухгалтер") }, 100, 600},
	}
	for _, s := range shares {
		if n := count(s.ok); n < s.min || n > s.max {
			t.Errorf("%s: %d of 3000, want %d–%d", s.name, n, s.min, s.max)
		}
	}
	employers := map[string]bool{}
	for _, v := range vs {
		employers[v.EmployerID] = true
		if age := fixedNow.Sub(v.PublishedAt); age < 0 || age > 30*24*time.Hour {
			t.Errorf("%s published %s, want within 30 days before now", v.ID, v.PublishedAt)
		}
	}
	if len(employers) < 100 {
		t.Errorf("%d employers, want many", len(employers))
	}
	users := e.sb.Users()
	applicants := 0
	for _, u := range users {
		if !u.Applicant {
			continue
		}
		applicants++
		pub, unpub := 0, 0
		for _, r := range u.Resumes {
			if r.Published {
				pub++
			} else {
				unpub++
			}
		}
		if pub == 0 || unpub != 1 {
			t.Errorf("%s: %d published and %d unpublished resumes, want some and one", u.FullName(), pub, unpub)
		}
	}
	if applicants < 3 || applicants == len(users) {
		t.Errorf("%d applicants of %d users, want 3 or more and an employer", applicants, len(users))
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
