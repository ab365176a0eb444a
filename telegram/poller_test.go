package telegram

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"github.com/otklik/otklik/store"
	"github.com/otklik/otklik/store/storetest"
	"github.com/otklik/otklik/telegram/tgtest"
)

type noJobs struct{}

func (noJobs) SendApplication(context.Context, int64, int64) error { return nil }

// world is a store with one user whose chat is linked, a fake Bot API and
// a Redis.
type world struct {
	st    *store.Store
	fake  *tgtest.Server
	redis *redis.Client
	mr    *miniredis.Miniredis
	chat  int64
}

func newWorld(t *testing.T) *world {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, storetest.DSN(t), store.Options{Migrate: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	u, err := st.CreateUser(ctx, "anna@example.com", "x")
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SaveTelegramCode(ctx, u.ID, "c0de", time.Now().Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if _, err := st.LinkTelegram(ctx, "c0de", 42, "@anna", time.Now()); err != nil {
		t.Fatal(err)
	}
	mr := miniredis.RunT(t)
	rdb := redis.NewClient(&redis.Options{Addr: mr.Addr()})
	t.Cleanup(func() { rdb.Close() })
	return &world{st: st, fake: tgtest.New(t), redis: rdb, mr: mr, chat: 42}
}

func (w *world) bot(t *testing.T) *Bot {
	t.Helper()
	c, err := NewClient(w.fake.URL, tgtest.Token, nil)
	if err != nil {
		t.Fatal(err)
	}
	return New(Deps{Client: c, Store: w.st, Jobs: noJobs{}, Redis: w.redis, SecretKey: []byte(strings.Repeat("k", 32)),
		BaseURL: "http://otklik.test", Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		PollWait: time.Second, Lease: 300 * time.Millisecond})
}

func (w *world) helps() int {
	n := 0
	for _, m := range w.fake.Sent(w.chat) {
		if strings.HasPrefix(m.Text, "Команды:") {
			n++
		}
	}
	return n
}

// Two processes polling, the lease dropped again and again (a holder that
// stalls past its expiry while the other takes over): every update is
// handled exactly once, and the offset ends past the last one.
func TestPollersHandleEachUpdateOnce(t *testing.T) {
	w := newWorld(t)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for range 2 {
		b := w.bot(t)
		wg.Add(1)
		go func() {
			defer wg.Done()
			b.Poll(ctx)
		}()
	}
	defer func() {
		cancel()
		wg.Wait()
	}()
	const n = 40
	for i := range n {
		w.fake.SendText(w.chat, "/help")
		if i%8 == 0 {
			w.mr.Del(leaseKey)
		}
	}
	if !w.fake.Wait(func() bool {
		off, err := w.st.TelegramOffset(context.Background())
		return err == nil && off == w.fake.NextUpdateID()
	}) {
		t.Fatalf("the offset never passed every update; %d replies", w.helps())
	}
	// The offset moves before an update is handled: its reply may still be
	// on its way.
	w.fake.Wait(func() bool { return w.helps() >= n })
	if got := w.helps(); got != n {
		t.Errorf("%d replies to %d updates", got, n)
	}
}

// Two processes that fetch the same batch at the same moment (the lease
// notwithstanding) still handle each update once: the claim in the
// database decides.
func TestSameBatchFetchedTwice(t *testing.T) {
	w := newWorld(t)
	const n = 25
	for range n {
		w.fake.SendText(w.chat, "/help")
	}
	a, b := w.bot(t), w.bot(t)
	var wg sync.WaitGroup
	for _, bot := range []*Bot{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := bot.receive(context.Background(), 0); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if got := w.helps(); got != n {
		t.Errorf("%d replies to %d updates fetched by two processes", got, n)
	}
	if got := len(w.fake.Calls("getUpdates")); got != 2 {
		t.Errorf("getUpdates called %d times, want both processes to have fetched", got)
	}
}

// Callback data verifies only for the user and chat it was signed for,
// and never once altered.
func TestCallbackTokens(t *testing.T) {
	tk := newTokens([]byte(strings.Repeat("s", 32)))
	data := tk.sign(actionSend, 77, 5, 42)
	if len(data) > 64 {
		t.Errorf("callback data %q is longer than Telegram's 64 bytes", data)
	}
	if a, id, ok := tk.verify(data, 5, 42); !ok || a != actionSend || id != 77 {
		t.Errorf("verify(own) = %q, %d, %v", a, id, ok)
	}
	for name, c := range map[string]struct {
		data         string
		user, chatID int64
	}{
		"another chat":   {data, 5, 43},
		"another user":   {data, 6, 42},
		"another item":   {strings.Replace(data, ":77:", ":78:", 1), 5, 42},
		"another action": {"k" + data[1:], 5, 42},
		"bare id":        {"s:77", 5, 42},
		"another key":    {newTokens([]byte(strings.Repeat("t", 32))).sign(actionSend, 77, 5, 42), 5, 42},
	} {
		if _, _, ok := tk.verify(c.data, c.user, c.chatID); ok {
			t.Errorf("%s: %q verified", name, c.data)
		}
	}
}
