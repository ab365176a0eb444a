package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/otklik/otklik/rules"
	"github.com/otklik/otklik/store"
)

// ruleFormData is the Data of the rule form, new or edit. Raw keeps the
// numbers as typed, so a value that is not a number comes back as it was.
type ruleFormData struct {
	ID           int64 // 0: a new rule
	Rule         rules.Rule
	Raw          map[string]string
	ExcludeWords string
	Errors       map[string]string // field → message in the page's language
	Choices      *choices
	Areas        []optionGroup
	Roles        []optionGroup
	Resumes      []option
	Placeholders []string
	Stored       *store.Rule // nil for a new rule
	NoResumes    bool
	LastRun      *lastRunView // nil for a new rule or one never run
	// HH is the account's state: the page warns when access is down, and
	// ResumeGone says the rule's resume is not the connected person's.
	HH         hhConnection
	ResumeGone bool
	// Outcomes is what became of the rule's applications (nil for a new rule).
	Outcomes *funnelView
	// AI: a model is configured, so the AI fields show.
	AI bool
}

// parsedRule is a rule read from a form plus the errors found while reading
// it (numbers that are not numbers), before validation.
type parsedRule struct {
	rule      rules.Rule
	raw       map[string]string
	parseErrs map[string]string // field → locale key
}

// parseRuleForm reads the rule form (docs/ARCHITECTURE.md, "Contracts").
func parseRuleForm(form url.Values) parsedRule {
	p := parsedRule{raw: map[string]string{}, parseErrs: map[string]string{}}
	r := &p.rule
	r.Name = strings.TrimSpace(form.Get(rules.FieldName))
	r.ResumeID = strings.TrimSpace(form.Get(rules.FieldResumeID))
	r.Text = strings.TrimSpace(form.Get(rules.FieldText))
	r.Areas = listValues(form[rules.FieldArea])
	r.Currency = strings.TrimSpace(form.Get(rules.FieldCurrency))
	r.OnlyWithSalary = form.Get(rules.FieldOnlyWithSalary) == "on"
	r.Experience = listValues(form[rules.FieldExperience])
	r.Employment = listValues(form[rules.FieldEmployment])
	r.Schedule = listValues(form[rules.FieldSchedule])
	r.ProfessionalRoles = listValues(form[rules.FieldProfessionalRole])
	r.ExcludedEmployerIDs = listValues(form[rules.FieldExcludedEmployerID])
	r.ExcludeWords = rules.ParseExcludeWords(form.Get(rules.FieldExcludeWords))
	r.ExcludeWordsInDescription = form.Get(rules.FieldExcludeWordsInDescription) == "on"
	r.SkipDiscardedEmployers = form.Get(rules.FieldSkipDiscardedEmployers) == "on"
	r.Mode = rules.Mode(strings.TrimSpace(form.Get(rules.FieldMode)))
	if r.Mode == "" {
		r.Mode = rules.ModeLetters
	}
	r.LetterTemplate = strings.ReplaceAll(form.Get(rules.FieldLetterTemplate), "\r\n", "\n")
	r.ActiveFrom = strings.TrimSpace(form.Get(rules.FieldActiveFrom))
	r.ActiveTo = strings.TrimSpace(form.Get(rules.FieldActiveTo))
	r.Enabled = form.Get(rules.FieldEnabled) == "on"
	r.LetterSource = rules.LetterSource(strings.TrimSpace(form.Get(rules.FieldLetterSource)))
	if r.LetterSource == "" {
		r.LetterSource = rules.LetterSourceTemplate
	}
	r.AIScreen = form.Get(rules.FieldAIScreen) == "on"
	r.AICriteria = strings.TrimSpace(strings.ReplaceAll(form.Get(rules.FieldAICriteria), "\r\n", "\n"))

	number := func(field string, dst *int, optional bool) {
		s := strings.TrimSpace(form.Get(field))
		p.raw[field] = s
		s = strings.Map(func(c rune) rune {
			if c == ' ' || c == '\u00a0' || c == '\u202f' || c == '_' {
				return -1
			}
			return c
		}, s)
		if s == "" && optional {
			return
		}
		n, err := strconv.Atoi(s)
		if err != nil {
			p.parseErrs[field] = "invalid.not_a_number"
			return
		}
		*dst = n
	}
	number(rules.FieldSalary, &r.Salary, true)
	number(rules.FieldDailyLimit, &r.DailyLimit, false)
	number(rules.FieldEveryHours, &r.EveryHours, false)
	return p
}

// listValues trims a repeatable field's values, splits comma-separated ones
// (an employer id field typed by hand) and drops empties and duplicates.
func listValues(vals []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, v := range vals {
		for _, part := range strings.FieldsFunc(v, func(c rune) bool { return c == ',' || c == ' ' || c == '\n' || c == '\r' || c == '\t' }) {
			if !seen[part] {
				seen[part] = true
				out = append(out, part)
			}
		}
	}
	return out
}

// validate checks the parsed rule against hh's catalog and the person's
// resumes; it returns field → message in lang (empty: valid).
func (p parsedRule) validate(cat rules.Catalog, lang string) map[string]string {
	msgs := p.rule.Validate(cat).Messages(lang)
	if msgs == nil {
		msgs = map[string]string{}
	}
	for field, key := range p.parseErrs {
		msgs[field] = translate(lang, key)
	}
	return msgs
}

// catalog is what a rule of userID is validated against.
func (h *handler) catalog(ctx context.Context, userID int64) (rules.Catalog, []store.Resume, error) {
	ch := h.choices.get(ctx, h.log)
	cat := ch.catalog
	resumes, err := h.resumes(ctx, userID)
	if err != nil {
		return cat, nil, err
	}
	cat.Resumes = rules.NewSet()
	for _, r := range resumes {
		if r.Published {
			cat.Resumes[r.ID] = struct{}{}
		}
	}
	return cat, resumes, nil
}

// renderRuleForm shows the rule form with d's values and errors.
func (h *handler) renderRuleForm(w http.ResponseWriter, r *http.Request, status int, d *ruleFormData, resumes []store.Resume) {
	lang := visitorOf(r).lang
	ch := h.choicesIn(lang).get(r.Context(), h.log)
	d.Choices = ch
	d.AI = h.cfg.AI.Enabled()
	d.Areas = withSelected(ch.Areas, d.Rule.Areas, translate(lang, "rule.other_values"))
	d.Roles = withSelected(ch.roleGroups(d.Rule.ProfessionalRoles, translate(lang, "rule.role_retired")),
		d.Rule.ProfessionalRoles, translate(lang, "rule.other_values"))
	d.Placeholders = rules.Placeholders()
	d.Resumes = nil
	for _, res := range resumes {
		if !res.Published && res.ID != d.Rule.ResumeID {
			continue
		}
		label := res.Title
		if !res.Published {
			label += " — " + translate(lang, "rule.resume_unpublished")
		}
		d.Resumes = append(d.Resumes, option{Value: res.ID, Label: label})
	}
	d.NoResumes = len(d.Resumes) == 0
	if id := d.Rule.ResumeID; id != "" && !optionsHave(d.Resumes, id) {
		// Not among the resumes known now (hh disconnected, another person
		// connected, the resume deleted): kept, so saving keeps it.
		d.Resumes = append(d.Resumes, option{Value: id, Label: translate(lang, "rule.resume_unknown", id)})
		d.ResumeGone = len(resumes) > 0
	}
	conn, err := h.hhConnection(r.Context(), currentUser(r).ID)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	if d.ID != 0 {
		conn.Back = "/rules/" + strconv.FormatInt(d.ID, 10)
	}
	d.HH = conn
	if d.Raw == nil {
		d.Raw = map[string]string{}
		d.Raw[rules.FieldDailyLimit] = strconv.Itoa(d.Rule.DailyLimit)
		d.Raw[rules.FieldEveryHours] = strconv.Itoa(d.Rule.EveryHours)
		if d.Rule.Salary > 0 {
			d.Raw[rules.FieldSalary] = strconv.Itoa(d.Rule.Salary)
		}
	}
	if d.Errors == nil {
		d.Errors = map[string]string{}
	}
	h.render(w, r, status, "rule_form", h.newPage(w, r, "rules", d))
}

func optionsHave(opts []option, v string) bool {
	for _, o := range opts {
		if o.Value == v {
			return true
		}
	}
	return false
}

// pathID reads {id} from the path; ok is false when it is not a positive number.
func pathID(r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	return id, err == nil && id > 0
}
