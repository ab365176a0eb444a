package web

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/otklik/otklik/hh"
)

type countingSource struct {
	mu    sync.Mutex
	calls int
	fail  bool
}

func (s *countingSource) Dictionaries(context.Context) (*hh.Dictionaries, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	if s.fail {
		return nil, errors.New("hh is down")
	}
	return &hh.Dictionaries{Experience: []hh.IDName{{ID: "noExperience", Name: "Нет опыта"}},
		Currency: []hh.Currency{{Code: "RUR", Abbr: "₽", Name: "Рубли"}}}, nil
}

func (s *countingSource) Areas(context.Context) ([]hh.AreaNode, error) {
	return []hh.AreaNode{{ID: "113", Name: "Россия", Areas: []hh.AreaNode{{ID: "1", ParentID: "113", Name: "Москва"}}}}, nil
}

// hh's dictionaries are fetched once per TTL, not on every page view, and a
// failing hh neither breaks the form nor gets asked on every view.
func TestChoiceCache(t *testing.T) {
	t.Parallel()
	src := &countingSource{}
	now := fixedNow
	clock := func() time.Time { return now }
	c := newChoiceCache(src, time.Hour, clock)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	ctx := context.Background()

	ch := c.get(ctx, log)
	if !ch.Loaded || len(ch.Experience) != 1 || !ch.catalog.Areas.Has("1") {
		t.Fatalf("choices %+v", ch)
	}
	c.get(ctx, log)
	now = now.Add(59 * time.Minute)
	c.get(ctx, log)
	if src.calls != 1 {
		t.Errorf("hh asked %d times within the TTL, want 1", src.calls)
	}
	now = now.Add(2 * time.Minute)
	src.fail = true
	if ch := c.get(ctx, log); !ch.Loaded {
		t.Error("a failed refresh dropped the stale choices")
	}
	c.get(ctx, log)
	if src.calls != 2 {
		t.Errorf("hh asked %d times, want 2: a failure must back off", src.calls)
	}

	empty := newChoiceCache(&countingSource{fail: true}, time.Hour, clock)
	if ch := empty.get(ctx, log); ch.Loaded || ch.catalog.Areas != nil {
		t.Error("with hh down from the start the choices should be empty and unchecked")
	}
}
