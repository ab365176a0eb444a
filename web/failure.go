package web

import (
	"strings"

	"github.com/otklik/otklik/rules"
)

// failure is hh's refusal of an application told in the person's language,
// and whether sending it again can succeed.
type failure struct {
	Text  string
	Retry bool
}

// hhRefusal is what one of hh's refusal values means for the person.
type hhRefusal struct {
	ru, en string
	retry  bool // sending again may succeed (after the fix the text names)
}

// hhRefusals are hh's values for a refused POST /negotiations
// (negotiations/<value>, bad_argument, and the bare description hh sends
// for country visibility), as hh's words stored in the ledger carry them.
var hhRefusals = []struct {
	match string
	hhRefusal
}{
	{"resume_not_found", hhRefusal{"hh.ru не нашёл резюме: оно скрыто, удалено или принадлежит другому аккаунту hh.ru. Опубликуйте его или выберите в правиле другое, затем повторите.",
		"hh.ru could not find the resume: it is hidden, deleted or belongs to another hh.ru account. Publish it or choose another in the rule, then retry.", true}},
	{"resume_visibility_conflict", hhRefusal{"Вакансия анонимная, а резюме видно только выбранным компаниям — так hh.ru не принимает. Измените видимость резюме на hh.ru и повторите.",
		"The vacancy is anonymous and the resume is visible to chosen companies only, which hh.ru does not accept. Change the resume's visibility on hh.ru and retry.", true}},
	{"enable_applicant_visibility_in_country", hhRefusal{"hh.ru просит разрешить показ резюме в вашей стране: включите это в настройках резюме на hh.ru и повторите.",
		"hh.ru asks you to allow showing your resume in your country: turn it on in the resume's settings on hh.ru and retry.", true}},
	{"inappropriate_language", hhRefusal{"hh.ru нашёл в отклике или письме недопустимые слова. Исправьте письмо в правиле.",
		"hh.ru found unacceptable words in the application or letter. Fix the letter in the rule.", false}},
	{"resource_policy_violation", hhRefusal{"hh.ru счёл отклик или письмо нарушающим правила сайта. Исправьте письмо в правиле.",
		"hh.ru considers the application or letter against its rules. Fix the letter in the rule.", false}},
	{"not_enough_purchased_services", hhRefusal{"hh.ru не даёт откликнуться на эту вакансию через приложение.",
		"hh.ru does not allow applying to this vacancy through an application.", false}},
	{"application_denied", hhRefusal{"hh.ru отказал без объяснения причин. Можно повторить позже или откликнуться на сайте hh.ru.",
		"hh.ru refused without saying why. You can retry later or apply on hh.ru's site.", true}},
	{"bad_argument", hhRefusal{"hh.ru не принял данные отклика (вакансию или резюме). Откройте вакансию на hh.ru: возможно, откликнуться можно только там.",
		"hh.ru did not accept the application's data (vacancy or resume). Open the vacancy on hh.ru: you may only be able to apply there.", false}},
}

// explainFailure tells a failed row's reason in lang, from hh's own words
// kept in message where they name the refusal. Rows whose vacancy is gone
// cannot be retried; other refusals can where hh's answer says a retry can
// succeed, and an unrecognised refusal can (hh may have had a bad moment).
func explainFailure(reason, message, lang string) failure {
	if rules.Reason(reason) == rules.ReasonVacancyGone {
		return failure{Text: rules.ReasonVacancyGone.Text(lang)}
	}
	for _, r := range hhRefusals {
		if strings.Contains(message, r.match) {
			t := r.ru
			if lang == "en" {
				t = r.en
			}
			return failure{Text: t, Retry: r.retry}
		}
	}
	text := translate(lang, "failure.unknown")
	if reason != "" && rules.Reason(reason) != rules.ReasonHHError {
		text = rules.Reason(reason).Text(lang)
	}
	return failure{Text: text, Retry: true}
}
