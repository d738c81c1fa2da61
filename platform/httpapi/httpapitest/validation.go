package httpapitest

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/plein-nl/plein/platform/httpapi"
)

// CheckValidation stops t unless err is (or wraps) a *httpapi.ValidationError, and fails
// it unless the error names exactly fields, in order, each with an English and a Dutch
// message. It returns the error.
func CheckValidation(t testing.TB, err error, fields []string) *httpapi.ValidationError {
	t.Helper()
	var ve *httpapi.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("err = %v, want a *ValidationError", err)
	}
	var got []string
	for _, p := range ve.Fields {
		got = append(got, p.Field)
		if strings.TrimSpace(p.EN) == "" || strings.TrimSpace(p.NL) == "" {
			t.Errorf("field %s: message %q, Dutch %q; want both", p.Field, p.EN, p.NL)
		}
	}
	if !slices.Equal(got, fields) {
		t.Errorf("fields = %v, want %v", got, fields)
	}
	return ve
}

// CheckRefusal fails t unless err is what a decoder may refuse any input with: a body
// too large, or a *httpapi.ValidationError of at least one field, each named and
// explained in English and Dutch. Fuzz targets of decoders use it, where the fields
// an input gets are not known in advance.
func CheckRefusal(t testing.TB, err error) {
	t.Helper()
	if errors.Is(err, httpapi.ErrTooLarge) {
		return
	}
	var ve *httpapi.ValidationError
	if !errors.As(err, &ve) || len(ve.Fields) == 0 {
		t.Fatalf("refused with %v (%T), want a validation error", err, err)
	}
	for _, p := range ve.Fields {
		if p.Field == "" || strings.TrimSpace(p.EN) == "" || strings.TrimSpace(p.NL) == "" {
			t.Fatalf("field error %+v: want the field named and explained in English and Dutch", p)
		}
	}
}
