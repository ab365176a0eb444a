package tasks_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/otklik/otklik/notify"
	"github.com/otklik/otklik/notify/smtptest"
	"github.com/otklik/otklik/rules"
	"github.com/otklik/otklik/store"
	"github.com/otklik/otklik/tasks"
)

// After a day's work the summary reaches the person's mailbox once, with
// the counts of the ledger and the account's warning, in their language.
func TestSummaryEmailCarriesTheDaysCounts(t *testing.T) {
	mail := smtptest.New(t)
	mailer, err := notify.NewSMTPMailer(mail.URL(), "otklik@example.com")
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, envOptions{vacancies: 100})
	u, resume := e.connect("anna@example.com", 0)
	setSettings(t, e, u, store.Settings{Language: "en", TimeZone: "UTC", SummaryHour: 0, SummaryEmail: "anna@mail.example"})
	r := e.addRule(u, resume, func(r *rules.Rule) {
		r.Mode = rules.ModeLetters
		r.ExcludeWords = []string{"менеджер"}
	})
	w := e.startWorker(func(d *tasks.Deps) { d.Mailer = mailer })
	if err := (tasks.Jobs{Queue: e.queue, Store: e.store}).RunRule(e.ctx, u.ID, r.ID); err != nil {
		t.Fatal(err)
	}
	e.waitSettled([]*store.User{u}, 60*time.Second)
	// hh asks for a captcha: the summary warns about it.
	if err := e.store.SetAccountState(e.ctx, u.ID, store.AccountCaptcha, "https://hh.example/account/captcha?backurl=x", time.Time{}, ""); err != nil {
		t.Fatal(err)
	}

	// The tick finds the summary due (hour 0 has come) and enqueues it;
	// ticking again sends nothing twice.
	for range 2 {
		if err := w.Tick(e.ctx); err != nil {
			t.Fatal(err)
		}
	}
	msgs := mail.Wait(1, 30*time.Second)
	if len(msgs) != 1 {
		t.Fatalf("%d summary e-mails, want 1", len(msgs))
	}
	m := msgs[0]
	if len(m.To) != 1 || m.To[0] != "anna@mail.example" || !strings.Contains(m.From, "otklik@example.com") {
		t.Errorf("mail from %q to %v", m.From, m.To)
	}

	l := e.ledger(u)
	t.Logf("ledger: %s", describe(l))
	if len(l[store.StatusApplied]) == 0 || len(l[store.StatusReview]) == 0 || len(l[store.StatusSkipped]) == 0 {
		t.Fatalf("the day lacks applications, review items or skips: %s", describe(l))
	}
	wantText := fmt.Sprintf("Sent %d, Waiting for your review %d, On the employer's site %d, Skipped %d, Failed %d, Queued %d",
		len(l[store.StatusApplied]), len(l[store.StatusReview]), len(l[store.StatusExternal]),
		len(l[store.StatusSkipped]), len(l[store.StatusFailed]), len(l[store.StatusQueued]))
	if !strings.Contains(m.Text, wantText) {
		t.Errorf("text part lacks %q:\n%s", wantText, m.Text)
	}
	for _, st := range store.Statuses {
		cell := fmt.Sprintf(`data-count="%s">`, st)
		i := strings.Index(m.HTML, cell)
		if i < 0 {
			t.Errorf("HTML part has no %s count", st)
			continue
		}
		got := strings.TrimPrefix(strings.SplitN(m.HTML[i+len(cell):], "</td>", 2)[0], "<b>")
		if got = strings.TrimSuffix(got, "</b>"); got != fmt.Sprint(len(l[st])) {
			t.Errorf("HTML %s count %s, ledger %d", st, got, len(l[st]))
		}
	}
	if n := strings.Count(m.HTML, `data-status="applied"`); n != len(l[store.StatusApplied]) {
		t.Errorf("HTML lists %d applications, ledger %d", n, len(l[store.StatusApplied]))
	}
	if !strings.Contains(m.HTML, `data-warning="captcha"`) || !strings.Contains(m.Text, "captcha") {
		t.Error("the summary does not warn about the captcha")
	}
	if !strings.Contains(m.HTML, `data-reason="excluded_word"`) {
		t.Error("the summary does not count skips by exclude word")
	}

	// Once the mail is recorded as sent, a replayed task does not mail again.
	day := time.Now().UTC().Format(time.DateOnly)
	e.waitFor("the summary to be recorded as e-mailed", 30*time.Second, func() bool {
		s, err := e.store.Summary(e.ctx, u.ID, day)
		return err == nil && s.EmailedAt != nil
	})
	if err := processor(e.newWorker(func(d *tasks.Deps) { d.Mailer = mailer })).ProcessTask(e.ctx,
		tasks.NewSummaryTask(u.ID, day)); err != nil {
		t.Fatal(err)
	}
	time.Sleep(500 * time.Millisecond)
	if n := len(mail.Messages()); n != 1 {
		t.Errorf("%d e-mails after a replayed summary task, want 1", n)
	}
}
