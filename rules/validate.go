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
// and values past their bounds (bounds.go) first, then the rest in form order,
// a check per part of the form.
// ActiveFrom equal to ActiveTo is valid and means round the clock.
func (r *Rule) Validate(c Catalog) Errors {
	var es Errors
	es.checkBounds(r)
	es.checkName(r.Name)
	es.checkResume(r.ResumeID, c.Resumes)
	es.checkSearch(r, c)
	es.checkSkips(r)
	es.checkReply(r)
	es.checkTiming(r)
	es.checkAI(r)
	return es
}

// checkName: the rule has a name, not too long.
func (es *Errors) checkName(name string) {
	switch name = strings.TrimSpace(name); {
	case name == "":
		es.add(FieldName, CodeRequired, "invalid.name_required")
	case utf8.RuneCountInString(name) > MaxNameRunes:
		es.add(FieldName, CodeTooLong, "invalid.name_too_long", MaxNameRunes)
	}
}

// checkResume: a resume is chosen and, when the person's published resumes
// are known, it is one of them.
func (es *Errors) checkResume(id string, published Set) {
	switch {
	case strings.TrimSpace(id) == "":
		es.add(FieldResumeID, CodeRequired, "invalid.resume_required")
	case published != nil && !published.Has(id):
		es.add(FieldResumeID, CodeNotPublished, "invalid.resume_not_published")
	}
}

// checkSearch: what goes to hh's search (the form's «Что искать»): the text,
// the salary and each filter, every value known to the catalog.
func (es *Errors) checkSearch(r *Rule, c Catalog) {
	if utf8.RuneCountInString(r.Text) > MaxTextRunes {
		es.add(FieldText, CodeTooLong, "invalid.text_too_long", locale.Number(MaxTextRunes))
	}
	es.checkList(FieldArea, r.Areas, c.Areas, "invalid.area_unknown")
	es.checkSalary(r.Salary, r.Currency, c.Currencies)
	es.checkList(FieldExperience, r.Experience, c.Experience, "invalid.experience_unknown")
	es.checkList(FieldEmployment, r.Employment, c.Employment, "invalid.employment_unknown")
	es.checkList(FieldSchedule, r.Schedule, c.Schedule, "invalid.schedule_unknown")
	es.checkList(FieldProfessionalRole, r.ProfessionalRoles, c.ProfessionalRoles, "invalid.professional_role_unknown")
}

// checkSalary: a salary from 0 to MaxSalary, and a known currency when there
// is a salary.
func (es *Errors) checkSalary(salary int, currency string, known Set) {
	switch {
	case salary < 0:
		es.add(FieldSalary, CodeOutOfRange, "invalid.salary_negative")
	case salary > MaxSalary:
		es.add(FieldSalary, CodeOutOfRange, "invalid.salary_too_big", locale.Number(MaxSalary))
	}
	switch cur := strings.TrimSpace(currency); {
	case cur == "" && salary > 0:
		es.add(FieldCurrency, CodeRequired, "invalid.currency_required")
	case cur != "" && known != nil && !known.Has(cur):
		es.add(FieldCurrency, CodeUnknown, "invalid.currency_unknown", clip(cur))
	}
}

// checkSkips: what the rule skips (the form's «Что пропускать»): employer
// ids that are numbers, and not too many or too long exclude words.
func (es *Errors) checkSkips(r *Rule) {
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
}

// checkReply: how the rule applies (the form's «Как откликаться»): a known
// mode and a letter template that parses.
func (es *Errors) checkReply(r *Rule) {
	if !r.Mode.Valid() {
		es.add(FieldMode, CodeInvalid, "invalid.mode")
	}
	if _, err := ParseTemplate(r.LetterTemplate); err != nil {
		var te *TemplateError
		if errors.As(err, &te) {
			es.add(FieldLetterTemplate, te.Code, te.Key, te.Args...)
		}
	}
}

// checkTiming: when the rule runs (the form's «Когда»): the daily limit and
// the interval within bounds, the active hours as HH:MM.
func (es *Errors) checkTiming(r *Rule) {
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
