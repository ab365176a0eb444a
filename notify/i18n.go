package notify

var words = map[string][2]string{ // key: {ru, en}
	"subject":        {"Otklik: итоги за %s — отправлено откликов: %d", "Otklik: your day %s — applications sent: %d"},
	"title":          {"Итоги дня", "Your day"},
	"applied":        {"Отправлено", "Sent"},
	"external":       {"На сайте работодателя", "On the employer's site"},
	"review":         {"Ждут вашей проверки", "Waiting for your review"},
	"skipped":        {"Пропущено", "Skipped"},
	"failed":         {"Не удалось", "Failed"},
	"queued":         {"В очереди", "Queued"},
	"warnings":       {"Требует внимания", "Needs your attention"},
	"nothing":        {"Сегодня ничего не произошло.", "Nothing happened today."},
	"open_review":    {"Открыть очередь на проверку", "Open the review queue"},
	"open_history":   {"Вся история", "Full history"},
	"skip_reasons":   {"Причины пропусков", "Why vacancies were skipped"},
	"footer":         {"Это письмо отправил Otklik. Время и язык писем меняются в настройках.", "Sent by Otklik. Change the time and language of this e-mail in your settings."},
	"counts":         {"Итого", "Totals"},
	"apply_external": {"откликнуться на сайте работодателя", "apply on the employer's site"},

	// Outcomes (issue 15).
	"invitations":        {"Новые приглашения", "New invitations"},
	"rejections":         {"Новые отказы", "New rejections"},
	"invitation_subject": {"Otklik: приглашение — %s, %s", "Otklik: an invitation — %s, %s"},
	"invitation_title":   {"Вас пригласили", "You are invited"},
	"invitation_body":    {"Работодатель %s пригласил вас по вакансии «%s».", "%s invited you about the vacancy “%s”."},
	"open_negotiation":   {"Открыть переписку на hh.ru", "Open the conversation on hh.ru"},
	"open_vacancy":       {"Вакансия", "The vacancy"},
	"invitation_footer":  {"Это письмо отправил Otklik, как только увидел приглашение.", "Sent by Otklik as soon as it saw the invitation."},
}

// translate returns the word for key in lang ("en" or Russian otherwise).
func translate(lang, key string) string {
	w, ok := words[key]
	if !ok {
		return key
	}
	if lang == "en" {
		return w[1]
	}
	return w[0]
}
