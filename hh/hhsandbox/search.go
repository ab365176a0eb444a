package hhsandbox

import (
	"cmp"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/otklik/otklik/hh"
)

// searchQuery is a parsed similar_vacancies request.
type searchQuery struct {
	page, perPage     int
	text              []string // normalized words, all must match
	fields            map[string]bool
	areas             []string
	experience        []string
	employment        []string
	schedule          []string
	roles             []string
	employers         map[string]bool
	excludedEmployers map[string]bool
	salary            float64 // roubles; 0 means unset
	onlyWithSalary    bool
	from, to          time.Time
	orderBy           string
}

// depthError is hh's answer to a page past the 2000th result (REFERENCE §1).
func (s *Sandbox) depthError(w http.ResponseWriter) {
	s.writeError(w, http.StatusBadRequest, errorBody{
		Description: "you can't look up more than 2000 items in the list",
		Errors:      []apiError{{Type: "bad_argument", Value: "page"}, {Type: "bad_argument", Value: "per_page"}},
	})
}

// parseSearch reads and validates the query; on a bad argument it writes
// the 400 and returns false. Each part returns the name of the parameter it
// refuses, or "".
func (s *Sandbox) parseSearch(w http.ResponseWriter, q url.Values, now time.Time) (searchQuery, bool) {
	sq := searchQuery{perPage: 10, orderBy: hh.OrderByRelevance}
	bad := parsePaging(q, &sq)
	if bad == "" && (sq.page+1)*sq.perPage > hh.MaxSearchDepth {
		s.depthError(w)
		return searchQuery{}, false
	}
	for _, part := range []func() string{
		func() string { return s.parseFilters(q, &sq) },
		func() string { return s.parseSalary(q, &sq) },
		func() string { return parsePeriod(q, &sq, now) },
		func() string { return parseOrder(q, &sq) },
	} {
		if bad != "" {
			break
		}
		bad = part()
	}
	if bad != "" {
		s.badArg(w, bad, "invalid value of "+bad)
		return searchQuery{}, false
	}
	return sq, true
}

// parsePaging reads page and per_page.
func parsePaging(q url.Values, sq *searchQuery) string {
	intParam := func(name string, dst *int) bool {
		if v := q.Get(name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				return false
			}
			*dst = n
		}
		return true
	}
	if !intParam("page", &sq.page) {
		return "page"
	}
	if !intParam("per_page", &sq.perPage) || sq.perPage == 0 || sq.perPage > hh.MaxPerPage {
		return "per_page"
	}
	return ""
}

// parseFilters reads the text, the fields it searches, areas, the
// dictionaries' filters, roles and employers.
func (s *Sandbox) parseFilters(q url.Values, sq *searchQuery) string {
	sq.text = words(q.Get("text"))
	sq.fields = map[string]bool{}
	for _, f := range q["search_field"] {
		if !s.dicts.known("vacancy_search_fields", f) {
			return "search_field"
		}
		sq.fields[f] = true
	}
	if len(sq.fields) == 0 {
		sq.fields = map[string]bool{"name": true, "company_name": true, "description": true}
	}
	for _, a := range q["area"] {
		if s.areas.byID[a] == nil {
			return "area"
		}
		sq.areas = append(sq.areas, a)
	}
	for _, d := range []struct {
		param, dict string
		dst         *[]string
	}{
		{"experience", "experience", &sq.experience},
		{"employment", "employment", &sq.employment},
		{"schedule", "schedule", &sq.schedule},
	} {
		for _, v := range q[d.param] {
			if !s.dicts.known(d.dict, v) {
				return d.param
			}
			*d.dst = append(*d.dst, v)
		}
	}
	sq.roles = q["professional_role"]
	sq.employers = set(q["employer_id"])
	sq.excludedEmployers = set(q["excluded_employer_id"])
	return ""
}

// parseSalary reads salary (in currency, roubles by default) and
// only_with_salary.
func (s *Sandbox) parseSalary(q url.Values, sq *searchQuery) string {
	if v := q.Get("salary"); v != "" {
		amount, err := strconv.ParseFloat(v, 64)
		if err != nil || amount < 0 {
			return "salary"
		}
		currency := cmp.Or(q.Get("currency"), "RUR")
		if _, ok := s.dicts.rates[currency]; !ok {
			return "currency"
		}
		sq.salary = s.dicts.toRoubles(amount, currency)
	}
	switch q.Get("only_with_salary") {
	case "", "false":
	case "true":
		sq.onlyWithSalary = true
	default:
		return "only_with_salary"
	}
	return ""
}

// parsePeriod reads period, or date_from and date_to, as hh does: not both.
func parsePeriod(q url.Values, sq *searchQuery, now time.Time) string {
	period, dateFrom, dateTo := q.Get("period"), q.Get("date_from"), q.Get("date_to")
	if period != "" {
		n, err := strconv.Atoi(period)
		if err != nil || n < 1 || n > 30 || dateFrom != "" || dateTo != "" {
			return "period"
		}
		sq.from = now.Add(-time.Duration(n) * 24 * time.Hour)
	}
	if dateTo != "" && dateFrom == "" {
		return "date_to"
	}
	if dateFrom != "" {
		t, ok := parseDate(dateFrom)
		if !ok {
			return "date_from"
		}
		sq.from = t
	}
	if dateTo != "" {
		t, ok := parseDate(dateTo)
		if !ok {
			return "date_to"
		}
		sq.to = t
	}
	return ""
}

// parseOrder reads order_by. distance needs sort_point_lat/lng, which the
// sandbox has no data for.
func parseOrder(q url.Values, sq *searchQuery) string {
	switch o := q.Get("order_by"); o {
	case "":
	case hh.OrderByPublicationTime, hh.OrderByRelevance, hh.OrderBySalaryDesc, hh.OrderBySalaryAsc:
		sq.orderBy = o
	default:
		return "order_by"
	}
	return ""
}

// parseDate reads YYYY-MM-DD (Moscow midnight) or hh's date-time, rounded
// down to five minutes as hh does.
func parseDate(v string) (time.Time, bool) {
	if t, err := time.ParseInLocation("2006-01-02", v, moscow); err == nil {
		return t, true
	}
	for _, layout := range []string{hh.TimeLayout, time.RFC3339} {
		if t, err := time.Parse(layout, v); err == nil {
			return t.Truncate(5 * time.Minute), true
		}
	}
	return time.Time{}, false
}

func set(xs []string) map[string]bool {
	m := map[string]bool{}
	for _, x := range xs {
		m[x] = true
	}
	return m
}

// handleSimilar serves GET /resumes/{id}/similar_vacancies for the resume's
// owner: the catalogue less archived, future and hidden vacancies, filtered,
// ordered and paged as hh does.
func (s *Sandbox) handleSimilar(w http.ResponseWriter, r *http.Request, c caller) {
	base := s.baseURL(r)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.st.owner[r.PathValue("id")] != c.user.ID {
		s.notFound(w)
		return
	}
	now := s.nowLocked()
	sq, ok := s.parseSearch(w, r.URL.Query(), now)
	if !ok {
		return
	}
	type hit struct {
		v     *Vacancy
		score int
	}
	var hits []hit
	for _, id := range s.st.order {
		v := s.st.vacancies[id]
		if v.Archived || v.PublishedAt.After(now) || s.st.hidden(c.user.ID, v) {
			continue
		}
		score, ok := s.matches(v, &sq)
		if ok {
			hits = append(hits, hit{v, score})
		}
	}
	byDate := func(a, b *Vacancy) int {
		if c := b.PublishedAt.Compare(a.PublishedAt); c != 0 {
			return c
		}
		return cmp.Compare(b.ID, a.ID)
	}
	slices.SortFunc(hits, func(a, b hit) int {
		switch sq.orderBy {
		case hh.OrderByRelevance:
			if c := cmp.Compare(b.score, a.score); c != 0 {
				return c
			}
		case hh.OrderBySalaryDesc, hh.OrderBySalaryAsc:
			ka, oka := s.salaryKey(a.v, sq.orderBy)
			kb, okb := s.salaryKey(b.v, sq.orderBy)
			switch {
			case oka != okb: // vacancies without a salary go last
				if oka {
					return -1
				}
				return 1
			case oka && ka != kb:
				if sq.orderBy == hh.OrderBySalaryDesc {
					return cmp.Compare(kb, ka)
				}
				return cmp.Compare(ka, kb)
			}
		}
		return byDate(a.v, b.v)
	})
	out := searchPage{page: page[wireVacancy]{Found: len(hits), Page: sq.page, PerPage: sq.perPage, Items: []wireVacancy{}}}
	out.Pages = min((len(hits)+sq.perPage-1)/sq.perPage, hh.MaxSearchDepth/sq.perPage)
	for i := sq.page * sq.perPage; i < len(hits) && i < (sq.page+1)*sq.perPage; i++ {
		wv := s.vacancyWire(base, hits[i].v, c.user.ID)
		if len(sq.text) > 0 && sq.fields["description"] {
			wv.Snippet.Requirement = strPtr(highlight(hits[i].v.Requirement, sq.text))
			wv.Snippet.Responsibility = strPtr(highlight(hits[i].v.Responsibility, sq.text))
		}
		out.Items = append(out.Items, wv)
	}
	writeJSON(w, http.StatusOK, out)
}

// matches applies the filters to v and returns its relevance score.
func (s *Sandbox) matches(v *Vacancy, sq *searchQuery) (int, bool) {
	if len(sq.areas) > 0 && !slices.ContainsFunc(sq.areas, func(a string) bool { return s.areas.within(v.AreaID, a) }) {
		return 0, false
	}
	if len(sq.experience) > 0 && !slices.Contains(sq.experience, v.Experience) ||
		len(sq.employment) > 0 && !slices.Contains(sq.employment, v.Employment) ||
		len(sq.schedule) > 0 && !slices.Contains(sq.schedule, v.Schedule) ||
		len(sq.roles) > 0 && !slices.Contains(sq.roles, v.ProfessionalRole) {
		return 0, false
	}
	if len(sq.employers) > 0 && !sq.employers[v.EmployerID] {
		return 0, false
	}
	if v.EmployerID != "" && sq.excludedEmployers[v.EmployerID] {
		return 0, false
	}
	if !sq.from.IsZero() && v.PublishedAt.Before(sq.from) || !sq.to.IsZero() && v.PublishedAt.After(sq.to) {
		return 0, false
	}
	// hh: a salary finds the forks it falls within; vacancies without a
	// salary match too, unless only_with_salary.
	if !v.HasSalary() {
		if sq.onlyWithSalary {
			return 0, false
		}
	} else if sq.salary > 0 {
		if v.SalaryFrom != nil && s.dicts.toRoubles(float64(*v.SalaryFrom), v.Currency) > sq.salary ||
			v.SalaryTo != nil && s.dicts.toRoubles(float64(*v.SalaryTo), v.Currency) < sq.salary {
			return 0, false
		}
	}
	score := 0
	for _, word := range sq.text {
		n := 0
		if sq.fields["name"] {
			n += 3 * countWord(v.Name, word)
		}
		if sq.fields["company_name"] {
			n += countWord(v.EmployerName, word)
		}
		if sq.fields["description"] {
			n += countWord(v.Requirement, word) + countWord(v.Responsibility, word)
		}
		if n == 0 {
			return 0, false
		}
		score += n
	}
	return score, true
}

// salaryKey is the rouble amount salary orders sort by: the upper bound for
// salary_desc, the lower for salary_asc, falling back to the other one.
func (s *Sandbox) salaryKey(v *Vacancy, order string) (float64, bool) {
	a, b := v.SalaryTo, v.SalaryFrom
	if order == hh.OrderBySalaryAsc {
		a, b = b, a
	}
	if a == nil {
		a = b
	}
	if a == nil {
		return 0, false
	}
	return s.dicts.toRoubles(float64(*a), v.Currency), true
}

// words splits a query into normalized words; hh's query-language operators
// and quotes are dropped, leaving every remaining word required.
func words(text string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(text, func(r rune) bool {
		return r == ' ' || r == '\t' || r == '"' || r == '(' || r == ')' || r == ','
	}) {
		if f == "AND" || f == "OR" || f == "NOT" {
			continue
		}
		out = append(out, string(normalize([]rune(f))))
	}
	return out
}
