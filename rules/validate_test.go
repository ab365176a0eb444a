package rules

import (
	"errors"
	"strings"
	"testing"

	"github.com/otklik/otklik/hh"
)

func catalog() Catalog {
	return Catalog{
		Areas:             NewSet("1", "2", "113"),
		Experience:        NewSet("noExperience", "between1And3", "between3And6", "moreThan6"),
		Employment:        NewSet("full", "part", "project"),
		Schedule:          NewSet("fullDay", "remote", "flexible"),
		ProfessionalRoles: NewSet("96", "104"),
		Currencies:        NewSet("RUR", "USD", "EUR"),
		Resumes:           NewSet("r1", "r2"),
	}
}

func validRule() Rule {
	r := rule()
	r.Text = "golang"
	r.Areas = []string{"1", "113"}
	r.Salary = 250000
	r.Experience = []string{"between3And6"}
	r.Employment = []string{"full"}
	r.Schedule = []string{"remote"}
	r.ProfessionalRoles = []string{"96"}
	r.ExcludedEmployerIDs = []string{"1455"}
	r.ExcludeWords = []string{"senior lead", "1С"}
	return r
}

func TestValidateValid(t *testing.T) {
	r := validRule()
	if es := r.Validate(catalog()); len(es) != 0 {
		t.Fatalf("valid rule: %v", es)
	}
	if err := r.Validate(catalog()).Err(); err != nil {
		t.Fatalf("Err() = %v, want nil", err)
	}
	// A catalog with nothing loaded checks only what needs no catalog.
	r.Areas = []string{"999999"}
	if es := r.Validate(Catalog{}); len(es) != 0 {
		t.Fatalf("empty catalog: %v", es)
	}
	// The defaults need only a name and a resume.
	d := Defaults()
	d.Name, d.ResumeID = "x", "r1"
	if es := d.Validate(catalog()); len(es) != 0 {
		t.Fatalf("defaults: %v", es)
	}
	// Equal active hours mean round the clock.
	r = validRule()
	r.ActiveFrom, r.ActiveTo = "00:00", "00:00"
	if es := r.Validate(catalog()); len(es) != 0 {
		t.Fatalf("round the clock: %v", es)
	}
}

func TestValidateFields(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(*Rule)
		field string
		code  string
	}{
		{"name required", func(r *Rule) { r.Name = "  " }, FieldName, CodeRequired},
		{"name too long", func(r *Rule) { r.Name = strings.Repeat("я", MaxNameRunes+1) }, FieldName, CodeTooLong},
		{"resume required", func(r *Rule) { r.ResumeID = "" }, FieldResumeID, CodeRequired},
		{"resume not published", func(r *Rule) { r.ResumeID = "r3" }, FieldResumeID, CodeNotPublished},
		{"text too long", func(r *Rule) { r.Text = strings.Repeat("go ", 700) }, FieldText, CodeTooLong},
		{"unknown area", func(r *Rule) { r.Areas = []string{"1", "777"} }, FieldArea, CodeUnknown},
		{"too many areas", func(r *Rule) { r.Areas = make([]string, MaxListValues+1) }, FieldArea, CodeTooMany},
		{"negative salary", func(r *Rule) { r.Salary = -1 }, FieldSalary, CodeOutOfRange},
		{"absurd salary", func(r *Rule) { r.Salary = MaxSalary + 1 }, FieldSalary, CodeOutOfRange},
		{"currency required with a salary", func(r *Rule) { r.Currency = "" }, FieldCurrency, CodeRequired},
		{"unknown currency", func(r *Rule) { r.Currency = "XYZ" }, FieldCurrency, CodeUnknown},
		{"unknown experience", func(r *Rule) { r.Experience = []string{"forever"} }, FieldExperience, CodeUnknown},
		{"unknown employment", func(r *Rule) { r.Employment = []string{"slavery"} }, FieldEmployment, CodeUnknown},
		{"unknown schedule", func(r *Rule) { r.Schedule = []string{"nights"} }, FieldSchedule, CodeUnknown},
		{"unknown professional role", func(r *Rule) { r.ProfessionalRoles = []string{"1"} }, FieldProfessionalRole, CodeUnknown},
		{"excluded employer not an id", func(r *Rule) { r.ExcludedEmployerIDs = []string{"hh.ru/employer/1455"} }, FieldExcludedEmployerID, CodeInvalid},
		{"too many excluded employers", func(r *Rule) { r.ExcludedEmployerIDs = make([]string, MaxListValues+1) }, FieldExcludedEmployerID, CodeTooMany},
		{"too many exclude words", func(r *Rule) { r.ExcludeWords = make([]string, MaxExcludeWords+1) }, FieldExcludeWords, CodeTooMany},
		{"exclude word too long", func(r *Rule) { r.ExcludeWords = []string{"ok", strings.Repeat("ё", MaxExcludeWordRunes+1)} }, FieldExcludeWords, CodeTooLong},
		{"mode empty", func(r *Rule) { r.Mode = "" }, FieldMode, CodeInvalid},
		{"mode unknown", func(r *Rule) { r.Mode = "yolo" }, FieldMode, CodeInvalid},
		{"unknown placeholder", func(r *Rule) { r.LetterTemplate = "Здравствуйте, {hr_name}!" }, FieldLetterTemplate, CodeUnknownPlaceholder},
		{"unclosed brace", func(r *Rule) { r.LetterTemplate = "{vacancy" }, FieldLetterTemplate, CodeUnclosedBrace},
		{"stray brace", func(r *Rule) { r.LetterTemplate = "}" }, FieldLetterTemplate, CodeStrayBrace},
		{"template too long", func(r *Rule) { r.LetterTemplate = strings.Repeat("a", MaxTemplateRunes+1) }, FieldLetterTemplate, CodeTooLong},
		{"daily limit zero", func(r *Rule) { r.DailyLimit = 0 }, FieldDailyLimit, CodeOutOfRange},
		{"daily limit over hh's", func(r *Rule) { r.DailyLimit = 201 }, FieldDailyLimit, CodeOutOfRange},
		{"every zero hours", func(r *Rule) { r.EveryHours = 0 }, FieldEveryHours, CodeOutOfRange},
		{"every 25 hours", func(r *Rule) { r.EveryHours = 25 }, FieldEveryHours, CodeOutOfRange},
		{"active_from empty", func(r *Rule) { r.ActiveFrom = "" }, FieldActiveFrom, CodeInvalid},
		{"active_from bad", func(r *Rule) { r.ActiveFrom = "25:00" }, FieldActiveFrom, CodeInvalid},
		{"active_to bad", func(r *Rule) { r.ActiveTo = "9 pm" }, FieldActiveTo, CodeInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := validRule()
			tt.edit(&r)
			es := r.Validate(catalog())
			if len(es) != 1 {
				t.Fatalf("want exactly one error on %s, got %v", tt.field, es)
			}
			if !es.Has(tt.field) {
				t.Fatalf("no error on %s: %v", tt.field, es)
			}
			e, _ := es.Get(tt.field)
			if e.Code != tt.code {
				t.Errorf("code = %s, want %s", e.Code, tt.code)
			}
			ru, en := es.Message(tt.field, "ru"), es.Message(tt.field, "en")
			if ru == "" || en == "" || ru == en {
				t.Errorf("messages ru %q en %q", ru, en)
			}
			// English may quote the person's Cyrillic value, but not open with it.
			if !containsCyrillic(ru) || containsCyrillic(strings.Fields(en)[0]) {
				t.Errorf("ru %q should be Russian and en %q English", ru, en)
			}
			if es.Message(tt.field, "") != ru {
				t.Error("Russian should be the default")
			}
			if es.Messages("en")[tt.field] != en {
				t.Error("Messages disagrees with Message")
			}
		})
	}
}

func containsCyrillic(s string) bool {
	for _, r := range s {
		if r >= 'А' && r <= 'я' {
			return true
		}
	}
	return false
}

func TestValidateNamesTheCulprit(t *testing.T) {
	r := validRule()
	r.LetterTemplate = "Добрый день!\n{vakansiya}"
	r.Areas = []string{"777"}
	es := r.Validate(catalog())
	for _, lang := range []string{"ru", "en"} {
		if m := es.Message(FieldLetterTemplate, lang); !strings.Contains(m, "{vakansiya}") || !strings.Contains(m, "{vacancy}") {
			t.Errorf("%s template message %q should name the bad placeholder and list the good ones", lang, m)
		}
		if m := es.Message(FieldArea, lang); !strings.Contains(m, "777") {
			t.Errorf("%s area message %q should name the area", lang, m)
		}
	}
}

func TestValidateManyErrors(t *testing.T) {
	r := Rule{}
	es := r.Validate(catalog())
	for _, f := range []string{FieldName, FieldResumeID, FieldMode, FieldDailyLimit, FieldEveryHours, FieldActiveFrom, FieldActiveTo} {
		if !es.Has(f) {
			t.Errorf("empty rule: no error on %s", f)
		}
	}
	if es.Has(FieldLetterTemplate) || es.Has(FieldSalary) || es.Has(FieldCurrency) {
		t.Errorf("empty rule: unexpected errors %v", es)
	}
	err := es.Err()
	var got Errors
	if !errors.As(err, &got) || len(got) != len(es) {
		t.Errorf("Err() = %v", err)
	}
	if !strings.Contains(err.Error(), "name: Give the rule a name.") {
		t.Errorf("Error() = %q", err.Error())
	}
}

func TestCatalogFrom(t *testing.T) {
	d := &hh.Dictionaries{
		Experience: []hh.IDName{{ID: "noExperience"}},
		Currency:   []hh.Currency{{Code: "RUR"}},
	}
	areas := []hh.AreaNode{{ID: "113", Areas: []hh.AreaNode{{ID: "1", Areas: []hh.AreaNode{{ID: "2019"}}}}}}
	resumes := []hh.Resume{{ID: "r1", Status: hh.IDName{ID: hh.ResumeStatusPublished}}, {ID: "r2", Status: hh.IDName{ID: hh.ResumeStatusBlocked}}}
	c := CatalogFrom(d, areas, resumes)
	if !c.Areas.Has("2019") || !c.Areas.Has("113") || c.Areas.Has("2") {
		t.Errorf("areas = %v", c.Areas)
	}
	if !c.Resumes.Has("r1") || c.Resumes.Has("r2") {
		t.Errorf("resumes = %v", c.Resumes)
	}
	if c.Employment != nil || c.ProfessionalRoles != nil {
		t.Error("a dictionary that did not load should stay unchecked")
	}
	if !c.Currencies.Has("RUR") || !c.Experience.Has("noExperience") {
		t.Error("dictionaries missing")
	}
	if c := CatalogFrom(nil, nil, []hh.Resume{}); c.Resumes == nil || c.Areas != nil {
		t.Error("no resumes at all is a checked, empty set; no areas is unchecked")
	}
}

func TestRoleSet(t *testing.T) {
	pr := &hh.ProfessionalRoles{Categories: []hh.RoleCategory{
		{ID: "11", Roles: []hh.ProfessionalRole{{ID: "96"}, {ID: "55", SearchDeprecated: true}}},
		{ID: "17", Roles: []hh.ProfessionalRole{{ID: "70"}, {ID: "96"}}},
	}}
	s := RoleSet(pr)
	if len(s) != 3 || !s.Has("96") || !s.Has("70") || !s.Has("55") {
		t.Errorf("roles = %v", s)
	}
	if RoleSet(nil) != nil || RoleSet(&hh.ProfessionalRoles{}) != nil {
		t.Error("roles that did not load should stay unchecked")
	}
}
