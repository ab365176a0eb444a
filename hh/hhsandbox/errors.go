package hhsandbox

import (
	"encoding/json"
	"net/http"
)

// apiError is one item of hh's errors[] array.
type apiError struct {
	Type       string `json:"type"`
	Value      string `json:"value,omitempty"`
	Reason     string `json:"reason,omitempty"`
	CaptchaURL string `json:"captcha_url,omitempty"`
}

// badArgument is an item of the legacy bad_arguments list.
type badArgument struct {
	Name        string `json:"name"`
	Description string `json:"description"`
}

// errorBody is hh's error envelope (REFERENCE §1).
type errorBody struct {
	RequestID    string        `json:"request_id"`
	Description  string        `json:"description,omitempty"`
	Errors       []apiError    `json:"errors"`
	BadArguments []badArgument `json:"bad_arguments,omitempty"`
	OAuthError   string        `json:"oauth_error,omitempty"`
}

// writeJSON writes v with hh's content type.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// writeError writes the §1 envelope with a fresh request id, repeated in the
// X-Request-Id header.
func (s *Sandbox) writeError(w http.ResponseWriter, status int, body errorBody) {
	body.RequestID = s.newRequestID()
	w.Header().Set("X-Request-Id", body.RequestID)
	if body.Errors == nil {
		body.Errors = []apiError{}
	}
	writeJSON(w, status, body)
}

// fail writes a single-item error envelope.
func (s *Sandbox) fail(w http.ResponseWriter, status int, typ, value string) {
	s.writeError(w, status, errorBody{Description: http.StatusText(status), Errors: []apiError{{Type: typ, Value: value}}})
}

// badArg writes 400 bad_argument for one parameter.
func (s *Sandbox) badArg(w http.ResponseWriter, param, description string) {
	s.writeError(w, http.StatusBadRequest, errorBody{
		Description:  description,
		Errors:       []apiError{{Type: "bad_argument", Value: param}},
		BadArguments: []badArgument{{Name: param, Description: description}},
	})
}

// notFound writes hh's generic 404.
func (s *Sandbox) notFound(w http.ResponseWriter) {
	s.writeError(w, http.StatusNotFound, errorBody{Description: "Not Found", Errors: []apiError{{Type: "not_found"}}})
}

// oauthErrorBody is the body of POST /token errors (RFC 6749 style).
type oauthErrorBody struct {
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description"`
}

func (s *Sandbox) tokenError(w http.ResponseWriter, status int, code, description string) {
	w.Header().Set("X-Request-Id", s.newRequestID())
	writeJSON(w, status, oauthErrorBody{Error: code, ErrorDescription: description})
}
