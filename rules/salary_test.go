package rules

import (
	"testing"

	"github.com/otklik/otklik/hh"
)

func TestFormatSalary(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	tests := []struct {
		s      *hh.Salary
		ru, en string
	}{
		{nil, "", ""},
		{&hh.Salary{Currency: "RUR"}, "", ""},
		{&hh.Salary{From: f(150000), To: f(200000), Currency: "RUR"}, "от 150 000 до 200 000 ₽", "from 150,000 to 200,000 ₽"},
		{&hh.Salary{From: f(150000), Currency: "RUR"}, "от 150 000 ₽", "from 150,000 ₽"},
		{&hh.Salary{To: f(90000), Currency: "RUB"}, "до 90 000 ₽", "up to 90,000 ₽"},
		{&hh.Salary{From: f(3000), To: f(3000), Currency: "USD"}, "3 000 $", "3,000 $"},
		{&hh.Salary{From: f(500), Currency: "EUR"}, "от 500 €", "from 500 €"},
		{&hh.Salary{From: f(1200000), Currency: "KZT"}, "от 1 200 000 ₸", "from 1,200,000 ₸"},
		{&hh.Salary{From: f(100000000), Currency: "UZS"}, "от 100 000 000 UZS", "from 100,000,000 UZS"},
		{&hh.Salary{From: f(1999.6), Currency: "gel"}, "от 2 000 GEL", "from 2,000 GEL"},
		{&hh.Salary{From: f(0), To: f(50000)}, "до 50 000", "up to 50,000"},
	}
	for _, tt := range tests {
		if got := FormatSalary(tt.s, "ru"); got != tt.ru {
			t.Errorf("FormatSalary(%v, ru) = %q, want %q", tt.s, got, tt.ru)
		}
		if got := FormatSalary(tt.s, "en"); got != tt.en {
			t.Errorf("FormatSalary(%v, en) = %q, want %q", tt.s, got, tt.en)
		}
	}
}

func TestVacancySalary(t *testing.T) {
	from, newer := 100.0, 200.0
	v := hh.Vacancy{Salary: &hh.Salary{From: &from, Currency: "RUR"}}
	if got := VacancySalary(&v); got != v.Salary {
		t.Errorf("without salary_range: %v", got)
	}
	v.SalaryRange = &hh.SalaryRange{Salary: hh.Salary{From: &newer, Currency: "RUR"}}
	if got := VacancySalary(&v); *got.From != newer {
		t.Errorf("salary_range should win, got %v", *got.From)
	}
	if VacancySalary(&hh.Vacancy{}) != nil {
		t.Error("no salary should be nil")
	}
}
