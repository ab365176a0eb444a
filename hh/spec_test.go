package hh

import (
	"context"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// hh's official OpenAPI description, trimmed to the operations this package
// uses (testdata/trim_openapi.py).
var loadSpec = sync.OnceValues(func() (*openapi3.T, error) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromFile("testdata/openapi.yml")
	if err != nil {
		return nil, err
	}
	if err := doc.Validate(context.Background(), openapi3.DisableExamplesValidation()); err != nil {
		return nil, err
	}
	return doc, nil
})

func mustSpec(t testing.TB) *openapi3.T {
	t.Helper()
	doc, err := loadSpec()
	if err != nil {
		t.Fatalf("load testdata/openapi.yml: %v", err)
	}
	return doc
}

// shapeDepth bounds how deep recursive schemas (the region tree) are compared.
const shapeDepth = 4

// specShapePaths derives, from a schema of hh's description and the Go type
// that holds it, the paths a shape should list: every member the schema marks
// required that the type holds, with "?" when nullable.
func specShapePaths(s *openapi3.Schema, t reflect.Type) []string {
	var out []string
	var walk func(s *openapi3.Schema, t reflect.Type, prefix string, depth int)
	walk = func(s *openapi3.Schema, t reflect.Type, prefix string, depth int) {
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		props, required, items, _ := flatten(s)
		switch {
		case t.Kind() == reflect.Slice && items != nil:
			walk(items, t.Elem(), prefix+"[]", depth)
		case t.Kind() == reflect.Struct && t != reflect.TypeFor[Time]():
			if depth >= shapeDepth {
				return
			}
			for name, ft := range jsonFields(t) {
				ps := props[name]
				if ps == nil {
					continue
				}
				p := pathJoin(prefix, name)
				if slices.Contains(required, name) {
					_, _, _, nullable := flatten(ps)
					if nullable {
						out = append(out, p+"?")
					} else {
						out = append(out, p)
					}
				}
				walk(ps, ft, p, depth+1)
			}
		}
	}
	walk(s, t, "", 0)
	sort.Strings(out)
	return out
}

// flatten merges allOf and picks the first non-null alternative of
// oneOf/anyOf, as hh uses them (a null alternative marks a nullable value).
func flatten(s *openapi3.Schema) (props map[string]*openapi3.Schema, required []string, items *openapi3.Schema, nullable bool) {
	props = map[string]*openapi3.Schema{}
	var visit func(s *openapi3.Schema)
	visit = func(s *openapi3.Schema) {
		if s == nil {
			return
		}
		if s.Nullable {
			nullable = true
		}
		for k, v := range s.Properties {
			props[k] = v.Value
		}
		required = append(required, s.Required...)
		if s.Items != nil && items == nil {
			items = s.Items.Value
		}
		for _, sub := range s.AllOf {
			visit(sub.Value)
		}
		alts := append(openapi3.SchemaRefs{}, s.OneOf...)
		alts = append(alts, s.AnyOf...)
		picked := false
		for _, sub := range alts {
			if isNullSchema(sub.Value) {
				nullable = true
				continue
			}
			if !picked {
				visit(sub.Value)
				picked = true
			}
		}
	}
	visit(s)
	return props, required, items, nullable
}

func isNullSchema(s *openapi3.Schema) bool {
	return s != nil && len(s.Enum) == 1 && s.Enum[0] == nil
}

// jsonFields lists a struct's JSON members, promoting embedded structs.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if f.Anonymous && tag == "" {
			for k, v := range jsonFields(f.Type) {
				out[k] = v
			}
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = f.Type
	}
	return out
}

// shapePaths lists the paths a compiled shape checks, to the same depth.
func shapePaths(s *shape) []string {
	var out []string
	var walk func(s *shape, prefix string, depth int)
	walk = func(s *shape, prefix string, depth int) {
		if s == nil {
			return
		}
		if s.elem != nil {
			walk(s.elem, prefix+"[]", depth)
		}
		if len(s.members) > 0 && depth >= shapeDepth {
			return
		}
		for _, m := range s.members {
			p := pathJoin(prefix, m.name)
			if m.required {
				if m.nullable {
					out = append(out, p+"?")
				} else {
					out = append(out, p)
				}
			}
			walk(m.sub, p, depth+1)
		}
	}
	walk(s, "", 0)
	sort.Strings(out)
	return out
}

func pathJoin(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return prefix + "." + name
}

// shapeCases ties each shape to the schema of hh's description it implements
// and the Go type it guards.
var shapeCases = []struct {
	schema string
	typ    reflect.Type
	shape  *shape
}{
	{"AuthUserToken", reflect.TypeFor[Token](), shapeToken},
	{"MeAnyProfile", reflect.TypeFor[Me](), shapeMe},
	{"MeApplicantProfile", reflect.TypeFor[Me](), shapeMeApplicant},
	{"ResumesMineResponse", reflect.TypeFor[Page[Resume]](), shapeResumePage},
	{"ResumeResumeForApplicant", reflect.TypeFor[ResumeDetail](), shapeResume},
	{"VacanciesVacanciesResponse", reflect.TypeFor[VacancyPage](), shapeVacancyPage},
	{"VacanciesVacancyForApplicant", reflect.TypeFor[Vacancy](), shapeVacancy},
	{"NegotiationsListResponse", reflect.TypeFor[NegotiationPage](), shapeNegotiationPage},
	{"VacanciesVacanciesBlacklistedResponse", reflect.TypeFor[BlacklistedVacancyPage](), shapeBlacklistedVacancyPage},
	{"EmployersEmployersBlacklistedResponse", reflect.TypeFor[BlacklistedEmployerPage](), shapeBlacklistedEmployerPage},
	{"DictionariesDictResponse", reflect.TypeFor[Dictionaries](), shapeDictionaries},
	{"DictionariesAreaResponse", reflect.TypeFor[[]AreaNode](), shapeAreas},
	{"ProfessionalRolesCatalog", reflect.TypeFor[ProfessionalRoles](), shapeProfessionalRoles},
}

// specOverrides are the deliberate departures of a shape from hh's
// description, by schema: each maps the path the spec derives to the path the
// shape lists instead, with the reason. Every override must still match a
// path the spec derives, so a spec update that makes one moot fails here.
var specOverrides = map[string]map[string]string{
	"NegotiationsListResponse": {
		// REFERENCE §7: url and alternate_url of the short vacancy may be
		// null once the vacancy is deleted; the spec marks neither nullable.
		"items[].vacancy.url":           "items[].vacancy.url?",
		"items[].vacancy.alternate_url": "items[].vacancy.alternate_url?",
	},
}

// TestShapesMatchSpec proves that strict decoding requires exactly what hh's
// description requires, for every member our types hold, apart from the
// recorded specOverrides.
func TestShapesMatchSpec(t *testing.T) {
	doc := mustSpec(t)
	for _, tc := range shapeCases {
		t.Run(tc.schema, func(t *testing.T) {
			ref := doc.Components.Schemas[tc.schema]
			if ref == nil {
				t.Fatalf("schema %s not in testdata/openapi.yml", tc.schema)
			}
			want := specShapePaths(ref.Value, tc.typ)
			for from, to := range specOverrides[tc.schema] {
				i := slices.Index(want, from)
				if i < 0 {
					t.Errorf("override %q -> %q: the spec no longer derives %q", from, to, from)
					continue
				}
				want[i] = to
			}
			sort.Strings(want)
			got := shapePaths(tc.shape)
			if !slices.Equal(got, want) {
				t.Errorf("shape differs from the spec\n got: %q\nwant: %q", got, want)
			}
		})
	}
}
