package synth_test

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/plein-nl/plein/internal/synth"
	"github.com/plein-nl/plein/internal/synth/synthtest"
	"github.com/plein-nl/plein/platform/authz"
	"github.com/plein-nl/plein/platform/authz/authztest"
	"github.com/plein-nl/plein/platform/bijstand"
	"github.com/plein-nl/plein/platform/bsn"
	"github.com/plein-nl/plein/platform/bsn/bsntest"
	"github.com/plein-nl/plein/platform/db/dbtest"
	"github.com/plein-nl/plein/services/creditors"
	"github.com/plein-nl/plein/services/paymentplans"
	"github.com/plein-nl/plein/services/residents"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// The tests of Seed run it on the services of a fresh database with the tenant zwolle
// and the clock of services/plein's end-to-end tests (2 April 2026).

var seedNow = func() time.Time {
	loc, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		panic(err)
	}
	return time.Date(2026, time.April, 2, 10, 0, 0, 0, loc)
}

type seedBundle struct {
	svc *synthtest.Services
	ctx context.Context // with a consulent principal of zwolle, for audited reads
}

func setupSeed(t *testing.T) *seedBundle {
	t.Helper()
	d := dbtest.New(t)
	dbtest.CreateTenants(t, d, "zwolle")
	ctx := authz.WithPrincipal(context.Background(), authztest.Principal("test:seed", "zwolle", authz.RoleConsulent))
	return &seedBundle{svc: synthtest.New(t, d.App, bsntest.Keyring(t), seedNow), ctx: ctx}
}

func seedOpts(n int, period string, s uint64) synth.Options {
	p, err := bijstand.ParsePeriod(period)
	if err != nil {
		panic(err)
	}
	return synth.Options{Tenant: "zwolle", Gemeente: "Gemeente Zwolle", Residents: n, Period: p, Seed: s, Workers: 4, Now: seedNow}
}

func (b *seedBundle) seed(o synth.Options) (synth.Report, error) {
	return synth.Seed(b.ctx, synth.Services{Residents: b.svc.Residents, Income: b.svc.Income, Plans: b.svc.Plans,
		Creditors: b.svc.Creditors}, o)
}

// read returns the seeded residents as stored, in the order of the stream.
func (b *seedBundle) read(t *testing.T, ids []string) []residents.Resident {
	t.Helper()
	out := make([]residents.Resident, len(ids))
	for i, id := range ids {
		r, err := b.svc.Residents.Get(b.ctx, "zwolle", id, "test van plein seed")
		if err != nil {
			t.Fatalf("resident %d: %v", i, err)
		}
		out[i] = r
	}
	return out
}

func ageOn(birth, day time.Time) int {
	age := day.Year() - birth.Year()
	if day.Month() < birth.Month() || day.Month() == birth.Month() && day.Day() < birth.Day() {
		age--
	}
	return age
}

// inRange fails the test unless lo ≤ got ≤ hi.
func inRange(t *testing.T, what string, got, lo, hi int) {
	t.Helper()
	if got < lo || got > hi {
		t.Errorf("%s: %d, want %d to %d", what, got, lo, hi)
	}
}

func TestSeedCaseload(t *testing.T) {
	t.Parallel()
	b := setupSeed(t)
	const n = 200
	period := bijstand.Period{Year: 2026, Month: time.April}
	rep, err := b.seed(seedOpts(n, "2026-04", 42))
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.IDs) != n || rep.PlanStart != period {
		t.Fatalf("report: %d residents, plans from %s; want %d from %s", len(rep.IDs), rep.PlanStart, n, period)
	}
	var out bytes.Buffer
	rep.Print(&out)
	for _, want := range []string{"200 residents in zwolle for 2026-04", "single parent", "zorgpremie", "(voorbeeld)"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("summary lacks %q:\n%s", want, out.String())
		}
	}
	checkHouseholds(t, b.read(t, rep.IDs), period.First())
	checkPayslips(t, b, rep, period)
	checkPlans(t, b, rep, period)
}

// checkHouseholds checks the households, as stored.
func checkHouseholds(t *testing.T, rs []residents.Resident, first time.Time) {
	t.Helper()
	kinds := map[synth.Kind]int{}
	bsns := map[string]bool{}
	for i, r := range rs {
		for _, x := range []bsn.BSN{r.BSN, partnerBSN(r)} {
			if x.IsZero() {
				continue
			}
			if bsns[x.Reveal()] {
				t.Errorf("resident %d: BSN %s handed out twice", i, x)
			}
			bsns[x.Reveal()] = true
		}
		if r.IBAN.Country() != "NL" || !slices.Contains([]string{"INGB", "RABO", "ABNA", "SNSB", "ASNB", "BUNQ", "TRIO"}, r.IBAN.BankCode()) {
			t.Errorf("resident %d: IBAN %s, want a Dutch bank's", i, r.IBAN.Masked())
		}
		inRange(t, "age of resident "+r.Name, ageOn(r.BirthDate, first), 18, 70)
		switch {
		case r.Kind == bijstand.KindCouple:
			kinds[synth.Couple]++
			if r.Partner == nil || r.Partner.BSN == r.BSN {
				t.Errorf("resident %d: a couple without a partner of their own BSN", i)
			}
		case r.Kind == bijstand.KindSingleParent:
			kinds[synth.SingleParent]++
			inRange(t, "children of a single parent", len(r.Children), 1, 3)
			for _, c := range r.Children {
				inRange(t, "age of a child", ageOn(c.BirthDate, first), 0, 17)
			}
		case len(r.Housemates) > 0:
			kinds[synth.Kostendeler]++
			if hm := r.Housemates[0]; !hm.CostSharer || ageOn(hm.BirthDate, first) < 27 {
				t.Errorf("resident %d: housemate %+v is no kostendelende medebewoner", i, hm)
			}
		default:
			kinds[synth.Single]++
		}
	}
	inRange(t, "singles", kinds[synth.Single], 100, 120)
	inRange(t, "single parents", kinds[synth.SingleParent], 34, 46)
	inRange(t, "couples", kinds[synth.Couple], 24, 36)
	inRange(t, "with kostendeler", kinds[synth.Kostendeler], 14, 26)
}

// checkPayslips checks that every month computes, and that the payslips are paid in
// the period and add up.
func checkPayslips(t *testing.T, b *seedBundle, rep synth.Report, period bijstand.Period) {
	t.Helper()
	working, slips := 0, 0
	for i, id := range rep.IDs {
		m, err := b.svc.Income.Month(b.ctx, "zwolle", id, period)
		if err != nil {
			t.Fatalf("resident %d: month %s: %v", i, period, err)
		}
		if len(m.Payslips) > 0 {
			working++
		}
		slips += len(m.Payslips)
		for _, p := range m.Payslips {
			switch {
			case p.Net < 30000 || p.Net > 140000:
				t.Errorf("resident %d: net %s, want 300 to 1400", i, p.Net)
			case p.Gross < p.Net:
				t.Errorf("resident %d: gross %s below net %s", i, p.Gross, p.Net)
			case bijstand.PeriodOf(p.PayDate) != period:
				t.Errorf("resident %d: paid on %s, not in %s", i, p.PayDate.Format(time.DateOnly), period)
			}
			// gross / hours between 13.68 and 18.00 (a cent of rounding either way)
			if g, h := int64(p.Gross), p.HoursCenti; h <= 0 || g*100 < 1367*h || g*100 > 1801*h {
				t.Errorf("resident %d: %s for %.2f hours is not 13.68 to 18.00 an hour", i, p.Gross, float64(h)/100)
			}
		}
	}
	inRange(t, "residents with a payslip in the period", working, 70, 90)
	if working != rep.Working || slips != rep.Working {
		t.Errorf("payslips in the period: %d residents, %d payslips; report says %d", working, slips, rep.Working)
	}
}

// checkPlans checks the plans: approved, from the period, to the right kind of
// creditor.
func checkPlans(t *testing.T, b *seedBundle, rep synth.Report, period bijstand.Period) {
	t.Helper()
	plans := map[synth.Label]int{}
	for i, id := range rep.IDs {
		list, err := b.svc.Plans.List(b.ctx, "zwolle", id)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range list {
			if p.ApprovedAt == nil || (p.Status != paymentplans.StatusApproved && p.Status != paymentplans.StatusActive) || p.Start != period {
				t.Errorf("resident %d: plan %s is %s from %s, want approved from %s", i, p.ID, p.Status, p.Start, period)
			}
			c, err := b.svc.Creditors.Get(b.ctx, "zwolle", p.CreditorID)
			if err != nil {
				t.Fatal(err)
			}
			if err := creditors.ValidateReference(c, p.Reference); err != nil {
				t.Errorf("resident %d: reference for %s: %v", i, c.ID, err)
			}
			var label synth.Label
			lo, hi := 0, 0
			switch {
			case p.Kind == bijstand.DeductOnBehalf && c.Kind == creditors.KindZorgverzekeraar:
				label, lo, hi = synth.Zorgpremie, 15000, 17500
			case p.Kind == bijstand.DeductOnBehalf && c.Kind == creditors.KindWoningcorporatie:
				label, lo, hi = synth.Huur, 30000, 75099
			case p.Kind == bijstand.DeductVerrekening:
				label, lo, hi = synth.Verrekening, 2500, 7000
			case p.Kind == bijstand.DeductAflossing:
				label, lo, hi = synth.Aflossing, 2000, 6000
			default:
				t.Errorf("resident %d: unexpected %s plan to %s", i, p.Kind, c.ID)
			}
			plans[label]++
			inRange(t, string(label)+" amount", int(p.Amount), lo, hi)
		}
	}
	inRange(t, "zorgpremie plans", plans[synth.Zorgpremie], 130, 150)
	inRange(t, "rent plans", plans[synth.Huur], 60, 80)
	inRange(t, "verrekening plans", plans[synth.Verrekening], 10, 22)
	inRange(t, "aflossing plans", plans[synth.Aflossing], 5, 15)
	for k, v := range plans {
		if rep.Plans[k] != v {
			t.Errorf("%s plans: %d stored, report says %d", k, v, rep.Plans[k])
		}
	}
}

func partnerBSN(r residents.Resident) bsn.BSN {
	if r.Partner == nil {
		return bsn.BSN{}
	}
	return r.Partner.BSN
}

// who is what determinism promises: the same people with the same numbers.
func who(rs []residents.Resident) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = strings.Join([]string{r.Name, r.BSN.Reveal(), partnerBSN(r).Reveal(), string(r.IBAN), r.BirthDate.Format(time.DateOnly),
			string(r.Kind)}, "|")
	}
	return out
}

func TestSeedDeterministic(t *testing.T) {
	t.Parallel()
	var runs [][]string
	for _, s := range []uint64{7, 7, 8} {
		b := setupSeed(t)
		rep, err := b.seed(seedOpts(40, "2026-04", s))
		if err != nil {
			t.Fatal(err)
		}
		runs = append(runs, who(b.read(t, rep.IDs)))
	}
	// Failures name the resident by position only: the lines hold BSNs.
	for i := range runs[0] {
		if runs[0][i] != runs[1][i] {
			t.Errorf("seed 7 twice, in two fresh databases: resident %d differs", i)
		}
	}
	if slices.Equal(runs[0], runs[2]) {
		t.Errorf("seeds 7 and 8 made the same people")
	}
}

// TestSeedTwice seeds the same stream twice in one tenant: every BSN is then taken,
// and the next free number is used.
func TestSeedTwice(t *testing.T) {
	t.Parallel()
	b := setupSeed(t)
	var all []residents.Resident
	for run := range 2 {
		rep, err := b.seed(seedOpts(20, "2026-04", 5))
		if err != nil {
			t.Fatalf("run %d: %v", run, err)
		}
		if want := run * 20; rep.BSNBumps != want {
			t.Errorf("run %d: %d BSNs taken, want %d", run, rep.BSNBumps, want)
		}
		if run == 1 && len(rep.Creditors) != 0 {
			t.Errorf("run 2 made creditors again: %v", rep.Creditors)
		}
		all = append(all, b.read(t, rep.IDs)...)
	}
	seen := map[string]bool{}
	for _, r := range all {
		for _, x := range []bsn.BSN{r.BSN, partnerBSN(r)} {
			if !x.IsZero() && seen[x.Reveal()] {
				t.Errorf("BSN %s twice", x)
			}
			seen[x.Reveal()] = true
		}
	}
}

// TestSeedPastPeriod: payslips are paid in a past period, but plans start in the
// current one, since a plan never starts in the past.
func TestSeedPastPeriod(t *testing.T) {
	t.Parallel()
	b := setupSeed(t)
	rep, err := b.seed(seedOpts(10, "2026-02", 1))
	if err != nil {
		t.Fatal(err)
	}
	apr := bijstand.Period{Year: 2026, Month: time.April}
	if rep.PlanStart != apr {
		t.Errorf("plans from %s, want %s", rep.PlanStart, apr)
	}
	var out bytes.Buffer
	rep.Print(&out)
	if !strings.Contains(out.String(), "2026-02 has passed: the plans start in 2026-04") {
		t.Errorf("summary does not say the plans moved:\n%s", out.String())
	}
	for _, id := range rep.IDs {
		list, err := b.svc.Plans.List(b.ctx, "zwolle", id)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range list {
			if p.Start != apr {
				t.Errorf("plan from %s, want %s", p.Start, apr)
			}
		}
		if _, err := b.svc.Income.Month(b.ctx, "zwolle", id, bijstand.Period{Year: 2026, Month: time.February}); err != nil {
			t.Error(err)
		}
	}
}
