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

	"github.com/otklik/otklik/tasks"
	"github.com/otklik/otklik/telegram"
	"github.com/otklik/otklik/telegram/tgtest"
)

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
