package rules

import (
	"testing"

	"github.com/otklik/otklik/hh"
)

// BenchmarkDecide decides a page's worth of typical vacancies with a rule
// that has exclude words and excluded employers, as a run does.
func BenchmarkDecide(b *testing.B) {
	from := 200000.0
	base := vacancy()
	base.Salary = &hh.Salary{From: &from, Currency: "RUR"}
	page := make([]hh.Vacancy, 100)
	for i := range page {
		v := base
		v.Name = []string{"Go-разработчик", "Ведущий backend-разработчик (удалённо)", "Senior Golang Engineer", "Программист 1С", "Разработчик Go / Python"}[i%5]
		v.ResponseLetterRequired = i%3 == 0
		v.HasTest = i%17 == 0
		if i%11 == 0 {
			v.Relations = []string{hh.RelationGotResponse}
		}
		page[i] = v
	}
	r := rule()
	r.Mode = ModeAuto
	r.ExcludeWords = []string{"1С", "стажёр", "senior lead", "php", "java", "тимлид"}
	r.ExcludedEmployerIDs = []string{"1", "2", "3", "4"}
	in := DecideInput{BlacklistedEmployers: map[string]struct{}{"9": {}, "10": {}}}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		Decide(&page[i%len(page)], &r, in)
	}
}

// BenchmarkRenderLetter renders a realistic letter from a parsed template.
func BenchmarkRenderLetter(b *testing.B) {
	p, err := ParseTemplate(`Здравствуйте!

Меня заинтересовала вакансия «{vacancy}» в компании {company} ({area}, {salary}).
Последние пять лет я пишу сервисы на Go: высоконагруженные API, очереди задач, интеграции
с внешними системами. Подробнее — в резюме «{resume}».

Буду рад рассказать о своём опыте на собеседовании.

С уважением,
{first_name} {last_name}
{{ссылка на вакансию: {vacancy_url}}}`)
	if err != nil {
		b.Fatal(err)
	}
	from, to := 250000.0, 350000.0
	v := vacancy()
	v.Name = "<highlighttext>Go</highlighttext>-разработчик"
	v.Salary = &hh.Salary{From: &from, To: &to, Currency: "RUR"}
	d := LetterDataFor(&v, "Анна", "Петрова", "Backend-разработчик")
	d.Vacancy = v.Name // as if the caller passed hh's text through
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.Render(d); err != nil {
			b.Fatal(err)
		}
	}
}
