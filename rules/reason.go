package rules

import (
	"slices"

	"github.com/otklik/otklik/locale"
)

// Reason is a stable code saying why a vacancy was skipped, held for review
// or failed. Codes are stored in the ledger and shown in the CSV export, so
// they never change; their words (locale, "reason.<code>") may.
type Reason string

// Reasons Decide gives, in the order Decide checks them (see Decide).
const (
	// Skips.
	ReasonAlreadyDecided   Reason = "already_decided"   // in the ledger for this resume
	ReasonArchived         Reason = "archived"          // the vacancy is in hh's archive
	ReasonBlacklisted      Reason = "blacklisted"       // the person hid the vacancy on hh
	ReasonGotInvitation    Reason = "got_invitation"    // an invitation exists
	ReasonGotRejection     Reason = "got_rejection"     // the employer declined
	ReasonGotResponse      Reason = "got_response"      // the person has applied already
	ReasonEmployerExcluded Reason = "employer_excluded" // excluded in the rule or blacklisted
	ReasonExcludedWord     Reason = "excluded_word"     // the title has an exclude word

	// Held for review.
	ReasonDirect         Reason = "direct"          // apply on the employer's own site
	ReasonTestRequired   Reason = "test_required"   // a test on hh comes first
	ReasonLetterRequired Reason = "letter_required" // the employer asked for a letter
	ReasonModeReview     Reason = "mode_review"     // the rule holds everything
)

// Reasons the worker and the review queue record for outcomes.
const (
	ReasonLimitExceeded  Reason = "limit_exceeded"  // hh's 200-a-day limit or ours
	ReasonCaptcha        Reason = "captcha"         // hh demands a captcha
	ReasonVacancyGone    Reason = "vacancy_gone"    // removed, hidden or archived since
	ReasonLetterTooLong  Reason = "letter_too_long" // the rendered letter is over 10000
	ReasonHHError        Reason = "hh_error"        // hh refused; its words are kept
	ReasonDismissed      Reason = "dismissed"       // the person dismissed the review item
	ReasonAlreadyApplied Reason = "already_applied" // hh says a response exists
	ReasonReconnect      Reason = "reconnect"       // hh no longer takes the account's token
)

// Reasons for rows that wait on access or on the person (issue 12).
const (
	ReasonNotConnected Reason = "not_connected"   // no hh account is connected
	ReasonResumeGone   Reason = "resume_gone"     // the resume is not the connected person's
	ReasonDoneOnSite   Reason = "applied_on_site" // the person applied on the employer's site

	ReasonExcludedWordDescription Reason = "excluded_word_description" // the description has an exclude word

	// Outcomes (issue 15).
	ReasonEmployerDiscarded Reason = "employer_discarded" // the employer discarded this person lately

	// AI (issue 18).
	ReasonAIMismatch    Reason = "ai_mismatch"    // the model judged it against the criteria; its words are kept
	ReasonAIUnavailable Reason = "ai_unavailable" // the model did not answer usably; retried, then a fallback
)

// Text is the reason in words for a person in lang (locale key
// "reason.<code>"). An unknown code is returned as it is.
func (r Reason) Text(lang string) string {
	if !r.Known() {
		return string(r)
	}
	return locale.Text(lang, r.Key())
}

// Key is the reason's locale key: "reason.<code>".
func (r Reason) Key() string { return "reason." + string(r) }

// Known reports whether r is one of the codes above.
func (r Reason) Known() bool {
	return slices.Contains(AllReasons(), r)
}

// AllReasons lists every reason code, Decide's in check order first, for
// summaries that group by reason and for tests.
func AllReasons() []Reason {
	return []Reason{
		ReasonAlreadyDecided, ReasonArchived, ReasonBlacklisted, ReasonGotInvitation,
		ReasonGotRejection, ReasonGotResponse, ReasonEmployerExcluded, ReasonExcludedWord,
		ReasonDirect, ReasonTestRequired, ReasonLetterRequired, ReasonModeReview,
		ReasonLimitExceeded, ReasonCaptcha, ReasonVacancyGone, ReasonLetterTooLong,
		ReasonHHError, ReasonDismissed, ReasonAlreadyApplied, ReasonReconnect,
		ReasonNotConnected, ReasonResumeGone, ReasonDoneOnSite, ReasonExcludedWordDescription,
		ReasonEmployerDiscarded,
		ReasonAIMismatch, ReasonAIUnavailable,
	}
}
