package bijstand_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/plein-nl/plein/platform/bijstand"
	"github.com/plein-nl/plein/platform/law"
)

// caseFile is one fixture of testdata/cases, computed by an independent reference
// (tools/casegen/reference.py) from docs/domain.md, not from this package.
type caseFile struct {
	Name           string          `json:"name"`
	Why            string          `json:"why"`
	Input          json.RawMessage `json:"input"`
	InputRaw       *string         `json:"input_raw"`
	Want           *wantJSON       `json:"want"`
	WantErrorField *string         `json:"want_error_field"`
}

type wantJSON struct {
	Period                      string `json:"period"`
	NormCents                   int64  `json:"norm_cents"`
	IncomeCents                 int64  `json:"income_cents"`
	VrijlatingCents             int64  `json:"vrijlating_cents"`
	CountedIncomeCents          int64  `json:"counted_income_cents"`
	BijstandCents               int64  `json:"bijstand_cents"`
	VakantietoeslagReserveCents int64  `json:"vakantietoeslag_reserve_cents"`
	BeslagvrijeVoetCents        int64  `json:"beslagvrije_voet_cents"`
	DeductionCapacityCents      int64  `json:"deduction_capacity_cents"`
	Deductions                  []struct {
		ID             string `json:"id"`
		RequestedCents int64  `json:"requested_cents"`
		AppliedCents   int64  `json:"applied_cents"`
		ShortfallCents int64  `json:"shortfall_cents"`
	} `json:"deductions"`
	PayoutCents int64 `json:"payout_cents"`
}

func TestIndependentCases(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("testdata/cases/*.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 50 {
		t.Fatalf("found %d case files, want the full independent set", len(files))
	}
	calc := bijstand.NewCalculator(law.MustLoad())
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".json"), func(t *testing.T) {
			t.Parallel()
			raw, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			var cf caseFile
			if err := json.Unmarshal(raw, &cf); err != nil {
				t.Fatalf("fixture: %v", err)
			}
			input := []byte(cf.Input)
			if cf.InputRaw != nil {
				input = []byte(*cf.InputRaw)
			}
			c, err := bijstand.DecodeCase(bytes.NewReader(input))
			var res bijstand.Result
			if err == nil {
				res, _, err = calc.Month(c)
			}
			if cf.WantErrorField != nil || cf.InputRaw != nil {
				if err == nil {
					t.Fatalf("%s: no error, want one naming %q", cf.Why, deref(cf.WantErrorField))
				}
				if f := deref(cf.WantErrorField); f != "" && !strings.Contains(err.Error(), f) {
					t.Errorf("error %q does not name %q", err, f)
				}
				return
			}
			if err != nil {
				t.Fatalf("%s\nerror: %v", cf.Why, err)
			}
			got := res.ToJSON()
			w := cf.Want
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
			if t.Failed() {
				t.Logf("why: %s", cf.Why)
			}
		})
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
