package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
)

func calc(t *testing.T, in string) (map[string]any, error) {
	t.Helper()
	var out, errb bytes.Buffer
	err := runIO(context.Background(), []string{"calc", "month"}, strings.NewReader(in), &out, &errb)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if jerr := json.Unmarshal(out.Bytes(), &m); jerr != nil {
		t.Fatalf("output is not JSON: %v\n%s", jerr, out.String())
	}
	return m, nil
}

// TestCalcMonthWorkedExample is docs/domain.md §2's worked example through the command.
func TestCalcMonthWorkedExample(t *testing.T) {
	t.Parallel()
	m, err := calc(t, `{"period": "2026-01", "household": {"kind": "single", "applicants": [{"birth_date": "1995-06-15"}]},
		"income": [{"applicant": 0, "source": "work", "net_cents": 100000}]}`)
	if err != nil {
		t.Fatal(err)
	}
	for field, want := range map[string]float64{"norm_cents": 140150, "vrijlating_cents": 25000, "counted_income_cents": 75000,
		"bijstand_cents": 65150, "vakantietoeslag_reserve_cents": 3127, "payout_cents": 62023} {
		if m[field] != want {
			t.Errorf("%s = %v, want %v", field, m[field], want)
		}
	}
	trace, _ := m["trace"].([]any)
	if len(trace) < 8 {
		t.Fatalf("trace has %d steps, want every step explained", len(trace))
	}
	last := trace[len(trace)-1].(map[string]any)
	if last["text_nl"] != "U krijgt € 620,23 op uw rekening." || last["article"] == "" {
		t.Errorf("last step = %v, want the payout in Dutch with its article", last)
	}
}

func TestCalcMonthBadInput(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ in, field string }{
		{`{"period": `, "(input)"},
		{`{"period": "2026-13", "household": {"kind": "single", "applicants": [{"birth_date": "1990-01-01"}]}}`, "period"},
		{`{"period": "2024-12", "household": {"kind": "single", "applicants": [{"birth_date": "1990-01-01"}]}}`, "period"},
		{`{"period": "2026-01", "household": {"kind": "married", "applicants": [{"birth_date": "1990-01-01"}]}}`, "household.kind"},
		{`{"period": "2026-01", "household": {"kind": "couple", "applicants": [{"birth_date": "1990-01-01"}]}}`, "household.applicants"},
		{`{"period": "2026-01", "household": {"kind": "single", "applicants": [{"birth_date": "1990-02-30"}]}}`, "household.applicants[0].birth_date"},
		{`{"period": "2026-01", "household": {"kind": "single", "applicants": [{"birth_date": "1990-01-01"}]}, "income": [{"applicant": 1, "source": "work", "net_cents": 1}]}`, "income[0].applicant"},
		{`{"period": "2026-01", "household": {"kind": "single", "applicants": [{"birth_date": "1990-01-01"}]}, "income": [{"applicant": 0, "source": "gift", "net_cents": 1}]}`, "income[0].source"},
		{`{"period": "2026-01", "household": {"kind": "single", "applicants": [{"birth_date": "1990-01-01"}]}, "income": [{"applicant": 0, "source": "work", "net_cents": -5}]}`, "income[0].net_cents"},
		{`{"period": "2026-01", "household": {"kind": "single", "applicants": [{"birth_date": "1990-01-01"}]}, "deductions": [{"id": "x", "kind": "boete", "amount_cents": 1}]}`, "deductions[0].kind"},
		{`{"period": "2026-01", "household": {"kind": "single", "applicants": [{"birth_date": "1990-01-01"}]}, "deductions": [{"id": "x", "kind": "beslag", "amount_cents": -1}]}`, "deductions[0].amount_cents"},
		{`{"period": "2026-01", "household": {"kind": "single", "applicants": [{"birth_date": "1990-01-01"}]}, "income": [{"applicant": 0, "source": "work", "net_cents": 10.5}]}`, "income[0].net_cents"},
		{`{"period": "2026-01", "household": {"kind": "single", "applicants": [{"birth_date": "1990-01-01"}]}, "incomes": []}`, "incomes"},
		// Amounts so large that their sum would overflow are refused, never wrapped.
		{`{"period": "2026-01", "household": {"kind": "single", "applicants": [{"birth_date": "1990-01-01"}]}, "income": [{"applicant": 0, "source": "work", "net_cents": 9223372036854775807}, {"applicant": 0, "source": "work", "net_cents": 9223372036854775807}]}`, "income[0].net_cents"},
	} {
		_, err := calc(t, c.in)
		if err == nil || !strings.Contains(err.Error(), c.field) || exitCode(err) == 0 {
			t.Errorf("input %s: err = %v, want a non-zero exit naming %q", c.in, err, c.field)
		}
	}
}

func TestCalcDistribution(t *testing.T) {
	t.Parallel()
	var out, errb bytes.Buffer
	in := `{"capacity_cents_per_month": 10000, "months": 18, "preferent_factor": 2, "claims": [
		{"id": "A", "amount_cents": 300000, "preferent": false}, {"id": "B", "amount_cents": 100000}, {"id": "C", "amount_cents": 200000}]}`
	if err := runIO(context.Background(), []string{"calc", "distribution"}, strings.NewReader(in), &out, &errb); err != nil {
		t.Fatal(err)
	}
	var got struct {
		PoolCents int64 `json:"pool_cents"`
		Claims    []struct {
			ID           string `json:"id"`
			OfferedCents int64  `json:"offered_cents"`
		} `json:"claims"`
	}
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	// docs/domain.md §4: pool 100 × 18 = 1800 over A 3000, B 1000, C 2000 → p = 30 %.
	if got.PoolCents != 180000 || len(got.Claims) != 3 || got.Claims[0].OfferedCents != 90000 || got.Claims[1].OfferedCents != 30000 || got.Claims[2].OfferedCents != 60000 {
		t.Errorf("distribution = %+v, want pool 180000 and 90000, 30000, 60000", got)
	}
	for _, c := range []struct{ in, field string }{
		{`{"capacity_cents_per_month": 100, "claims": []}`, "claims"},
		{`{"capacity_cents_per_month": 100, "claims": [{"id": "A", "amount_cents": -1}]}`, "claims[0].amount_cents"},
		{`{"capacity_cents_per_month": 100, "claims": [{"id": "A", "amount_cents": 1}, {"id": "A", "amount_cents": 2}]}`, "claims[1].id"},
		{`{"capacity_cents_per_month": -100, "claims": [{"id": "A", "amount_cents": 1}]}`, "capacity_cents_per_month"},
		{`{"capacity_cents_per_month": 100, "claims": [`, "(input)"},
		{`{"capacity_cents_per_month": 100, "claims": [{"id": "A", "amount_cents": 9223372036854775807}, {"id": "B", "amount_cents": 9223372036854775807}]}`, "claims[0].amount_cents"},
	} {
		err := runIO(context.Background(), []string{"calc", "distribution"}, strings.NewReader(c.in), &out, &errb)
		if err == nil || !strings.Contains(err.Error(), c.field) || exitCode(err) == 0 {
			t.Errorf("input %s: err = %v, want a non-zero exit naming %q", c.in, err, c.field)
		}
	}
}
