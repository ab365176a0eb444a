package app

import (
	"context"
	"encoding/csv"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"
	"github.com/hibiken/asynq"

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

// connectHH connects the visitor's hh account through the sandbox's pages.
func connectHH(t *testing.T, v *visitor, base string) {
	t.Helper()
	page, at := v.follow("/hh/connect")
	user := userRe.FindStringSubmatch(page)
	if user == nil {
		t.Fatalf("no sandbox user to pick at %s:\n%s", at, page)
	}
	authorize := strings.SplitN(at, "?", 2)[0]
	form := hidden(page)
	form.Set("user", user[1])
	_, page = v.do(http.MethodPost, authorize, form)
	form = hidden(page)
	form.Set("decision", "allow")
	req, _ := http.NewRequest(http.MethodPost, base+authorize, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := v.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	readAll(res)
	callback, _ := url.Parse(res.Header.Get("Location"))
	if page, _ = v.follow(callback.RequestURI()); !strings.Contains(page, "Вы вошли как") {
		t.Fatalf("connecting hh failed:\n%s", page)
	}
}

// reviewRule creates a rule holding everything for review and runs it now.
func reviewRule(t *testing.T, v *visitor) {
	t.Helper()
	page, _ := v.follow("/rules/new")
	resume := resumeRe.FindStringSubmatch(page)
	if resume == nil {
		t.Fatalf("the rule form offers no resume:\n%s", page)
	}
	if status, _ := v.do(http.MethodPost, "/rules", url.Values{
		"name": {"Всё на проверку"}, "resume_id": {resume[1]}, "mode": {"review"}, "currency": {"RUR"},
		"letter_template": {"Здравствуйте! Меня заинтересовала вакансия {vacancy}."},
		"daily_limit":     {"5"}, "every_hours": {"24"}, "active_from": {"00:00"}, "active_to": {"00:00"},
		"csrf": {v.csrf("/rules/new")}}); status != http.StatusSeeOther {
		t.Fatalf("creating the rule: %d", status)
	}
	page, _ = v.follow("/rules")
	id := regexp.MustCompile(`href="/rules/(\d+)"`).FindStringSubmatch(page)
	if id == nil {
		t.Fatalf("no rule listed:\n%s", page)
	}
	if status, _ := v.do(http.MethodPost, "/rules/"+id[1]+"/run", url.Values{"csrf": {v.csrf("/rules/" + id[1])}}); status != http.StatusSeeOther {
		t.Fatalf("run now: %d", status)
	}
}

// reviewItem is one item of a review message: its buttons' data.
type reviewItem struct {
	send, edit, skip string
	vacancyID        string
	applicationID    string
}

func reviewItems(t *testing.T, m tgtest.Sent) []reviewItem {
	t.Helper()
	items := map[int]*reviewItem{}
	var order []int
	for _, row := range m.Buttons {
		for _, b := range row {
			n, label, ok := strings.Cut(b.Text, ". ")
			num, err := strconv.Atoi(n)
			if !ok || err != nil {
				t.Fatalf("button %q", b.Text)
			}
			it := items[num]
			if it == nil {
				it = &reviewItem{}
				items[num] = it
				order = append(order, num)
			}
			switch label {
			case "Отправить":
				it.send = b.CallbackData
				it.applicationID = strings.Split(b.CallbackData, ":")[1]
			case "Изменить письмо":
				it.edit = b.CallbackData
			case "Пропустить":
				it.skip = b.CallbackData
			case "Вакансия":
				it.vacancyID = b.URL[strings.LastIndex(b.URL, "/")+1:]
			}
		}
	}
	var out []reviewItem
	for _, n := range order {
		out = append(out, *items[n])
	}
	return out
}

func buttonsOf(m tgtest.Sent) map[string]models.InlineKeyboardButton {
	out := map[string]models.InlineKeyboardButton{}
	for _, row := range m.Buttons {
		for _, b := range row {
			out[b.Text] = b
		}
	}
	return out
}

// pressAndWait presses data in chatID and returns the bot's answer.
func pressAndWait(t *testing.T, fake *tgtest.Server, chatID int64, data string) string {
	t.Helper()
	id := fake.Press(chatID, data)
	var text string
	if !fake.Wait(func() bool {
		var ok bool
		text, ok = fake.AnswerTo(id)
		return ok
	}) {
		t.Fatalf("press %s in chat %d was not answered", data, chatID)
	}
	return text
}

// The review queue from the phone: one message per run with each item's
// buttons. «Отправить» applies with the shown letter, «Изменить письмо»
// then a typed letter and «Отправить» applies with that letter,
// «Пропустить» dismisses; an item handled already answers «Уже
// обработано», and forged data, another user's chat or a chat linked to
// nobody «Не найдено». hh receives exactly one application per sent item.
func TestTelegramReviewByButtons(t *testing.T) {
	inst, base, fake := startTelegram(t)
	v := newVisitor(t, base)
	v.register("anna@example.com")
	connectHH(t, v, base)
	linkChat(t, v, fake, 601, "anna@example.com")
	bob := newVisitor(t, base)
	bob.register("bob@example.com")
	linkChat(t, bob, fake, 602, "bob@example.com")

	reviewRule(t, v)
	msg, ok := fake.WaitSent(601, "Ждут вашего решения")
	if !ok {
		t.Fatalf("no review message: %+v", fake.Sent(601))
	}
	items := reviewItems(t, msg)
	if len(items) < 4 {
		t.Fatalf("the run's message carries %d items, the test needs 4:\n%s", len(items), msg.Text)
	}
	if !strings.Contains(msg.Text, "Меня заинтересовала вакансия") {
		t.Errorf("the message does not show the drafts:\n%s", msg.Text)
	}
	one, two, three, four := items[0], items[1], items[2], items[3]

	// «Отправить» with the shown draft.
	if got := pressAndWait(t, fake, 601, one.send); !strings.Contains(got, "Отправляем") {
		t.Errorf("«Отправить» answered %q", got)
	}
	waitLedger(t, v, one.vacancyID, "applied")
	if got := pressAndWait(t, fake, 601, one.send); got != "Уже обработано" {
		t.Errorf("«Отправить» again answered %q", got)
	}

	// Forged, another user's chat, a chat linked to nobody.
	forged := "s:" + two.applicationID + ":AAAAAAAAAAAAAAAA"
	for _, c := range []struct {
		chat int64
		data string
	}{{601, forged}, {602, two.send}, {603, two.send}, {601, "s:" + two.applicationID}} {
		if got := pressAndWait(t, fake, c.chat, c.data); got != "Не найдено" {
			t.Errorf("press %q in chat %d answered %q, want «Не найдено»", c.data, c.chat, got)
		}
	}

	// «Изменить письмо», a typed letter, «Отправить».
	pressAndWait(t, fake, 601, two.edit)
	if _, ok := fake.WaitSent(601, "Пришлите новое письмо"); !ok {
		t.Fatal("«Изменить письмо» did not ask for the letter")
	}
	letter := "Добрый день! Пишу сам: пять лет на Go, готов к тестовому заданию."
	fake.SendText(601, letter)
	shown, ok := fake.WaitSent(601, "Отправить с этим письмом?")
	if !ok || !strings.Contains(shown.Text, letter) {
		t.Fatalf("the typed letter was not shown back: %+v", shown)
	}
	// Replayed in Bob's chat, the confirmation is refused too.
	if got := pressAndWait(t, fake, 602, buttonsOf(shown)["Отправить"].CallbackData); got != "Не найдено" {
		t.Errorf("the confirmation pressed in another chat answered %q", got)
	}
	pressAndWait(t, fake, 601, buttonsOf(shown)["Отправить"].CallbackData)
	waitLedger(t, v, two.vacancyID, "applied")

	// «Пропустить».
	if got := pressAndWait(t, fake, 601, three.skip); !strings.Contains(got, "Пропущено") {
		t.Errorf("«Пропустить» answered %q", got)
	}
	waitLedger(t, v, three.vacancyID, "skipped")

	// Dismissed on the web, then pressed in Telegram.
	if status, _ := v.do(http.MethodPost, "/review/"+four.applicationID+"/dismiss", url.Values{"csrf": {v.csrf("/review")}}); status != http.StatusSeeOther {
		t.Fatalf("dismiss on the web: %d", status)
	}
	if got := pressAndWait(t, fake, 601, four.send); got != "Уже обработано" {
		t.Errorf("an item dismissed on the web answered %q", got)
	}
	if got := pressAndWait(t, fake, 601, four.edit); got != "Уже обработано" {
		t.Errorf("«Изменить письмо» on an item dismissed on the web answered %q", got)
	}

	// hh got exactly the two sent items, once each, with their letters.
	apps := inst.Sandbox.Applications()
	if len(apps) != 2 {
		t.Fatalf("hh received %d applications, want 2: %+v", len(apps), apps)
	}
	byVacancy := map[string]string{}
	for _, a := range apps {
		byVacancy[a.VacancyID] = a.Message
	}
	if m, ok := byVacancy[one.vacancyID]; !ok || !strings.HasPrefix(m, "Здравствуйте! Меня заинтересовала вакансия") {
		t.Errorf("item 1 went with %q (sent: %v)", m, ok)
	}
	if m := byVacancy[two.vacancyID]; m != letter {
		t.Errorf("item 2 went with %q, want the typed letter", m)
	}
	ledger := ledgerStatuses(t, v)
	if ledger[three.vacancyID] != "skipped" || ledger[four.vacancyID] != "skipped" {
		t.Errorf("items 3 and 4: %q, %q", ledger[three.vacancyID], ledger[four.vacancyID])
	}

	// The employer of item 1 invites: «Обновить» tells the chat once,
	// and the announcement run again, or delivered again, tells nothing.
	for _, a := range apps {
		if a.VacancyID == one.vacancyID {
			if err := inst.Sandbox.SetNegotiation(a.NegotiationID, "invitation", nil); err != nil {
				t.Fatal(err)
			}
		}
	}
	if status, _ := v.do(http.MethodPost, "/outcomes/refresh", url.Values{"csrf": {v.csrf("/")}}); status != http.StatusSeeOther {
		t.Fatalf("«Обновить»: %d", status)
	}
	invitations := func() int {
		n := 0
		for _, m := range fake.Sent(601) {
			if strings.HasPrefix(m.Text, "Приглашение!") {
				n++
			}
		}
		return n
	}
	if !fake.Wait(func() bool { return invitations() >= 1 }) {
		t.Fatal("the invitation was not told in Telegram")
	}
	ctx := context.Background()
	user, err := inst.Store.UserByEmail(ctx, "anna@example.com")
	if err != nil {
		t.Fatal(err)
	}
	id, _ := strconv.ParseInt(one.applicationID, 10, 64)
	if _, err := inst.Queue.Enqueue(tasks.NewInvitationTask(user.ID, id), asynq.TaskID("again")); err != nil {
		t.Fatal(err)
	}
	if err := inst.Worker.Telegram().Deliver(ctx, telegram.Notification{UserID: user.ID, Kind: telegram.KindInvitation, ApplicationID: id}); err != nil {
		t.Fatal(err)
	}
	if !fake.Wait(func() bool {
		info, err := inst.inspector.GetTaskInfo(tasks.QueueCritical, "again")
		return err == nil && info.State == asynq.TaskStateCompleted
	}) {
		t.Fatal("the announcement run again did not complete")
	}
	if got, want := invitations(), invitedRows(t, v); got != want {
		t.Errorf("%d invitation messages for %d invited applications", got, want)
	}

	// The commands.
	fake.SendText(601, "/status")
	if m, ok := fake.WaitSent(601, "Сегодня: отправлено 2,"); !ok || !strings.Contains(m.Text, "С доступом к hh.ru всё в порядке") {
		t.Errorf("/status: %+v", fake.Sent(601)[len(fake.Sent(601))-1])
	}
	enabled := func() bool {
		list, err := inst.Store.Rules(ctx, user.ID)
		if err != nil || len(list) != 1 {
			t.Fatalf("rules: %v, %v", list, err)
		}
		return list[0].Enabled
	}
	fake.SendText(601, "/resume")
	if _, ok := fake.WaitSent(601, "Правила снова работают"); !ok || !enabled() {
		t.Errorf("/resume left the rule enabled=%v", enabled())
	}
	fake.SendText(601, "/pause")
	if _, ok := fake.WaitSent(601, "Правила остановлены"); !ok || enabled() {
		t.Errorf("/pause left the rule enabled=%v", enabled())
	}
	fake.SendText(602, "/pause") // Bob's pause touches no rule of Anna's
	fake.WaitSent(602, "У вас пока нет правил")
	fake.SendText(601, "/resume")
	if !fake.Wait(func() bool { return countSent(fake, 601, "Правила снова работают") == 2 }) || !enabled() {
		t.Errorf("a second /resume left the rule enabled=%v", enabled())
	}
}

// countSent counts the messages to chatID containing text.
func countSent(fake *tgtest.Server, chatID int64, text string) int {
	n := 0
	for _, m := range fake.Sent(chatID) {
		if strings.Contains(m.Text, text) {
			n++
		}
	}
	return n
}

// invitedRows counts the visitor's applications hh marked invitation.
func invitedRows(t *testing.T, v *visitor) int {
	t.Helper()
	_, body := v.do(http.MethodGet, "/applications?format=csv", nil)
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, r := range rows[1:] {
		if r[9] == "invitation" {
			n++
		}
	}
	return n
}

// waitLedger waits until the visitor's history shows vacancyID in status.
func waitLedger(t *testing.T, v *visitor, vacancyID, status string) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for ledgerStatuses(t, v)[vacancyID] != status {
		if time.Now().After(deadline) {
			t.Fatalf("vacancy %s never became %s: %v", vacancyID, status, ledgerStatuses(t, v))
		}
		time.Sleep(100 * time.Millisecond)
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
