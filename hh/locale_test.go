package hh

import (
	"context"
	"net/http"
	"os"
	"testing"
)

// WithLocale asks hh for the dictionaries in that language (the common
// locale parameter); the original client keeps hh's default.
func TestWithLocale(t *testing.T) {
	c, mux := setup(t)
	body, err := os.ReadFile("testdata/dictionaries.json")
	if err != nil {
		t.Fatal(err)
	}
	var locales []string
	mux.HandleFunc("GET /dictionaries", func(w http.ResponseWriter, r *http.Request) {
		locales = append(locales, r.URL.Query().Get("locale"))
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	})
	ctx := context.Background()
	if _, err := c.WithLocale("EN").Dictionaries(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Dictionaries(ctx); err != nil {
		t.Fatal(err)
	}
	if len(locales) != 2 || locales[0] != "EN" || locales[1] != "" {
		t.Errorf("locale parameters sent: %q, want [EN \"\"]", locales)
	}
}
