package notify

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/otklik/otklik/notify/smtptest"
)

func sampleSummary(lang string) *Summary {
	s := &Summary{
		Day: "2026-11-26", Lang: lang, BaseURL: "http://localhost:8080",
		Counts: map[string]int{"applied": 2, "review": 1, "skipped": 3, "failed": 1, "external": 0, "queued": 0},
		Applied: []Item{
			{VacancyID: "101", Name: "Go-разработчик", Employer: "Яндекс", Salary: "от 250 000 ₽", URL: "https://hh.ru/vacancy/101"},
			{VacancyID: "102", Name: "Backend <developer>", Employer: "Ozon", URL: "https://hh.ru/vacancy/102"},
		},
		Review:   []Item{{VacancyID: "103", Name: "Тимлид", Employer: "VK", URL: "https://hh.ru/vacancy/103", Reason: "Работодатель просит сопроводительное письмо"}},
		Failed:   []Item{{VacancyID: "104", Name: "Аналитик", Employer: "Сбер", URL: "https://hh.ru/vacancy/104", Reason: "hh.ru не принял отклик"}},
		Skipped:  []ReasonCount{{Code: "excluded_word", Text: "слово-исключение", Count: 1}, {Code: "got_response", Text: "уже откликались", Count: 2}},
		Warnings: []Warning{{Kind: "captcha", Text: "hh.ru просит капчу", URL: "https://hh.ru/account/captcha?state=x&backurl=http%3A%2F%2Flocalhost"}},
	}
	s.SortSkips()
	return s
}

func TestRenderRussianByDefault(t *testing.T) {
	r, err := Render(sampleSummary("ru"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Итоги дня: 26.11.2026", "Отправлено 2", "Go-разработчик — Яндекс, от 250 000 ₽", "https://hh.ru/vacancy/101", "Тимлид", "hh.ru просит капчу", "http://localhost:8080/review"} {
		if !strings.Contains(r.Text, want) {
			t.Errorf("text lacks %q:\n%s", want, r.Text)
		}
	}
	if !strings.Contains(r.Subject, "отправлено откликов: 2") {
		t.Errorf("subject = %q", r.Subject)
	}
	if strings.Index(r.Text, "уже откликались") > strings.Index(r.Text, "слово-исключение") {
		t.Error("skip reasons must be sorted by count, largest first")
	}
	for _, want := range []string{`data-count="applied"><b>2</b>`, `data-vacancy-id="103" data-status="review"`, `data-warning="captcha"`, "Backend &lt;developer&gt;"} {
		if !strings.Contains(r.HTML, want) {
			t.Errorf("html lacks %q", want)
		}
	}
	if strings.Contains(r.HTML, "<developer>") {
		t.Error("vacancy text must be escaped in HTML")
	}
}

func TestRenderEnglish(t *testing.T) {
	r, err := Render(sampleSummary("en"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(r.Text, "Your day: 26.11.2026") || !strings.Contains(r.Subject, "applications sent: 2") {
		t.Errorf("english summary:\n%s\n%s", r.Subject, r.Text)
	}
}

func TestRenderEmptyDay(t *testing.T) {
	r, err := Render(&Summary{Day: "2026-11-26", Lang: "ru", Counts: map[string]int{}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(r.Text, "Сегодня ничего не произошло.") {
		t.Errorf("empty day:\n%s", r.Text)
	}
}

func TestSMTPMailerDeliversTextAndHTML(t *testing.T) {
	srv := smtptest.New(t)
	m, err := NewSMTPMailer(srv.URL(), "otklik@example.com")
	if err != nil {
		t.Fatal(err)
	}
	r, err := Render(sampleSummary("ru"))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := m.Send(ctx, "ivan@example.com", r); err != nil {
		t.Fatal(err)
	}
	msgs := srv.Wait(1, 10*time.Second)
	if len(msgs) != 1 {
		t.Fatalf("got %d messages", len(msgs))
	}
	got := msgs[0]
	if got.From != "otklik@example.com" || len(got.To) != 1 || got.To[0] != "ivan@example.com" {
		t.Errorf("envelope: %+v", got)
	}
	if got.Subject != r.Subject {
		t.Errorf("subject %q, want %q", got.Subject, r.Subject)
	}
	if !strings.Contains(got.Text, "Отправлено 2") || !strings.Contains(got.HTML, `data-count="applied"><b>2</b>`) {
		t.Errorf("bodies:\ntext: %s\nhtml: %s", got.Text, got.HTML)
	}
}

func TestNewSMTPMailerRefusesBadURL(t *testing.T) {
	for _, u := range []string{"http://x", "smtp://", "smtp://host:port"} {
		if _, err := NewSMTPMailer(u, "a@b.c"); err == nil {
			t.Errorf("%q: want an error", u)
		}
	}
}

func TestRenderRaises(t *testing.T) {
	for _, c := range []struct {
		lang string
		n    int
		want string
	}{
		{"ru", 1, "Резюме поднято: 1 раз"}, {"ru", 3, "Резюме поднято: 3 раза"}, {"ru", 5, "Резюме поднято: 5 раз"},
		{"ru", 12, "Резюме поднято: 12 раз"}, {"ru", 22, "Резюме поднято: 22 раза"},
		{"en", 1, "Resumes raised: 1 time"}, {"en", 3, "Resumes raised: 3 times"},
	} {
		r, err := Render(&Summary{Day: "2026-11-26", Lang: c.lang, Counts: map[string]int{}, Raised: c.n})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(r.Text, c.want+"\n") || !strings.Contains(r.HTML, c.want+"</p>") {
			t.Errorf("%s %d: want %q in\n%s\n%s", c.lang, c.n, c.want, r.Text, r.HTML)
		}
		if strings.Contains(r.Text, "ничего не произошло") || strings.Contains(r.Text, "Nothing happened") {
			t.Errorf("a day with raises is not empty:\n%s", r.Text)
		}
	}
	if r, _ := Render(sampleSummary("ru")); strings.Contains(r.Text, "Резюме поднято") {
		t.Errorf("a day without raises mentions them:\n%s", r.Text)
	}
}
