package httpapi_test

import (
	"errors"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/plein-nl/plein/platform/httpapi"
)

func TestDecodeBody(t *testing.T) {
	t.Parallel()
	type body struct {
		Name  string `json:"name"`
		Count int    `json:"count"`
	}
	for _, c := range []struct {
		name, ctype, in string
		optional        bool
		wantErr         error  // a sentinel, or nil
		wantField       string // the *ValidationError's one field, or ""
	}{
		{"ok", "application/json", `{"name":"a","count":2}`, false, nil, ""},
		{"ok without content type", "", `{"name":"a"}`, false, nil, ""},
		{"problem+json is json", "application/merge-patch+json", `{}`, false, nil, ""},
		{"wrong media type", "text/plain", `{}`, false, httpapi.ErrMediaType, ""},
		{"too large", "", `{"name":"` + strings.Repeat("x", 200) + `"}`, false, httpapi.ErrTooLarge, ""},
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
		err := httpapi.DecodeBody(r, &v, 100, c.optional)
		var ve *httpapi.ValidationError
		switch {
		case c.wantErr != nil:
			if !errors.Is(err, c.wantErr) {
				t.Errorf("%s: err = %v, want %v", c.name, err, c.wantErr)
			}
		case c.wantField != "":
			if !errors.As(err, &ve) || len(ve.Fields) != 1 || ve.Fields[0].Field != c.wantField || ve.Fields[0].NL == "" {
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
	r.Header.Set(httpapi.PurposeHeader, "header")
	if got := httpapi.Purpose(r); got != "zaak 1" {
		t.Errorf("query purpose = %q, want %q", got, "zaak 1")
	}
	r = httptest.NewRequest("GET", "/", nil)
	r.Header.Set(httpapi.PurposeHeader, "zaak 2")
	if got := httpapi.Purpose(r); got != "zaak 2" {
		t.Errorf("header purpose = %q, want %q", got, "zaak 2")
	}
}

func TestPathTenantAndIfMatch(t *testing.T) {
	t.Parallel()
	r := httptest.NewRequest("PATCH", "/t/enschede", nil)
	r.SetPathValue("tenant", "enschede")
	if id, err := httpapi.PathTenant(r); err != nil || id != "enschede" {
		t.Errorf("PathTenant = %q, %v; want enschede", id, err)
	}
	r.SetPathValue("tenant", "Hengelo_X")
	var ve *httpapi.ValidationError
	if _, err := httpapi.PathTenant(r); !errors.As(err, &ve) || ve.Fields[0].Field != "tenant" {
		t.Errorf("PathTenant of Hengelo_X: %v, want a field error on tenant", err)
	}
	for _, c := range []struct {
		header string
		want   int
		err    string // "": none; "428"; or the field of a validation error
	}{
		{`"3"`, 3, ""}, {`W/"12"`, 12, ""}, {`7`, 7, ""}, {"", 0, "428"}, {"*", 0, "If-Match"}, {`"0"`, 0, "If-Match"},
	} {
		r.Header.Set("If-Match", c.header)
		v, err := httpapi.IfMatch(r)
		switch {
		case c.err == "428" && !errors.Is(err, httpapi.ErrPreconditionRequired),
			c.err != "" && c.err != "428" && (!errors.As(err, &ve) || ve.Fields[0].Field != c.err),
			c.err == "" && (err != nil || v != c.want):
			t.Errorf("IfMatch(%q) = %d, %v; want %d, %s", c.header, v, err, c.want, c.err)
		}
	}
}

func TestTenantChange(t *testing.T) {
	t.Parallel()
	var ve *httpapi.ValidationError
	for _, c := range []struct {
		tenant, ifMatch, body string
		check                 func(err error) bool
	}{
		{"Bad_T", `"1"`, `{"name":"x"}`, func(err error) bool { return errors.As(err, &ve) && ve.Fields[0].Field == "tenant" }},
		{"enschede", "", `{"name":"x"}`, func(err error) bool { return errors.Is(err, httpapi.ErrPreconditionRequired) }},
		{"enschede", `"2"`, `{"nick":"x"}`, func(err error) bool { return errors.As(err, &ve) && ve.Fields[0].Field == "nick" }},
		{"enschede", `"2"`, `{"name":"x"}`, func(err error) bool { return err == nil }},
	} {
		r := httptest.NewRequest("PATCH", "/", strings.NewReader(c.body))
		r.SetPathValue("tenant", c.tenant)
		r.Header.Set("If-Match", c.ifMatch)
		var v struct {
			Name string `json:"name"`
		}
		id, version, err := httpapi.TenantChange(r, &v)
		if !c.check(err) || (err == nil && (id != "enschede" || version != 2 || v.Name != "x")) {
			t.Errorf("TenantChange(%s, %s, %s) = %q, %d, %v, %+v", c.tenant, c.ifMatch, c.body, id, version, err, v)
		}
	}
}
