package web

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/otklik/otklik/hh"
)

type countingSource struct {
	mu        sync.Mutex
	calls     int
	roleCalls int
	fail      bool
	failRoles bool
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

func (s *countingSource) ProfessionalRoles(context.Context) (*hh.ProfessionalRoles, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.roleCalls++
	if s.failRoles {
		return nil, errors.New("hh is down")
	}
	return &hh.ProfessionalRoles{Categories: []hh.RoleCategory{
		{ID: "11", Name: "Информационные технологии", Roles: []hh.ProfessionalRole{
			{ID: "96", Name: "Программист, разработчик"},
			{ID: "121", Name: "Специалист технической поддержки"},
			{ID: "55", Name: "Оператор ПК", SearchDeprecated: true},
		}},
		{ID: "17", Name: "Продажи, обслуживание клиентов", Roles: []hh.ProfessionalRole{
			{ID: "70", Name: "Менеджер по продажам"},
			{ID: "121", Name: "Специалист технической поддержки"},
		}},
		{ID: "2", Name: "Административный персонал", Roles: []hh.ProfessionalRole{
			{ID: "56", Name: "Архивариус", SearchDeprecated: true},
		}},
	}}, nil
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
	if !ch.catalog.ProfessionalRoles.Has("96") || !ch.catalog.ProfessionalRoles.Has("55") || ch.catalog.ProfessionalRoles.Has("1") {
		t.Errorf("role catalog %v: want every role hh knows, retired ones included", ch.catalog.ProfessionalRoles)
	}
	c.get(ctx, log)
	now = now.Add(59 * time.Minute)
	c.get(ctx, log)
	if src.calls != 1 || src.roleCalls != 1 {
		t.Errorf("hh asked %d (roles %d) times within the TTL, want 1", src.calls, src.roleCalls)
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

	// Roles failing alone is a failure too, with the same back-off.
	noRoles := &countingSource{failRoles: true}
	c = newChoiceCache(noRoles, time.Hour, clock)
	if ch := c.get(ctx, log); ch.Loaded || ch.catalog.ProfessionalRoles != nil {
		t.Error("choices loaded without professional roles")
	}
	c.get(ctx, log)
	if noRoles.roleCalls != 1 {
		t.Errorf("roles asked %d times, want 1: a failure must back off", noRoles.roleCalls)
	}
}

// The form offers roles by category, leaves out those hh retired from search
// unless the rule has one, and lists a role filed under two categories once.
func TestRoleGroups(t *testing.T) {
	t.Parallel()
	c := newChoiceCache(&countingSource{}, time.Hour, func() time.Time { return fixedNow })
	ch := c.get(context.Background(), slog.New(slog.NewTextHandler(io.Discard, nil)))

	values := func(gs []optionGroup) map[string][]string {
		out := map[string][]string{}
		for _, g := range gs {
			for _, o := range g.Options {
				out[g.Label] = append(out[g.Label], o.Value)
			}
		}
		return out
	}
	got := ch.roleGroups(nil, "retired")
	if len(got) != 2 || got[0].Open || got[1].Open {
		t.Fatalf("groups = %+v, want two folded categories (the retired-only one dropped)", got)
	}
	if v := values(got); !slices.Equal(v["Информационные технологии"], []string{"96", "121"}) || !slices.Equal(v["Продажи, обслуживание клиентов"], []string{"70"}) {
		t.Errorf("roles = %v", v)
	}

	got = ch.roleGroups([]string{"70", "55"}, "retired")
	if len(got) != 2 || !got[0].Open || !got[1].Open {
		t.Fatalf("groups = %+v, want both categories unfolded", got)
	}
	if o := got[0].Options[2]; o.Value != "55" || o.Label != "Оператор ПК — retired" {
		t.Errorf("a selected retired role shows as %+v", o)
	}
}
