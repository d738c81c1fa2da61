package httpapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/plein-nl/plein/platform/strictjson"
	"github.com/plein-nl/plein/platform/tenant"
)

// MaxBody is the largest JSON body an API reads, unless a route says less.
const MaxBody = 64 << 10

// Errors of a request that the encoder answers 413, 415 and 428.
var (
	ErrTooLarge             = errors.New("request body is too large")
	ErrMediaType            = errors.New("request body must be application/json")
	ErrPreconditionRequired = errors.New("If-Match with the version read is required")
)

// DecodeBody decodes r's body into v strictly: at most max bytes, a JSON media type (or
// none), exactly one JSON value, no unknown fields. An empty body is fine when optional.
// Errors are ErrTooLarge, ErrMediaType or a *ValidationError naming the field, never a
// Go type.
func DecodeBody(r *http.Request, v any, max int64, optional bool) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			return ErrMediaType
		}
	}
	dec := strictjson.NewDecoder(http.MaxBytesReader(nil, r.Body, max))
	err := dec.Decode(v)
	var mbe *http.MaxBytesError
	if err == nil {
		if _, err2 := dec.Token(); !errors.Is(err2, io.EOF) {
			if errors.As(err2, &mbe) {
				return tooLarge(max)
			}
			return Invalid("body", "the body must hold one JSON object and nothing after it", "De gegevens zijn niet goed opgestuurd.")
		}
		return nil
	}
	var (
		syntax *json.SyntaxError
		typ    *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &mbe):
		return tooLarge(max)
	case errors.Is(err, io.EOF) && optional:
		return nil
	case errors.Is(err, io.EOF):
		return Invalid("body", "a JSON object is required", "De gegevens ontbreken.")
	case errors.As(err, &syntax), errors.Is(err, io.ErrUnexpectedEOF):
		return Invalid("body", "malformed JSON", "De gegevens zijn niet goed opgestuurd.")
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			field = "body"
		}
		return Invalid(field, fmt.Sprintf("must be a JSON %s", strictjson.Kind(typ.Type)), "Dit veld heeft een verkeerd soort waarde.")
	}
	if name, ok := strictjson.UnknownField(err); ok {
		return Invalid(name, "unknown field", "Dit veld kennen we niet.")
	}
	return Invalid("body", "the body could not be read as JSON", "De gegevens zijn niet goed opgestuurd.")
}

func tooLarge(max int64) error { return fmt.Errorf("%w: at most %d KiB", ErrTooLarge, max>>10) }

// refused is the problem of a value the database refused (db.ErrDataException) that
// validation let through: still the client's input, so a 400 on the body, said without
// the value and without the database's words.
func refused() *ValidationError {
	return Invalid("body", "a value in the request cannot be stored: check its text, dates and numbers",
		"Een van de gegevens klopt niet. Kijk de tekst, datums en bedragen na.")
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

// PathTenant returns the tenant of the path ({tenant}), or a validation error on
// "tenant" when it cannot be one.
func PathTenant(r *http.Request) (tenant.ID, error) {
	id, err := tenant.Parse(r.PathValue("tenant"))
	if err != nil {
		return "", Invalid("tenant", "not a valid tenant id", "Deze gemeente bestaat niet.")
	}
	return id, nil
}

// TenantBody reads what most writes send: the tenant of the path, and the JSON body
// (at most MaxBody, required) into v.
func TenantBody(r *http.Request, v any) (tenant.ID, error) {
	t, err := PathTenant(r)
	if err != nil {
		return "", err
	}
	return t, DecodeBody(r, v, MaxBody, false)
}

// TenantChange reads what a change sends: the tenant of the path, the version it was
// read at (IfMatch), and the JSON body (at most MaxBody) into v.
func TenantChange(r *http.Request, v any) (tenant.ID, int, error) {
	t, err := PathTenant(r)
	if err != nil {
		return "", 0, err
	}
	version, err := IfMatch(r)
	if err != nil {
		return "", 0, err
	}
	return t, version, DecodeBody(r, v, MaxBody, false)
}

// IfMatch returns the version a change was read at, from If-Match ("3", W/"3" or 3):
// ErrPreconditionRequired without one, a validation error on "If-Match" for one that
// is no version.
func IfMatch(r *http.Request) (int, error) {
	im := strings.TrimSpace(r.Header.Get("If-Match"))
	if im == "" {
		return 0, ErrPreconditionRequired
	}
	version, err := strconv.Atoi(strings.Trim(strings.TrimPrefix(im, "W/"), `"`))
	if err != nil || version < 1 {
		return 0, Invalid("If-Match", "If-Match must be the version read, such as \"3\"",
			"Geef in If-Match de versie op die u hebt gelezen, zoals \"3\".")
	}
	return version, nil
}
