package rules

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
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
		es.add(FieldName, CodeRequired, "Дайте правилу название.", "Give the rule a name.")
	case utf8.RuneCountInString(name) > MaxNameRunes:
		es.add(FieldName, CodeTooLong,
			fmt.Sprintf("Название не длиннее %d символов.", MaxNameRunes),
			fmt.Sprintf("The name may be at most %d characters long.", MaxNameRunes))
	}

	switch {
	case strings.TrimSpace(r.ResumeID) == "":
		es.add(FieldResumeID, CodeRequired, "Выберите резюме, с которым откликаться.", "Choose the resume to apply with.")
	case c.Resumes != nil && !c.Resumes.Has(r.ResumeID):
		es.add(FieldResumeID, CodeNotPublished,
			"Этого резюме нет среди ваших опубликованных на hh.ru. Выберите другое или опубликуйте его.",
			"This resume is not among your published resumes on hh.ru. Choose another or publish it.")
	}

	if utf8.RuneCountInString(r.Text) > MaxTextRunes {
		es.add(FieldText, CodeTooLong,
			fmt.Sprintf("Поисковый запрос не длиннее %s символов.", groupDigits(MaxTextRunes, ' ')),
			fmt.Sprintf("The search text may be at most %s characters long.", groupDigits(MaxTextRunes, ',')))
	}

	es.checkList(FieldArea, r.Areas, c.Areas, "Неизвестный регион", "Unknown region")

	switch {
	case r.Salary < 0:
		es.add(FieldSalary, CodeOutOfRange, "Зарплата не может быть отрицательной.", "The salary cannot be negative.")
	case r.Salary > MaxSalary:
		es.add(FieldSalary, CodeOutOfRange,
			fmt.Sprintf("Зарплата не больше %s.", groupDigits(MaxSalary, ' ')),
			fmt.Sprintf("The salary may be at most %s.", groupDigits(MaxSalary, ',')))
	}

	switch cur := strings.TrimSpace(r.Currency); {
	case cur == "" && r.Salary > 0:
		es.add(FieldCurrency, CodeRequired, "Укажите валюту зарплаты.", "Choose the salary's currency.")
	case cur != "" && c.Currencies != nil && !c.Currencies.Has(cur):
		es.add(FieldCurrency, CodeUnknown,
			fmt.Sprintf("Неизвестная валюта: %s.", clip(cur)),
			fmt.Sprintf("Unknown currency: %s.", clip(cur)))
	}

	es.checkList(FieldExperience, r.Experience, c.Experience, "Неизвестный опыт работы", "Unknown experience")
	es.checkList(FieldEmployment, r.Employment, c.Employment, "Неизвестный тип занятости", "Unknown employment type")
	es.checkList(FieldSchedule, r.Schedule, c.Schedule, "Неизвестный график работы", "Unknown schedule")
	es.checkList(FieldProfessionalRole, r.ProfessionalRoles, c.ProfessionalRoles, "Неизвестная профессиональная роль", "Unknown professional role")

	es.checkList(FieldExcludedEmployerID, r.ExcludedEmployerIDs, nil, "", "")
	for _, id := range r.ExcludedEmployerIDs {
		if id = strings.TrimSpace(id); id != "" && !isDigits(id) {
			es.add(FieldExcludedEmployerID, CodeInvalid,
				fmt.Sprintf("«%s» — не код работодателя. Код — это число из адреса его страницы: hh.ru/employer/1455.", clip(id)),
				fmt.Sprintf("%q is not an employer id. The id is the number in the employer's page address: hh.ru/employer/1455.", clip(id)))
		}
	}

	if len(r.ExcludeWords) > MaxExcludeWords {
		es.add(FieldExcludeWords, CodeTooMany,
			fmt.Sprintf("Не больше %d слов-исключений (сейчас %d).", MaxExcludeWords, len(r.ExcludeWords)),
			fmt.Sprintf("At most %d excluded words (there are %d).", MaxExcludeWords, len(r.ExcludeWords)))
	}
	for _, w := range r.ExcludeWords {
		if utf8.RuneCountInString(w) > MaxExcludeWordRunes {
			es.add(FieldExcludeWords, CodeTooLong,
				fmt.Sprintf("Слово-исключение «%s» длиннее %d символов.", clip(w), MaxExcludeWordRunes),
				fmt.Sprintf("The excluded word %q is longer than %d characters.", clip(w), MaxExcludeWordRunes))
		}
	}

	if !r.Mode.Valid() {
		es.add(FieldMode, CodeInvalid,
			"Выберите режим: «письма на проверку», «автоматически» или «всё на проверку».",
			"Choose a mode: letters, auto or review.")
	}

	if _, err := ParseTemplate(r.LetterTemplate); err != nil {
		var te *TemplateError
		if errors.As(err, &te) {
			es.add(FieldLetterTemplate, te.Code, te.RU, te.EN)
		}
	}

	if r.DailyLimit < MinDailyLimit || r.DailyLimit > MaxDailyLimit {
		es.add(FieldDailyLimit, CodeOutOfRange,
			fmt.Sprintf("Лимит откликов в день — от %d до %d (больше hh.ru не позволяет).", MinDailyLimit, MaxDailyLimit),
			fmt.Sprintf("The daily limit is %d to %d applications (hh.ru allows no more).", MinDailyLimit, MaxDailyLimit))
	}
	if r.EveryHours < MinEveryHours || r.EveryHours > MaxEveryHours {
		es.add(FieldEveryHours, CodeOutOfRange,
			fmt.Sprintf("Запускать можно раз в %d–%d часа.", MinEveryHours, MaxEveryHours),
			fmt.Sprintf("Runs can be every %d to %d hours.", MinEveryHours, MaxEveryHours))
	}
	for _, f := range []struct{ field, value string }{{FieldActiveFrom, r.ActiveFrom}, {FieldActiveTo, r.ActiveTo}} {
		if _, ok := ParseClock(f.value); !ok {
			es.add(f.field, CodeInvalid,
				"Укажите время как ЧЧ:ММ, например 09:00.",
				"Enter a time as HH:MM, for example 09:00.")
		}
	}
	return es
}

// checkList checks a repeatable field: at most MaxListValues values, each
// known to the catalog set when there is one.
func (es *Errors) checkList(field string, values []string, known Set, ru, en string) {
	if len(values) > MaxListValues {
		es.add(field, CodeTooMany,
			fmt.Sprintf("Слишком много значений: не больше %d.", MaxListValues),
			fmt.Sprintf("Too many values: at most %d.", MaxListValues))
		return
	}
	if known == nil {
		return
	}
	for _, v := range values {
		if v = strings.TrimSpace(v); v != "" && !known.Has(v) {
			es.add(field, CodeUnknown, fmt.Sprintf("%s: %s.", ru, clip(v)), fmt.Sprintf("%s: %s.", en, clip(v)))
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
