package rules

import (
	"testing"

	"github.com/otklik/otklik/hh"
)

// Exclude words match the description too when the rule asks: the full
// text when hh sent it, or the search's excerpts.
func TestExcludeWordsInDescription(t *testing.T) {
	req, resp := "Опыт с <highlighttext>1С</highlighttext> от 3 лет", "Поддержка клиентов"
	v := &hh.Vacancy{ID: "1", Name: "Программист", Snippet: hh.Snippet{Requirement: &req, Responsibility: &resp}}
	r := Defaults()
	r.ExcludeWords = []string{"1с"}

	if d := Decide(v, &r, DecideInput{}); d.Reason == ReasonExcludedWordDescription {
		t.Error("the description is matched although the rule matches titles only")
	}
	r.ExcludeWordsInDescription = true
	d := Decide(v, &r, DecideInput{})
	if d.Action != ActionSkip || d.Reason != ReasonExcludedWordDescription || d.Detail != "1с" {
		t.Errorf("excerpt match: %+v", d)
	}
	if got := d.Text("ru"); got != "В описании вакансии есть слово из ваших исключений: «1с»" {
		t.Errorf("reason text %q", got)
	}
	full := &hh.Vacancy{ID: "2", Name: "Программист", Description: "<p>Знание <b>1С:Предприятие</b></p>"}
	if d := Decide(full, &r, DecideInput{}); d.Reason != ReasonExcludedWordDescription {
		t.Errorf("full description match: %+v", d)
	}
	clean := &hh.Vacancy{ID: "3", Name: "Программист Go", Description: "<p>Go и PostgreSQL</p>"}
	if d := Decide(clean, &r, DecideInput{}); d.Action == ActionSkip {
		t.Errorf("a vacancy without the word is skipped: %+v", d)
	}
}
