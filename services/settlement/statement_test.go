package settlement

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/plein-nl/plein/platform/bijstand"
	"github.com/plein-nl/plein/platform/money"
	"github.com/plein-nl/plein/platform/tenant"
)

// TestStatement: a resident's settled month, derived again from its receipt and shown
// with its explanation because it gives the stored cents; a month from before receipts
// shows its stored amounts only; no one reads a month that is not theirs.
func TestStatement(t *testing.T) {
	t.Parallel()
	b := settleFinal(t, replayBundle(t))
	r, err := NewStatementReader(b.d.App, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	if got, err := r.Months(ctx, "zwolle", resA); err != nil || !slices.Equal(got, []bijstand.Period{march}) {
		t.Errorf("A's settled months %v, %v; want [2026-03]", got, err)
	}
	st, err := r.Month(ctx, "zwolle", resA, march)
	if err != nil {
		t.Fatal(err)
	}
	// A in March 2026, single, 300.00 net from work: art. 31.2 n keeps 25 % = 75.00, so
	// 225.00 counts; bijstand 1401.50 − 225.00 = 1176.50; reserve 4.8 % = 56.47 (56.472);
	// zorgpremie 158.50; payout 1176.50 − 56.47 − 158.50 = 961.53.
	want := struct{ bijstand, reserve, applied, payout money.Cents }{117650, 5647, zorgpremie, 96153}
	got := struct{ bijstand, reserve, applied, payout money.Cents }{st.Bijstand, st.Reserve, st.Applied, st.Payout}
	if got != want || !st.Verified || st.Result.Payout != want.payout || st.Result.Vrijlating != 7500 {
		t.Errorf("A's statement %+v (verified %v, derived payout %d, vrijlating %d), want %+v, verified", got, st.Verified,
			st.Result.Payout, st.Result.Vrijlating, want)
	}
	sum := sha256.Sum256([]byte(resAInputs))
	if st.InputsSHA256 != fmt.Sprintf("%x", sum) || st.LawFile != "data/2026-01-01.yaml" || st.EngineVersion != bijstand.EngineVersion ||
		st.ConfigVersion != 3 || st.PayDate == nil || st.PayDate.Format("2006-01-02") != "2026-03-25" {
		t.Errorf("A's receipt %s %s %s v%d paid %v", st.InputsSHA256, st.LawFile, st.EngineVersion, st.ConfigVersion, st.PayDate)
	}
	if len(st.Wages) != 1 || st.Wages[0] != (Wage{Employer: "Bakkerij De Korf", Gross: 34500, Net: 30000}) {
		t.Errorf("A's wages %+v, want 345.00 gross, 300.00 net from Bakkerij De Korf", st.Wages)
	}
	if len(st.Deductions) != 1 || st.Deductions[0].CreditorID != "zilveren-kruis" || st.Deductions[0].Label != "Zilveren Kruis" ||
		st.Deductions[0].Reference != "POL-111" || st.Deductions[0].Applied != zorgpremie {
		t.Errorf("A's deductions %+v", st.Deductions)
	}
	articles := 0
	for _, s := range st.Result.Trace {
		if s.Article != "" {
			articles++
		}
	}
	if articles != len(st.Result.Trace) || articles < 8 {
		t.Errorf("A's explanation has %d lines, %d with an article; want every line with one", len(st.Result.Trace), articles)
	}

	// D's month was stored before receipts: its amounts, no explanation.
	if d, err := r.Month(ctx, "zwolle", resD, march); err != nil || d.Verified || d.LawFile != "" || d.Payout != 0 {
		t.Errorf("D's statement %+v, %v; want the stored amounts, not verified", d, err)
	}
	// Not a month of theirs: another resident's id that was not settled, another month,
	// another gemeente.
	for _, c := range []struct {
		tenant   string
		resident string
		period   bijstand.Period
	}{{"zwolle", resB, march}, {"zwolle", resA, march.Next()}, {"enschede", resA, march}} {
		if _, err := r.Month(ctx, tenant.ID(c.tenant), c.resident, c.period); !errors.Is(err, ErrNotFound) {
			t.Errorf("%s %s %s: %v, want ErrNotFound", c.tenant, c.resident, c.period, err)
		}
	}

	// A month whose stored cents no longer replay is shown without its explanation.
	tamper(t, b.d.Owner, `UPDATE settlement_items SET payout_cents = payout_cents + 1, bijstand_cents = bijstand_cents + 1
		WHERE resident_id = $1`, resA)
	if st, err := r.Month(ctx, "zwolle", resA, march); err != nil || st.Verified || st.Payout != want.payout+1 {
		t.Errorf("tampered: verified %v, payout %d, %v; want not verified, the stored %d", st.Verified, st.Payout, err, want.payout+1)
	}
}
