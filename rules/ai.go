package rules

import (
	"strings"
	"unicode/utf8"

	"github.com/otklik/otklik/locale"
)

// LetterSource is where a rule's letters come from.
type LetterSource string

// Letter sources (the form's letter_source).
const (
	LetterSourceTemplate LetterSource = "template" // the rendered template (the default)
	LetterSourceAI       LetterSource = "ai"       // the model, the template as guidance and fallback
)

// AI form fields, shown only with a model configured.
const (
	FieldLetterSource = "letter_source"
	FieldAIScreen     = "ai_screen"
	FieldAICriteria   = "ai_criteria"
)

// MaxAICriteriaRunes bounds the person's screening criteria.
const MaxAICriteriaRunes = 2000

// LettersByAI reports whether the model writes the rule's letters.
func (r *Rule) LettersByAI() bool { return r.LetterSource == LetterSourceAI }

// ScreensByAI reports whether the model screens the rule's vacancies.
func (r *Rule) ScreensByAI() bool { return r.AIScreen && strings.TrimSpace(r.AICriteria) != "" }

// checkAI: a known letter source, a template to guide (and stand in for)
// the model's letters, and criteria when screening is on.
func (es *Errors) checkAI(r *Rule) {
	switch r.LetterSource {
	case "", LetterSourceTemplate:
	case LetterSourceAI:
		if !r.HasTemplate() {
			es.add(FieldLetterTemplate, CodeRequired, "invalid.ai_letter_template")
		}
	default:
		es.add(FieldLetterSource, CodeInvalid, "invalid.letter_source")
	}
	switch n := utf8.RuneCountInString(r.AICriteria); {
	case !ValidText(r.AICriteria, true):
		es.add(FieldAICriteria, CodeBadText, "invalid.bad_text")
	case n > MaxAICriteriaRunes:
		es.add(FieldAICriteria, CodeTooLong, "invalid.ai_criteria_too_long", locale.Number(MaxAICriteriaRunes), locale.Number(n))
	case r.AIScreen && strings.TrimSpace(r.AICriteria) == "":
		es.add(FieldAICriteria, CodeRequired, "invalid.ai_criteria_required")
	}
}
