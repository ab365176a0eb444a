package ai_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/otklik/otklik/ai"
	"github.com/otklik/otklik/ai/aitest"
	"github.com/otklik/otklik/locale"
	"github.com/otklik/otklik/store"
	"github.com/otklik/otklik/store/storetest"
)

func openStore(t *testing.T) (*store.Store, int64) {
	t.Helper()
	ctx := context.Background()
	c, err := store.NewCipherFromSecret(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(ctx, storetest.DSN(t), store.Options{Cipher: c, Migrate: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	u, err := st.CreateUser(ctx, "ai@example.com", "correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	return st, u.ID
}

var (
	resume  = ai.Resume{Title: "Go-разработчик", Skills: "Go, PostgreSQL", Experience: "Ромашка, 2019–2024: бэкенд на Go"}
	vacancy = ai.Vacancy{Name: "Backend Go", Employer: "Лютик", Text: "Ищем Go-разработчика в команду платежей."}
)

const tmplLetter = "Здравствуйте! Меня заинтересовала вакансия Backend Go."

func TestLetterIsWrittenAndCounted(t *testing.T) {
	ctx := context.Background()
	st, uid := openStore(t)
	fake := aitest.New(func(aitest.Request) aitest.Answer {
		return aitest.Answer{Content: "  Здравствуйте! Пять лет пишу на Go в Ромашке (2019–2024).  ", Tokens: 321}
	})
	defer fake.Close()
	c := ai.New(ai.Config{BaseURL: fake.BaseURL(), Model: "m", DailyTokens: 10000}, st)
	got, err := c.Letter(ctx, uid, resume, vacancy, tmplLetter)
	if err != nil {
		t.Fatal(err)
	}
	if got != "Здравствуйте! Пять лет пишу на Go в Ромашке (2019–2024)." {
		t.Errorf("letter = %q", got)
	}
	reqs := fake.Requests()
	if len(reqs) != 1 || !strings.Contains(reqs[0].User, "Ромашка") || !strings.Contains(reqs[0].User, "команду платежей") ||
		!strings.Contains(reqs[0].User, tmplLetter) || !strings.Contains(reqs[0].System, "Never invent") {
		t.Errorf("prompt does not carry the resume, the vacancy, the template and the rule: %+v", reqs)
	}
	if used, _ := st.AITokensUsed(ctx, uid, ai.Day(time.Now(), locale.Zone("Europe/Moscow"))); used != 321 {
		t.Errorf("tokens recorded = %d, want the model's 321", used)
	}
}

func TestLetterChecksFallBack(t *testing.T) {
	ctx := context.Background()
	st, uid := openStore(t)
	for name, answer := range map[string]string{
		"empty":       "   ",
		"too long":    strings.Repeat("я", ai.MaxLetterRunes+1),
		"placeholder": "Здравствуйте, {company}!",
		"bracket":     "Здравствуйте, [Имя]!",
		"invented":    "У меня 12 лет опыта в Go.",
	} {
		fake := aitest.New(func(aitest.Request) aitest.Answer { return aitest.Answer{Content: answer} })
		c := ai.New(ai.Config{BaseURL: fake.BaseURL(), Model: "m"}, st)
		_, err := c.Letter(ctx, uid, resume, vacancy, tmplLetter)
		if !errors.Is(err, ai.ErrRejected) {
			t.Errorf("%s: err = %v, want ErrRejected", name, err)
		}
		fake.Close()
	}
}

func TestScreenVerdicts(t *testing.T) {
	ctx := context.Background()
	st, uid := openStore(t)
	fake := aitest.New(func(r aitest.Request) aitest.Answer {
		if strings.Contains(r.User, "Офис") {
			return aitest.Answer{Content: "```json\n{\"match\": false, \"reason\": \"Только офис,\\n а нужна удалёнка\"}\n```"}
		}
		return aitest.Answer{Content: `{"match": true, "reason": "подходит"}`}
	})
	defer fake.Close()
	c := ai.New(ai.Config{BaseURL: fake.BaseURL(), Model: "m"}, st)
	v, err := c.Screen(ctx, uid, "только удалёнка", ai.Vacancy{Name: "Go", Text: "Офис в Москве"})
	if err != nil || v.Match || v.Reason != "Только офис, а нужна удалёнка" {
		t.Errorf("verdict = %+v, %v", v, err)
	}
	v, err = c.Screen(ctx, uid, "только удалёнка", ai.Vacancy{Name: "Go", Text: "Удалённо"})
	if err != nil || !v.Match {
		t.Errorf("verdict = %+v, %v", v, err)
	}
}

func TestFailuresAreUnavailable(t *testing.T) {
	ctx := context.Background()
	st, uid := openStore(t)
	for name, a := range map[string]aitest.Answer{
		"error":   {Status: 500},
		"garbage": {Content: "yes I think so"},
		"timeout": {Delay: time.Minute},
	} {
		fake := aitest.New(func(aitest.Request) aitest.Answer { return a })
		c := ai.New(ai.Config{BaseURL: fake.BaseURL(), Model: "m"}, st)
		cctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
		_, err := c.Screen(cctx, uid, "удалёнка", vacancy)
		cancel()
		if !errors.Is(err, ai.ErrUnavailable) {
			t.Errorf("%s: err = %v, want ErrUnavailable", name, err)
		}
		fake.CloseClientConnections()
		fake.Close()
	}
}

func TestCapSpentMakesNoCall(t *testing.T) {
	ctx := context.Background()
	st, uid := openStore(t)
	fake := aitest.New(func(aitest.Request) aitest.Answer {
		return aitest.Answer{Content: `{"match": true, "reason": ""}`, Tokens: 400}
	})
	defer fake.Close()
	c := ai.New(ai.Config{BaseURL: fake.BaseURL(), Model: "m", DailyTokens: 1000}, st)
	calls := 0
	for range 10 {
		_, err := c.Screen(ctx, uid, "удалёнка", vacancy)
		if errors.Is(err, ai.ErrCapSpent) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		calls++
	}
	if fake.Calls() != calls || calls == 0 || calls > 2 {
		t.Errorf("calls = %d (fake saw %d), want 1 or 2 before the cap of 1000 at 400 each", calls, fake.Calls())
	}
	if used, _ := st.AITokensUsed(ctx, uid, ai.Day(time.Now(), locale.Zone("Europe/Moscow"))); used > 1000 || used != fake.Tokens() {
		t.Errorf("used = %d, fake reported %d, cap 1000", used, fake.Tokens())
	}
}

// The cap holds across workers: two processes (two store handles on one
// database, two clients) screening at once for the same person never
// spend more than the cap between them.
func TestCapHoldsAcrossTwoWorkers(t *testing.T) {
	ctx := context.Background()
	dsn := storetest.DSN(t)
	open := func() *store.Store {
		st, err := store.Open(ctx, dsn, store.Options{Migrate: true})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		return st
	}
	a, b := open(), open()
	u, err := a.CreateUser(ctx, "cap@example.com", "correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	fake := aitest.New(func(aitest.Request) aitest.Answer {
		return aitest.Answer{Content: `{"match": true, "reason": ""}`, Tokens: 300, Delay: 5 * time.Millisecond}
	})
	defer fake.Close()
	const limit = 5000
	clients := []*ai.Client{
		ai.New(ai.Config{BaseURL: fake.BaseURL(), Model: "m", DailyTokens: limit}, a),
		ai.New(ai.Config{BaseURL: fake.BaseURL(), Model: "m", DailyTokens: limit}, b),
	}
	var wg sync.WaitGroup
	var spent atomic.Int64
	for i := range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := clients[i%2].Screen(ctx, u.ID, "удалёнка", vacancy)
			switch {
			case errors.Is(err, ai.ErrCapSpent):
				spent.Add(1)
			case err != nil:
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	used, err := a.AITokensUsed(ctx, u.ID, ai.Day(time.Now(), locale.Zone("Europe/Moscow")))
	if err != nil {
		t.Fatal(err)
	}
	if used > limit || fake.Tokens() > limit || used != fake.Tokens() {
		t.Errorf("used %d, the model counted %d, cap %d", used, fake.Tokens(), limit)
	}
	if spent.Load() == 0 || fake.Calls() == 0 {
		t.Errorf("%d calls made, %d refused for the cap: the cap was never reached", fake.Calls(), spent.Load())
	}
}
