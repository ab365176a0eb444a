package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

type fakeTelegram struct{ err error }

func (f fakeTelegram) Username(context.Context) (string, error) { return "otklik_bot", f.err }

// Without TELEGRAM_BOT_TOKEN there is no Telegram anywhere: no card on
// /settings and no route.
func TestTelegramAbsentWithoutBot(t *testing.T) {
	e := newTestEnv(t)
	b := e.browser()
	b.register("anna@example.com", "correct horse battery")
	if r := b.get("/settings"); strings.Contains(r.body, "data-telegram") || strings.Contains(r.body, "Telegram") {
		t.Errorf("/settings mentions Telegram without a bot")
	}
	if r := b.post("/settings", "/settings/telegram", url.Values{"action": {"link"}}); r.status != http.StatusNotFound {
		t.Errorf("POST /settings/telegram without a bot: %d", r.status)
	}
}

// «Подключить Telegram» shows a one-time code and its deep link, valid 15
// minutes; a POST without the CSRF token changes nothing; the
// notification switches and «Отключить» act on the person's own link.
func TestTelegramSettings(t *testing.T) {
	e := newTestEnv(t, func(d *Deps) { d.Telegram = fakeTelegram{} })
	b := e.browser()
	user := b.register("anna@example.com", "correct horse battery")
	r := b.get("/settings")
	if !strings.Contains(r.body, `data-telegram="unlinked"`) || !strings.Contains(r.body, "Подключить Telegram") {
		t.Fatalf("/settings before linking:\n%s", r.body)
	}
	if r := b.postRaw("/settings/telegram", url.Values{"action": {"link"}}, nil); r.status != http.StatusForbidden {
		t.Errorf("POST without csrf: %d", r.status)
	}
	if _, _, err := e.store.TelegramCode(context.Background(), user.ID, time.Now()); err == nil {
		t.Error("a POST without csrf made a code")
	}
	if r := b.post("/settings", "/settings/telegram", url.Values{"action": {"link"}}); r.status != http.StatusSeeOther {
		t.Fatalf("link: %d", r.status)
	}
	r = b.get("/settings")
	m := regexp.MustCompile(`href="https://t\.me/otklik_bot\?start=([0-9a-f]+)" data-telegram-link`).FindStringSubmatch(r.body)
	if m == nil || !strings.Contains(r.body, "/start "+m[1]) {
		t.Fatalf("no deep link and code:\n%s", r.body)
	}
	code, until, err := e.store.TelegramCode(context.Background(), user.ID, time.Now())
	if err != nil || code != m[1] {
		t.Fatalf("stored code %q (%v), shown %q", code, err, m[1])
	}
	if d := time.Until(until); d > 15*time.Minute || d < 14*time.Minute {
		t.Errorf("the code is valid for %s", d)
	}

	if _, err := e.store.LinkTelegram(context.Background(), code, 77, "@anna", time.Now()); err != nil {
		t.Fatal(err)
	}
	r = b.get("/settings")
	if !strings.Contains(r.body, `data-telegram="linked"`) || !strings.Contains(r.body, "@anna") {
		t.Fatalf("/settings after linking:\n%s", r.body)
	}
	if r := b.post("/settings", "/settings/telegram", url.Values{"action": {"notify"}, "invitations": {"on"}}); r.status != http.StatusSeeOther {
		t.Fatalf("notify: %d", r.status)
	}
	link, err := e.store.TelegramLink(context.Background(), user.ID)
	if err != nil || !link.Invitations || link.Warnings || link.Summary || link.Review {
		t.Errorf("switches after saving only invitations: %+v, %v", link, err)
	}
	if r := b.post("/settings", "/settings/telegram", url.Values{"action": {"unlink"}}); r.status != http.StatusSeeOther {
		t.Fatalf("unlink: %d", r.status)
	}
	if _, err := e.store.TelegramLink(context.Background(), user.ID); err == nil {
		t.Error("still linked after «Отключить»")
	}
}

// Telegram not answering getMe still shows the code to type by hand.
func TestTelegramSettingsWithoutGetMe(t *testing.T) {
	e := newTestEnv(t, func(d *Deps) { d.Telegram = fakeTelegram{err: errors.New("down")} })
	b := e.browser()
	b.register("anna@example.com", "correct horse battery")
	b.post("/settings", "/settings/telegram", url.Values{"action": {"link"}})
	r := b.get("/settings")
	if strings.Contains(r.body, "data-telegram-link") || !regexp.MustCompile(`/start [0-9a-f]{20}`).MatchString(r.body) {
		t.Errorf("without getMe: the code, no link:\n%s", r.body)
	}
}
