package main

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// TestE2EPlanAmountCappedAtOwnNorm: through the real wiring (buildApp's Norms from
// the residents service and the engine), a plan's amount is capped by the norm of
// the resident's own household in its start month — 2026 single 1401.50, couple
// 2002.13 — not by the couple norm for everyone.
func TestE2EPlanAmountCappedAtOwnNorm(t *testing.T) {
	t.Parallel()
	b := setupE2E(t)
	single := b.createResident(t, "Fatima Bakker", e2eBSN)
	couple := b.postForID(t, "/api/v1/tenants/zwolle/residents", map[string]any{
		"name": "Jan de Vries", "birth_date": "1985-02-01", "bsn": "111222333", "iban": "NL91ABNA0417164300",
		"household_kind": "couple", "partner": map[string]any{"name": "Ayşe de Vries", "birth_date": "1987-11-30", "bsn": "123456782"},
	}, http.StatusCreated)
	with := zorgpremie // on_behalf from next month, paper mandate signed last week

	status, out := b.api(t, http.MethodPost, residentsPath(single)+"/plans", b.consulent, with(150000))
	var p struct {
		DetailNL string `json:"detail_nl"`
		Errors   []struct {
			Field   string `json:"field"`
			Message string `json:"message"`
		} `json:"errors"`
	}
	_ = json.Unmarshal(out, &p)
	var fields []string
	for _, e := range p.Errors {
		fields = append(fields, e.Field)
	}
	if status != http.StatusBadRequest || !slices.Equal(fields, []string{"amount_cents"}) ||
		!strings.Contains(p.DetailNL, "€ 1.401,50") || !strings.Contains(p.Errors[0].Message, "€1,401.50") {
		t.Fatalf("single, 150000: status %d, want 400 naming amount_cents and her norm € 1.401,50: %s", status, out)
	}
	var plan e2ePlan
	b.apiJSON(t, http.MethodPost, residentsPath(single)+"/plans", b.consulent, with(140150), http.StatusCreated, &plan)
	if plan.AmountCents != 140150 {
		t.Errorf("single, 140150: amount %d, want 140150", plan.AmountCents)
	}
	b.apiJSON(t, http.MethodPost, residentsPath(couple)+"/plans", b.consulent, with(200213), http.StatusCreated, &plan)
	if plan.AmountCents != 200213 {
		t.Errorf("couple, 200213: amount %d, want 200213", plan.AmountCents)
	}
	if status, out := b.api(t, http.MethodPost, residentsPath(couple)+"/plans", b.consulent, with(200214)); status != http.StatusBadRequest ||
		!strings.Contains(string(out), `"field":"amount_cents"`) {
		t.Errorf("couple, 200214: status %d, want 400 naming amount_cents: %s", status, out)
	}
}
