package rules

import (
	"errors"
	"strings"
	"testing"

	"github.com/otklik/otklik/hh"
)

func data() LetterData {
	return LetterData{
		Vacancy:    "Go-разработчик",
		Company:    "HeadHunter",
		FirstName:  "Анна",
		LastName:   "Петрова",
		Resume:     "Backend-разработчик",
		Salary:     "от 150 000 до 200 000 ₽",
		Area:       "Москва",
		VacancyURL: "https://hh.ru/vacancy/8331228",
	}
}

func render(t *testing.T, tmpl string, d LetterData) (string, error) {
	t.Helper()
	p, err := ParseTemplate(tmpl)
	if err != nil {
		t.Fatalf("ParseTemplate(%q): %v", tmpl, err)
	}
	return p.Render(d)
}

func TestRenderTemplate(t *testing.T) {
	tests := []struct {
		name, tmpl, want string
		data             func(*LetterData)
	}{
		{name: "every placeholder",
			tmpl: "{first_name} {last_name}: {vacancy} в {company}, {area}, {salary}. Резюме «{resume}». {vacancy_url}",
			want: "Анна Петрова: Go-разработчик в HeadHunter, Москва, от 150 000 до 200 000 ₽. Резюме «Backend-разработчик». https://hh.ru/vacancy/8331228"},
		{name: "repeated placeholder", tmpl: "{vacancy}/{vacancy}", want: "Go-разработчик/Go-разработчик"},
		{name: "literal braces", tmpl: "{{vacancy}} и }}{{", want: "{vacancy} и }{"},
		{name: "brace around a placeholder", tmpl: "{{{company}}}", want: "{HeadHunter}"},
		{name: "trimmed", tmpl: "\n\n  Здравствуйте!\n\n\t", want: "Здравствуйте!"},
		{name: "trimmed after an empty value", tmpl: "{salary}\nПисьмо", want: "Письмо", data: func(d *LetterData) { d.Salary = "" }},
		{name: "highlight markup in values", tmpl: "{vacancy} — {company}",
			want: "Senior Go — ООО <Ромашка", data: func(d *LetterData) {
				d.Vacancy = "<highlighttext>Senior</highlighttext> Go"
				d.Company = "ООО <Ромашка"
			}},
		{name: "other tags in values", tmpl: "{vacancy}", want: "Go developer", data: func(d *LetterData) { d.Vacancy = "<b>Go</b> <i class=\"x\">developer</i>" }},
		{name: "highlight in the template text", tmpl: "a<highlighttext>b</HIGHLIGHTTEXT>c", want: "abc"},
		{name: "values are not parsed again", tmpl: "{vacancy}", want: "{company}", data: func(d *LetterData) { d.Vacancy = "{company}" }},
		{name: "multi-line letter", tmpl: "Здравствуйте!\n\nМеня зовут {first_name}.\r\nСпасибо.", want: "Здравствуйте!\n\nМеня зовут Анна.\r\nСпасибо."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := data()
			if tt.data != nil {
				tt.data(&d)
			}
			got, err := render(t, tt.tmpl, d)
			if err != nil || got != tt.want {
				t.Errorf("Render = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestParseTemplateErrors(t *testing.T) {
	tests := []struct {
		tmpl, code, token string
		line              int
	}{
		{"Добрый день, {name}!", CodeUnknownPlaceholder, "{name}", 1},
		{"строка\n{Vacancy}", CodeUnknownPlaceholder, "{Vacancy}", 2},
		{"{ vacancy }", CodeUnknownPlaceholder, "{ vacancy }", 1},
		{"пусто {}", CodeUnknownPlaceholder, "{}", 1},
		{"{vacancy", CodeUnclosedBrace, "{vacancy", 1},
		{"a\nb {vacancy\n}", CodeUnclosedBrace, "{vacancy", 2},
		{"{vac{ancy}", CodeUnclosedBrace, "{vac{ancy}", 1},
		{"{", CodeUnclosedBrace, "{", 1},
		{"смайлик :}", CodeStrayBrace, "}", 1},
		{"{vacancy}}", CodeStrayBrace, "}", 1},
		{strings.Repeat("я", MaxTemplateRunes+1), CodeTooLong, "", 0},
	}
	for _, tt := range tests {
		_, err := ParseTemplate(tt.tmpl)
		var te *TemplateError
		if !errors.As(err, &te) {
			t.Errorf("ParseTemplate(%.30q) = %v, want a *TemplateError", tt.tmpl, err)
			continue
		}
		if te.Code != tt.code || te.Token != tt.token || te.Line != tt.line {
			t.Errorf("ParseTemplate(%.30q) = code %s token %q line %d, want %s %q %d", tt.tmpl, te.Code, te.Token, te.Line, tt.code, tt.token, tt.line)
		}
		ru, en := te.Message("ru"), te.Message("en")
		if te.Key != "template."+te.Code || ru == te.Key || en == te.Key || ru == en {
			t.Errorf("ParseTemplate(%.30q): key %s, messages ru %q en %q", tt.tmpl, te.Key, ru, en)
		}
		if tt.token != "" && (!strings.Contains(ru, tt.token) || !strings.Contains(en, tt.token) && !strings.Contains(en, `"`+tt.token)) {
			t.Errorf("ParseTemplate(%.30q): messages do not name %q: %q / %q", tt.tmpl, tt.token, ru, en)
		}
	}
}

func TestParseTemplateLongestAllowed(t *testing.T) {
	if _, err := ParseTemplate(strings.Repeat("я", MaxTemplateRunes)); err != nil {
		t.Errorf("a template of exactly %d runes: %v", MaxTemplateRunes, err)
	}
}

func TestRenderTooLong(t *testing.T) {
	d := data()
	d.Vacancy = strings.Repeat("в", 6000)
	got, err := render(t, "{vacancy}\n{vacancy}", d)
	if !errors.Is(err, ErrLetterTooLong) {
		t.Fatalf("Render error = %v, want ErrLetterTooLong", err)
	}
	if got != d.Vacancy+"\n"+d.Vacancy {
		t.Errorf("the full letter should come back for editing, got %d bytes", len(got))
	}

	// Exactly the limit, after trimming, is fine; runes count, not bytes.
	d.Vacancy = strings.Repeat("ж", MaxLetterRunes)
	if got, err := render(t, "  {vacancy}\n", d); err != nil || got != d.Vacancy {
		t.Errorf("a letter of exactly %d runes: %v", MaxLetterRunes, err)
	}
}

func TestRenderEmpty(t *testing.T) {
	d := data()
	d.FirstName = "  "
	if _, err := render(t, " {first_name} ", d); !errors.Is(err, ErrLetterEmpty) {
		t.Errorf("Render error = %v, want ErrLetterEmpty", err)
	}
	if _, err := (&Template{}).Render(d); !errors.Is(err, ErrLetterEmpty) {
		t.Errorf("zero Template: %v, want ErrLetterEmpty", err)
	}
}

func TestCheckLetter(t *testing.T) {
	if got, err := CheckLetter("  Здравствуйте, <highlighttext>Анна</highlighttext>!\n"); err != nil || got != "Здравствуйте, Анна!" {
		t.Errorf("CheckLetter = %q, %v", got, err)
	}
	if _, err := CheckLetter(" \n "); !errors.Is(err, ErrLetterEmpty) {
		t.Errorf("blank letter: %v", err)
	}
	if _, err := CheckLetter(strings.Repeat("a", MaxLetterRunes+1)); !errors.Is(err, ErrLetterTooLong) {
		t.Errorf("long letter: %v", err)
	}
}

func TestEscapeTemplate(t *testing.T) {
	for _, s := range []string{"", "plain", "{vacancy}", "}{", "{{}}"} {
		got, err := render(t, EscapeTemplate(s)+"x", data())
		if err != nil || got != s+"x" {
			t.Errorf("EscapeTemplate(%q) renders %q, %v", s, got, err)
		}
	}
}

func TestRemoveHighlight(t *testing.T) {
	tests := map[string]string{
		"<highlighttext>go</highlighttext>":        "go",
		"<HighlightText class=\"x\">go":            "go",
		"a <highlighttext":                         "a ",
		"<highlight<highlighttext>text>x":          "x",
		"<</highlighttext>highlighttext>x":         "x",
		"a < b, <b>bold</b>":                       "a < b, <b>bold</b>",
		"<highlighttext <highlighttext>>":          " >",
		"<highlighttex":                            "<highlighttex",
		"x</highlighttext y <p>":                   "x y <p>",
		"<highlighttext>Ёлки</highlighttext> и ёж": "Ёлки и ёж",
	}
	for in, want := range tests {
		if got := removeHighlight(in); got != want {
			t.Errorf("removeHighlight(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestStripTags(t *testing.T) {
	tests := map[string]string{
		"<highlighttext>Go</highlighttext> developer": "Go developer",
		"C++ <b>senior</b><br/>":                      "C++ senior",
		"salary < 100 > 50":                           "salary < 100 > 50",
		"a <b":                                        "a <b",
		"<<b>x":                                       "<x",
		"нет тегов":                                   "нет тегов",
	}
	for in, want := range tests {
		if got := StripTags(in); got != want {
			t.Errorf("StripTags(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestLetterDataFor(t *testing.T) {
	from, to := 150000.0, 200000.0
	v := vacancy()
	v.Name = "<highlighttext>Go</highlighttext>-разработчик"
	v.Salary = &hh.Salary{From: &from, To: &to, Currency: "RUR"}
	got := LetterDataFor(&v, "Анна", "Петрова", "Backend-разработчик")
	want := data()
	if got != want {
		t.Errorf("LetterDataFor =\n%+v\nwant\n%+v", got, want)
	}

	v.AlternateURL = ""
	v.Salary = nil
	v.Employer.Name = ""
	got = LetterDataFor(&v, "", "", "")
	if got.VacancyURL != "https://hh.ru/vacancy/8331228" || got.Salary != "" || got.Company != "" {
		t.Errorf("LetterDataFor with gaps = %+v", got)
	}
}

func TestPlaceholdersAllParse(t *testing.T) {
	if len(Placeholders()) != 8 {
		t.Errorf("Placeholders() = %q", Placeholders())
	}
	for _, p := range Placeholders() {
		if _, err := ParseTemplate("{" + p + "}"); err != nil {
			t.Errorf("{%s}: %v", p, err)
		}
	}
}
