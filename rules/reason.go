package rules

// Reason is a stable code saying why a vacancy was skipped, held for review
// or failed. Codes are stored in the ledger and shown in the CSV export, so
// they never change; the words around them (Text) may.
type Reason string

// Reasons Decide gives, in the order Decide checks them (see Decide).
const (
	// Skips.
	ReasonAlreadyDecided   Reason = "already_decided"   // in the ledger for this resume
	ReasonArchived         Reason = "archived"          // the vacancy is in hh's archive
	ReasonBlacklisted      Reason = "blacklisted"       // the person hid the vacancy on hh
	ReasonGotInvitation    Reason = "got_invitation"    // an invitation exists
	ReasonGotRejection     Reason = "got_rejection"     // the employer declined
	ReasonGotResponse      Reason = "got_response"      // the person has applied already
	ReasonEmployerExcluded Reason = "employer_excluded" // excluded in the rule or blacklisted
	ReasonExcludedWord     Reason = "excluded_word"     // the title has an exclude word

	// Held for review.
	ReasonDirect         Reason = "direct"          // apply on the employer's own site
	ReasonTestRequired   Reason = "test_required"   // a test on hh comes first
	ReasonLetterRequired Reason = "letter_required" // the employer asked for a letter
	ReasonModeReview     Reason = "mode_review"     // the rule holds everything
)

// Reasons the worker and the review queue record for outcomes.
const (
	ReasonLimitExceeded  Reason = "limit_exceeded"  // hh's 200-a-day limit or ours
	ReasonCaptcha        Reason = "captcha"         // hh demands a captcha
	ReasonVacancyGone    Reason = "vacancy_gone"    // removed, hidden or archived since
	ReasonLetterTooLong  Reason = "letter_too_long" // the rendered letter is over 10000
	ReasonHHError        Reason = "hh_error"        // hh refused; its words are kept
	ReasonDismissed      Reason = "dismissed"       // the person dismissed the review item
	ReasonAlreadyApplied Reason = "already_applied" // hh says a response exists
	ReasonReconnect      Reason = "reconnect"       // hh no longer takes the account's token
)

// Reasons for rows that wait on access or on the person (issue 12).
const (
	ReasonNotConnected Reason = "not_connected"   // no hh account is connected
	ReasonResumeGone   Reason = "resume_gone"     // the resume is not the connected person's
	ReasonDoneOnSite   Reason = "applied_on_site" // the person applied on the employer's site

	ReasonExcludedWordDescription Reason = "excluded_word_description" // the description has an exclude word

	// Outcomes (issue 15).
	ReasonEmployerDiscarded Reason = "employer_discarded" // the employer discarded this person lately
)

type reasonText struct{ ru, en string }

var reasonTexts = map[Reason]reasonText{
	ReasonAlreadyDecided:   {"Эта вакансия уже была разобрана для этого резюме", "Already handled for this resume"},
	ReasonArchived:         {"Вакансия в архиве", "The vacancy is archived"},
	ReasonBlacklisted:      {"Вы скрыли эту вакансию на hh.ru", "You hid this vacancy on hh.ru"},
	ReasonGotInvitation:    {"По этой вакансии вас уже пригласили", "You already have an invitation for this vacancy"},
	ReasonGotRejection:     {"По этой вакансии вам уже ответили отказом", "The employer has already declined you for this vacancy"},
	ReasonGotResponse:      {"Вы уже откликались на эту вакансию", "You have already applied to this vacancy"},
	ReasonEmployerExcluded: {"Этот работодатель в ваших исключениях", "This employer is on your exclusion list"},
	ReasonExcludedWord:     {"В названии вакансии есть слово из ваших исключений", "The vacancy title contains one of your excluded words"},
	ReasonDirect:           {"Отклик только на сайте работодателя", "Apply on the employer's own site"},
	ReasonTestRequired:     {"Работодатель просит пройти тест на hh.ru", "The employer asks you to take a test on hh.ru"},
	ReasonLetterRequired:   {"Работодатель просит сопроводительное письмо", "The employer asks for a cover letter"},
	ReasonModeReview:       {"Правило отдаёт все вакансии вам на проверку", "The rule holds every vacancy for you to review"},
	ReasonLimitExceeded:    {"Исчерпан дневной лимит откликов hh.ru, отправим позже", "hh.ru's daily application limit is reached; we will send it later"},
	ReasonCaptcha:          {"hh.ru просит пройти капчу", "hh.ru asks you to solve a captcha"},
	ReasonVacancyGone:      {"Вакансию удалили, скрыли или отправили в архив", "The vacancy was removed, hidden or archived"},
	ReasonLetterTooLong:    {"Письмо длиннее 10 000 символов — сократите его", "The letter is longer than 10,000 characters: shorten it"},
	ReasonHHError:          {"hh.ru не принял отклик", "hh.ru did not accept the application"},
	ReasonDismissed:        {"Вы убрали вакансию из очереди", "You dismissed this vacancy"},
	ReasonAlreadyApplied:   {"Отклик на эту вакансию уже есть на hh.ru", "hh.ru already has your application to this vacancy"},
	ReasonReconnect:        {"hh.ru больше не принимает доступ Otklik — подключите аккаунт заново, и отклик уйдёт", "hh.ru no longer accepts Otklik's access: connect your account again and it will be sent"},

	ReasonNotConnected: {"hh.ru не подключён — отклик уйдёт, когда вы подключите hh.ru", "hh.ru is not connected: it will be sent once you connect hh.ru"},
	ReasonResumeGone:   {"Резюме нет у подключённого аккаунта hh.ru — выберите резюме в правиле или подключите прежний аккаунт", "The resume is not in the connected hh.ru account: choose a resume in the rule or connect the previous account"},
	ReasonDoneOnSite:   {"Вы откликнулись на сайте работодателя", "You applied on the employer's site"},

	ReasonExcludedWordDescription: {"В описании вакансии есть слово из ваших исключений", "The vacancy description contains one of your excluded words"},

	ReasonEmployerDiscarded: {"Этот работодатель отказал вам за последние 90 дней", "This employer turned you down in the last 90 days"},
}

// Text is the reason in words for a person: English when lang is "en",
// Russian otherwise. An unknown code is returned as it is.
func (r Reason) Text(lang string) string {
	t, ok := reasonTexts[r]
	switch {
	case !ok:
		return string(r)
	case lang == "en":
		return t.en
	default:
		return t.ru
	}
}

// Known reports whether r is one of the codes above.
func (r Reason) Known() bool {
	_, ok := reasonTexts[r]
	return ok
}

// AllReasons lists every reason code, Decide's in check order first, for
// summaries that group by reason and for tests.
func AllReasons() []Reason {
	return []Reason{
		ReasonAlreadyDecided, ReasonArchived, ReasonBlacklisted, ReasonGotInvitation,
		ReasonGotRejection, ReasonGotResponse, ReasonEmployerExcluded, ReasonExcludedWord,
		ReasonDirect, ReasonTestRequired, ReasonLetterRequired, ReasonModeReview,
		ReasonLimitExceeded, ReasonCaptcha, ReasonVacancyGone, ReasonLetterTooLong,
		ReasonHHError, ReasonDismissed, ReasonAlreadyApplied, ReasonReconnect,
		ReasonNotConnected, ReasonResumeGone, ReasonDoneOnSite, ReasonExcludedWordDescription,
		ReasonEmployerDiscarded,
	}
}
