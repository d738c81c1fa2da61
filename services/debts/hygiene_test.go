package debts

import (
	"net/http"
	"strings"
	"testing"

	"github.com/plein-nl/plein/platform/input/inputtest"
)

// TestHTTPInputHygiene sends every hostile text to every free-text field of the debts
// API — a creditor's signal, a debt, an aanmelding's note, the plan van aanpak, the
// purpose of a read: each is a 400 naming the field, in Dutch too, and nothing is
// stored.
func TestHTTPInputHygiene(t *testing.T) {
	t.Parallel()
	b, srv, fatima, res := setupHTTP(t)
	const tn = "/api/v1/tenants/enschede"

	const signal = `{"reference":"ENE-2026-001","bsn":"999993653","amount_cents":24550,"days_in_arrears":45,"threat":"energy_cutoff",
		"contact":{"name":"F. el Amrani","address":"Hoofdstraat 1","phone":"06-12345678"},"reported_at":"2026-04-01T09:00:00+02:00"}`
	const debt = `{"creditor_id":"domijn","reference":"HUUR-1","claim_cents":120000}`
	request := `{"resident_id":"` + fatima + `","threat":"eviction","note":"Belde zelf."}`
	const plan = `{"first_conversation":"2026-03-20","situation":"Huurachterstand.","goals":"Rust.","actions":"Budgetbeheer."}`
	tests := []struct {
		principal, path, body string
		fields                []inputtest.Field
	}{
		{"eneco", tn + "/partner/signals", signal, []inputtest.Field{
			{Name: "reference", Old: `"ENE-2026-001"`},
			{Name: "contact.name", Old: `"F. el Amrani"`},
			{Name: "contact.address", Old: `"Hoofdstraat 1"`, Optional: true},
			{Name: "contact.phone", Old: `"06-12345678"`, Optional: true},
		}},
		{"shv", res + "/debts", debt, []inputtest.Field{{Name: "reference", Old: `"HUUR-1"`}}},
		{"shv", tn + "/schuldhulp/requests", request, []inputtest.Field{{Name: "note", Old: `"Belde zelf."`, Optional: true}}},
		{"shv", res + "/plan-van-aanpak", plan, []inputtest.Field{
			{Name: "situation", Old: `"Huurachterstand."`, Optional: true},
			{Name: "goals", Old: `"Rust."`, Optional: true},
			{Name: "actions", Old: `"Budgetbeheer."`, Optional: true},
		}},
	}
	for _, tt := range tests {
		inputtest.CheckFields(t, tt.body, tt.fields, func(body string) (int, []byte) {
			resp, got := do(t, srv, tt.principal, http.MethodPost, tt.path, body, nil)
			return resp.StatusCode, got
		})
	}
	for _, q := range []string{"zaak%E2%80%AE+2026-0042", "%E2%80%8B%E2%80%8B%E2%80%8B%E2%80%8B%E2%80%8B%E2%80%8B", "zaak%00+2026-0042"} {
		resp, got := do(t, srv, "shv", http.MethodGet, res+"/debts?purpose="+q, "", nil)
		inputtest.Check(t, "purpose "+q, resp.StatusCode, got, http.StatusBadRequest, "purpose")
	}
	resp, got := do(t, srv, "shv", http.MethodPost, res+"/debts", strings.Replace(debt, "120000", `"120000"`, 1), nil)
	inputtest.Check(t, "wrong JSON type", resp.StatusCode, got, http.StatusBadRequest, "claim_cents")
	resp, got = do(t, srv, "shv", http.MethodPost, res+"/debts", debt+debt, nil)
	inputtest.Check(t, "trailing data", resp.StatusCode, got, http.StatusBadRequest, "body")

	for _, table := range []string{"signals", "debts", "schuldhulp_requests", "debt_plans"} {
		if n := b.count(t, enschede, "SELECT count(*) FROM "+table); n != 0 {
			t.Errorf("%s stored = %d, want 0", table, n)
		}
	}
}

// TestMultiLineTextStoredClean checks that the texts of the plan van aanpak keep
// their line breaks (a browser's CRLF becomes LF) and are stored in NFC.
func TestMultiLineTextStoredClean(t *testing.T) {
	t.Parallel()
	b, fatima := setupFatima(t)
	p, err := b.svc.SavePlan(as(shvEnschede), enschede, fatima, NewPlan{FirstConversation: "2026-03-20",
		Situation: "Huur:\r\n\t- 2 maanden achter\r\nCafe\u0301 gesloten", Goals: " Rust. ", Actions: ""})
	if err != nil {
		t.Fatal(err)
	}
	if want := "Huur:\n\t- 2 maanden achter\nCafé gesloten"; p.Situation != want || p.Goals != "Rust." {
		t.Errorf("situation, goals = %+q, %+q; want %+q, %q", p.Situation, p.Goals, want, "Rust.")
	}
}

func TestDataExceptionIsAClientError(t *testing.T) {
	t.Parallel()
	inputtest.CheckDataException(t, errorEncoder)
}
