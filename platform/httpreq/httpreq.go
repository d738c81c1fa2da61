// Package httpreq reads the input of a staff or partner API request the one way every
// service does: a strict JSON body (one object, no unknown fields, size-limited, JSON
// media type) and the purpose of a read. Services map its errors to their own
// validation types, so each keeps its error body.
package httpreq

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
)

// Errors a service maps to 413 and 415.
var (
	ErrTooLarge  = errors.New("request body is too large")
	ErrMediaType = errors.New("request body must be application/json")
)

// FieldError is one problem with the body, in English and in Dutch (B1).
type FieldError struct {
	Field string
	EN    string
	NL    string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.EN }

// Refused is the problem to answer when the database refused a value of the request
// (db.ErrDataException) that validation let through: still the client's input, so a
// 400, said without the value and without the database's words.
func Refused() *FieldError {
	return &FieldError{"body", "a value in the request cannot be stored: check its text, dates and numbers",
		"Een van de gegevens klopt niet. Kijk de tekst, datums en bedragen na."}
}

// PurposeHeader carries the purpose of a read when it is not in the query.
const PurposeHeader = "X-Plein-Purpose"

// Purpose returns the purpose of a read: the query's purpose, else the header's.
func Purpose(r *http.Request) string {
	if p := r.URL.Query().Get("purpose"); p != "" {
		return p
	}
	return r.Header.Get(PurposeHeader)
}

// DecodeJSON decodes r's body into v strictly: at most max bytes, a JSON media type
// (or none), exactly one JSON value, no unknown fields. An empty body is fine when
// optional. Errors are ErrTooLarge, ErrMediaType or a *FieldError naming the field.
func DecodeJSON(r *http.Request, v any, max int64, optional bool) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			return ErrMediaType
		}
	}
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, max))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	var mbe *http.MaxBytesError
	if err == nil {
		if _, err2 := dec.Token(); !errors.Is(err2, io.EOF) {
			if errors.As(err2, &mbe) {
				return ErrTooLarge
			}
			return &FieldError{"body", "the body must hold one JSON object and nothing after it", "De gegevens zijn niet goed opgestuurd."}
		}
		return nil
	}
	var (
		syntax *json.SyntaxError
		typ    *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &mbe):
		return ErrTooLarge
	case errors.Is(err, io.EOF) && optional:
		return nil
	case errors.Is(err, io.EOF):
		return &FieldError{"body", "a JSON object is required", "De gegevens ontbreken."}
	case errors.As(err, &syntax), errors.Is(err, io.ErrUnexpectedEOF):
		return &FieldError{"body", "malformed JSON", "De gegevens zijn niet goed opgestuurd."}
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			field = "body"
		}
		return &FieldError{field, fmt.Sprintf("must be a JSON %s", kind(typ.Type.Kind().String())), "Dit veld heeft een verkeerd soort waarde."}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name, _ := strconv.Unquote(strings.TrimPrefix(err.Error(), "json: unknown field "))
		return &FieldError{name, "unknown field", "Dit veld kennen we niet."}
	}
	return &FieldError{"body", "the body could not be read as JSON", "De gegevens zijn niet goed opgestuurd."}
}

// kind names a Go kind as a JSON reader knows it.
func kind(k string) string {
	switch k {
	case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64":
		return "whole number"
	case "float32", "float64":
		return "number"
	case "bool":
		return "true or false"
	case "string":
		return "string"
	case "slice", "array":
		return "list"
	case "struct", "map", "ptr":
		return "object"
	}
	return k
}
