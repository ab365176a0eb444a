package telegram

import (
	"context"
	"strings"
	"testing"

	"github.com/otklik/otklik/store"
)

// A row hh sent back to review is told once, with its buttons, signed for
// the linked chat; delivered again it is not sent twice, and once handled
// it is not sent at all.
func TestDeliverReviewItemOnce(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	b := w.bot(t)
	link, err := w.st.TelegramLinkByChat(ctx, w.chat)
	if err != nil {
		t.Fatal(err)
	}
	a := store.Application{UserID: link.UserID, ResumeID: "r1", VacancyID: "v1", Status: store.StatusReview,
		Reason: "test_required", Letter: "Здравствуйте!",
		VacancySnapshot: store.VacancySnapshot{VacancyName: "Go-разработчик", EmployerName: "Рога и копыта",
			VacancyURL: "https://hh.example/vacancy/v1"}}
	if _, err := w.st.InsertApplication(ctx, &a); err != nil {
		t.Fatal(err)
	}
	n := Notification{UserID: link.UserID, Kind: KindReview, ApplicationID: a.ID}
	for range 2 {
		if err := b.Deliver(ctx, n); err != nil {
			t.Fatal(err)
		}
	}
	sent := w.fake.Sent(w.chat)
	if len(sent) != 1 || !strings.Contains(sent[0].Text, "Go-разработчик") || !strings.Contains(sent[0].Text, "Здравствуйте!") {
		t.Fatalf("sent %+v", sent)
	}
	data := sent[0].Buttons[0][0].CallbackData
	if _, id, ok := b.tokens.verify(data, link.UserID, w.chat); !ok || id != a.ID {
		t.Errorf("«Отправить» carries %q", data)
	}
	if _, _, ok := b.tokens.verify(data, link.UserID, w.chat+1); ok {
		t.Error("the button verifies in another chat")
	}

	// Another row, handled before its message goes: nothing is sent.
	c := a
	c.ID, c.VacancyID = 0, "v2"
	if _, err := w.st.InsertApplication(ctx, &c); err != nil {
		t.Fatal(err)
	}
	if err := w.st.MarkSkipped(ctx, link.UserID, c.ID, "dismissed"); err != nil {
		t.Fatal(err)
	}
	if err := b.Deliver(ctx, Notification{UserID: link.UserID, Kind: KindReview, ApplicationID: c.ID}); err != nil {
		t.Fatal(err)
	}
	if got := len(w.fake.Sent(w.chat)); got != 1 {
		t.Errorf("%d messages after a handled item's notification", got)
	}
}
