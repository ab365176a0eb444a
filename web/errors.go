package web

import (
	"errors"
	"net/http"
)

// errorPage is the Data of the error page: a translation key for the
// message, never an error's text.
type errorPage struct {
	Status  int
	Message string
}

func (h *handler) errorPage(w http.ResponseWriter, r *http.Request, status int, key string) {
	p := h.newPage(w, r, "", errorPage{Status: status, Message: key})
	h.render(w, r, status, "error", p)
}

// serverError logs err and shows "Внутренняя ошибка": internals never
// reach the browser.
func (h *handler) serverError(w http.ResponseWriter, r *http.Request, err error) {
	attrs := []any{"method", r.Method, "path", r.URL.Path, "error", err}
	if u := visitorOf(r).user; u != nil {
		attrs = append(attrs, "user_id", u.ID)
	}
	if ctxErr := r.Context().Err(); ctxErr != nil && errors.Is(err, ctxErr) {
		// The visitor hung up (or the server is shutting down) and the
		// query was cancelled with the request: nothing failed, and
		// nobody is left to read an answer.
		h.log.DebugContext(r.Context(), "request abandoned", attrs...)
		return
	}
	h.log.ErrorContext(r.Context(), "internal error", attrs...)
	h.errorPage(w, r, http.StatusInternalServerError, "error.internal")
}

func (h *handler) notFound(w http.ResponseWriter, r *http.Request) {
	h.errorPage(w, r, http.StatusNotFound, "error.not_found")
}

func (h *handler) forbidden(w http.ResponseWriter, r *http.Request) {
	h.errorPage(w, r, http.StatusForbidden, "error.forbidden")
}

func (h *handler) badRequest(w http.ResponseWriter, r *http.Request) {
	h.errorPage(w, r, http.StatusBadRequest, "error.bad_request")
}
