package app

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/otklik/otklik/store"
	"github.com/otklik/otklik/tasks"
	"github.com/otklik/otklik/telegram"
	"github.com/otklik/otklik/telegram/tgtest"
)

var (
	tgCodeRe = regexp.MustCompile(`data-telegram-code>/start ([0-9a-f]+)<`)
	tgLinkRe = regexp.MustCompile(`href="(https://t\.me/[^"]+)" data-telegram-link`)
)

// startTelegram serves an instance whose bot talks to a fake Bot API, with
// its worker (and so its poller) running.
func startTelegram(t *testing.T) (*Instance, string, *tgtest.Server) {
	t.Helper()
	fake := tgtest.New(t)
	inst, base := startInstance(t, map[string]string{"APPLY_INTERVAL": "10ms",
		"TELEGRAM_BOT_TOKEN": tgtest.Token, "TELEGRAM_API_URL": fake.URL})
	if !inst.Config.EmbeddedRedis() {
		// Task ids are per database (tg:review:1 …): start this test's
		// Redis database afresh (this package's own, see testRedisDB).
		if err := inst.Redis.Client.FlushDB(context.Background()).Err(); err != nil {
			t.Fatal(err)
		}
	}
	if err := inst.StartWorker(8); err != nil {
		t.Fatal(err)
	}
	return inst, base, fake
}

// linkChat links chatID to the visitor's account the way a person does:
// «Подключить Telegram» on /settings, then /start <code> in the chat.
func linkChat(t *testing.T, v *visitor, fake *tgtest.Server, chatID int64, email string) string {
	t.Helper()
	if status, _ := v.do(http.MethodPost, "/settings/telegram", url.Values{"action": {"link"}, "csrf": {v.csrf("/settings")}}); status != http.StatusSeeOther {
		t.Fatalf("link: %d", status)
	}
	_, page := v.do(http.MethodGet, "/settings", nil)
	code := tgCodeRe.FindStringSubmatch(page)
	link := tgLinkRe.FindStringSubmatch(page)
	if code == nil || link == nil {
		t.Fatalf("/settings shows no code and deep link after «Подключить Telegram»:\n%s", between(page, `id="telegram"`, "</section>"))
	}
	if want := "https://t.me/" + tgtest.Username + "?start=" + code[1]; link[1] != want {
		t.Errorf("deep link %s, want %s", link[1], want)
	}
	fake.SendText(chatID, "/start "+code[1])
	if _, ok := fake.WaitSent(chatID, email); !ok {
		t.Fatalf("the bot did not greet chat %d by %s: %+v", chatID, email, fake.Sent(chatID))
	}
	return code[1]
}

func telegramMarker(t *testing.T, v *visitor) string {
	t.Helper()
	_, page := v.do(http.MethodGet, "/settings", nil)
	m := regexp.MustCompile(`data-telegram="(\w+)"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("/settings has no data-telegram marker")
	}
	return m[1]
}

// Linking: a valid code links the chat once; the same code again, an
// expired one and none at all explain how to link and link nothing; a
// person who blocks the bot is unlinked, and /settings says so.
func TestTelegramLinking(t *testing.T) {
	inst, base, fake := startTelegram(t)
	ctx := context.Background()
	v := newVisitor(t, base)
	v.register("anna@example.com")
	if got := telegramMarker(t, v); got != "unlinked" {
		t.Fatalf("before linking data-telegram=%q", got)
	}
	code := linkChat(t, v, fake, 501, "anna@example.com")
	if got := telegramMarker(t, v); got != "linked" {
		t.Fatalf("after /start data-telegram=%q", got)
	}

	// The code is single use.
	fake.SendText(502, "/start "+code)
	if _, ok := fake.WaitSent(502, "каждый код работает один раз"); !ok {
		t.Fatalf("a reused code: %+v", fake.Sent(502))
	}
	fake.SendText(502, "/status")
	if _, ok := fake.WaitSent(502, "Чтобы подключить этот чат"); !ok {
		t.Fatalf("a chat the reused code did not link answers /status: %+v", fake.Sent(502))
	}

	// An expired code links nothing.
	user, err := inst.Store.UserByEmail(ctx, "anna@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if err := inst.Store.SaveTelegramCode(ctx, user.ID, "0123456789abcdef0123", time.Now().Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}
	fake.SendText(503, "/start 0123456789abcdef0123")
	if _, ok := fake.WaitSent(503, "Код устарел"); !ok {
		t.Fatalf("an expired code: %+v", fake.Sent(503))
	}
	fake.SendText(503, "/start")
	if _, ok := fake.WaitSent(503, "Чтобы подключить этот чат"); !ok {
		t.Fatalf("/start without a code: %+v", fake.Sent(503))
	}
	if link, err := inst.Store.TelegramLink(ctx, user.ID); err != nil || link.ChatID != 501 {
		t.Fatalf("the linked chat after the refused codes: %+v, %v", link, err)
	}

	// The person blocks the bot: the next message gets 403 and the chat
	// is unlinked.
	fake.Block(501)
	fake.SendText(501, "/help")
	if !fake.Wait(func() bool {
		l, err := inst.Store.TelegramLink(ctx, user.ID)
		return err == nil && !l.Linked()
	}) {
		t.Fatal("a 403 did not unlink the chat")
	}
	_, page := v.do(http.MethodGet, "/settings", nil)
	if got := telegramMarker(t, v); got != "unlinked" || !strings.Contains(page, `data-notice="telegram_blocked"`) {
		t.Fatalf("after the bot was blocked data-telegram=%q; the notice shown: %v", got, strings.Contains(page, "telegram_blocked"))
	}

	// Linking again replaces the chat.
	linkChat(t, v, fake, 504, "anna@example.com")
	if link, err := inst.Store.TelegramLink(ctx, user.ID); err != nil || link.ChatID != 504 || !link.Linked() {
		t.Fatalf("after linking again: %+v, %v", link, err)
	}
	if status, _ := v.do(http.MethodPost, "/settings/telegram", url.Values{"action": {"unlink"}, "csrf": {v.csrf("/settings")}}); status != http.StatusSeeOther {
		t.Fatalf("unlink: %d", status)
	}
	if got := telegramMarker(t, v); got != "unlinked" {
		t.Fatalf("after «Отключить» data-telegram=%q", got)
	}
}

// Each notification goes once: a warning once per occurrence however many
// ticks see it, a summary once however often its task runs or is
// delivered again.
func TestTelegramNotificationsOnce(t *testing.T) {
	inst, base, fake := startTelegram(t)
	ctx := context.Background()
	v := newVisitor(t, base)
	v.register("anna@example.com")
	connectHH(t, v, base)
	linkChat(t, v, fake, 701, "anna@example.com")
	user, err := inst.Store.UserByEmail(ctx, "anna@example.com")
	if err != nil {
		t.Fatal(err)
	}
	count := func(text string) int {
		n := 0
		for _, m := range fake.Sent(701) {
			if strings.Contains(m.Text, text) {
				n++
			}
		}
		return n
	}

	captcha := func() {
		t.Helper()
		if err := inst.Store.SetAccountState(ctx, user.ID, store.AccountCaptcha, "https://hh.example/captcha", time.Time{}, "captcha"); err != nil {
			t.Fatal(err)
		}
		for range 3 {
			if err := inst.Worker.Tick(ctx); err != nil {
				t.Fatal(err)
			}
		}
	}
	captcha()
	if !fake.Wait(func() bool { return count("Решите её:") == 1 }) {
		t.Fatalf("the captcha warning: %+v", fake.Sent(701))
	}
	// Ticks again while the same captcha waits: nothing new.
	captcha()
	// The account recovers and meets a captcha again: a new occurrence.
	if _, err := inst.Store.ResumeAccount(ctx, user.ID, store.AccountCaptcha); err != nil {
		t.Fatal(err)
	}
	if err := inst.Worker.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	captcha()
	if !fake.Wait(func() bool { return count("Решите её:") == 2 }) {
		t.Fatalf("the second captcha: %+v", fake.Sent(701))
	}

	// The summary task twice, and its message delivered again by hand.
	day := time.Now().UTC().Format("2006-01-02")
	for range 2 {
		if _, err := inst.Queue.Enqueue(tasks.NewSummaryTask(user.ID, day)); err != nil && !strings.Contains(err.Error(), "conflict") {
			t.Fatal(err)
		}
	}
	if !fake.Wait(func() bool { return count("Сводка за") == 1 }) {
		t.Fatalf("the summary: %+v", fake.Sent(701))
	}
	n := telegram.Notification{UserID: user.ID, Kind: telegram.KindSummary, Day: day}
	if err := inst.Worker.Telegram().Deliver(ctx, n); err != nil {
		t.Fatal(err)
	}
	if _, err := inst.Queue.Enqueue(tasks.NewTelegramTask(n)); err == nil {
		t.Error("a second telegram:send task with the summary's id was accepted")
	}
	// Let anything pending run: a help reply goes after them in the queue
	// of what the fake saw.
	fake.SendText(701, "/help")
	if _, ok := fake.WaitSent(701, "Команды:"); !ok {
		t.Fatal("no /help reply")
	}
	if got, want := count("Решите её:"), 2; got != want {
		t.Errorf("captcha warnings sent %d times, want %d", got, want)
	}
	if got := count("Сводка за"); got != 1 {
		t.Errorf("the summary sent %d times, want once", got)
	}

	// Switched off on /settings: nothing more of that kind.
	if status, _ := v.do(http.MethodPost, "/settings/telegram", url.Values{"action": {"notify"}, "invitations": {"on"},
		"summary": {"on"}, "review": {"on"}, "csrf": {v.csrf("/settings")}}); status != http.StatusSeeOther {
		t.Fatalf("save notifications: %d", status)
	}
	if err := inst.Worker.Telegram().Deliver(ctx, telegram.Notification{UserID: user.ID, Kind: telegram.KindWarning,
		Warning: string(store.AccountCaptcha), Occurrence: 99}); err != nil {
		t.Fatal(err)
	}
	if got := count("Решите её:"); got != 2 {
		t.Errorf("a warning switched off was sent (%d warnings)", got)
	}
}

// A 429 storm: every refused send is tried again only after the
// retry_after Telegram gave, and the message goes once in the end.
func TestTelegramTooManyRequests(t *testing.T) {
	inst, base, fake := startTelegram(t)
	ctx := context.Background()
	v := newVisitor(t, base)
	v.register("anna@example.com")
	linkChat(t, v, fake, 801, "anna@example.com")
	user, err := inst.Store.UserByEmail(ctx, "anna@example.com")
	if err != nil {
		t.Fatal(err)
	}
	before := len(fake.Calls("sendMessage"))
	fake.Fail("sendMessage", 1, 429, 429, 429, 429, 500)
	day := time.Now().UTC().Format("2006-01-02")
	if _, err := inst.Queue.Enqueue(tasks.NewSummaryTask(user.ID, day)); err != nil {
		t.Fatal(err)
	}
	if _, ok := fake.WaitSent(801, "Сводка за"); !ok {
		t.Fatalf("the summary never went through the storm: %d calls", len(fake.Calls("sendMessage"))-before)
	}
	if got := len(fake.Calls("sendMessage")) - before; got != 6 {
		t.Errorf("sendMessage called %d times, want 6 (5 refused, 1 sent)", got)
	}
	if early := fake.Early(); early != 0 {
		t.Errorf("%d sends came before the retry_after they were given", early)
	}
	n := 0
	for _, m := range fake.Sent(801) {
		if strings.Contains(m.Text, "Сводка за") {
			n++
		}
	}
	if n != 1 {
		t.Errorf("the summary arrived %d times", n)
	}
}

// Two worker processes poll at once (and the lease is dropped midway, as
// when its holder stalls): every update is handled once.
func TestTelegramTwoPollers(t *testing.T) {
	inst, base, fake := startTelegram(t)
	ctx := context.Background()
	v := newVisitor(t, base)
	v.register("anna@example.com")
	linkChat(t, v, fake, 901, "anna@example.com")

	// A second worker process over the same database and Redis.
	w2, err := NewWorker(inst.Config, inst.Store, inst.Redis, inst.Queue, HHConfig(inst.Config, nil), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	rw2, err := StartWorker(w2, inst.Redis, inst.Queue, WorkerOptions{Concurrency: 2, NoTick: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer rw2.Stop()

	const n = 30
	for i := range n {
		fake.SendText(901, "/help")
		if i == n/2 {
			// The holder's lease vanishes (a stall past its expiry):
			// either process may take it while the first still fetches.
			if err := inst.Redis.Client.Del(ctx, "otklik:telegram:poll").Err(); err != nil {
				t.Fatal(err)
			}
		}
	}
	helps := func() int {
		c := 0
		for _, m := range fake.Sent(901) {
			if strings.HasPrefix(m.Text, "Команды:") {
				c++
			}
		}
		return c
	}
	if !fake.Wait(func() bool { return helps() >= n }) {
		t.Fatalf("%d of %d /help answered", helps(), n)
	}
	if !fake.Wait(func() bool {
		off, err := inst.Store.TelegramOffset(ctx)
		return err == nil && off == fake.NextUpdateID()
	}) {
		t.Fatal("the offset never passed every update")
	}
	if got := helps(); got != n {
		t.Errorf("%d /help replies for %d updates", got, n)
	}
}
