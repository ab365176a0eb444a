package rules

import (
	"slices"
	"strings"

	"github.com/otklik/otklik/hh"
	"github.com/otklik/otklik/locale"
)

// Action is what becomes of a vacancy.
type Action string

// Actions.
const (
	ActionApply  Action = "apply"  // send the application (with the letter, if the rule has a template)
	ActionReview Action = "review" // hold it for a person, with the reason and the draft letter
	ActionSkip   Action = "skip"   // leave it, with the reason recorded
)

// Decision is Decide's verdict. Reason is empty for ActionApply. Detail names
// what matched when that helps the person: the excluded word as written in
// the rule, or the excluded employer's id.
type Decision struct {
	Action Action
	Reason Reason
	Detail string
}

// Text is the decision's reason in words, with the matched word quoted when
// there is one; empty for an application.
func (d Decision) Text(lang string) string {
	if d.Reason == "" {
		return ""
	}
	t := d.Reason.Text(lang)
	if (d.Reason == ReasonExcludedWord || d.Reason == ReasonExcludedWordDescription || d.Reason == ReasonAIMismatch) && d.Detail != "" {
		return locale.Text(lang, "decision.matched", t, d.Detail)
	}
	return t
}

// DecideInput carries what Decide cannot read from the vacancy or the rule.
type DecideInput struct {
	// AlreadyDecided: the ledger has a row for this user, resume and vacancy.
	AlreadyDecided bool
	// BlacklistedEmployers: employer ids the person hid (on hh or locally);
	// nil when unknown.
	BlacklistedEmployers map[string]struct{}
}

// Decide says what to do with one vacancy found by a rule. It does no I/O and
// allocates nothing unless the vacancy title carries markup.
//
// Skips come before reviews, so nothing skipped is ever shown for review, and
// within each group the first match wins:
//
//  1. already_decided: the ledger row is the record; a second verdict would
//     not be stored anyway, and it is the cheapest check.
//  2. archived.
//  3. relations, strongest first: blacklisted (hidden by the person),
//     got_invitation, got_rejection, got_response. favorited and
//     got_question are not reasons to skip.
//  4. employer_excluded: the rule's excluded employers, the given blacklist,
//     or employer.blacklisted on a full vacancy. Anonymous vacancies have no
//     employer id and never match.
//  5. excluded_word: a title containing one of the rule's exclude words
//     (case-insensitive, ё = е).
//
// Reviews then name what the person has to do, most demanding first:
//
//  6. direct: only the employer's site takes the application (type direct or
//     a response_url); the API would answer 303.
//  7. test_required: a test on hh comes first (has_test, unless the full
//     vacancy says the test is optional); the API would refuse.
//  8. letter_required: the employer asked for a letter and the rule has no
//     template, or its mode is letters (the draft awaits a person's eye) or
//     review. Only mode auto with a template applies it, with the letter.
//  9. mode_review: the rule holds everything.
//
// Anything else is applied.
func Decide(v *hh.Vacancy, r *Rule, in DecideInput) Decision {
	if in.AlreadyDecided {
		return skip(ReasonAlreadyDecided, "")
	}
	if v.Archived {
		return skip(ReasonArchived, "")
	}
	if reason, ok := relationSkip(v.Relations); ok {
		return skip(reason, "")
	}
	if employerExcluded(v, r, in) {
		return skip(ReasonEmployerExcluded, v.Employer.ID)
	}
	if w, ok := excludedWord(v.Name, r.ExcludeWords); ok {
		return skip(ReasonExcludedWord, w)
	}
	if w, ok := excludedWordInDescription(v, r); ok {
		return skip(ReasonExcludedWordDescription, w)
	}

	mode := r.EffectiveMode()
	switch {
	case v.Type.ID == hh.VacancyTypeDirect || v.ResponseURL != "":
		return review(ReasonDirect)
	case v.HasTest && (v.Test == nil || v.Test.Required):
		return review(ReasonTestRequired)
	case v.ResponseLetterRequired && (mode != ModeAuto || !r.HasTemplate()):
		return review(ReasonLetterRequired)
	case mode == ModeReview:
		return review(ReasonModeReview)
	}
	return Decision{Action: ActionApply}
}

func skip(reason Reason, detail string) Decision {
	return Decision{Action: ActionSkip, Reason: reason, Detail: detail}
}

func review(reason Reason) Decision {
	return Decision{Action: ActionReview, Reason: reason}
}

// relationSkip picks the strongest skipping relation whatever their order in
// the list, so the recorded reason does not depend on hh's ordering.
func relationSkip(relations []string) (Reason, bool) {
	var blacklisted, invitation, rejection, response bool
	for _, rel := range relations {
		switch rel {
		case hh.RelationBlacklisted:
			blacklisted = true
		case hh.RelationGotInvitation:
			invitation = true
		case hh.RelationGotRejection:
			rejection = true
		case hh.RelationGotResponse:
			response = true
		}
	}
	switch {
	case blacklisted:
		return ReasonBlacklisted, true
	case invitation:
		return ReasonGotInvitation, true
	case rejection:
		return ReasonGotRejection, true
	case response:
		return ReasonGotResponse, true
	}
	return "", false
}

func employerExcluded(v *hh.Vacancy, r *Rule, in DecideInput) bool {
	if v.Employer.Blacklisted {
		return true
	}
	id := v.Employer.ID
	if id == "" {
		return false
	}
	if _, ok := in.BlacklistedEmployers[id]; ok {
		return true
	}
	return slices.Contains(r.ExcludedEmployerIDs, id)
}

// excludedWord returns the first of words found in the title. Blank words
// match nothing (rather than everything).
func excludedWord(title string, words []string) (string, bool) {
	if len(words) == 0 {
		return "", false
	}
	if strings.IndexByte(title, '<') >= 0 {
		title = StripTags(title)
	}
	for _, w := range words {
		needle := strings.TrimSpace(w)
		if needle != "" && containsFold(title, needle) {
			return w, true
		}
	}
	return "", false
}
