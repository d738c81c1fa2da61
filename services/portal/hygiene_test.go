package portal_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/plein-nl/plein/platform/auth/authtest"
)

// TestPayslipEmployerHygiene posts the payslip form with an employer's name no API
// would take: the portal refuses it next to the field, in the resident's language,
// and passes nothing on; a name that passes goes on in NFC and trimmed.
func TestPayslipEmployerHygiene(t *testing.T) {
	t.Parallel()
	tb, cookie := setupResident(t, options{})
	csrf := authtest.CSRFToken(t, tb.get(t, devHost, "/t/zwolle/loonstrook", cookie).body)
	const (
		bad   = "Deze tekst bevat tekens die niet zijn toegestaan."
		empty = "Vul de naam van uw werkgever in."
	)
	tests := []struct{ name, employer, msg string }{
		{"NUL", "Bakkerij\x00", bad},
		{"invalid UTF-8", "Bakkerij \xff", bad},
		{"U+202E", "Bakkerij \u202eoohcsnerok", bad},
		{"C1 control", "Bakkerij\u0085", bad},
		{"zero-width only", "\u200b\u200d\ufeff", empty},
	}
	for _, tt := range tests {
		form := validPayslip(csrf)
		form.Set("werkgever", tt.employer)
		res := tb.postMultipart(t, "/t/zwolle/loonstrook", form, nil, cookie)
		if res.status != http.StatusUnprocessableEntity {
			t.Errorf("%s: status = %d, want 422", tt.name, res.status)
			continue
		}
		if want := `<p class="field-error" id="werkgever-error">` + tt.msg + `</p>`; !strings.Contains(res.body, want) {
			t.Errorf("%s: no %q next to the employer", tt.name, tt.msg)
		}
	}
	if n := len(tb.income.payslips); n != 0 {
		t.Fatalf("%d payslips passed on by refused forms, want 0", n)
	}

	form := validPayslip(csrf)
	form.Set("werkgever", "\ufeff Cafe\u0301 de Kroon ")
	if res := tb.postMultipart(t, "/t/zwolle/loonstrook", form, nil, cookie); res.status != http.StatusSeeOther {
		t.Fatalf("clean name: status = %d, want 303", res.status)
	}
	var got []string
	for _, slips := range tb.income.payslips {
		for _, p := range slips {
			got = append(got, p.Employer)
		}
	}
	if len(got) != 1 || got[0] != "Café de Kroon" {
		t.Errorf("employers passed on = %+q, want [\"Café de Kroon\"]", got)
	}
}
