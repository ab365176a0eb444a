package rules

import (
	"math"
	"strings"

	"github.com/otklik/otklik/hh"
	"github.com/otklik/otklik/locale"
)

// VacancySalary is the salary to show for v: the newer salary_range when hh
// sends it, else the deprecated salary; nil when there is none.
func VacancySalary(v *hh.Vacancy) *hh.Salary {
	if v.SalaryRange != nil {
		return &v.SalaryRange.Salary
	}
	return v.Salary
}

// currencySigns are the signs people expect; other currencies show their code.
var currencySigns = map[string]string{
	"RUR": "₽", "RUB": "₽", "USD": "$", "EUR": "€", "KZT": "₸", "UAH": "₴",
}

// FormatSalary writes a salary fork the way hh's site does, in lang's words
// (locale.Salary: "от 150 000 до 200 000 ₽", "from 150,000 to 200,000 ₽"),
// one figure when both ends agree. Digits are grouped with plain spaces
// (commas in English) so the text reads the same in a letter, an e-mail and
// a CSV file. The currency is a sign for
// RUR, USD, EUR, KZT and UAH, the code otherwise. A nil or empty salary is "".
func FormatSalary(s *hh.Salary, lang string) string {
	if s == nil {
		return ""
	}
	from, to := salaryEnd(s.From), salaryEnd(s.To)
	if from == 0 && to == 0 {
		return ""
	}
	cur := strings.ToUpper(strings.TrimSpace(s.Currency))
	if sign, ok := currencySigns[cur]; ok {
		cur = sign
	}
	return locale.Salary(lang, from, to, cur)
}

func salaryEnd(f *float64) int64 {
	if f == nil || *f <= 0 || math.IsNaN(*f) || math.IsInf(*f, 0) || *f > 1e15 {
		return 0
	}
	return int64(math.Round(*f))
}
