package web

import (
	"context"
	"log/slog"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/otklik/otklik/hh"
	"github.com/otklik/otklik/rules"
)

// catalogSource is the part of the hh client the rule form's choices come
// from; they are public and need no user token.
type catalogSource interface {
	Dictionaries(ctx context.Context) (*hh.Dictionaries, error)
	Areas(ctx context.Context) ([]hh.AreaNode, error)
	ProfessionalRoles(ctx context.Context) (*hh.ProfessionalRoles, error)
}

// option is one choice of a select or checkbox group.
type option struct {
	Value string
	Label string
	Depth int // nesting in the region tree, for indentation
}

// optionGroup is an <optgroup>, or a category of checkboxes.
type optionGroup struct {
	Label   string
	Options []option
	Open    bool // a category holding a selected value starts unfolded
}

// choices are the rule form's choices from hh's dictionaries, areas and
// professional roles. Loaded is false when hh could not be reached; the form
// then still works, and validation does not check those values.
type choices struct {
	Loaded     bool
	Areas      []optionGroup // one group per country
	Experience []option
	Employment []option
	Schedule   []option
	Currencies []option
	roles      []hh.RoleCategory // see roleGroups
	catalog    rules.Catalog
}

// maxAreaOptions: hh's real region tree has thousands of towns; past this
// size the form offers countries and regions only (and keeps any deeper
// area a rule already has).
const maxAreaOptions = 600

// retryAfterFailure keeps a failing hh from being asked on every page view.
const retryAfterFailure = time.Minute

// choiceCache keeps hh's dictionaries in memory for a TTL, per process.
type choiceCache struct {
	src catalogSource
	ttl time.Duration
	now func() time.Time

	mu        sync.Mutex
	cur       *choices
	fetchedAt time.Time
	failedAt  time.Time
}

func newChoiceCache(src catalogSource, ttl time.Duration, now func() time.Time) *choiceCache {
	return &choiceCache{src: src, ttl: ttl, now: now}
}

// get returns the cached choices, fetching them when they are missing or
// stale. A failed fetch keeps the stale copy (or an empty, unloaded one).
func (c *choiceCache) get(ctx context.Context, log *slog.Logger) *choices {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	fresh := c.cur != nil && now.Sub(c.fetchedAt) < c.ttl
	recentlyFailed := !c.failedAt.IsZero() && now.Sub(c.failedAt) < retryAfterFailure
	if fresh || recentlyFailed {
		if c.cur == nil {
			return &choices{}
		}
		return c.cur
	}
	ch, err := c.fetch(ctx)
	if err != nil {
		log.WarnContext(ctx, "hh dictionaries unavailable", "error", err)
		c.failedAt = now
		if c.cur == nil {
			return &choices{}
		}
		return c.cur
	}
	c.cur, c.fetchedAt, c.failedAt = ch, now, time.Time{}
	return ch
}

func (c *choiceCache) fetch(ctx context.Context) (*choices, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	d, err := c.src.Dictionaries(ctx)
	if err != nil {
		return nil, err
	}
	areas, err := c.src.Areas(ctx)
	if err != nil {
		return nil, err
	}
	roles, err := c.src.ProfessionalRoles(ctx)
	if err != nil {
		return nil, err
	}
	ch := &choices{Loaded: true, roles: roles.Categories}
	ch.catalog = rules.CatalogFrom(d, areas, nil)
	ch.catalog.ProfessionalRoles = rules.RoleSet(roles)
	ch.Experience = idNameOptions(d.Experience)
	ch.Employment = idNameOptions(d.Employment)
	ch.Schedule = idNameOptions(d.Schedule)
	for _, cur := range d.Currency {
		ch.Currencies = append(ch.Currencies, option{Value: cur.Code, Label: cur.Abbr + " · " + cur.Name})
	}
	ch.Areas = areaGroups(areas)
	return ch, nil
}

func idNameOptions(entries []hh.IDName) []option {
	out := make([]option, 0, len(entries))
	for _, e := range entries {
		out = append(out, option{Value: e.ID, Label: e.Name})
	}
	return out
}

// areaGroups turns hh's region tree into one group per country: the
// country itself, then its regions and, when the tree is small enough,
// their towns. Deeper areas are found by name on hh anyway.
func areaGroups(tree []hh.AreaNode) []optionGroup {
	total := 0
	var count func([]hh.AreaNode)
	count = func(ns []hh.AreaNode) {
		for _, n := range ns {
			total++
			count(n.Areas)
		}
	}
	count(tree)
	maxDepth := 99
	if total > maxAreaOptions {
		maxDepth = 1
	}
	var groups []optionGroup
	for _, country := range tree {
		g := optionGroup{Label: country.Name, Options: []option{{Value: country.ID, Label: country.Name}}}
		var walk func(ns []hh.AreaNode, depth int)
		walk = func(ns []hh.AreaNode, depth int) {
			if depth > maxDepth {
				return
			}
			for _, n := range ns {
				g.Options = append(g.Options, option{Value: n.ID, Label: n.Name, Depth: depth})
				walk(n.Areas, depth+1)
			}
		}
		walk(country.Areas, 1)
		groups = append(groups, g)
	}
	return groups
}

// roleGroups lists hh's professional roles by category for the rule form.
// Roles hh retired from search are left out unless selected (labelled with
// retired, so the person sees why), and a role hh files under several
// categories appears only in the first: two checkboxes of one value would
// keep it selected when only one of them is cleared.
func (ch *choices) roleGroups(selected []string, retired string) []optionGroup {
	seen := map[string]bool{}
	var groups []optionGroup
	for _, cat := range ch.roles {
		g := optionGroup{Label: cat.Name}
		for _, r := range cat.Roles {
			if seen[r.ID] {
				continue
			}
			sel := slices.Contains(selected, r.ID)
			if r.SearchDeprecated && !sel {
				continue
			}
			seen[r.ID] = true
			label := r.Name
			if r.SearchDeprecated {
				label += " — " + retired
			}
			g.Options = append(g.Options, option{Value: r.ID, Label: label})
			g.Open = g.Open || sel
		}
		if len(g.Options) > 0 {
			groups = append(groups, g)
		}
	}
	return groups
}

// withSelected returns groups plus a group holding any selected value the
// groups lack (a deep area, a role hh retired), so editing a rule never
// silently drops a value.
func withSelected(groups []optionGroup, selected []string, extraLabel string) []optionGroup {
	have := map[string]bool{}
	for _, g := range groups {
		for _, o := range g.Options {
			have[o.Value] = true
		}
	}
	var extra []option
	for _, v := range selected {
		if v != "" && !have[v] {
			have[v] = true
			extra = append(extra, option{Value: v, Label: v})
		}
	}
	if len(extra) == 0 {
		return groups
	}
	sort.Slice(extra, func(i, j int) bool { return extra[i].Value < extra[j].Value })
	return append(append([]optionGroup(nil), groups...), optionGroup{Label: extraLabel, Options: extra, Open: true})
}

// choicesIn is the cache of the rule form's lists in lang: hh's English
// names for English (where hh has them), Russian otherwise. Ids are the
// same in both, so validation uses either.
func (h *handler) choicesIn(lang string) *choiceCache {
	if lang == "en" && h.choicesEN != nil {
		return h.choicesEN
	}
	return h.choices
}
