package web

import (
	"encoding/csv"
	"net/http"
	"strings"
	"time"

	"github.com/otklik/otklik/store"
)

// csvHeader is a contract (DESIGN.md, "CSV").
var csvHeader = []string{"vacancy_id", "vacancy_name", "employer", "status", "reason", "rule", "resume_id", "created_at", "applied_at"}

// applicationsCSV writes every row the filter matches. Times are RFC 3339
// in UTC; reason is the stable code; rule is the rule's name.
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
	cw := csv.NewWriter(w)
	cw.Write(csvHeader)
	for _, a := range items {
		applied := ""
		if !a.AppliedAt.IsZero() {
			applied = a.AppliedAt.UTC().Format(time.RFC3339)
		}
		cw.Write([]string{
			a.VacancyID,
			csvText(a.VacancyName),
			csvText(a.EmployerName),
			string(a.Status),
			a.Reason,
			csvText(ruleNames[a.RuleID]),
			a.ResumeID,
			a.CreatedAt.UTC().Format(time.RFC3339),
			applied,
		})
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		h.log.WarnContext(r.Context(), "write csv", "user_id", user.ID, "error", err)
	}
}

// csvText defuses text that a spreadsheet would run as a formula: vacancy
// and employer names come from hh and are untrusted.
func csvText(s string) string {
	if s != "" && strings.ContainsRune("=+@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
