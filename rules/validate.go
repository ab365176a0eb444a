package rules

import (
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/otklik/otklik/locale"
)

// Form field names (docs/ARCHITECTURE.md, "Contracts"); FieldError.Field is one
// of them.
const (
	FieldName               = "name"
	FieldResumeID           = "resume_id"
	FieldText               = "text"
	FieldArea               = "area"
	FieldSalary             = "salary"
	FieldCurrency           = "currency"
	FieldOnlyWithSalary     = "only_with_salary"
	FieldExperience         = "experience"
	FieldEmployment         = "employment"
	FieldSchedule           = "schedule"
	FieldProfessionalRole   = "professional_role"
	FieldExcludedEmployerID = "excluded_employer_id"
	FieldExcludeWords       = "exclude_words"
	FieldMode               = "mode"
	FieldLetterTemplate     = "letter_template"
	FieldDailyLimit         = "daily_limit"
	FieldEveryHours         = "every_hours"
	FieldActiveFrom         = "active_from"
	FieldActiveTo           = "active_to"
	FieldEnabled            = "enabled"
)

// Validation codes (FieldError.Code), besides the template codes
// (CodeUnknownPlaceholder, CodeUnclosedBrace, CodeStrayBrace, CodeTooLong).
const (
	CodeRequired     = "required"
	CodeTooMany      = "too_many"
	CodeUnknown      = "unknown"
	CodeOutOfRange   = "out_of_range"
	CodeInvalid      = "invalid"
	CodeNotPublished = "not_published"
)

// Validate checks every field of the rule against the limits above and the
// catalog, and returns one error per faulty field: text that is not text
// and values past their bounds (bounds.go) first, then the rest in form order.
// ActiveFrom equal to ActiveTo is valid and means round the clock.
func (r *Rule) Validate(c Catalog) Errors {
	var es Errors
	es.checkBounds(r)

	switch name := strings.TrimSpace(r.Name); {
	case name == "":
		es.add(FieldName, CodeRequired, "invalid.name_required")
	case utf8.RuneCountInString(name) > MaxNameRunes:
		es.add(FieldName, CodeTooLong, "invalid.name_too_long", MaxNameRunes)
	}

	switch {
	case strings.TrimSpace(r.ResumeID) == "":
		es.add(FieldResumeID, CodeRequired, "invalid.resume_required")
	case c.Resumes != nil && !c.Resumes.Has(r.ResumeID):
		es.add(FieldResumeID, CodeNotPublished, "invalid.resume_not_published")
	}

	if utf8.RuneCountInString(r.Text) > MaxTextRunes {
		es.add(FieldText, CodeTooLong, "invalid.text_too_long", locale.Number(MaxTextRunes))
	}

	es.checkList(FieldArea, r.Areas, c.Areas, "invalid.area_unknown")

	switch {
	case r.Salary < 0:
		es.add(FieldSalary, CodeOutOfRange, "invalid.salary_negative")
	case r.Salary > MaxSalary:
		es.add(FieldSalary, CodeOutOfRange, "invalid.salary_too_big", locale.Number(MaxSalary))
	}

	switch cur := strings.TrimSpace(r.Currency); {
	case cur == "" && r.Salary > 0:
		es.add(FieldCurrency, CodeRequired, "invalid.currency_required")
	case cur != "" && c.Currencies != nil && !c.Currencies.Has(cur):
		es.add(FieldCurrency, CodeUnknown, "invalid.currency_unknown", clip(cur))
	}

	es.checkList(FieldExperience, r.Experience, c.Experience, "invalid.experience_unknown")
	es.checkList(FieldEmployment, r.Employment, c.Employment, "invalid.employment_unknown")
	es.checkList(FieldSchedule, r.Schedule, c.Schedule, "invalid.schedule_unknown")
	es.checkList(FieldProfessionalRole, r.ProfessionalRoles, c.ProfessionalRoles, "invalid.professional_role_unknown")

	es.checkList(FieldExcludedEmployerID, r.ExcludedEmployerIDs, nil, "")
	for _, id := range r.ExcludedEmployerIDs {
		if id = strings.TrimSpace(id); id != "" && !isDigits(id) {
			es.add(FieldExcludedEmployerID, CodeInvalid, "invalid.employer_id", locale.Quoted(clip(id)))
		}
	}

	if len(r.ExcludeWords) > MaxExcludeWords {
		es.add(FieldExcludeWords, CodeTooMany, "invalid.exclude_words_too_many", MaxExcludeWords, len(r.ExcludeWords))
	}
	for _, w := range r.ExcludeWords {
		if utf8.RuneCountInString(w) > MaxExcludeWordRunes {
			es.add(FieldExcludeWords, CodeTooLong, "invalid.exclude_word_too_long", locale.Quoted(clip(w)), MaxExcludeWordRunes)
		}
	}

	if !r.Mode.Valid() {
		es.add(FieldMode, CodeInvalid, "invalid.mode")
	}

	if _, err := ParseTemplate(r.LetterTemplate); err != nil {
		var te *TemplateError
		if errors.As(err, &te) {
			es.add(FieldLetterTemplate, te.Code, te.Key, te.Args...)
		}
	}

	if r.DailyLimit < MinDailyLimit || r.DailyLimit > MaxDailyLimit {
		es.add(FieldDailyLimit, CodeOutOfRange, "invalid.daily_limit", MinDailyLimit, MaxDailyLimit)
	}
	if r.EveryHours < MinEveryHours || r.EveryHours > MaxEveryHours {
		es.add(FieldEveryHours, CodeOutOfRange, "invalid.every_hours", MinEveryHours, MaxEveryHours)
	}
	for _, f := range []struct{ field, value string }{{FieldActiveFrom, r.ActiveFrom}, {FieldActiveTo, r.ActiveTo}} {
		if _, ok := ParseClock(f.value); !ok {
			es.add(f.field, CodeInvalid, "invalid.clock")
		}
	}
	return es
}

// checkList checks a repeatable field: at most MaxListValues values, each
// known to the catalog set when there is one (unknownKey: the words for a
// value it does not know).
func (es *Errors) checkList(field string, values []string, known Set, unknownKey string) {
	if len(values) > MaxListValues {
		es.add(field, CodeTooMany, "invalid.too_many_values", MaxListValues)
		return
	}
	if known == nil {
		return
	}
	for _, v := range values {
		if v = strings.TrimSpace(v); v != "" && !known.Has(v) {
			es.add(field, CodeUnknown, unknownKey, clip(v))
			return
		}
	}
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// clip shortens a value quoted in a message.
func clip(s string) string { return fragment(s, 0, 40) }
