package income_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/plein-nl/plein/platform/httpapi"
	"github.com/plein-nl/plein/platform/httpapi/httpapitest"
	"github.com/plein-nl/plein/platform/input/inputtest"
	"github.com/plein-nl/plein/services/income"
)

// send posts body with the given content type as principal and returns the status
// and the raw answer.
func (b *httpBundle) send(t *testing.T, principal, path, ctype, body string) (int, []byte) {
	t.Helper()
	resp, raw := httpapitest.Do(t, b.srv, principal, http.MethodPost, path, body, map[string]string{"Content-Type": ctype})
	return resp.StatusCode, raw
}

// TestHTTPInputHygiene sends what an adversarial client sends to the payslip routes:
// each is a 4xx naming the field, with nothing internal in the answer and nothing
// stored.
func TestHTTPInputHygiene(t *testing.T) {
	t.Parallel()
	b, id := setupHTTPResident(t)
	staff := "/api/v1/tenants/enschede/residents/" + id + "/payslips"
	partner := "/api/v1/tenants/enschede/partner/payslips"
	inputtest.CheckFields(t, payslipBody, []inputtest.Field{{Name: "employer", Old: `"Albert Heijn"`}}, func(body string) (int, []byte) {
		return b.send(t, "consulent-enschede", staff, "application/json", body)
	})
	withBSN := func(s string) string { return strings.Replace(payslipBody, "{", `{"bsn":"`+s+`",`, 1) }
	tests := []struct {
		name, principal, path, ctype, body string
		status                             int
		field                              string // the field named, "" for none
	}{
		{"wrong JSON type", "consulent-enschede", staff, "application/json", strings.Replace(payslipBody, "120000", `"veel"`, 1), 400, "gross_cents"},
		{"number for text", "consulent-enschede", staff, "application/json", strings.Replace(payslipBody, `"Albert Heijn"`, "12", 1), 400, "employer"},
		{"trailing garbage", "consulent-enschede", staff, "application/json", payslipBody + ` {"x":1}`, 400, "body"},
		{"unknown field", "consulent-enschede", staff, "application/json", strings.Replace(payslipBody, "{", `{"salaris":1,`, 1), 400, "salaris"},
		{"text/plain", "consulent-enschede", staff, "text/plain", payslipBody, 415, ""},
		{"form", "consulent-enschede", staff, "application/x-www-form-urlencoded", payslipBody, 415, ""},
		{"partner: text/plain", "acme", partner, "text/plain", withBSN(bsnResident), 415, ""},
		{"partner: malformed BSN", "acme", partner, "application/json", withBSN("12345678X"), 400, "bsn"},
		{"partner: BSN failing the elfproef", "acme", partner, "application/json", withBSN("123456789"), 400, "bsn"},
		{"partner: BSN with a NUL", "acme", partner, "application/json", withBSN(`99999365\u00003`), 400, "bsn"},
		{"partner: trailing garbage", "acme", partner, "application/json", withBSN(bsnResident) + "x", 400, "body"},
	}
	for _, tt := range tests {
		status, raw := b.send(t, tt.principal, tt.path, tt.ctype, tt.body)
		inputtest.Check(t, tt.name, status, raw, tt.status, tt.field)
	}
	b.wantStored(t, enschede, 0, "every request refused")
}

// TestEmployerNameStoredClean checks that a name that passes is stored in NFC and
// trimmed, and that a Dutch name with diacritics, apostrophes and hyphens is stored
// as it was typed.
func TestEmployerNameStoredClean(t *testing.T) {
	t.Parallel()
	b, id := setupHTTPResident(t)
	path := "/api/v1/tenants/enschede/residents/" + id + "/payslips"
	for _, tt := range []struct{ sent, want string }{
		{`" Cafe\u0301 de Kroon \ufeff"`, "Café de Kroon"},
		{`"Aïcha van 't Hof-Öztürk"`, "Aïcha van 't Hof-Öztürk"},
	} {
		body := strings.Replace(payslipBody, `"Albert Heijn"`, tt.sent, 1)
		status, raw := b.send(t, "consulent-enschede", path, "application/json", body)
		if status != http.StatusCreated {
			t.Fatalf("%s: status = %d, want 201 (%s)", tt.sent, status, raw)
		}
		var got map[string]any
		if err := json.Unmarshal(raw, &got); err != nil {
			t.Fatal(err)
		}
		if got["employer"] != tt.want {
			t.Errorf("%s: employer = %q, want %q", tt.sent, got["employer"], tt.want)
		}
	}
}

// TestServiceRefusesUncleanEmployer checks the service's own check, for callers that
// do not come through the transport (the portal, bulk imports).
func TestServiceRefusesUncleanEmployer(t *testing.T) {
	t.Parallel()
	b, id := setupResident(t)
	for _, name := range []string{"AH\x00", "AH\xff", "AH\u202e", "\u2060", "AH\u009b", strings.Repeat("x", 201)} {
		p := slip(name, 100000)
		p.Actor = "consulent-enschede"
		_, err := b.svc.SubmitPayslip(context.Background(), enschede, id, p, income.SourceConsulent)
		var ve *httpapi.ValidationError
		if !errors.As(err, &ve) || len(ve.Fields) != 1 || ve.Fields[0].Field != "employer" || ve.Fields[0].NL == "" {
			t.Errorf("employer %+q: err = %v, want a field error on employer with Dutch text", name, err)
		}
	}
	b.wantStored(t, enschede, 0, "every request refused")
}

// TestMonthPurposeHygiene checks the purpose of a staff read: a bidi override or an
// invisible purpose is a 400 on purpose, and the read is not recorded.
func TestMonthPurposeHygiene(t *testing.T) {
	t.Parallel()
	b, id := setupHTTPResident(t)
	base := "/api/v1/tenants/enschede/residents/" + id + "/months/2026-03?purpose="
	for _, q := range []string{"zaak+%E2%80%AE2400", "%E2%80%8B%E2%80%8B%E2%80%8B%E2%80%8B%E2%80%8B", "zaak%00+2400"} {
		status, _, body := b.do(t, "consulent-enschede", http.MethodGet, base+q, "")
		if status != http.StatusBadRequest || !slices.Contains(fieldsOf(body), "purpose") {
			t.Errorf("purpose %s: status = %d, fields %v; want 400 on purpose (%v)", q, status, fieldsOf(body), body)
		}
	}
	if got := b.auditRows(t, enschede, "resident.month.read"); len(got) != 0 {
		t.Errorf("reads recorded = %d, want 0", len(got))
	}
}
