package rules

import (
	"strings"
	"testing"
)

func TestExplainRefusal(t *testing.T) {
	for _, c := range []struct {
		reason, message, lang string
		want                  string
		retry                 bool
	}{
		{"hh_error", "hh: apply: 403 Forbidden: negotiations/resume_not_found (request_id 1)", "ru", "hh.ru не нашёл резюме", true},
		{"hh_error", "hh: apply: 403 Forbidden: negotiations/resume_not_found (request_id 1)", "en", "could not find the resume", true},
		{"hh_error", "hh: apply: 400 Bad Request: negotiations/inappropriate_language", "ru", "недопустимые слова", false},
		{"hh_error", `hh: apply: 400 Bad Request: "\"enable_applicant_visibility_in_country\" param required"`, "ru", "в вашей стране", true},
		{"vacancy_gone", "hh: apply: 403 Forbidden: negotiations/invalid_vacancy", "ru", "Вакансию удалили", false},
		{"hh_error", "hh: apply: 403 Forbidden: negotiations/something_new", "ru", "не объяснил понятно", true},
	} {
		got := ExplainRefusal(c.reason, c.message, c.lang)
		if !strings.Contains(got.Text, c.want) || got.Retry != c.retry {
			t.Errorf("ExplainRefusal(%q, %q) = %+v, want %q retry=%v", c.reason, c.message, got, c.want, c.retry)
		}
		if strings.Contains(got.Text, "hh: apply") {
			t.Errorf("raw hh text shown: %q", got.Text)
		}
	}
}
