package income_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/plein-nl/plein/platform/authz"
	"github.com/plein-nl/plein/platform/httpapi/httpapitest"
	"github.com/plein-nl/plein/services/income"
)

type httpBundle struct {
	*testBundle
	srv *httptest.Server
}

func setupHTTP(t *testing.T) *httpBundle {
	t.Helper()
	b := setup(t)
	srv := httpapitest.Server(t, income.RegisterHTTP, income.MakeEndpoints(b.staff, nil), map[string]authz.Principal{
		"consulent-enschede": consulentEnschede,
		"consulent-zwolle":   consulentZwolle,
		"acme":               employerPrincipal(enschede, "acme"),
		"bakker":             employerPrincipal(enschede, "bakker"),
	})
	return &httpBundle{testBundle: b, srv: srv}
}

// setupHTTPResident is setupHTTP with a single resident in enschede (bsnResident),
// whose id it returns.
func setupHTTPResident(t *testing.T) (*httpBundle, string) {
	t.Helper()
	b := setupHTTP(t)
	return b, b.resident(t, enschede, single(bsnResident))
}

// do sends a request as principal (by name; "" for none) and decodes the JSON answer.
func (b *httpBundle) do(t *testing.T, principal, method, path, body string) (int, string, map[string]any) {
	t.Helper()
	resp, raw := httpapitest.Do(t, b.srv, principal, method, path, body, nil)
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("%s %s: body %q is not a JSON object: %v", method, path, raw, err)
	}
	return resp.StatusCode, resp.Header.Get("Content-Type"), out
}

func fieldsOf(body map[string]any) []string {
	var out []string
	errs, _ := body["errors"].([]any)
	for _, e := range errs {
		m, _ := e.(map[string]any)
		f, _ := m["field"].(string)
		out = append(out, f)
	}
	return out
}

const payslipBody = `{"employer":"Albert Heijn","period_start":"2026-02-01","period_end":"2026-02-28",
	"gross_cents":120000,"net_cents":100000,"hours_centi":8000,"pay_date":"2026-03-05"}`

func TestHTTPMonth(t *testing.T) {
	t.Parallel()
	b, id := setupHTTPResident(t)
	b.submit(t, enschede, id, slip("Albert Heijn", 100000))
	base := "/api/v1/tenants/enschede/residents/" + id + "/months/"
	q := "?purpose=zaak+2026-0042"

	tests := []struct {
		name      string
		principal string
		path      string
		status    int
	}{
		{"consulent", "consulent-enschede", base + "2026-03" + q, http.StatusOK},
		{"bad period", "consulent-enschede", base + "2026-13" + q, http.StatusBadRequest},
		{"not a period", "consulent-enschede", base + "maart" + q, http.StatusBadRequest},
		{"no purpose", "consulent-enschede", base + "2026-03", http.StatusBadRequest},
		{"bad tenant", "consulent-enschede", "/api/v1/tenants/Enschede!/residents/" + id + "/months/2026-03" + q, http.StatusBadRequest},
		{"no principal", "", base + "2026-03" + q, http.StatusUnauthorized},
		{"consulent of zwolle", "consulent-zwolle", base + "2026-03" + q, http.StatusForbidden},
		{"unknown resident", "consulent-enschede", "/api/v1/tenants/enschede/residents/00000000-0000-4000-8000-000000000000/months/2026-03" + q, http.StatusNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, ctype, body := b.do(t, tt.principal, http.MethodGet, tt.path, "")
			if status != tt.status {
				t.Fatalf("status = %d, want %d (%v)", status, tt.status, body)
			}
			if status != http.StatusOK {
				if ctype != "application/problem+json" || body["status"] != float64(tt.status) {
					t.Errorf("problem = %s %v, want application/problem+json with status %d", ctype, body, tt.status)
				}
				return
			}
			if ctype != "application/json" {
				t.Errorf("content type = %q, want application/json", ctype)
			}
			result, _ := body["result"].(map[string]any)
			// docs/domain.md §2 worked example: payout 620.23.
			if got := result["payout_cents"]; got != float64(62023) {
				t.Errorf("result.payout_cents = %v, want 62023", got)
			}
			slips, _ := body["payslips"].([]any)
			if len(slips) != 1 {
				t.Fatalf("payslips = %v, want 1", body["payslips"])
			}
			s, _ := slips[0].(map[string]any)
			if s["net_cents"] != float64(100000) || s["pay_date"] != "2026-03-05" || s["employer"] != "Albert Heijn" {
				t.Errorf("payslip = %v, want net 100000 paid 2026-03-05 by Albert Heijn", s)
			}
			if body["period"] != "2026-03" || body["pay_date"] != "2026-03-25" {
				t.Errorf("period, pay_date = %v, %v; want 2026-03, 2026-03-25", body["period"], body["pay_date"])
			}
		})
	}
	// Only the one successful read was audited.
	if n := len(b.auditRows(t, enschede, "resident.month.read")); n != 1 {
		t.Errorf("audit rows = %d, want 1", n)
	}
}

func TestHTTPSubmitPayslip(t *testing.T) {
	t.Parallel()
	b, id := setupHTTPResident(t)
	path := "/api/v1/tenants/enschede/residents/" + id + "/payslips"
	tests := []struct {
		name      string
		principal string
		body      string
		status    int
		fields    []string // expected errors[].field of a 400
	}{
		{"bad JSON", "consulent-enschede", `{"employer":`, http.StatusBadRequest, []string{"body"}},
		{"unknown field", "consulent-enschede", `{"employer":"Jumbo","salary":1}`, http.StatusBadRequest, []string{"salary"}},
		{"bad date", "consulent-enschede", strings.Replace(payslipBody, `"2026-02-01"`, `"1-2-2026"`, 1), http.StatusBadRequest, []string{"period_start"}},
		{"net above gross", "consulent-enschede", strings.Replace(payslipBody, `"gross_cents":120000`, `"gross_cents":90000`, 1), http.StatusBadRequest, []string{"net_cents"}},
		{"hours above 744", "consulent-enschede", strings.Replace(payslipBody, `"hours_centi":8000`, `"hours_centi":74401`, 1), http.StatusBadRequest, []string{"hours"}},
		{"no principal", "", payslipBody, http.StatusUnauthorized, nil},
		{"consulent of zwolle", "consulent-zwolle", payslipBody, http.StatusForbidden, nil},
		{"consulent", "consulent-enschede", payslipBody, http.StatusCreated, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, ctype, body := b.do(t, tt.principal, http.MethodPost, path, tt.body)
			if status != tt.status {
				t.Fatalf("status = %d, want %d (%v)", status, tt.status, body)
			}
			switch status {
			case http.StatusCreated:
				if body["source"] != "consulent" || body["net_cents"] != float64(100000) || body["id"] == "" {
					t.Errorf("created = %v, want a consulent payslip with net 100000", body)
				}
				return
			case http.StatusBadRequest:
				if ctype != "application/problem+json" || body["detail"] == "" {
					t.Errorf("problem = %s %v, want application/problem+json with a detail", ctype, body)
				}
			}
			if got := fieldsOf(body); strings.Join(got, ",") != strings.Join(tt.fields, ",") {
				t.Errorf("errors[].field = %v, want %v", got, tt.fields)
			}
			if tt.fields != nil {
				if nl, _ := body["detail_nl"].(string); nl == "" {
					t.Errorf("detail_nl is empty, want the Dutch message (%v)", body)
				}
			}
		})
	}
	b.wantStored(t, enschede, 1, "only the accepted one")
}

func TestHTTPEmployerPayslip(t *testing.T) {
	t.Parallel()
	b := setupHTTP(t)
	ctx := context.Background()
	id := b.resident(t, enschede, single(bsnResident))
	for _, e := range [][2]string{{"acme", "Acme Schoonmaak B.V."}, {"bakker", "Bakkerij de Korenschoof"}} {
		if _, err := income.RegisterEmployer(ctx, b.d.App, enschede, e[0], e[1]); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.svc.GrantConsent(ctx, enschede, id, "acme"); err != nil {
		t.Fatal(err)
	}
	path := "/api/v1/tenants/enschede/partner/payslips"
	withBSN := `{"bsn":"` + bsnResident + `",` + strings.TrimPrefix(payslipBody, "{")
	tests := []struct {
		name      string
		principal string
		body      string
		status    int
	}{
		{"employer with consent", "acme", withBSN, http.StatusCreated},
		{"employer without consent", "bakker", withBSN, http.StatusForbidden},
		{"consulent", "consulent-enschede", withBSN, http.StatusForbidden},
		{"no principal", "", withBSN, http.StatusUnauthorized},
		{"no BSN", "acme", payslipBody, http.StatusBadRequest},
		{"unknown BSN answers like no consent", "acme", strings.Replace(withBSN, bsnResident, bsnPartner, 1), http.StatusForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, _, body := b.do(t, tt.principal, http.MethodPost, path, tt.body)
			if status != tt.status {
				t.Fatalf("status = %d, want %d (%v)", status, tt.status, body)
			}
			if status == http.StatusCreated && (body["source"] != "employer" || body["employer"] != "Acme Schoonmaak B.V.") {
				t.Errorf("created = %v, want an employer payslip of Acme Schoonmaak B.V.", body)
			}
			if _, leaked := body["bsn"]; leaked {
				t.Errorf("the answer carries the BSN: %v", body)
			}
		})
	}
	slips, err := b.svc.Payslips(ctx, enschede, id, period("2026-03"))
	if err != nil {
		t.Fatal(err)
	}
	if len(slips) != 1 || slips[0].EmployerID != "acme" {
		t.Errorf("stored = %+v, want one payslip of acme", slips)
	}
}
