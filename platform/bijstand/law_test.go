package bijstand_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/plein-nl/plein/platform/bijstand"
	"github.com/plein-nl/plein/platform/law"
)

// TestStaleLawFlagged: a month from the due date of the last law file's next
// indexation on is computed with that file's norms, and its result says the data is
// stale and since when; a month before it does not. The JSON of `plein calc month`
// carries the same.
func TestStaleLawFlagged(t *testing.T) {
	t.Parallel()
	calc := bijstand.NewCalculator(law.MustLoad())
	h := bijstand.Household{Kind: bijstand.KindSingle, Applicants: []bijstand.Applicant{{BirthDate: date("1990-05-01")}}}
	for _, c := range []struct {
		period bijstand.Period
		stale  bool
	}{
		{bijstand.Period{Year: 2026, Month: time.June}, false},
		{bijstand.Period{Year: 2026, Month: time.July}, true},
		{bijstand.Period{Year: 2026, Month: time.December}, true},
	} {
		r, _, err := calc.Month(bijstand.Case{Period: c.period, Household: h})
		if err != nil {
			t.Fatalf("%s: %v", c.period, err)
		}
		// 1401.50: the single norm of 1 January 2026 (docs/domain.md §1), also when stale.
		want := bijstand.LawUsed{File: "data/2026-01-01.yaml", ValidFrom: date("2026-01-01"), IndexationDue: date("2026-07-01"), Stale: c.stale}
		if r.Law != want || r.Norm != 140150 {
			t.Errorf("%s: law %+v, norm %d; want %+v, 140150", c.period, r.Law, r.Norm, want)
		}
	}
	for _, c := range []struct{ period, want string }{
		{"2026-06", `"law_valid_from":"2026-01-01","law_indexation_due":"2026-07-01"`},
		{"2026-07", `"law_valid_from":"2026-01-01","law_stale":true,"law_indexation_due":"2026-07-01"`},
	} {
		out, err := bijstand.MonthOfJSON(strings.NewReader(`{"period": "` + c.period + `", "household": {"kind": "single", "applicants": [{"birth_date": "1990-05-01"}]}}`))
		if err != nil {
			t.Fatal(err)
		}
		b, err := json.Marshal(out)
		if err != nil || !strings.Contains(string(b), c.want) {
			t.Errorf("%s: %s (%v), want it to contain %s", c.period, b, err, c.want)
		}
	}
}
