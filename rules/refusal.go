package rules

import "strings"

// Refusal is hh's refusal of an application told for a person, and whether
// sending it again can succeed.
type Refusal struct {
	Text  string
	Retry bool
}

type refusalText struct {
	ru, en string
	retry  bool // sending again may succeed (after the fix the text names)
}

// hhRefusals are hh's values for a refused POST /negotiations
// (negotiations/<value>, bad_argument, and the bare description hh sends
// about country visibility), matched in hh's words as the ledger keeps them.
var hhRefusals = []struct {
	match string
	refusalText
}{
	{"resume_not_found", refusalText{"hh.ru не нашёл резюме: оно скрыто, удалено или принадлежит другому аккаунту hh.ru. Опубликуйте его или выберите в правиле другое, затем повторите.",
		"hh.ru could not find the resume: it is hidden, deleted or belongs to another hh.ru account. Publish it or choose another in the rule, then retry.", true}},
	{"resume_visibility_conflict", refusalText{"Вакансия анонимная, а резюме видно только выбранным компаниям — так hh.ru не принимает. Измените видимость резюме на hh.ru и повторите.",
		"The vacancy is anonymous and the resume is visible to chosen companies only, which hh.ru does not accept. Change the resume's visibility on hh.ru and retry.", true}},
	{"enable_applicant_visibility_in_country", refusalText{"hh.ru просит разрешить показ резюме в вашей стране: включите это в настройках резюме на hh.ru и повторите.",
		"hh.ru asks you to allow showing your resume in your country: turn it on in the resume's settings on hh.ru and retry.", true}},
	{"inappropriate_language", refusalText{"hh.ru нашёл в отклике или письме недопустимые слова. Исправьте письмо в правиле.",
		"hh.ru found unacceptable words in the application or letter. Fix the letter in the rule.", false}},
	{"resource_policy_violation", refusalText{"hh.ru счёл отклик или письмо нарушающим правила сайта. Исправьте письмо в правиле.",
		"hh.ru considers the application or letter against its rules. Fix the letter in the rule.", false}},
	{"not_enough_purchased_services", refusalText{"hh.ru не даёт откликнуться на эту вакансию через приложение.",
		"hh.ru does not allow applying to this vacancy through an application.", false}},
	{"application_denied", refusalText{"hh.ru отказал без объяснения причин. Можно повторить позже или откликнуться на сайте hh.ru.",
		"hh.ru refused without saying why. You can retry later or apply on hh.ru's site.", true}},
	{"bad_argument", refusalText{"hh.ru не принял данные отклика (вакансию или резюме). Откройте вакансию на hh.ru: возможно, откликнуться можно только там.",
		"hh.ru did not accept the application's data (vacancy or resume). Open the vacancy on hh.ru: you may only be able to apply there.", false}},
}

var unknownRefusal = refusalText{"hh.ru не принял отклик и не объяснил понятно почему. Можно повторить: иногда hh.ru отказывает по ошибке.",
	"hh.ru did not accept the application and gave no clear reason. You can retry: hh.ru sometimes refuses by mistake.", true}

// ExplainRefusal tells a failed application's reason in lang, from hh's own
// words kept in message where they name the refusal. A vacancy that is gone
// cannot be retried; other refusals can where hh's answer says a retry can
// succeed, and an unrecognised one can (hh may have had a bad moment).
func ExplainRefusal(reason, message, lang string) Refusal {
	pick := func(t refusalText) Refusal {
		if lang == "en" {
			return Refusal{Text: t.en, Retry: t.retry}
		}
		return Refusal{Text: t.ru, Retry: t.retry}
	}
	if Reason(reason) == ReasonVacancyGone {
		return Refusal{Text: ReasonVacancyGone.Text(lang)}
	}
	for _, r := range hhRefusals {
		if strings.Contains(message, r.match) {
			return pick(r.refusalText)
		}
	}
	if reason != "" && Reason(reason) != ReasonHHError && Reason(reason).Known() {
		return Refusal{Text: Reason(reason).Text(lang), Retry: true}
	}
	return pick(unknownRefusal)
}
