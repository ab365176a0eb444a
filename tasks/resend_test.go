package tasks_test

import (
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/otklik/otklik/notify"
	"github.com/otklik/otklik/notify/smtptest"
	"github.com/otklik/otklik/store"
	"github.com/otklik/otklik/tasks"
)

// SMTP is down through every try of a day's summary task: the summary is
// stored (the web shows it) but not mailed. Within the same local day the
// tick tries to mail it again, once an hour, and it arrives once SMTP is
// back. A day that has ended is not mailed the day after.
func TestUnsentSummaryIsMailedLaterThatDay(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	downURL := "smtp://" + ln.Addr().String()
	ln.Close() // nothing listens there now: SMTP is down
	down, err := notify.NewSMTPMailer(downURL, "otklik@example.com")
	if err != nil {
		t.Fatal(err)
	}
	mail := smtptest.New(t)
	up, err := notify.NewSMTPMailer(mail.URL(), "otklik@example.com")
	if err != nil {
		t.Fatal(err)
	}

	e := newEnv(t, envOptions{vacancies: 20})
	u, _ := e.connect("anna@example.com", 0)
	setSettings(t, e, u, store.Settings{Language: "en", TimeZone: "UTC", SummaryHour: 9, SummaryEmail: "anna@mail.example"})
	today := time.Now().UTC().Truncate(24 * time.Hour)
	day := today.Format(time.DateOnly)
	at := func(h, m int) func(*tasks.Deps) {
		return fixedClock(today.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute))
	}
	in := e.inspector()

	// 09:00: the summary is due; its task fails for good while SMTP is down.
	if err := e.newWorker(at(9, 0)).Tick(e.ctx); err != nil {
		t.Fatal(err)
	}
	first := fmt.Sprintf("summary:%d:%s", u.ID, day)
	assertIDs(t, "summaries", e.taskIDs(tasks.TypeSummarySend), first)
	if err := processor(e.newWorker(at(9, 0), withMailer(down))).ProcessTask(e.ctx, tasks.NewSummaryTask(u.ID, day)); err == nil {
		t.Fatal("mailing with SMTP down succeeded")
	}
	if err := in.ArchiveTask(tasks.QueueLow, first); err != nil { // its retries ran out
		t.Fatal(err)
	}
	s, err := e.store.Summary(e.ctx, u.ID, day)
	if err != nil || s.EmailedAt != nil {
		t.Fatalf("the day's summary: %+v, %v; want stored and not mailed", s, err)
	}

	// Yesterday's summary was never mailed either: that day has ended.
	yesterday := today.Add(-24 * time.Hour).Format(time.DateOnly)
	if _, err := e.store.SaveSummary(e.ctx, &store.Summary{UserID: u.ID, Day: yesterday, Text: "yesterday"}); err != nil {
		t.Fatal(err)
	}

	// 10:05, SMTP is back: the tick tries again, and the mail arrives once.
	w := e.startWorker(at(10, 5), withMailer(up))
	for range 2 {
		if err := w.Tick(e.ctx); err != nil {
			t.Fatal(err)
		}
	}
	if msgs := mail.Wait(1, 30*time.Second); len(msgs) != 1 || msgs[0].To[0] != "anna@mail.example" {
		t.Fatalf("summary e-mails after SMTP came back: %d, want 1", len(msgs))
	}
	e.waitFor("the summary to be recorded as mailed", 30*time.Second, func() bool {
		s, err := e.store.Summary(e.ctx, u.ID, day)
		return err == nil && s.EmailedAt != nil
	})
	for id := range e.taskIDs(tasks.TypeSummarySend) {
		if strings.Contains(id, yesterday) {
			t.Errorf("the tick enqueued %s for a day that has ended", id)
		}
	}
}

func withMailer(m notify.Mailer) func(*tasks.Deps) { return func(d *tasks.Deps) { d.Mailer = m } }
