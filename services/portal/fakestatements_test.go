package portal_test

import (
	"context"
	"testing"
	"time"

	"github.com/plein-nl/plein/platform/bijstand"
	"github.com/plein-nl/plein/platform/law"
	"github.com/plein-nl/plein/platform/tenant"
	"github.com/plein-nl/plein/services/portal"
)

// fakeStatements is an in-memory portal.Statements for the page and browser tests:
// Zwolle's resident has three settled months of 2026. January was paid before
// receipts (amounts only), February was held for want of a valid IBAN, and March is
// computed by the engine from her inputs, with February's payout paid as a nabetaling.
// The figures a real run stores are tested in services/settlement (specificatie_test.go).
type fakeStatements struct {
	months map[string][]portal.Statement // "tenant/resident" → newest first
}

func newFakeStatements(t *testing.T) *fakeStatements {
	t.Helper()
	march := bijstand.Period{Year: 2026, Month: time.March}
	c := bijstand.Case{Period: march, Household: bijstand.Household{Kind: bijstand.KindSingle,
		Applicants: []bijstand.Applicant{{BirthDate: time.Date(1990, 5, 1, 0, 0, 0, 0, time.UTC)}}},
		Income:     []bijstand.Income{{Applicant: 0, Source: bijstand.SourceWork, Net: 30000}},
		Deductions: []bijstand.Deduction{{ID: "plan-zorg", Kind: bijstand.DeductOnBehalf, Amount: 15850, Label: "Zilveren Kruis"}}}
	res, file, err := bijstand.NewCalculator(law.MustLoad()).Month(c)
	if err != nil {
		t.Fatal(err)
	}
	zorg := []portal.StatementDeduction{{CreditorName: "Zilveren Kruis", Reference: "POL-111", Applied: 15850}}
	wage := []portal.StatementWage{{Employer: "Bakkerij De Korenschoof", Gross: 34500, Net: 30000}}
	feb := portal.Statement{Period: march.Prev(), PayDate: time.Date(2026, 2, 25, 0, 0, 0, 0, time.UTC),
		Bijstand: res.Bijstand, Reserve: res.VakantietoeslagReserve, Applied: 15850, Payout: res.Payout,
		Deductions: zorg, Wages: wage, Hold: portal.HoldIBAN, LawFile: file.File, EngineVersion: bijstand.EngineVersion,
		ConfigVersion: 3, InputsSHA256: "5e0b1f8c1d2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4"}
	mar := feb
	mar.Period, mar.PayDate, mar.Hold, mar.Released, mar.Result, mar.Verified = march,
		time.Date(2026, 3, 25, 0, 0, 0, 0, time.UTC), "", res.Payout, res, true
	jan := portal.Statement{Period: march.Prev().Prev(), PayDate: time.Date(2026, 1, 23, 0, 0, 0, 0, time.UTC),
		Bijstand: 140150, Reserve: 6727, Applied: 15850, Payout: 140150 - 6727 - 15850, Deductions: zorg}
	return &fakeStatements{months: map[string][]portal.Statement{"zwolle/" + zwolleResident: {mar, feb, jan}}}
}

func (f *fakeStatements) Months(_ context.Context, t tenant.ID, residentID string) ([]bijstand.Period, error) {
	var out []bijstand.Period
	for _, st := range f.months[string(t)+"/"+residentID] {
		out = append(out, st.Period)
	}
	return out, nil
}

func (f *fakeStatements) Month(_ context.Context, t tenant.ID, residentID string, p bijstand.Period) (portal.Statement, error) {
	for _, st := range f.months[string(t)+"/"+residentID] {
		if st.Period == p {
			return st, nil
		}
	}
	return portal.Statement{}, portal.ErrNoStatement
}
