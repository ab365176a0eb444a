package hh

import (
	"errors"
	"net/url"
	"slices"
	"strconv"
)

// ErrInvalidParams is matched (errors.Is) by every *ParamError: the request
// was refused before anything was sent.
var ErrInvalidParams = errors.New("hh: invalid parameters")

// ParamError reports a request parameter that hh would refuse, found before
// sending. Field is hh's parameter name ("per_page", "resume_id", …).
type ParamError struct {
	Op     string // operation, one of the Op constants
	Field  string // hh's name of the parameter at fault
	Reason string // what is wrong with it, for logs
}

// Error implements error.
func (e *ParamError) Error() string {
	return "hh: " + e.Op + ": invalid parameter " + e.Field + ": " + e.Reason
}

// Is makes errors.Is(err, ErrInvalidParams) true.
func (e *ParamError) Is(target error) bool { return target == ErrInvalidParams }

// checkID refuses ids that are empty or would change the path.
func checkID(op, field, id string) error {
	if id == "" || id == "." || id == ".." {
		return &ParamError{Op: op, Field: field, Reason: "must be a non-empty id"}
	}
	return nil
}

// DefaultSearchPerPage is hh's page size for vacancy searches when per_page
// is not sent.
const DefaultSearchPerPage = 10

var searchOrders = []string{OrderByPublicationTime, OrderByRelevance, OrderBySalaryDesc, OrderBySalaryAsc}

// Validate checks p as hh would, without sending anything: page ≥ 0,
// per_page 0–100, (page+1)·per_page ≤ 2000, period 0–30 and not with dates,
// date_to only with an earlier date_from, a known order_by, salary ≥ 0, and no
// empty values in the lists. The error is a *ParamError.
func (p SimilarVacanciesParams) Validate() error {
	bad := func(field, reason string) error {
		return &ParamError{Op: OpSimilarVacancies, Field: field, Reason: reason}
	}
	switch {
	case p.Page < 0:
		return bad("page", "must not be negative")
	case p.PerPage < 0 || p.PerPage > MaxPerPage:
		return bad("per_page", "must be between 1 and "+strconv.Itoa(MaxPerPage))
	}
	if (p.Page+1)*p.perPage() > MaxSearchDepth {
		return bad("page", "hh returns at most "+strconv.Itoa(MaxSearchDepth)+" results: (page+1)*per_page must not exceed it")
	}
	switch {
	case p.Period < 0 || p.Period > 30:
		return bad("period", "must be between 1 and 30 days")
	case p.Period > 0 && (!p.DateFrom.IsZero() || !p.DateTo.IsZero()):
		return bad("period", "cannot be combined with date_from or date_to")
	case !p.DateTo.IsZero() && p.DateFrom.IsZero():
		return bad("date_to", "requires date_from")
	case !p.DateTo.IsZero() && p.DateTo.Before(p.DateFrom):
		return bad("date_to", "must not be before date_from")
	case p.OrderBy != "" && !slices.Contains(searchOrders, p.OrderBy):
		return bad("order_by", strconv.Quote(p.OrderBy)+" is not a known order")
	case p.Salary < 0:
		return bad("salary", "must not be negative")
	}
	for _, l := range []struct {
		field  string
		values []string
	}{
		{"search_field", p.SearchField}, {"area", p.Area}, {"experience", p.Experience},
		{"employment", p.Employment}, {"schedule", p.Schedule},
		{"professional_role", p.ProfessionalRole}, {"employer_id", p.EmployerID},
		{"excluded_employer_id", p.ExcludedEmployerID},
	} {
		if slices.Contains(l.values, "") {
			return bad(l.field, "must not contain empty values")
		}
	}
	return nil
}

func (p SimilarVacanciesParams) perPage() int {
	if p.PerPage == 0 {
		return DefaultSearchPerPage
	}
	return p.PerPage
}

// values encodes p as a query; zero values are left out and lists become
// repeated keys.
func (p SimilarVacanciesParams) values() url.Values {
	q := url.Values{}
	set := func(k, v string) {
		if v != "" {
			q.Set(k, v)
		}
	}
	set("text", p.Text)
	q["search_field"] = p.SearchField
	q["area"] = p.Area
	q["experience"] = p.Experience
	q["employment"] = p.Employment
	q["schedule"] = p.Schedule
	q["professional_role"] = p.ProfessionalRole
	q["employer_id"] = p.EmployerID
	q["excluded_employer_id"] = p.ExcludedEmployerID
	if p.Salary > 0 {
		set("salary", strconv.Itoa(p.Salary))
	}
	set("currency", p.Currency)
	if p.OnlyWithSalary {
		set("only_with_salary", "true")
	}
	if p.Period > 0 {
		set("period", strconv.Itoa(p.Period))
	}
	if !p.DateFrom.IsZero() {
		set("date_from", p.DateFrom.Format(TimeLayout))
	}
	if !p.DateTo.IsZero() {
		set("date_to", p.DateTo.Format(TimeLayout))
	}
	set("order_by", p.OrderBy)
	if p.Page > 0 {
		set("page", strconv.Itoa(p.Page))
	}
	if p.PerPage > 0 {
		set("per_page", strconv.Itoa(p.PerPage))
	}
	for k, v := range q {
		if len(v) == 0 {
			delete(q, k)
		}
	}
	return q
}
