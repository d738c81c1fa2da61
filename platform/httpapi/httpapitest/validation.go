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
