package rules

import (
	"slices"
	"strings"

	"github.com/otklik/otklik/hh"
)

// PerPage is the page size of a rule's search: hh's maximum, to spend as few
// requests as possible.
const PerPage = hh.MaxPerPage

// MaxPages is how many pages a search can be read to before hh's depth limit
// (2000 vacancies) refuses the next one.
const MaxPages = hh.MaxSearchDepth / PerPage

// SearchParams are the similar_vacancies parameters for one page (from 0) of
// the rule's search: newest first, 100 a page, with the rule's hh filters.
// The currency is sent only with a salary, the one place hh reads it. The
// local filters (exclude words, the employer blacklist) are Decide's.
// Slices are copies, so the caller may change them freely.
func (r *Rule) SearchParams(page int) hh.SimilarVacanciesParams {
	p := hh.SimilarVacanciesParams{
		Text:               strings.TrimSpace(r.Text),
		Area:               cloneNonEmpty(r.Areas),
		OnlyWithSalary:     r.OnlyWithSalary,
		Experience:         cloneNonEmpty(r.Experience),
		Employment:         cloneNonEmpty(r.Employment),
		Schedule:           cloneNonEmpty(r.Schedule),
		ProfessionalRole:   cloneNonEmpty(r.ProfessionalRoles),
		ExcludedEmployerID: cloneNonEmpty(r.ExcludedEmployerIDs),
		OrderBy:            hh.OrderByPublicationTime,
		Page:               max(page, 0),
		PerPage:            PerPage,
	}
	if r.Salary > 0 {
		p.Salary = r.Salary
		p.Currency = r.Currency
	}
	return p
}

// cloneNonEmpty copies s without blank values; nil when nothing is left, so
// an unset filter is not sent.
func cloneNonEmpty(s []string) []string {
	var out []string
	for _, v := range s {
		if v = strings.TrimSpace(v); v != "" && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}
