package httpreq_test

import (
	"errors"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/plein-nl/plein/platform/httpreq"
)

func TestDecodeJSON(t *testing.T) {
	t.Parallel()
	type body struct {
		Name  string `json:"name"`
		Count int    `json:"count"`
	}
	for _, c := range []struct {
		name, ctype, in string
		optional        bool
		wantErr         error  // a sentinel, or nil
		wantField       string // the *FieldError's field, or ""
	}{
		{"ok", "application/json", `{"name":"a","count":2}`, false, nil, ""},
		{"ok without content type", "", `{"name":"a"}`, false, nil, ""},
		{"problem+json is json", "application/merge-patch+json", `{}`, false, nil, ""},
		{"wrong media type", "text/plain", `{}`, false, httpreq.ErrMediaType, ""},
		{"too large", "", `{"name":"` + strings.Repeat("x", 200) + `"}`, false, httpreq.ErrTooLarge, ""},
		{"empty, required", "", ``, false, nil, "body"},
		{"empty, optional", "", ``, true, nil, ""},
		{"malformed", "", `{"name":`, false, nil, "body"},
		{"two values", "", `{} {}`, false, nil, "body"},
		{"unknown field", "", `{"nick":"x"}`, false, nil, "nick"},
		{"wrong type", "", `{"count":"two"}`, false, nil, "count"},
	} {
		r := httptest.NewRequest("POST", "/", strings.NewReader(c.in))
		if c.ctype != "" {
			r.Header.Set("Content-Type", c.ctype)
		}
		var v body
		err := httpreq.DecodeJSON(r, &v, 100, c.optional)
		var fe *httpreq.FieldError
		switch {
		case c.wantErr != nil:
			if !errors.Is(err, c.wantErr) {
				t.Errorf("%s: err = %v, want %v", c.name, err, c.wantErr)
			}
		case c.wantField != "":
			if !errors.As(err, &fe) || fe.Field != c.wantField || fe.NL == "" {
				t.Errorf("%s: err = %v, want a field error on %q with Dutch text", c.name, err, c.wantField)
			}
		case err != nil:
			t.Errorf("%s: err = %v, want nil", c.name, err)
		}
	}
}

func TestPurpose(t *testing.T) {
	t.Parallel()
	r := httptest.NewRequest("GET", "/?purpose=zaak+1", nil)
	r.Header.Set(httpreq.PurposeHeader, "header")
	if got := httpreq.Purpose(r); got != "zaak 1" {
		t.Errorf("query purpose = %q, want %q", got, "zaak 1")
	}
	r = httptest.NewRequest("GET", "/", nil)
	r.Header.Set(httpreq.PurposeHeader, "zaak 2")
	if got := httpreq.Purpose(r); got != "zaak 2" {
		t.Errorf("header purpose = %q, want %q", got, "zaak 2")
	}
}
