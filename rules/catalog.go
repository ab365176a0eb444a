package rules

import "github.com/otklik/otklik/hh"

// Set is a set of ids.
type Set map[string]struct{}

// NewSet makes a set of ids.
func NewSet(ids ...string) Set {
	s := make(Set, len(ids))
	for _, id := range ids {
		s[id] = struct{}{}
	}
	return s
}

// Has reports whether id is in the set.
func (s Set) Has(id string) bool {
	_, ok := s[id]
	return ok
}

// Catalog is what validation checks a rule's values against: hh's
// dictionaries and the person's resumes. A nil field means "not checked"
// (the dictionary was not loaded), never "nothing is allowed".
type Catalog struct {
	Areas             Set // ids from /areas, at any depth
	Experience        Set
	Employment        Set
	Schedule          Set
	ProfessionalRoles Set
	Currencies        Set // currency codes
	Resumes           Set // ids of the person's published resumes
}

// IDSet collects the ids of dictionary entries; nil (unchecked) when there
// are none, as when the dictionary did not load.
func IDSet(entries []hh.IDName) Set {
	if len(entries) == 0 {
		return nil
	}
	s := make(Set, len(entries))
	for _, e := range entries {
		s[e.ID] = struct{}{}
	}
	return s
}

// CurrencySet collects currency codes; nil (unchecked) when there are none.
func CurrencySet(currencies []hh.Currency) Set {
	if len(currencies) == 0 {
		return nil
	}
	s := make(Set, len(currencies))
	for _, c := range currencies {
		s[c.Code] = struct{}{}
	}
	return s
}

// AreaSet collects the ids of every node of hh's region tree; nil
// (unchecked) when the tree is empty.
func AreaSet(tree []hh.AreaNode) Set {
	if len(tree) == 0 {
		return nil
	}
	s := make(Set)
	var walk func([]hh.AreaNode)
	walk = func(nodes []hh.AreaNode) {
		for _, n := range nodes {
			s[n.ID] = struct{}{}
			walk(n.Areas)
		}
	}
	walk(tree)
	return s
}

// RoleSet collects the ids of every professional role hh lists, search
// deprecated ones included: a rule that already carries a role hh has since
// retired from search stays valid. nil (unchecked) when there are none.
func RoleSet(pr *hh.ProfessionalRoles) Set {
	if pr == nil {
		return nil
	}
	s := make(Set)
	for _, c := range pr.Categories {
		for _, r := range c.Roles {
			s[r.ID] = struct{}{}
		}
	}
	if len(s) == 0 {
		return nil
	}
	return s
}

// PublishedResumes collects the ids of the resumes that can apply. Unlike
// the dictionaries, an empty list gives an empty (checked) set: a person
// with no published resume cannot pick one.
func PublishedResumes(resumes []hh.Resume) Set {
	s := make(Set, len(resumes))
	for _, r := range resumes {
		if r.Published() {
			s[r.ID] = struct{}{}
		}
	}
	return s
}

// CatalogFrom builds a Catalog from hh's dictionaries, region tree and the
// person's resumes; a nil argument leaves its fields unchecked. Professional
// roles come from another endpoint: set Catalog.ProfessionalRoles with RoleSet.
func CatalogFrom(d *hh.Dictionaries, areas []hh.AreaNode, resumes []hh.Resume) Catalog {
	var c Catalog
	if d != nil {
		c.Experience = IDSet(d.Experience)
		c.Employment = IDSet(d.Employment)
		c.Schedule = IDSet(d.Schedule)
		c.Currencies = CurrencySet(d.Currency)
	}
	c.Areas = AreaSet(areas)
	if resumes != nil {
		c.Resumes = PublishedResumes(resumes)
	}
	return c
}
