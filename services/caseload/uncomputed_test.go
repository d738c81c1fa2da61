package caseload_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/plein-nl/plein/platform/bijstand"
	"github.com/plein-nl/plein/platform/db"
	"github.com/plein-nl/plein/platform/ledger"
	"github.com/plein-nl/plein/platform/money"
	"github.com/plein-nl/plein/platform/tenant"
	"github.com/plein-nl/plein/services/paymentplans"
	"github.com/plein-nl/plein/services/residents"
	"github.com/plein-nl/plein/services/residents/residentstest"
	"github.com/plein-nl/plein/services/settlement"
)

// One resident whose month the engine cannot compute never stops a gemeente's run: the
// resident is held with the reason and reported, the others are paid.

// The figures of docs/domain.md §1–3 for 2026, worked by hand (the law file of
// 1 January 2026 holds for January and February):
//   - Fatima (single, 35, net wage 1200.00, n vrijlating): bijstand 486.50 (see
//     bijstandWithN), reserve round(4.8 % × 486.50) = 23.35, payout 463.15;
//   - Kees (single, 56, no income, a beslag of 50.00 for the CAK): bijstand 1401.50,
//     reserve round(4.8 % × 1401.50) = 67.27, cash 1334.23; the beslag fits the
//     capacity of 70.07 (bijstand − BVV 1331.43) and the cash above the minimum
//     payout of 250.00, so it is applied whole; payout 1334.23 − 50.00 = 1284.23.
const (
	fatimaReserve = money.Cents(2335)
	fatimaPayout  = money.Cents(46315)
	keesBijstand  = money.Cents(140150)
	keesReserve   = money.Cents(6727)
	keesBeslag    = money.Cents(5000)
	keesPayout    = money.Cents(128423)
)

// uncomputedCouple registers a couple whose partner is 17 in 2026 (born 2008-09-01):
// the engine refuses every month of theirs (bijstand starts at 18). The resident,
// 41, earns a wage, so a month computed would count his n vrijlating; a beslag for
// the CAK, so a month computed would pay the creditor for him.
func (b *settleBundle) uncomputedCouple(t *testing.T, p bijstand.Period) string {
	t.Helper()
	id := b.resident(t, zwolle, residents.NewResident{Name: "Jan Jansen", BirthDate: "1985-02-01", BSN: "111222333",
		IBAN: residentstest.IBAN, Kind: "couple",
		Partner: &residents.NewPartner{Name: "Sanne Jansen", BirthDate: "2008-09-01", BSN: "168888889"}})
	b.wage(t, id, p, wageNet)
	b.plan(t, id, paymentplans.NewPlan{Kind: "beslag", CreditorID: "cak", Reference: "6543210987654321",
		AmountCents: int64(keesBeslag), Priority: 1, StartPeriod: p.String()})
	return id
}

// TestUncomputedResidentHeld: January is settled with Fatima and Kees; in February a
// couple joins whose month the engine refuses. February's run becomes final all the
// same: Fatima and Kees are paid exactly as in January (amounts, SEPA control sum,
// ledger totals; each against the figures above), the couple is in the report with
// the engine's reason and has no ledger line, no transfer and no specification line,
// Fatima's counters advance and the couple's do not, and the run reconciles.
func TestUncomputedResidentHeld(t *testing.T) {
	t.Parallel()
	b := setupSettle(t)
	b.clock.Set(time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC))
	jan := bijstand.Period{Year: 2026, Month: time.January}
	feb, mar := jan.Next(), jan.Next().Next()
	fatima := b.resident(t, zwolle, residentstest.Single("999993653"))
	kees := b.resident(t, zwolle, residents.NewResident{Name: "Kees Bakker", BirthDate: "1970-01-01", BSN: "413827161",
		IBAN: residentstest.IBAN, Kind: "single"})
	b.plan(t, kees, paymentplans.NewPlan{Kind: "beslag", CreditorID: "cak", Reference: "1234567890123456",
		AmountCents: int64(keesBeslag), Priority: 1, StartPeriod: jan.String()})
	b.wage(t, fatima, jan, wageNet)
	janRun := b.settle(t, jan, false)

	couple := b.uncomputedCouple(t, feb)
	b.wage(t, fatima, feb, wageNet)
	febRun := b.settle(t, feb, false)

	controlSum := fatimaPayout + keesPayout + keesBeslag
	for _, run := range []settlement.Run{janRun, febRun} {
		rep := run.Report
		if run.Status != settlement.StatusFinal || !rep.OK || rep.Residents != 2 || rep.BijstandCents != bijstandWithN+keesBijstand ||
			rep.VakantietoeslagReserveCents != fatimaReserve+keesReserve || rep.DeductionsAppliedCents != keesBeslag ||
			rep.PayoutCents != fatimaPayout+keesPayout || rep.SEPATransactions != 3 || rep.SEPAControlSumCents != controlSum {
			t.Errorf("%s: %s, report %+v; want final, OK, 2 residents paid %d in 3 transfers", run.Period, run.Status, rep, controlSum)
		}
		want := map[string]money.Cents{ledger.BijstandExpense: bijstandWithN + keesBijstand,
			ledger.VakantietoeslagReserve: -(fatimaReserve + keesReserve), ledger.Bank: -controlSum}
		if got := b.ledgerTotals(t, run.ID); !mapsEqual(got, want) {
			t.Errorf("%s: ledger totals %v, want %v (every payable paid off)", run.Period, got, want)
		}
	}
	if janRun.Report.UncomputedResidents != 0 || len(janRun.Report.Uncomputed) != 0 {
		t.Errorf("January: %d not computed, want none", janRun.Report.UncomputedResidents)
	}
	rep := febRun.Report
	if rep.UncomputedResidents != 1 || len(rep.Uncomputed) != 1 || rep.Uncomputed[0].ResidentID != couple {
		t.Fatalf("February: not computed %d %+v, want the couple", rep.UncomputedResidents, rep.Uncomputed)
	}
	for _, s := range []string{"De maand kon niet worden berekend: ", "household.applicants[1].birth_date: the applicant is 17 on 2026-02-01",
		"; controleer de gegevens van deze inwoner"} {
		if !strings.Contains(rep.Uncomputed[0].Reason, s) {
			t.Errorf("reason %q does not say %q", rep.Uncomputed[0].Reason, s)
		}
	}
	// Per resident, February pays Fatima and Kees what January did; the couple is new.
	d, err := b.svc.Diff(t.Context(), zwolle, febRun.ID, settlement.DiffOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if c := d.Counts; c[settlement.ChangeUnchanged] != 2 || c[settlement.ChangeChanged] != 0 || c[settlement.ChangeNew] != 1 ||
		len(d.Lines) != 1 || d.Lines[0].ResidentID != couple || d.Lines[0].PayoutDeltaCents != 0 {
		t.Errorf("February against January: %v, lines %+v; want Fatima and Kees unchanged, the couple new and paid nothing", c, d.Lines)
	}
	if len(d.Lines) == 1 && (d.Lines[0].Current == nil || d.Lines[0].Current.Uncomputed != rep.Uncomputed[0].Reason) {
		t.Errorf("the couple's line %+v does not say why the month was not computed", d.Lines[0].Current)
	}
	if n := b.d.Count(t, zwolle, `SELECT count(*) FROM journal_lines WHERE account_code = $1`, ledger.ResidentAccount(couple)); n != 0 {
		t.Errorf("the couple has %d ledger lines, want none", n)
	}
	files, err := b.svc.Files(t.Context(), zwolle, febRun.ID, true)
	if err != nil || len(files) == 0 {
		t.Fatalf("files of February: %d, %v", len(files), err)
	}
	for _, f := range files {
		if strings.Contains(string(f.Content), settlement.EndToEndID(febRun.ID, "R", couple)) || strings.Contains(string(f.Content), "6543210987654321") {
			t.Errorf("%s pays the couple or names their plan", f.Name)
		}
	}
	// Fatima's n months used: one more for each final month; the couple's none.
	if n, _ := b.counters(t, fatima, mar); n != 2 || b.recorded(t, febRun.ID) != 1 {
		t.Errorf("Fatima's n months used before March: %d, recorded by February %d; want 2, 1", n, b.recorded(t, febRun.ID))
	}
	for applicant := range 2 {
		if n, r := b.countersOf(t, couple, applicant, mar); n != 0 || r != 0 {
			t.Errorf("the couple's applicant %d: counters %d/%d before March, want 0/0", applicant, n, r)
		}
	}
}

// ledgerTotals is the sum per account of the lines run booked, accounts at 0 left out.
func (b *settleBundle) ledgerTotals(t *testing.T, runID string) map[string]money.Cents {
	t.Helper()
	out := map[string]money.Cents{}
	err := db.InTenant(tenant.WithID(t.Context(), zwolle), b.d.App, func(ctx context.Context, tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `
			SELECT j.account_code, sum(j.amount_cents)::bigint
			FROM journal_entries e JOIN journal_lines j ON j.tenant_id = e.tenant_id AND j.entry_id = e.id
			WHERE e.source = $1 GROUP BY j.account_code HAVING sum(j.amount_cents) <> 0`, settlement.Source(runID))
		if err != nil {
			return err
		}
		var acct string
		var sum int64
		_, err = pgx.ForEachRow(rows, []any{&acct, &sum}, func() error {
			out[acct] = money.Cents(sum)
			return nil
		})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func mapsEqual(a, b map[string]money.Cents) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// TestMonthsUncomputed: the caseload returns a month the engine refuses as not
// computed, with the reason and no amounts, beside the others; a read that fails (a
// cancelled context) is an error, and marks no one.
func TestMonthsUncomputed(t *testing.T) {
	t.Parallel()
	b := setupSettle(t)
	b.clock.Set(time.Date(2026, 1, 25, 10, 0, 0, 0, time.UTC)) // February's payslips can be handed in
	feb := bijstand.Period{Year: 2026, Month: time.February}
	fatima := b.resident(t, zwolle, residentstest.Single("999993653"))
	b.wage(t, fatima, feb, wageNet)
	couple := b.uncomputedCouple(t, feb)
	first, last := min(fatima, couple), max(fatima, couple)
	months, err := b.cl.Months(t.Context(), zwolle, feb, first, last)
	if err != nil || len(months) != 2 {
		t.Fatalf("months: %d, %v", len(months), err)
	}
	for _, m := range months {
		switch m.ResidentID {
		case fatima:
			if m.Uncomputed != "" || m.Result.Bijstand != bijstandWithN {
				t.Errorf("Fatima: not computed %q, bijstand %d; want computed, %d", m.Uncomputed, m.Result.Bijstand, bijstandWithN)
			}
		case couple:
			if r := m.Result; !strings.HasPrefix(m.Uncomputed, "De maand kon niet worden berekend: ") || r.Period != feb ||
				r.Bijstand != 0 || r.Payout != 0 || len(r.Deductions) != 0 || len(r.Applicants) != 0 || m.Name != "Jan Jansen" {
				t.Errorf("the couple: %+v, want not computed, with the reason and no amounts", m)
			}
		}
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if months, err := b.cl.Months(ctx, zwolle, feb, first, last); !errors.Is(err, context.Canceled) || months != nil {
		t.Errorf("a cancelled read: %d months, %v; want context.Canceled and none", len(months), err)
	}
	// A month before the first law file: the law data refuses everyone alike, so it is
	// the run's failure, not a list of residents not computed.
	var ce *settlement.ComputeError
	old := bijstand.Period{Year: 2019, Month: time.January}
	if months, err := b.cl.Months(t.Context(), zwolle, old, first, last); !errors.As(err, &ce) || ce.ResidentID != first || months != nil {
		t.Errorf("a period without law data: %d months, %v; want a ComputeError for %s", len(months), err, first)
	}
}
