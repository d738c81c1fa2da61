package bijstand_test

import (
	"io"
	"testing"

	"github.com/plein-nl/plein/platform/bijstand"
	"github.com/plein-nl/plein/platform/internal/casetest"
	"github.com/plein-nl/plein/platform/law"
)

// TestIndependentCases runs the fixtures of testdata/cases, computed by an independent
// reference (tools/casegen/reference.py) from docs/domain.md, not from this package.
// Their want holds the amounts of the output contract, not the trace or the applicants.
func TestIndependentCases(t *testing.T) {
	t.Parallel()
	calc := bijstand.NewCalculator(law.MustLoad())
	month := func(input io.Reader) (bijstand.ResultJSON, error) {
		c, err := bijstand.DecodeCase(input)
		if err != nil {
			return bijstand.ResultJSON{}, err
		}
		res, _, err := calc.Month(c)
		return res.ToJSON(), err
	}
	casetest.Run(t, 50, month, func(t *testing.T, got bijstand.ResultJSON, w *bijstand.ResultJSON) {
		check := func(name string, got, want int64) {
			if got != want {
				t.Errorf("%s = %d, want %d", name, got, want)
			}
		}
		if got.Period != w.Period {
			t.Errorf("period = %s, want %s", got.Period, w.Period)
		}
		check("norm_cents", got.NormCents, w.NormCents)
		check("income_cents", got.IncomeCents, w.IncomeCents)
		check("vrijlating_cents", got.VrijlatingCents, w.VrijlatingCents)
		check("counted_income_cents", got.CountedIncomeCents, w.CountedIncomeCents)
		check("bijstand_cents", got.BijstandCents, w.BijstandCents)
		check("vakantietoeslag_reserve_cents", got.VakantietoeslagReserveCents, w.VakantietoeslagReserveCents)
		check("beslagvrije_voet_cents", got.BeslagvrijeVoetCents, w.BeslagvrijeVoetCents)
		check("deduction_capacity_cents", got.DeductionCapacityCents, w.DeductionCapacityCents)
		check("payout_cents", got.PayoutCents, w.PayoutCents)
		if len(got.Deductions) != len(w.Deductions) {
			t.Fatalf("%d deductions, want %d", len(got.Deductions), len(w.Deductions))
		}
		for i, d := range w.Deductions {
			g := got.Deductions[i]
			if g.ID != d.ID || g.RequestedCents != d.RequestedCents || g.AppliedCents != d.AppliedCents || g.ShortfallCents != d.ShortfallCents {
				t.Errorf("deduction %d = %+v, want %+v", i, g, d)
			}
		}
	})
}
