package store

import "slices"

// ApplicationStatus is where a vacancy stands in a user's ledger.
type ApplicationStatus string

// Statuses; the names appear in the CSV export and in data-status markers.
const (
	StatusQueued   ApplicationStatus = "queued"   // to be sent by the worker
	StatusApplied  ApplicationStatus = "applied"  // hh has the application
	StatusReview   ApplicationStatus = "review"   // held for a person
	StatusSkipped  ApplicationStatus = "skipped"  // decided against, with a reason
	StatusFailed   ApplicationStatus = "failed"   // hh refused; Message has its words
	StatusExternal ApplicationStatus = "external" // apply on the employer's site (ExternalURL)
)

// Statuses lists every status in display order.
var Statuses = []ApplicationStatus{StatusQueued, StatusApplied, StatusReview, StatusSkipped, StatusFailed, StatusExternal}

// Valid reports whether st is one of the six statuses.
func (st ApplicationStatus) Valid() bool { return slices.Contains(Statuses, st) }

// allowedMoves is the one table of legal status changes (from → to). Every
// Mark*/Requeue/Postpone method checks it inside its UPDATE.
//
//   - queued → applied, external, failed, review: the worker's outcome of a POST;
//     queued → queued: the worker postpones (daily limit, captcha) with a reason.
//   - review → queued: the person sends (with their letter);
//     review → skipped: the person dismisses.
//   - external → skipped: the person dismisses the employer's-site item.
//   - failed → queued: the person retries.
//   - applied and skipped are final: an application never goes back, and a
//     skipped vacancy stays decided for that resume.
var allowedMoves = map[ApplicationStatus][]ApplicationStatus{
	StatusQueued:   {StatusApplied, StatusExternal, StatusFailed, StatusReview, StatusQueued},
	StatusReview:   {StatusQueued, StatusSkipped},
	StatusExternal: {StatusSkipped},
	StatusFailed:   {StatusQueued},
	StatusApplied:  nil,
	StatusSkipped:  nil,
}

// CanTransition reports whether an application may move from one status to another.
func CanTransition(from, to ApplicationStatus) bool {
	return slices.Contains(allowedMoves[from], to)
}

// sourcesOf lists the statuses that may move to `to`, optionally narrowed to
// only (a method's own scope, such as Requeue's person-driven moves).
func sourcesOf(to ApplicationStatus, only ...ApplicationStatus) []ApplicationStatus {
	var out []ApplicationStatus
	for _, from := range Statuses {
		if !CanTransition(from, to) {
			continue
		}
		if len(only) > 0 && !slices.Contains(only, from) {
			continue
		}
		out = append(out, from)
	}
	return out
}
