// Package problem writes RFC 9457 problem details: the one error body of every Plein
// HTTP API. Internal errors leave as a generic message with the request id, never
// with their text.
package problem

import (
	"encoding/json"
	"net/http"

	"github.com/plein-nl/plein/platform/observe"
)

// Details is an RFC 9457 problem. Detail says which field is wrong and why; DetailNL
// says it in Dutch for screens a resident reads.
type Details struct {
	Type      string       `json:"type"`
	Title     string       `json:"title"`
	Status    int          `json:"status"`
	Detail    string       `json:"detail,omitempty"`
	DetailNL  string       `json:"detail_nl,omitempty"`
	Instance  string       `json:"instance,omitempty"`
	RequestID string       `json:"request_id,omitempty"`
	Errors    []FieldError `json:"errors,omitempty"`
}

// FieldError is one invalid input field.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Write sends p with its status; Title defaults to the status text and Type to
// "about:blank".
func Write(w http.ResponseWriter, r *http.Request, p Details) {
	if p.Type == "" {
		p.Type = "about:blank"
	}
	if p.Title == "" {
		p.Title = http.StatusText(p.Status)
	}
	p.Instance = r.URL.Path
	p.RequestID = observe.RequestID(r.Context())
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(p)
}

// NotFound, Unauthorized, Forbidden and Internal are the common cases.
func NotFound(w http.ResponseWriter, r *http.Request, detail string) {
	Write(w, r, Details{Status: http.StatusNotFound, Detail: detail, DetailNL: "Deze pagina of gegevens bestaan niet."})
}

// Unauthorized asks for authentication.
func Unauthorized(w http.ResponseWriter, r *http.Request, detail string) {
	w.Header().Set("WWW-Authenticate", `Bearer realm="plein"`)
	Write(w, r, Details{Status: http.StatusUnauthorized, Detail: detail, DetailNL: "U bent niet ingelogd."})
}

// Forbidden refuses an authenticated request.
func Forbidden(w http.ResponseWriter, r *http.Request, detail string) {
	Write(w, r, Details{Status: http.StatusForbidden, Detail: detail, DetailNL: "U mag dit niet doen of bekijken."})
}

// Internal hides err: the caller has logged it; the client gets the request id.
func Internal(w http.ResponseWriter, r *http.Request) {
	Write(w, r, Details{Status: http.StatusInternalServerError, Detail: "internal error; quote the request id when you report it", DetailNL: "Er ging iets mis aan onze kant. Probeer het later opnieuw."})
}
