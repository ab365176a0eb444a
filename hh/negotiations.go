package hh

import (
	"context"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// MaxLetterLength is the longest cover letter hh accepts, in characters.
const MaxLetterLength = 10000

// Apply applies to a vacancy with a published resume (POST /negotiations,
// sent as multipart/form-data as hh documents it). message is the cover
// letter; leave it empty only when the vacancy does not require one
// (Vacancy.ResponseLetterRequired).
//
// On 201 the result carries the new negotiation's id from Location
// (/negotiations/{nid}). On 303 the vacancy is a direct one: the result
// carries the employer's URL from Location, which is never followed; the
// person applies there. Apply is never retried by the client. Refusals are
// *Error values: see IsAlreadyApplied, IsTestRequired, IsLetterMissing,
// IsLetterTooLong, IsLimitExceeded, IsVacancyGone and CaptchaURL.
//
// Docs: https://api.hh.ru/openapi/redoc#tag/Vakansii/operation/apply-to-vacancy
func (c *Client) Apply(ctx context.Context, vacancyID, resumeID, message string) (*ApplyResult, error) {
	if err := checkID(OpApply, "vacancy_id", vacancyID); err != nil {
		return nil, err
	}
	if err := checkID(OpApply, "resume_id", resumeID); err != nil {
		return nil, err
	}
	if n := utf8.RuneCountInString(message); n > MaxLetterLength {
		return nil, &ParamError{Op: OpApply, Field: "message", Reason: "is " + strconv.Itoa(n) + " characters, hh accepts at most " + strconv.Itoa(MaxLetterLength)}
	}
	form := url.Values{"vacancy_id": {vacancyID}, "resume_id": {resumeID}}
	if message != "" {
		form.Set("message", message)
	}
	resp, err := c.send(ctx, &request{
		op: OpApply, method: http.MethodPost, path: "negotiations",
		multipart: form, noRedirect: true,
	})
	if err != nil {
		return nil, err
	}
	loc := resp.header.Get("Location")
	switch resp.status {
	case http.StatusSeeOther:
		ext := loc
		if u, err := resp.url.Parse(loc); err == nil && loc != "" {
			ext = u.String()
		}
		return &ApplyResult{ExternalURL: ext}, nil
	case http.StatusCreated, http.StatusOK, http.StatusNoContent:
		// The application exists even if Location is missing: report success
		// with no id rather than an error that would invite a second POST.
		return &ApplyResult{NegotiationID: negotiationID(loc)}, nil
	}
	return nil, &Error{Op: OpApply, StatusCode: resp.status}
}

// negotiationID extracts {nid} from a Location of /negotiations/{nid},
// relative or absolute.
func negotiationID(loc string) string {
	u, err := url.Parse(loc)
	if err != nil {
		return ""
	}
	p := strings.TrimSuffix(u.Path, "/")
	if dir, id := path.Split(p); strings.HasSuffix(dir, "/negotiations/") {
		return id
	}
	return ""
}

// Negotiation list orders and statuses (NegotiationsParams).
const (
	NegotiationsOrderUpdatedAt = "updated_at"
	NegotiationsOrderCreatedAt = "created_at"

	NegotiationStatusAll         = "all"
	NegotiationStatusActive      = "active"
	NegotiationStatusInvitations = "invitations"
	NegotiationStatusResponse    = "response"
	NegotiationStatusDiscard     = "discard"
	NegotiationStatusArchived    = "archived"
	NegotiationStatusNonArchived = "non_archived"
	NegotiationStatusDeleted     = "deleted"
)

// NegotiationsParams are the query parameters of GET /negotiations. Zero
// values are not sent; hh then lists by last update, newest first, 20 a page.
type NegotiationsParams struct {
	Page      int
	PerPage   int    // 1–100
	OrderBy   string // NegotiationsOrderUpdatedAt or NegotiationsOrderCreatedAt
	Order     string // "asc" or "desc"
	VacancyID string
	Status    string // one of the NegotiationStatus constants
	// HasUpdates, when set, keeps only negotiations with (or without) news.
	HasUpdates *bool
	// WithJobSearchStatus adds the applicant's job search status.
	WithJobSearchStatus bool
}

var negotiationStatuses = []string{
	NegotiationStatusAll, NegotiationStatusActive, NegotiationStatusInvitations,
	NegotiationStatusResponse, NegotiationStatusDiscard, NegotiationStatusArchived,
	NegotiationStatusNonArchived, NegotiationStatusDeleted,
}

// Validate checks p without sending anything; the error is a *ParamError.
func (p NegotiationsParams) Validate() error {
	bad := func(field, reason string) error {
		return &ParamError{Op: OpNegotiations, Field: field, Reason: reason}
	}
	switch {
	case p.Page < 0:
		return bad("page", "must not be negative")
	case p.PerPage < 0 || p.PerPage > MaxPerPage:
		return bad("per_page", "must be between 1 and "+strconv.Itoa(MaxPerPage))
	case p.OrderBy != "" && p.OrderBy != NegotiationsOrderUpdatedAt && p.OrderBy != NegotiationsOrderCreatedAt:
		return bad("order_by", strconv.Quote(p.OrderBy)+" is not a known order")
	case p.Order != "" && p.Order != "asc" && p.Order != "desc":
		return bad("order", `must be "asc" or "desc"`)
	case p.Status != "" && !slices.Contains(negotiationStatuses, p.Status):
		return bad("status", strconv.Quote(p.Status)+" is not a known status")
	}
	return nil
}

// Negotiations returns one page of the applicant's applications and
// invitations (GET /negotiations). p is validated first.
//
// Docs: https://api.hh.ru/openapi/redoc#tag/Perepiska-/operation/get-negotiations
func (c *Client) Negotiations(ctx context.Context, p NegotiationsParams) (*NegotiationPage, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	q := url.Values{}
	set := func(k, v string) {
		if v != "" {
			q.Set(k, v)
		}
	}
	if p.Page > 0 {
		set("page", strconv.Itoa(p.Page))
	}
	if p.PerPage > 0 {
		set("per_page", strconv.Itoa(p.PerPage))
	}
	set("order_by", p.OrderBy)
	set("order", p.Order)
	set("vacancy_id", p.VacancyID)
	set("status", p.Status)
	if p.HasUpdates != nil {
		set("has_updates", strconv.FormatBool(*p.HasUpdates))
	}
	if p.WithJobSearchStatus {
		set("with_job_search_status", "true")
	}
	var page NegotiationPage
	if err := c.get(ctx, OpNegotiations, "negotiations", q, shapeNegotiationPage, &page); err != nil {
		return nil, err
	}
	return &page, nil
}
