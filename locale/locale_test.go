package locale_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/otklik/otklik/locale"
	"github.com/otklik/otklik/rules"
	"github.com/otklik/otklik/store"
)

// Every key has every language.
func TestEveryKeyInEveryLanguage(t *testing.T) {
	for _, lang := range locale.Languages() {
		for _, key := range locale.Keys(lang) {
			for _, other := range locale.Languages() {
				if !locale.Has(other, key) {
					t.Errorf("%s is in %s but not in %s", key, lang, other)
				}
			}
		}
	}
}

// verb is a fmt placeholder: flags, width, precision and the verb letter.
var verb = regexp.MustCompile(`%[-+# 0]*[0-9]*(?:\.[0-9]+)?[a-zA-Z%]`)

// Every key's placeholders are the same, in the same order, in every
// language, so the same arguments fill them.
func TestPlaceholdersMatch(t *testing.T) {
	for _, key := range locale.Keys(locale.Default) {
		want := verb.FindAllString(locale.Text(locale.Default, key), -1)
		for _, lang := range locale.Languages()[1:] {
			if !locale.Has(lang, key) {
				continue // TestEveryKeyInEveryLanguage says so
			}
			if got := verb.FindAllString(locale.Text(lang, key), -1); !slices.Equal(got, want) {
				t.Errorf("%s: placeholders %v in %s, %v in %s", key, got, lang, want, locale.Default)
			}
		}
	}
}

// dynamicKeys are the keys code builds from a code rather than writing them
// out: each family is listed from the codes it is built of, so a key of a
// family counts as used only when its code exists.
func dynamicKeys() []string {
	var keys []string
	for _, r := range rules.AllReasons() {
		keys = append(keys, r.Key()) // rules.Reason.Text
	}
	keys = append(keys, rules.RefusalKeys()...) // rules.ExplainRefusal
	for _, st := range store.Statuses {
		// templates: print "status." .Status, print "count." .Status
		keys = append(keys, "status."+string(st), "count."+string(st))
	}
	for _, m := range []rules.Mode{rules.ModeLetters, rules.ModeAuto, rules.ModeReview} {
		// the rule form: print "mode." $m, print "mode." $m ".hint"
		keys = append(keys, "mode."+string(m), "mode."+string(m)+".hint")
	}
	for _, a := range []string{string(rules.ActionApply), string(rules.ActionReview), string(rules.ActionSkip), "later"} {
		keys = append(keys, "action."+a) // the preview: print "action." .Action
	}
	for _, k := range []string{"applied", "viewed", "invitation", "discard"} {
		keys = append(keys, "outcomes."+k) // the funnel: print "outcomes." .Key
	}
	for _, k := range []string{"invitation", "discard", "viewed", "none"} {
		keys = append(keys, "outcome."+k) // history: print "outcome." .Kind
	}
	for _, k := range []string{store.AINoteCapSpent, store.AINoteUnavailable, store.AINoteRejected, store.AINoteGaveUp} {
		keys = append(keys, "ai_note."+k) // history: print "ai_note." .AINote
	}
	for _, st := range []string{"published", "not_published", "blocked", "on_moderation", "unknown"} {
		// /resumes: print "resumes.status." .Status (hh's resume status ids, and ours for none)
		keys = append(keys, "resumes.status."+st)
	}
	return keys
}

// catalogue reports whether p is one of locale's catalogues (ru.go, en.go).
func catalogue(p string) bool {
	dir, name := filepath.Split(filepath.ToSlash(p))
	return filepath.Base(dir) == "locale" && slices.Contains(locale.Languages(), strings.TrimSuffix(name, ".go"))
}

// sources is the text of every file that may name a key, the catalogues
// aside: Go code (not tests) and templates.
func sources(t *testing.T) string {
	t.Helper()
	var b strings.Builder
	err := filepath.WalkDir("..", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case ".git", "hhsandbox", "testdata", "node_modules":
				return filepath.SkipDir
			}
			return nil
		}
		name := d.Name()
		if strings.HasSuffix(name, "_test.go") || catalogue(p) {
			return nil
		}
		if strings.HasSuffix(name, ".go") || strings.HasSuffix(name, ".html") || strings.HasSuffix(name, ".txt") {
			src, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			b.Write(src)
			b.WriteByte('\n')
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// Every key is used: written out as a string literal in code or a template,
// or built from a code of a dynamic family. And every dynamic key exists.
func TestNoUnusedKeys(t *testing.T) {
	src := sources(t)
	dynamic := dynamicKeys()
	for _, key := range locale.Keys(locale.Default) {
		if slices.Contains(dynamic, key) {
			continue
		}
		if !strings.Contains(src, `"`+key+`"`) {
			t.Errorf("%s is used nowhere: delete it, or list its family in dynamicKeys", key)
		}
	}
	for _, key := range dynamic {
		if !locale.Has(locale.Default, key) {
			t.Errorf("%s has no words", key)
		}
	}
}

// usedKey finds a key written out where words are asked for: a template's
// t, web's translate, locale.Text, a validation error's key.
var usedKey = regexp.MustCompile(`(?:\bt (?:\$\w+ )?|translate\(\w+(?:\.\w+)?, |locale\.Text\(\w+(?:\.\w+)?, |es\.add\(\w+(?:\.\w+)?, \w+, )"([a-z_]+\.[a-z0-9_.]+)"`)

// Every key code or a template asks for exists.
func TestNoMissingKeys(t *testing.T) {
	src := sources(t)
	found := 0
	for _, m := range usedKey.FindAllStringSubmatch(src, -1) {
		found++
		if !locale.Has(locale.Default, m[1]) {
			t.Errorf("%s is asked for but has no words", m[1])
		}
	}
	if found < 100 {
		t.Errorf("found only %d keys asked for: is the pattern still right?", found)
	}
}

func TestTextFallsBack(t *testing.T) {
	if got, want := locale.Text("de", "nav.rules"), locale.Text("ru", "nav.rules"); got != want {
		t.Errorf("an unknown language gives %q, want Russian %q", got, want)
	}
	if got := locale.Text("en", "no.such_key"); got != "no.such_key" {
		t.Errorf("an unknown key gives %q, want the key", got)
	}
	if got := (locale.Printer{Lang: "en"}).Text("applications.page", 2, 5); got != "page 2 of 5" {
		t.Errorf("Printer.Text = %q", got)
	}
}

func TestNumbersAndQuotesPerLanguage(t *testing.T) {
	args := []any{locale.Quoted(`x"y`), 40}
	if got, want := locale.Text("ru", "invalid.exclude_word_too_long", args...), "Слово-исключение «x\"y» длиннее 40 символов."; got != want {
		t.Errorf("ru: %q, want %q", got, want)
	}
	if got, want := locale.Text("en", "invalid.exclude_word_too_long", args...), `The excluded word "x\"y" is longer than 40 characters.`; got != want {
		t.Errorf("en: %q, want %q", got, want)
	}
	if args[0] != locale.Quoted(`x"y`) {
		t.Error("Text changed its caller's arguments")
	}
	n := []any{locale.Number(1500000)}
	if got, want := locale.Text("ru", "invalid.salary_too_big", n...), "Зарплата не больше 1 500 000."; got != want {
		t.Errorf("ru: %q, want %q", got, want)
	}
	if got, want := locale.Text("en", "invalid.salary_too_big", n...), "The salary may be at most 1,500,000."; got != want {
		t.Errorf("en: %q, want %q", got, want)
	}
}

func TestFormatNumber(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 999: "999", 1000: "1 000", 12345: "12 345", 123456: "123 456", 1234567: "1 234 567", -1234: "-1 234"} {
		if got := locale.FormatNumber("ru", n); got != want {
			t.Errorf("FormatNumber(ru, %d) = %q, want %q", n, got, want)
		}
		if got, want := locale.FormatNumber("en", n), strings.ReplaceAll(want, " ", ","); got != want {
			t.Errorf("FormatNumber(en, %d) = %q, want %q", n, got, want)
		}
	}
}

func TestSalaryText(t *testing.T) {
	for in, want := range map[string]string{
		"от 200 000 ₽":                "from 200,000 ₽",
		"от 1 200 000 до 1 500 000 ₽": "from 1,200,000 to 1,500,000 ₽",
		"до 90 000 KGS":               "up to 90,000 KGS",
		"150 000 $":                   "150,000 $",
		"":                            "",
	} {
		if got := locale.SalaryText("en", in); got != want {
			t.Errorf("SalaryText(en, %q) = %q, want %q", in, got, want)
		}
		if got := locale.SalaryText("ru", in); got != in {
			t.Errorf("Russian salary changed: %q → %q", in, got)
		}
	}
}

func TestZone(t *testing.T) {
	if got := locale.Zone("Asia/Vladivostok").String(); got != "Asia/Vladivostok" {
		t.Errorf("locale.Zone(Asia/Vladivostok) = %s", got)
	}
	if got := locale.Zone("Nowhere/Atlantis").String(); got != locale.DefaultZone {
		t.Errorf("a zone that does not load = %s, want %s", got, locale.DefaultZone)
	}
	if got := locale.Zone(""); got != time.UTC {
		t.Errorf(`Zone("") = %s, want UTC`, got)
	}
	if locale.Zone("Europe/Moscow") != locale.Zone("Europe/Moscow") {
		t.Error("a zone is loaded again on every call")
	}
}
