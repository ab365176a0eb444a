package web

import (
	"encoding/csv"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/otklik/otklik/locale"
	"github.com/otklik/otklik/store"
)

// csvHeader is a contract (docs/ARCHITECTURE.md, "Contracts").
var csvHeader = []string{"vacancy_id", "vacancy_name", "employer", "status", "reason", "rule", "resume_id", "created_at", "applied_at",
	"outcome", "outcome_at", "viewed"}

// applicationsCSV writes every row the filter matches, after a UTF-8 BOM
// (spreadsheets on Windows need it to read UTF-8). Times are RFC 3339 in the
// person's time zone, with its offset; reason is the stable code; rule is the
// rule's name.
func (h *handler) applicationsCSV(w http.ResponseWriter, r *http.Request, f store.ApplicationFilter, ruleNames map[int64]string) {
	user := currentUser(r)
	items, err := h.store.ListApplications(r.Context(), user.ID, f)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="otklik-applications.csv"`)
	w.Header().Set("Cache-Control", "no-store")
	loc := locale.Zone(user.TimeZone)
	stamp := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.In(loc).Format(time.RFC3339)
	}
	io.WriteString(w, "\ufeff")
	cw := csv.NewWriter(w)
	cw.Write(csvHeader)
	for _, a := range items {
		cw.Write([]string{
			csvText(a.VacancyID),
			csvText(a.VacancyName),
			csvText(a.EmployerName),
			string(a.Status),
			a.Reason,
			csvText(ruleNames[a.RuleID]),
			csvText(a.ResumeID),
			stamp(a.CreatedAt),
			stamp(a.AppliedAt),
			a.State,
			stamp(a.Outcome.At),
			strconv.FormatBool(a.Viewed),
		})
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		h.log.WarnContext(r.Context(), "write csv", "user_id", user.ID, "error", err)
	}
}

// csvText defuses text that a spreadsheet would run as a formula (OWASP, CSV
// injection): a cell starting with = + - @, a tab or a carriage return, or
// the full-width forms some spreadsheets also read, gets a leading ' so it
// shows as text. Names and ids come from hh and are untrusted; encoding/csv
// quotes separators and quotes inside.
func csvText(s string) string {
	r, _ := utf8.DecodeRuneInString(s)
	if strings.ContainsRune("=+-@\t\r＝＋－＠", r) {
		return "'" + s
	}
	return s
}
