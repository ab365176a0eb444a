package rules

import (
	"strings"

	"github.com/otklik/otklik/locale"
)

// Refusal is hh's refusal of an application told for a person, and whether
// sending it again can succeed.
type Refusal struct {
	Text  string
	Retry bool
}

// hhRefusals are hh's values for a refused POST /negotiations
// (negotiations/<value>, bad_argument, and the bare description hh sends
// about country visibility), matched in hh's words as the ledger keeps them,
// and whether sending again may succeed (after the fix the words name). The
// words are locale's "refusal.<value>".
var hhRefusals = []struct {
	match string
	retry bool
}{
	{"resume_not_found", true},
	{"resume_visibility_conflict", true},
	{"enable_applicant_visibility_in_country", true},
	{"inappropriate_language", false},
	{"resource_policy_violation", false},
	{"not_enough_purchased_services", false},
	{"application_denied", true},
	{"bad_argument", false},
}

// RefusalKeys lists the locale keys ExplainRefusal may use besides the
// reasons', for the catalogue's tests.
func RefusalKeys() []string {
	keys := []string{"refusal.unknown"}
	for _, r := range hhRefusals {
		keys = append(keys, "refusal."+r.match)
	}
	return keys
}

// ExplainRefusal tells a failed application's reason in lang, from hh's own
// words kept in message where they name the refusal. A vacancy that is gone
// cannot be retried; other refusals can where hh's answer says a retry can
// succeed, and an unrecognised one can (hh may have had a bad moment).
func ExplainRefusal(reason, message, lang string) Refusal {
	if Reason(reason) == ReasonVacancyGone {
		return Refusal{Text: ReasonVacancyGone.Text(lang)}
	}
	for _, r := range hhRefusals {
		if strings.Contains(message, r.match) {
			return Refusal{Text: locale.Text(lang, "refusal."+r.match), Retry: r.retry}
		}
	}
	if reason != "" && Reason(reason) != ReasonHHError && Reason(reason).Known() {
		return Refusal{Text: Reason(reason).Text(lang), Retry: true}
	}
	return Refusal{Text: locale.Text(lang, "refusal.unknown"), Retry: true}
}
