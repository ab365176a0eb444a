package web

import (
	"context"
	"encoding/csv"
	"strings"
	"testing"

	"github.com/otklik/otklik/store"
)

// Names come from hh, so any of them may be a formula. Following OWASP's CSV
// injection guidance, a cell that starts with = + - @, a tab or a carriage
// return (or their full-width forms) is prefixed with ' so a spreadsheet
// shows it as text.
func TestCSVExportDefusesFormulas(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	b, userID, resume := signedInWithHH(t, env, "a@example.com", 0)
	ruleID := createRule(t, b, validRuleForm(resume))
	vs := env.sandbox.Vacancies()
	names := []string{
		`=HYPERLINK("http://evil")`,
		"+1+cmd|' /C calc'!A0",
		"-2+3+cmd|' /C calc'!A0",
		"@SUM(1+9)*cmd|' /C calc'!A0",
		"\t=1+1",
		"\r=1+1",
		"＝1+1",
		"Go-разработчик", // a hyphen inside is harmless
	}
	for i, name := range names {
		a := &store.Application{UserID: userID, RuleID: ruleID, ResumeID: resume, VacancyID: vs[i].ID, Status: store.StatusApplied,
			VacancySnapshot: store.VacancySnapshot{VacancyName: name, EmployerName: name}}
		if _, err := env.store.InsertApplication(context.Background(), a); err != nil {
			t.Fatal(err)
		}
	}

	rows, err := csv.NewReader(strings.NewReader(b.get("/applications?format=csv").body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	exported := map[string][]string{} // vacancy id → row
	for _, row := range rows[1:] {
		exported[row[0]] = row
	}
	for i, name := range names {
		row := exported[vs[i].ID]
		if row == nil {
			t.Fatalf("vacancy %s (%q) missing from the export", vs[i].ID, name)
		}
		want := "'" + name
		if i == len(names)-1 {
			want = name
		}
		if row[1] != want || row[2] != want {
			t.Errorf("%q exported as vacancy %q, employer %q; want %q", name, row[1], row[2], want)
		}
	}
}
