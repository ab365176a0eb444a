package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/otklik/otklik/hh"
	"github.com/otklik/otklik/hh/hhsandbox"
)

// signedInWithHH is a person signed up and connected to the sandbox.
func signedInWithHH(t *testing.T, env *testEnv, email string, hhIndex int) (*browser, int64, string) {
	t.Helper()
	b := env.browser()
	u := b.register(email, "good password 1")
	if r := b.connectHH(env.applicant(hhIndex).ID, true); r.status != http.StatusSeeOther {
		t.Fatalf("connect hh: %d", r.status)
	}
	return b, u.ID, publishedResume(t, env, u.ID)
}

func createRule(t *testing.T, b *browser, form url.Values) int64 {
	t.Helper()
	r := b.post("/rules/new", "/rules", form)
	if r.status != http.StatusSeeOther || !strings.HasPrefix(r.location, "/rules/") {
		t.Fatalf("create rule = %d %q\n%s", r.status, r.location, r.body)
	}
	var id int64
	fmt.Sscanf(r.location, "/rules/%d", &id)
	return id
}

func TestRuleCreateEditDelete(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	b, userID, resume := signedInWithHH(t, env, "a@example.com", 0)
	ctx := context.Background()

	form := validRuleForm(resume)
	form["area"] = []string{"1", "2"}
	form.Set("exclude_words", "senior lead, стажёр")
	form.Set("letter_template", "Здравствуйте! Откликаюсь на {vacancy} в {company}.")
	id := createRule(t, b, form)

	rule, err := env.store.Rule(ctx, userID, id)
	if err != nil {
		t.Fatal(err)
	}
	if rule.Name != "Go в Москве" || len(rule.Areas) != 2 || len(rule.ExcludeWords) != 2 || !rule.Enabled || rule.DailyLimit != 20 {
		t.Errorf("stored rule %+v", rule.Rule)
	}
	page := b.get(fmt.Sprintf("/rules/%d", id))
	if page.status != http.StatusOK || !strings.Contains(page.body, `value="Go в Москве"`) {
		t.Errorf("edit form = %d", page.status)
	}

	// Edit: switch it off by leaving the checkbox out.
	form.Del("enabled")
	form.Set("name", "Go, удалённо")
	if r := b.post(fmt.Sprintf("/rules/%d", id), fmt.Sprintf("/rules/%d", id), form); r.status != http.StatusSeeOther {
		t.Fatalf("update = %d\n%s", r.status, r.body)
	}
	rule, _ = env.store.Rule(ctx, userID, id)
	if rule.Name != "Go, удалённо" || rule.Enabled {
		t.Errorf("after update: name %q enabled %v", rule.Name, rule.Enabled)
	}
	// The toggle on the list switches it back on and keeps the rest.
	if r := b.post("/rules", fmt.Sprintf("/rules/%d", id), url.Values{"action": {"toggle"}, "enabled": {"on"}}); r.status != http.StatusSeeOther {
		t.Fatalf("toggle = %d", r.status)
	}
	rule, _ = env.store.Rule(ctx, userID, id)
	if !rule.Enabled || rule.Name != "Go, удалённо" {
		t.Errorf("after toggle: enabled %v name %q", rule.Enabled, rule.Name)
	}

	// Run now asks the worker and says so; a second press while that run
	// is in flight says it is already running.
	for press, want := range []string{"Запуск начат", "Правило уже запущено"} {
		r := b.post("/rules", fmt.Sprintf("/rules/%d/run", id), nil)
		if r.status != http.StatusSeeOther {
			t.Fatalf("run = %d", r.status)
		}
		if page := b.get(r.location); !strings.Contains(page.body, want) {
			t.Errorf("press %d: the rule page lacks %q:\n%s", press+1, want, page.body)
		}
	}
	if runs, _ := env.jobs.counts(); runs != 2 {
		t.Errorf("StartRule called %d times, want 2", runs)
	}

	if r := b.post("/rules", fmt.Sprintf("/rules/%d/delete", id), nil); r.status != http.StatusSeeOther {
		t.Fatalf("delete = %d", r.status)
	}
	if _, err := env.store.Rule(ctx, userID, id); err == nil {
		t.Error("rule still there after delete")
	}
	if r := b.get(fmt.Sprintf("/rules/%d", id)); r.status != http.StatusNotFound {
		t.Errorf("deleted rule page = %d, want 404", r.status)
	}
}

func TestRuleValidationKeepsInput(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	b, userID, resume := signedInWithHH(t, env, "a@example.com", 0)
	form := validRuleForm(resume)
	form.Set("name", "")
	form.Set("text", "Golang <b>backend</b>")
	form.Set("daily_limit", "много")
	form.Set("every_hours", "30")
	form.Set("letter_template", "Привет, {nonsense}!")
	form.Set("exclude_words", "senior lead")
	r := b.post("/rules/new", "/rules", form)
	if r.status != http.StatusUnprocessableEntity {
		t.Fatalf("invalid rule = %d, want 422", r.status)
	}
	for _, want := range []string{
		"Дайте правилу название.",                   // beside name
		"Введите целое число.",                      // daily_limit that is not a number
		`value="Golang &lt;b&gt;backend&lt;/b&gt;"`, // the text kept, escaped
		`value="много"`,                             // the number kept as typed
		"Привет, {nonsense}!",                       // the template kept
		"senior lead",
		"nonsense", // the template error names the placeholder
	} {
		if !strings.Contains(r.body, want) {
			t.Errorf("re-rendered form lacks %q", want)
		}
	}
	// Each error sits in its field's block.
	nameBlock := between(r.body, `<label for="name">`, `<label for="resume_id">`)
	if !strings.Contains(nameBlock, "Дайте правилу название.") {
		t.Error("the name error is not beside the name field")
	}
	limitBlock := between(r.body, `<label for="daily_limit">`, `<label for="every_hours">`)
	if !strings.Contains(limitBlock, "Введите целое число.") {
		t.Error("the daily limit error is not beside its field")
	}
	if list, _ := env.store.Rules(context.Background(), userID); len(list) != 0 {
		t.Error("an invalid rule was saved")
	}

	// An unpublished or foreign resume is refused.
	form = validRuleForm("not-my-resume")
	if r := b.post("/rules/new", "/rules", form); r.status != http.StatusUnprocessableEntity {
		t.Errorf("foreign resume = %d, want 422", r.status)
	}
	// English when the person says so.
	b.post("/settings", "/settings", url.Values{"language": {"en"}, "time_zone": {"Europe/Moscow"}, "summary_hour": {"20"}})
	form = validRuleForm(resume)
	form.Set("name", "")
	if r := b.post("/rules/new", "/rules", form); !strings.Contains(r.body, "Give the rule a name.") {
		t.Error("no English validation message")
	}
}

func between(s, from, to string) string {
	i := strings.Index(s, from)
	if i < 0 {
		return ""
	}
	s = s[i:]
	if j := strings.Index(s, to); j >= 0 {
		return s[:j]
	}
	return s
}

func TestRuleFormChoicesFromHH(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	b, _, resume := signedInWithHH(t, env, "a@example.com", 0)
	page := b.get("/rules/new").body
	for _, want := range []string{`value="1"`, "Москва", `name="experience"`, `value="between1And3"`, `value="RUR"`, `value="` + resume + `"`} {
		if !strings.Contains(page, want) {
			t.Errorf("rule form lacks %q", want)
		}
	}
	// An area hh does not know is a validation error.
	form := validRuleForm(resume)
	form.Set("area", "999999")
	if r := b.post("/rules/new", "/rules", form); r.status != http.StatusUnprocessableEntity {
		t.Errorf("unknown area = %d, want 422", r.status)
	}
}

// The rule form offers hh's professional roles by category as checkboxes
// (repeated professional_role keys), hides roles hh retired from search
// unless the rule already has one, and refuses a role hh does not know.
func TestRuleFormProfessionalRoles(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	b, userID, resume := signedInWithHH(t, env, "a@example.com", 0)
	ctx := context.Background()
	rolesBlock := func(page string) string {
		return between(page, `id="professional_role"`, "</fieldset>")
	}
	checkbox := func(id string) string { return `name="professional_role" value="` + id + `"` }

	block := rolesBlock(b.get("/rules/new").body)
	for _, want := range []string{"Профессиональные роли", "<details", "<summary>Информационные технологии</summary>",
		"<summary>Бухгалтерия, управленческий учет, финансы предприятия</summary>", "Программист, разработчик",
		"DevOps-инженер", checkbox("96"), checkbox("124"), checkbox("10"), checkbox("34"), checkbox("160"), checkbox("113")} {
		if !strings.Contains(block, want) {
			t.Errorf("roles lack %q", want)
		}
	}
	if strings.Contains(block, checkbox("55")) || strings.Contains(block, "<details class=\"choice-group\" open") {
		t.Error("a new rule's form offers a retired role or unfolds a category")
	}
	// Every role the sandbox's vacancies carry can be picked.
	for _, v := range env.sandbox.Vacancies() {
		if !strings.Contains(block, checkbox(v.ProfessionalRole)) {
			t.Fatalf("vacancy %s's role %s is not offered", v.ID, v.ProfessionalRole)
		}
	}

	form := validRuleForm(resume)
	form["professional_role"] = []string{"96", "124"}
	id := createRule(t, b, form)
	rule, err := env.store.Rule(ctx, userID, id)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rule.ProfessionalRoles, []string{"96", "124"}) {
		t.Errorf("stored roles %q", rule.ProfessionalRoles)
	}
	edit := fmt.Sprintf("/rules/%d", id)
	block = rolesBlock(b.get(edit).body)
	if !strings.Contains(block, checkbox("96")+" checked") || !strings.Contains(block, checkbox("124")+" checked") ||
		strings.Contains(block, checkbox("160")+" checked") {
		t.Error("the edit form does not show the rule's roles ticked")
	}
	if !strings.Contains(block, `<details class="choice-group" open>`+"\n      <summary>Информационные технологии</summary>") {
		t.Error("the category holding the rule's roles is folded")
	}

	// A role hh does not know is refused beside the field, and kept ticked.
	form["professional_role"] = []string{"96", "999999"}
	r := b.post(edit, edit, form)
	if r.status != http.StatusUnprocessableEntity {
		t.Fatalf("unknown role = %d, want 422", r.status)
	}
	block = rolesBlock(r.body)
	if !strings.Contains(block, "Неизвестная профессиональная роль") || !strings.Contains(block, checkbox("999999")+" checked") {
		t.Errorf("unknown role not reported in its field:\n%s", block)
	}
	if rule, _ := env.store.Rule(ctx, userID, id); !slices.Equal(rule.ProfessionalRoles, []string{"96", "124"}) {
		t.Errorf("an invalid edit changed the roles to %q", rule.ProfessionalRoles)
	}

	// A role hh retired from search after the rule chose it stays, ticked
	// and marked, and the rule still saves.
	rule.ProfessionalRoles = []string{"96", "55"}
	if err := env.store.UpdateRule(ctx, &rule.Rule); err != nil {
		t.Fatal(err)
	}
	block = rolesBlock(b.get(edit).body)
	if !strings.Contains(block, checkbox("55")+" checked") || !strings.Contains(block, "снята с поиска на hh.ru") {
		t.Errorf("the retired role the rule has is not shown:\n%s", block)
	}
	form["professional_role"] = []string{"96", "55"}
	if r := b.post(edit, edit, form); r.status != http.StatusSeeOther {
		t.Errorf("saving a rule with its retired role = %d, want 303", r.status)
	}
}

func TestRulePreview(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	b, userID, resume := signedInWithHH(t, env, "a@example.com", 0)
	// A vacancy whose snippet carries markup: it must come out escaped, with
	// only hh's highlight turned into <mark>.
	v, err := env.sandbox.PutVacancy(hhsandbox.Vacancy{
		Name:             "Go разработчик <img src=x onerror=alert(1)>",
		EmployerName:     "Acme <script>",
		AreaID:           "1",
		Requirement:      "Опыт Go от 3 лет <script>alert('xss')</script>",
		Responsibility:   "Писать на Go",
		ProfessionalRole: "96",
	})
	if err != nil {
		t.Fatal(err)
	}
	form := validRuleForm(resume)
	form.Set("exclude_words", "стажер")
	id := createRule(t, b, form)
	r := b.get(fmt.Sprintf("/rules/%d/preview", id))
	if r.status != http.StatusOK {
		t.Fatalf("preview = %d\n%s", r.status, r.body)
	}
	if !strings.Contains(r.body, `data-action="apply"`) && !strings.Contains(r.body, `data-action="review"`) {
		t.Error("preview lists no decisions")
	}
	if strings.Count(r.body, "data-vacancy-id=") == 0 {
		t.Error("preview lists no vacancies")
	}
	item := between(r.body, `data-vacancy-id="`+v.ID+`"`, "</li>")
	if item == "" {
		t.Fatalf("the planted vacancy %s is not in the preview", v.ID)
	}
	if strings.Contains(item, "<script>") || strings.Contains(item, "<img") {
		t.Errorf("untrusted markup rendered as HTML:\n%s", item)
	}
	if !strings.Contains(item, "&lt;script&gt;") {
		t.Errorf("markup not shown escaped:\n%s", item)
	}
	if !strings.Contains(item, "<mark>Go</mark>") {
		t.Errorf("highlight not rendered as <mark>:\n%s", item)
	}
	// A dry run applies nothing and records nothing.
	if n := len(env.sandbox.Applications()); n != 0 {
		t.Errorf("preview applied to %d vacancies", n)
	}
	if list, _ := env.store.ListApplications(context.Background(), userID, storeFilterAll); len(list) != 0 {
		t.Errorf("preview wrote %d ledger rows", len(list))
	}
}

func TestRulePreviewWithoutHH(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	b, _, resume := signedInWithHH(t, env, "a@example.com", 0)
	id := createRule(t, b, validRuleForm(resume))
	b.post("/", "/hh/disconnect", nil)
	r := b.get(fmt.Sprintf("/rules/%d/preview", id))
	if r.status != http.StatusOK || !strings.Contains(r.body, "подключите hh.ru") {
		t.Errorf("preview without hh = %d", r.status)
	}
}

// A rule whose resume is not the connected person's (another hh person, a
// deleted resume): the preview says so instead of blaming hh.
func TestRulePreviewResumeGone(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	b, userID, resume := signedInWithHH(t, env, "a@example.com", 0)
	id := createRule(t, b, validRuleForm(resume))
	if err := env.store.ReplaceResumes(context.Background(), userID, []hh.Resume{{ID: "someone-elses", Title: "Другое резюме"}}); err != nil {
		t.Fatal(err)
	}
	r := b.get(fmt.Sprintf("/rules/%d/preview", id))
	if r.status != http.StatusOK || !strings.Contains(r.body, "Резюме этого правила нет") || strings.Contains(r.body, "data-vacancy-id=") {
		t.Errorf("preview of a rule whose resume is gone = %d:\n%s", r.status, between(r.body, "<main", "</main>"))
	}
}
