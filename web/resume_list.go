package web

import (
	"context"
	"net/http"
	"time"

	"github.com/otklik/otklik/hh"
	"github.com/otklik/otklik/store"
)

// raiseHistory is how far back /resumes lists each resume's raises.
const raiseHistory = 7 * 24 * time.Hour

// resumeRow is one resume on /resumes: hh's cached view of it, the person's
// auto-raise switch and the raises Otklik made.
type resumeRow struct {
	store.Resume
	AutoRaise bool
	// NextRaise is when the worker raises it next (auto-raise on), or when
	// hh next allows a raise (off); zero when unknown.
	NextRaise time.Time
	// Blocked: hh refused to publish the resume; BlockedReason is hh's words.
	Blocked       bool
	BlockedReason string
	Raises        []time.Time // newest first, within raiseHistory
	// Error is the toggle's validation message, already translated.
	Error string
}

// Raisable says whether the toggle is offered: raising a resume that is not
// published on hh would publish it, which is the person's call on hh.
func (r resumeRow) Raisable() bool { return r.Status != hh.ResumeStatusNotPublished }

type resumeListData struct {
	Resumes []resumeRow
	HH      hhConnection
}

// showResumes lists the connected person's resumes from the shared cache
// (refreshed from hh when over an hour old, as for the rule form).
func (h *handler) showResumes(w http.ResponseWriter, r *http.Request) {
	d, err := h.resumeList(r.Context(), currentUser(r).ID)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "resumes", h.newPage(w, r, "resumes", d))
}

func (h *handler) resumeList(ctx context.Context, userID int64) (*resumeListData, error) {
	list, err := h.resumes(ctx, userID)
	if err != nil {
		return nil, err
	}
	raises, err := h.store.ResumeRaises(ctx, userID)
	if err != nil {
		return nil, err
	}
	log, err := h.store.Raises(ctx, userID, h.now().Add(-raiseHistory))
	if err != nil {
		return nil, err
	}
	conn, err := h.hhConnection(ctx, userID)
	if err != nil {
		return nil, err
	}
	conn.Back = "/resumes"
	d := &resumeListData{HH: conn}
	for _, res := range list {
		row := resumeRow{Resume: res}
		if res.NextPublishAt != nil {
			row.NextRaise = *res.NextPublishAt
		}
		if rr, ok := raises[res.ID]; ok {
			row.AutoRaise = rr.AutoRaise
			row.Blocked = rr.BlockedAt != nil
			row.BlockedReason = rr.BlockedReason
			if rr.AutoRaise && rr.DueAt != nil {
				row.NextRaise = *rr.DueAt
			}
			if row.Blocked {
				row.NextRaise = time.Time{}
			}
		}
		for _, l := range log {
			if l.ResumeID == res.ID {
				row.Raises = append(row.Raises, l.RaisedAt)
			}
		}
		d.Resumes = append(d.Resumes, row)
	}
	return d, nil
}
