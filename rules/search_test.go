package rules

import (
	"reflect"
	"testing"

	"github.com/otklik/otklik/hh"
)

func TestSearchParams(t *testing.T) {
	r := rule()
	r.Text = "  golang  "
	r.Areas = []string{"1", "2", "", "1"}
	r.Salary = 250000
	r.Currency = "RUR"
	r.OnlyWithSalary = true
	r.Experience = []string{"between3And6"}
	r.Employment = []string{"full"}
	r.Schedule = []string{"remote", "flexible"}
	r.ProfessionalRoles = []string{"96"}
	r.ExcludedEmployerIDs = []string{"1455"}
	r.ExcludeWords = []string{"senior"}

	got := r.SearchParams(3)
	want := hh.SimilarVacanciesParams{
		Text:               "golang",
		Area:               []string{"1", "2"},
		Salary:             250000,
		Currency:           "RUR",
		OnlyWithSalary:     true,
		Experience:         []string{"between3And6"},
		Employment:         []string{"full"},
		Schedule:           []string{"remote", "flexible"},
		ProfessionalRole:   []string{"96"},
		ExcludedEmployerID: []string{"1455"},
		OrderBy:            hh.OrderByPublicationTime,
		Page:               3,
		PerPage:            100,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("SearchParams =\n%+v\nwant\n%+v", got, want)
	}

	// The params do not share memory with the rule.
	got.Area[0] = "99"
	if r.Areas[0] != "1" {
		t.Error("SearchParams aliases the rule's areas")
	}
}

func TestSearchParamsMinimal(t *testing.T) {
	r := rule()
	r.Currency = "USD" // no salary: hh ignores a lone currency, so it is not sent
	got := r.SearchParams(-1)
	want := hh.SimilarVacanciesParams{OrderBy: hh.OrderByPublicationTime, PerPage: 100}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("SearchParams =\n%+v\nwant\n%+v", got, want)
	}
	if MaxPages != 20 {
		t.Errorf("MaxPages = %d, want 20 (depth 2000 / 100)", MaxPages)
	}
}
