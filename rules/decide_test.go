package rules

import (
	"testing"

	"github.com/otklik/otklik/hh"
)

// vacancy is an ordinary open vacancy that any rule would apply to.
func vacancy() hh.Vacancy {
	return hh.Vacancy{
		ID:           "8331228",
		Name:         "Go-разработчик",
		Area:         hh.Area{ID: "1", Name: "Москва"},
		Employer:     hh.Employer{ID: "1455", Name: "HeadHunter"},
		Type:         hh.IDName{ID: hh.VacancyTypeOpen},
		Relations:    []string{},
		AlternateURL: "https://hh.ru/vacancy/8331228",
	}
}

func rule() Rule {
	r := Defaults()
	r.Name = "Go"
	r.ResumeID = "r1"
	r.LetterTemplate = "Здравствуйте! Меня заинтересовала вакансия {vacancy}."
	return r
}

func TestDecide(t *testing.T) {
	tests := []struct {
		name   string
		vac    func(*hh.Vacancy)
		rule   func(*Rule)
		in     DecideInput
		action Action
		reason Reason
		detail string
	}{
		{name: "plain vacancy is applied", action: ActionApply},
		{name: "favorited is not a skip", vac: func(v *hh.Vacancy) { v.Relations = []string{hh.RelationFavorited} }, action: ActionApply},
		{name: "got_question is not a skip", vac: func(v *hh.Vacancy) { v.Relations = []string{hh.RelationGotQuestion} }, action: ActionApply},
		{name: "null relations", vac: func(v *hh.Vacancy) { v.Relations = nil }, action: ActionApply},

		// Skips.
		{name: "already decided", in: DecideInput{AlreadyDecided: true}, action: ActionSkip, reason: ReasonAlreadyDecided},
		{name: "already decided beats archived", vac: func(v *hh.Vacancy) { v.Archived = true }, in: DecideInput{AlreadyDecided: true}, action: ActionSkip, reason: ReasonAlreadyDecided},
		{name: "archived", vac: func(v *hh.Vacancy) { v.Archived = true }, action: ActionSkip, reason: ReasonArchived},
		{name: "archived beats relations", vac: func(v *hh.Vacancy) { v.Archived = true; v.Relations = []string{hh.RelationGotResponse} }, action: ActionSkip, reason: ReasonArchived},
		{name: "got_response", vac: func(v *hh.Vacancy) { v.Relations = []string{hh.RelationGotResponse} }, action: ActionSkip, reason: ReasonGotResponse},
		{name: "got_invitation", vac: func(v *hh.Vacancy) { v.Relations = []string{hh.RelationGotInvitation} }, action: ActionSkip, reason: ReasonGotInvitation},
		{name: "got_rejection", vac: func(v *hh.Vacancy) { v.Relations = []string{hh.RelationGotRejection} }, action: ActionSkip, reason: ReasonGotRejection},
		{name: "blacklisted vacancy", vac: func(v *hh.Vacancy) { v.Relations = []string{hh.RelationBlacklisted} }, action: ActionSkip, reason: ReasonBlacklisted},
		{name: "strongest relation wins whatever the order", vac: func(v *hh.Vacancy) {
			v.Relations = []string{hh.RelationFavorited, hh.RelationGotResponse, hh.RelationGotInvitation}
		}, action: ActionSkip, reason: ReasonGotInvitation},
		{name: "blacklisted beats got_response", vac: func(v *hh.Vacancy) {
			v.Relations = []string{hh.RelationGotResponse, hh.RelationBlacklisted}
		}, action: ActionSkip, reason: ReasonBlacklisted},
		{name: "rejection beats response", vac: func(v *hh.Vacancy) {
			v.Relations = []string{hh.RelationGotResponse, hh.RelationGotRejection}
		}, action: ActionSkip, reason: ReasonGotRejection},
		{name: "relation beats excluded employer", vac: func(v *hh.Vacancy) { v.Relations = []string{hh.RelationGotResponse} },
			rule: func(r *Rule) { r.ExcludedEmployerIDs = []string{"1455"} }, action: ActionSkip, reason: ReasonGotResponse},
		{name: "employer excluded by the rule", rule: func(r *Rule) { r.ExcludedEmployerIDs = []string{"7", "1455"} },
			action: ActionSkip, reason: ReasonEmployerExcluded, detail: "1455"},
		{name: "employer blacklisted by the person", in: DecideInput{BlacklistedEmployers: map[string]struct{}{"1455": {}}},
			action: ActionSkip, reason: ReasonEmployerExcluded, detail: "1455"},
		{name: "employer blacklisted on a full vacancy", vac: func(v *hh.Vacancy) { v.Employer.Blacklisted = true },
			action: ActionSkip, reason: ReasonEmployerExcluded, detail: "1455"},
		{name: "anonymous employer never matches", vac: func(v *hh.Vacancy) { v.Employer = hh.Employer{Name: "Крупная компания"} },
			rule: func(r *Rule) { r.ExcludedEmployerIDs = []string{""} }, in: DecideInput{BlacklistedEmployers: map[string]struct{}{"": {}}},
			action: ActionApply},
		{name: "employer excluded beats excluded word", rule: func(r *Rule) {
			r.ExcludedEmployerIDs = []string{"1455"}
			r.ExcludeWords = []string{"go"}
		}, action: ActionSkip, reason: ReasonEmployerExcluded, detail: "1455"},
		{name: "excluded word, any case", vac: func(v *hh.Vacancy) { v.Name = "SENIOR Go Lead" },
			rule: func(r *Rule) { r.ExcludeWords = []string{"1С", "senior go"} }, action: ActionSkip, reason: ReasonExcludedWord, detail: "senior go"},
		{name: "excluded word, ё in the title", vac: func(v *hh.Vacancy) { v.Name = "Ведущий разработчик (удалёнка)" },
			rule: func(r *Rule) { r.ExcludeWords = []string{"Удаленка"} }, action: ActionSkip, reason: ReasonExcludedWord, detail: "Удаленка"},
		{name: "excluded word, ё in the word", vac: func(v *hh.Vacancy) { v.Name = "Разработчик на удаленке" },
			rule: func(r *Rule) { r.ExcludeWords = []string{"УДАЛЁН"} }, action: ActionSkip, reason: ReasonExcludedWord, detail: "УДАЛЁН"},
		{name: "excluded word across highlight markup", vac: func(v *hh.Vacancy) { v.Name = "<highlighttext>Senior</highlighttext> Go" },
			rule: func(r *Rule) { r.ExcludeWords = []string{"senior go"} }, action: ActionSkip, reason: ReasonExcludedWord, detail: "senior go"},
		{name: "blank excluded word matches nothing", rule: func(r *Rule) { r.ExcludeWords = []string{"", "  "} }, action: ActionApply},
		{name: "other words do not match", rule: func(r *Rule) { r.ExcludeWords = []string{"java", "1С"} }, action: ActionApply},
		{name: "excluded word beats review reasons", vac: func(v *hh.Vacancy) { v.ResponseLetterRequired = true; v.Type.ID = hh.VacancyTypeDirect },
			rule: func(r *Rule) { r.ExcludeWords = []string{"go"} }, action: ActionSkip, reason: ReasonExcludedWord, detail: "go"},

		// Reviews.
		{name: "direct by type", vac: func(v *hh.Vacancy) { v.Type.ID = hh.VacancyTypeDirect }, action: ActionReview, reason: ReasonDirect},
		{name: "direct by response_url", vac: func(v *hh.Vacancy) { v.ResponseURL = "https://example.com/jobs/1" }, action: ActionReview, reason: ReasonDirect},
		{name: "direct beats test and letter", vac: func(v *hh.Vacancy) {
			v.Type.ID = hh.VacancyTypeDirect
			v.HasTest = true
			v.ResponseLetterRequired = true
		}, action: ActionReview, reason: ReasonDirect},
		{name: "test in search form", vac: func(v *hh.Vacancy) { v.HasTest = true }, action: ActionReview, reason: ReasonTestRequired},
		{name: "required test in full form", vac: func(v *hh.Vacancy) { v.HasTest = true; v.Test = &hh.VacancyTest{Required: true} },
			action: ActionReview, reason: ReasonTestRequired},
		{name: "optional test in full form is applied", vac: func(v *hh.Vacancy) { v.HasTest = true; v.Test = &hh.VacancyTest{Required: false} },
			action: ActionApply},
		{name: "test beats letter", vac: func(v *hh.Vacancy) { v.HasTest = true; v.ResponseLetterRequired = true },
			rule: func(r *Rule) { r.Mode = ModeAuto }, action: ActionReview, reason: ReasonTestRequired},
		{name: "letter required, mode letters, with template", vac: func(v *hh.Vacancy) { v.ResponseLetterRequired = true },
			action: ActionReview, reason: ReasonLetterRequired},
		{name: "letter required, mode auto, with template", vac: func(v *hh.Vacancy) { v.ResponseLetterRequired = true },
			rule: func(r *Rule) { r.Mode = ModeAuto }, action: ActionApply},
		{name: "letter required, mode auto, no template", vac: func(v *hh.Vacancy) { v.ResponseLetterRequired = true },
			rule: func(r *Rule) { r.Mode = ModeAuto; r.LetterTemplate = "" }, action: ActionReview, reason: ReasonLetterRequired},
		{name: "letter required, mode auto, blank template", vac: func(v *hh.Vacancy) { v.ResponseLetterRequired = true },
			rule: func(r *Rule) { r.Mode = ModeAuto; r.LetterTemplate = " \n\t" }, action: ActionReview, reason: ReasonLetterRequired},
		{name: "letter required, mode review", vac: func(v *hh.Vacancy) { v.ResponseLetterRequired = true },
			rule: func(r *Rule) { r.Mode = ModeReview }, action: ActionReview, reason: ReasonLetterRequired},
		{name: "letter required, unknown mode counts as letters", vac: func(v *hh.Vacancy) { v.ResponseLetterRequired = true },
			rule: func(r *Rule) { r.Mode = "" }, action: ActionReview, reason: ReasonLetterRequired},
		{name: "no letter needed, mode letters, no template", rule: func(r *Rule) { r.LetterTemplate = "" }, action: ActionApply},
		{name: "no letter needed, mode auto", rule: func(r *Rule) { r.Mode = ModeAuto }, action: ActionApply},
		{name: "mode review holds everything", rule: func(r *Rule) { r.Mode = ModeReview }, action: ActionReview, reason: ReasonModeReview},
		{name: "closed and anonymous vacancies are applied", vac: func(v *hh.Vacancy) { v.Type.ID = hh.VacancyTypeAnonymous }, action: ActionApply},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, r := vacancy(), rule()
			if tt.vac != nil {
				tt.vac(&v)
			}
			if tt.rule != nil {
				tt.rule(&r)
			}
			got := Decide(&v, &r, tt.in)
			want := Decision{Action: tt.action, Reason: tt.reason, Detail: tt.detail}
			if got != want {
				t.Errorf("Decide = %+v, want %+v", got, want)
			}
		})
	}
}

func TestDecisionText(t *testing.T) {
	d := Decision{Action: ActionSkip, Reason: ReasonExcludedWord, Detail: "senior"}
	if got, want := d.Text("ru"), "В названии вакансии есть слово из ваших исключений: «senior»"; got != want {
		t.Errorf("ru: %q, want %q", got, want)
	}
	if got, want := d.Text("en"), `The vacancy title contains one of your excluded words: "senior"`; got != want {
		t.Errorf("en: %q, want %q", got, want)
	}
	if got := (Decision{Action: ActionApply}).Text("ru"); got != "" {
		t.Errorf("apply text = %q, want empty", got)
	}
	if got, want := (Decision{Action: ActionSkip, Reason: ReasonArchived}).Text("en"), "The vacancy is archived"; got != want {
		t.Errorf("archived en = %q, want %q", got, want)
	}
}

func TestReasonTexts(t *testing.T) {
	seen := map[string]Reason{}
	for _, r := range AllReasons() {
		if !r.Known() {
			t.Errorf("%s: not known", r)
		}
		ru, en := r.Text("ru"), r.Text("en")
		if ru == "" || en == "" || ru == string(r) || en == string(r) || ru == en {
			t.Errorf("%s: texts ru %q en %q", r, ru, en)
		}
		if r.Text("") != ru || r.Text("de") != ru {
			t.Errorf("%s: Russian is not the default", r)
		}
		if other, dup := seen[ru]; dup {
			t.Errorf("%s and %s share the text %q", r, other, ru)
		}
		seen[ru] = r
	}
	if got := Reason("something_new").Text("ru"); got != "something_new" {
		t.Errorf("unknown reason text = %q", got)
	}
}

func TestDecideAllocatesNothing(t *testing.T) {
	v, r := vacancy(), rule()
	v.Name = "Ведущий Go-разработчик (удалённо)"
	v.ResponseLetterRequired = true
	r.ExcludeWords = []string{"java", "1С", "стажёр", "senior lead", "php"}
	r.ExcludedEmployerIDs = []string{"1", "2", "3"}
	in := DecideInput{BlacklistedEmployers: map[string]struct{}{"9": {}}}
	if n := testing.AllocsPerRun(100, func() { Decide(&v, &r, in) }); n != 0 {
		t.Errorf("Decide allocates %v times per call", n)
	}
}
