package rules

import (
	"math"
	"strconv"
	"strings"

	"github.com/otklik/otklik/hh"
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

// FormatSalary writes a salary fork the way hh's site does: in Russian
// "от 150 000 до 200 000 ₽", "от 150 000 ₽", "до 200 000 ₽", or one figure
// when both ends agree; in English (lang "en") "from 150,000 to 200,000 ₽".
// Digits are grouped with plain spaces (commas in English) so the text reads
// the same in a letter, an e-mail and a CSV file. The currency is a sign for
// RUR, USD, EUR, KZT and UAH, the code otherwise. A nil or empty salary is "".
func FormatSalary(s *hh.Salary, lang string) string {
	if s == nil {
		return ""
	}
	from, to := salaryEnd(s.From), salaryEnd(s.To)
	if from == 0 && to == 0 {
		return ""
	}
	sep, fromWord, toWord, upToWord := byte(' '), "от ", " до ", "до "
	if lang == "en" {
		sep, fromWord, toWord, upToWord = ',', "from ", " to ", "up to "
	}
	var b strings.Builder
	switch {
	case from > 0 && to > 0 && from == to:
		b.WriteString(groupDigits(from, sep))
	case from > 0 && to > 0:
		b.WriteString(fromWord + groupDigits(from, sep) + toWord + groupDigits(to, sep))
	case from > 0:
		b.WriteString(fromWord + groupDigits(from, sep))
	default:
		b.WriteString(upToWord + groupDigits(to, sep))
	}
	cur := strings.ToUpper(strings.TrimSpace(s.Currency))
	if sign, ok := currencySigns[cur]; ok {
		cur = sign
	}
	if cur != "" {
		b.WriteString(" " + cur)
	}
	return b.String()
}

func salaryEnd(f *float64) int64 {
	if f == nil || *f <= 0 || math.IsNaN(*f) || math.IsInf(*f, 0) || *f > 1e15 {
		return 0
	}
	return int64(math.Round(*f))
}

// groupDigits writes n with its digits in groups of three: 150 000.
func groupDigits(n int64, sep byte) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	if len(s) <= 3 {
		if neg {
			return "-" + s
		}
		return s
	}
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	head := len(s) % 3
	if head > 0 {
		b.WriteString(s[:head])
	}
	for i := head; i < len(s); i += 3 {
		if i > 0 {
			b.WriteByte(sep)
		}
		b.WriteString(s[i : i+3])
	}
	return b.String()
}
