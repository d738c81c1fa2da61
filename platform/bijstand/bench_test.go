package bijstand_test

import (
	"testing"
	"time"

	"github.com/plein-nl/plein/platform/bijstand"
	"github.com/plein-nl/plein/platform/clocktest"
	"github.com/plein-nl/plein/platform/law"
)

// date is a date literal of the tests.
var date = clocktest.Date

// benchCases is a mix like a real caseload: singles with part-time work and fixed
// costs paid for them, a single parent, a couple, a kostendeler.
func benchCases() []bijstand.Case {
	p := bijstand.Period{Year: 2026, Month: time.March}
	return []bijstand.Case{
		{Period: p, Household: bijstand.Household{Kind: bijstand.KindSingle, Applicants: []bijstand.Applicant{{BirthDate: date("1990-05-01")}}},
			Income:     []bijstand.Income{{Source: bijstand.SourceWork, Net: 94112}},
			Deductions: []bijstand.Deduction{{ID: "zk", Kind: bijstand.DeductOnBehalf, Amount: 15850, Priority: 1}, {ID: "huur", Kind: bijstand.DeductOnBehalf, Amount: 61200, Priority: 2}}},
		{Period: p, Household: bijstand.Household{Kind: bijstand.KindSingleParent, Applicants: []bijstand.Applicant{{BirthDate: date("1985-01-20"), NMonthsUsed: 6}},
			Children: []bijstand.Child{{BirthDate: date("2018-02-01")}, {BirthDate: date("2021-07-09")}}},
			Income:     []bijstand.Income{{Source: bijstand.SourceWork, Net: 70000}},
			Deductions: []bijstand.Deduction{{ID: "terug", Kind: bijstand.DeductVerrekening, Amount: 5000, Priority: 1}, {ID: "cak", Kind: bijstand.DeductBeslag, Amount: 4000, Priority: 1}}},
		{Period: p, Household: bijstand.Household{Kind: bijstand.KindCouple, Applicants: []bijstand.Applicant{{BirthDate: date("1979-03-03")}, {BirthDate: date("1981-11-30"), MedischUrenbeperkt: true}}},
			Income: []bijstand.Income{{Applicant: 1, Source: bijstand.SourceWork, Net: 52000}, {Applicant: 0, Source: bijstand.SourceBenefit, Net: 20000}}},
		{Period: p, Household: bijstand.Household{Kind: bijstand.KindSingle, Applicants: []bijstand.Applicant{{BirthDate: date("1970-08-08")}},
			Housemates: []bijstand.Housemate{{BirthDate: date("1968-01-01"), CostSharer: true}}},
			Deductions: []bijstand.Deduction{{ID: "afl", Kind: bijstand.DeductAflossing, Amount: 10000, Priority: 1}}},
	}
}

// BenchmarkMonth measures resident-months per second on one core, trace included.
// Target (issue 3): 500,000 months in under 1 s.
func BenchmarkMonth(b *testing.B) {
	p, err := law.MustLoad().At(date("2026-03-01"))
	if err != nil {
		b.Fatal(err)
	}
	cases := benchCases()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if _, err := bijstand.Compute(p, cases[i%len(cases)]); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "months/s")
}
