package rules

import (
	"strings"
	"testing"
)

// Every way text enters a rule is bounded and must be text: each case names
// the field the person is sent to.
func TestValidateBounds(t *testing.T) {
	long := strings.Repeat("7", 60000)
	cases := []struct {
		name  string
		mod   func(*Rule)
		field string
		code  string
	}{
		{"employer ids of 60,000 digits", func(r *Rule) {
			for range 15 {
				r.ExcludedEmployerIDs = append(r.ExcludedEmployerIDs, long)
			}
		}, FieldExcludedEmployerID, CodeTooLong},
		{"a long area id", func(r *Rule) { r.Areas = []string{strings.Repeat("1", MaxIDBytes+1)} }, FieldArea, CodeTooLong},
		{"a long role id", func(r *Rule) { r.ProfessionalRoles = []string{strings.Repeat("9", 100)} }, FieldProfessionalRole, CodeTooLong},
		{"a long resume id", func(r *Rule) { r.ResumeID = strings.Repeat("a", 100) }, FieldResumeID, CodeTooLong},
		{"a long currency", func(r *Rule) { r.Currency = strings.Repeat("R", 20) }, FieldCurrency, CodeTooLong},
		{"NUL in the name", func(r *Rule) { r.Name = "Go\x00\x01" }, FieldName, CodeBadText},
		{"invalid UTF-8 in the text", func(r *Rule) { r.Text = "golang \xff\xfe" }, FieldText, CodeBadText},
		{"a line break in the text", func(r *Rule) { r.Text = "golang\nrust" }, FieldText, CodeBadText},
		{"escape in an excluded word", func(r *Rule) { r.ExcludeWords = []string{"lead\x1b[31m"} }, FieldExcludeWords, CodeBadText},
		{"bell in the letter", func(r *Rule) { r.LetterTemplate = "Здравствуйте!\a" }, FieldLetterTemplate, CodeBadText},
		{"invalid UTF-8 in the letter", func(r *Rule) { r.LetterTemplate = "Здравствуйте \xc3" }, FieldLetterTemplate, CodeBadText},
		{"control in an employer id", func(r *Rule) { r.ExcludedEmployerIDs = []string{"14\x0055"} }, FieldExcludedEmployerID, CodeBadText},
		{"the whole rule too large", func(r *Rule) {
			// Each field within its own limit, four bytes a character.
			r.LetterTemplate = strings.Repeat("😀", MaxTemplateRunes)
			r.ExcludeWords = nil
			for i := range MaxExcludeWords {
				r.ExcludeWords = append(r.ExcludeWords, strings.Repeat("😀", MaxExcludeWordRunes-2)+string(rune('а'+i%32))+string(rune('а'+i/32)))
			}
			r.Text = strings.Repeat("😀", MaxTextRunes)
			r.Name = strings.Repeat("щ", MaxNameRunes)
			r.Areas = nil
			for i := range MaxListValues {
				r.Areas = append(r.Areas, strings.Repeat("1", MaxIDBytes-3)+string(rune('0'+i%10))+string(rune('0'+i/10)))
			}
			r.ProfessionalRoles, r.ExcludedEmployerIDs = r.Areas, r.Areas
		}, "", CodeTooLong},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := validRule()
			c.mod(&r)
			es := r.Validate(Catalog{})
			if c.field == "" {
				for _, e := range es {
					if e.Code == c.code && e.Key == "invalid.rule_too_large" {
						return
					}
				}
				t.Fatalf("errors %v, want the rule called too large", es)
			}
			e, ok := es.Get(c.field)
			if !ok || e.Code != c.code {
				t.Fatalf("errors %v, want %s on %s", es, c.code, c.field)
			}
			if e.Key == "" || e.Message("ru") == e.Key || e.Message("en") == e.Key {
				t.Errorf("%s: a message is missing: %+v", c.field, e)
			}
		})
	}
	// Line breaks and tabs are fine in a letter.
	r := validRule()
	r.LetterTemplate = "Здравствуйте!\n\n\tМеня заинтересовала вакансия {vacancy}."
	if es := r.Validate(Catalog{}); len(es) != 0 {
		t.Errorf("a letter with line breaks and a tab: %v", es)
	}
}
