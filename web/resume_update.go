package web

import (
	"net/http"

	"github.com/otklik/otklik/store"
)

// updateResume is the auto-raise toggle of one of the person's resumes
// (POST /resumes/{id}, checkbox auto_raise). Switching on schedules the first
// raise at hh's next allowed moment as the cache knows it (now when hh
// allows it already); switching either way clears a refusal from hh, so the
// worker tries again after the person has fixed the resume on hh.
func (h *handler) updateResume(w http.ResponseWriter, r *http.Request) {
	user := currentUser(r)
	if err := r.ParseForm(); err != nil {
		h.badRequest(w, r)
		return
	}
	id := r.PathValue("id")
	list, err := h.store.Resumes(r.Context(), user.ID)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	var res *store.Resume
	for i := range list {
		if list[i].ID == id {
			res = &list[i]
		}
	}
	if res == nil {
		h.notFound(w, r)
		return
	}
	on := r.PostForm.Get("auto_raise") == "on"
	if on && !(resumeRow{Resume: *res}).Raisable() {
		h.resumeToggleError(w, r, user.ID, id, "resumes.error_unpublished")
		return
	}
	due := h.now()
	if res.NextPublishAt != nil && res.NextPublishAt.After(due) {
		due = *res.NextPublishAt
	}
	if err := h.store.SetAutoRaise(r.Context(), user.ID, id, on, due); err != nil {
		h.serverError(w, r, err)
		return
	}
	flash := "resume_raise_off"
	if on {
		flash = "resume_raise_on"
	}
	h.redirect(w, r, "/resumes", flash)
}

// resumeToggleError shows /resumes with 422 and the message by the toggle of
// resume id, which keeps what the person asked for.
func (h *handler) resumeToggleError(w http.ResponseWriter, r *http.Request, userID int64, id, key string) {
	d, err := h.resumeList(r.Context(), userID)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	lang := visitorOf(r).lang
	for i := range d.Resumes {
		if d.Resumes[i].ID == id {
			d.Resumes[i].Error = translate(lang, key)
			d.Resumes[i].AutoRaise = true
		}
	}
	h.render(w, r, http.StatusUnprocessableEntity, "resumes", h.newPage(w, r, "resumes", d))
}
