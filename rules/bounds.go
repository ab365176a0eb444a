package rules

import (
	"unicode"
	"unicode/utf8"

	"github.com/otklik/otklik/locale"
)

// Bounds on what a rule may hold besides the per-field limits in rule.go:
// everything in a rule is stored and much of it goes to hh in a query
// string, so no part of it may be arbitrarily long or carry bytes that are
// not text.
const (
	// MaxIDBytes bounds each value of a repeatable filter (area, role,
	// employer... ids are short words or numbers).
	MaxIDBytes = 32
	// MaxResumeIDBytes bounds the resume id (hh's are 38 hex digits).
	MaxResumeIDBytes = 64
	// MaxCurrencyBytes bounds the currency code (RUR, USD...).
	MaxCurrencyBytes = 8
	// MaxRuleBytes bounds the whole rule as stored.
	MaxRuleBytes = 64 << 10
	// MaxRulesPerUser is how many rules one person may have.
	MaxRulesPerUser = 50
)

// CodeBadText: a value that is not valid UTF-8 or holds control
// characters.
const CodeBadText = "bad_text"

// ValidText reports whether s is valid UTF-8 without control characters;
// with lineBreaks, line feeds and tabs are allowed (a letter).
func ValidText(s string, lineBreaks bool) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if lineBreaks && (r == '\n' || r == '\t') {
			continue
		}
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return false
		}
	}
	return true
}

// checkBounds adds the errors of text that is not text, values too long
// and a rule too large. It runs first, so these are what a field shows.
func (es *Errors) checkBounds(r *Rule) {
	badText := func(field string) {
		es.add(field, CodeBadText, "invalid.bad_text")
	}
	single := []struct {
		field, value string
	}{
		{FieldName, r.Name}, {FieldResumeID, r.ResumeID}, {FieldText, r.Text}, {FieldCurrency, r.Currency},
		{FieldActiveFrom, r.ActiveFrom}, {FieldActiveTo, r.ActiveTo}, {FieldMode, string(r.Mode)},
	}
	for _, f := range single {
		if !ValidText(f.value, false) {
			badText(f.field)
		}
	}
	if !ValidText(r.LetterTemplate, true) {
		badText(FieldLetterTemplate)
	}
	for _, w := range r.ExcludeWords {
		if !ValidText(w, false) {
			badText(FieldExcludeWords)
		}
	}
	lists := []struct {
		field  string
		values []string
	}{
		{FieldArea, r.Areas}, {FieldExperience, r.Experience}, {FieldEmployment, r.Employment},
		{FieldSchedule, r.Schedule}, {FieldProfessionalRole, r.ProfessionalRoles},
		{FieldExcludedEmployerID, r.ExcludedEmployerIDs},
	}
	for _, l := range lists {
		for _, v := range l.values {
			switch {
			case !ValidText(v, false):
				badText(l.field)
			case len(v) > MaxIDBytes:
				es.add(l.field, CodeTooLong, "invalid.value_too_long", locale.Quoted(clip(v)+"…"), MaxIDBytes)
			}
		}
	}
	if len(r.ResumeID) > MaxResumeIDBytes {
		es.add(FieldResumeID, CodeTooLong, "invalid.resume_id_too_long")
	}
	if len(r.Currency) > MaxCurrencyBytes {
		es.add(FieldCurrency, CodeTooLong, "invalid.currency_too_long")
	}

	// The whole rule: named by its largest field, the one to shorten.
	sizes := map[string]int{
		FieldName: len(r.Name), FieldResumeID: len(r.ResumeID), FieldText: len(r.Text),
		FieldCurrency: len(r.Currency), FieldLetterTemplate: len(r.LetterTemplate),
	}
	for _, w := range r.ExcludeWords {
		sizes[FieldExcludeWords] += len(w) + 1
	}
	for _, l := range lists {
		for _, v := range l.values {
			sizes[l.field] += len(v) + 1
		}
	}
	total, largest := 0, FieldName
	for _, field := range []string{FieldName, FieldResumeID, FieldText, FieldArea, FieldCurrency, FieldExperience,
		FieldEmployment, FieldSchedule, FieldProfessionalRole, FieldExcludedEmployerID, FieldExcludeWords, FieldLetterTemplate} {
		total += sizes[field]
		if sizes[field] > sizes[largest] {
			largest = field
		}
	}
	if total > MaxRuleBytes {
		es.add(largest, CodeTooLong, "invalid.rule_too_large", locale.Number(total>>10), MaxRuleBytes>>10)
	}
}

// ValidEmployerID reports whether id can be an hh employer id: digits, at
// most MaxIDBytes of them.
func ValidEmployerID(id string) bool {
	return id != "" && len(id) <= MaxIDBytes && isDigits(id)
}
