package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/plein-nl/plein/internal/synth"
	"github.com/plein-nl/plein/internal/synth/synthtest"
	"github.com/plein-nl/plein/platform/authz"
	"github.com/plein-nl/plein/platform/bijstand"
	"github.com/plein-nl/plein/platform/bsn"
	"github.com/plein-nl/plein/platform/bsn/bsntest"
	"github.com/plein-nl/plein/platform/db"
	"github.com/plein-nl/plein/platform/db/dbtest"
	"github.com/plein-nl/plein/platform/iban"
	"github.com/plein-nl/plein/platform/money"
	"github.com/plein-nl/plein/platform/tenant"
	"github.com/plein-nl/plein/services/creditors"
	"github.com/plein-nl/plein/services/paymentplans"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// The fixture's month, and the services' clock: a day in it, so that the plans read
// back as active.
var (
	testPeriod = bijstand.Period{Year: 2026, Month: time.October}
	testNow    = func() time.Time { return time.Date(2026, time.October, 15, 12, 0, 0, 0, time.UTC) }
)

const testTenant = tenant.ID("fixturestad")

// testBundle is a fresh database with the services wired as services/plein's buildApp
// wires them (the debts service aside: a recording sink takes the shortfalls).
type testBundle struct {
	db     *dbtest.DB
	sealer *bsn.Sealer
	*synthtest.Services
}

func setup(t testing.TB) *testBundle {
	t.Helper()
	d := dbtest.New(t)
	dbtest.CreateTenants(t, d, testTenant)
	sealer := bsntest.Sealer(t)
	return &testBundle{db: d, sealer: sealer, Services: synthtest.New(t, d.App, bsntest.Keyring(t), testNow)}
}

// staff is a consulent of the test tenant, for the audited reads.
func staff(ctx context.Context) context.Context {
	return authz.WithPrincipal(ctx, authz.Principal{Subject: "consulent:test", Tenant: testTenant,
		Roles: []authz.Role{authz.RoleConsulent}})
}

// count runs a count query in a transaction of the test tenant.
func count(t testing.TB, b *testBundle, query string) int {
	t.Helper()
	var n int
	err := db.InTenant(tenant.WithID(context.Background(), testTenant), b.db.App, func(ctx context.Context, tx pgx.Tx) error {
		return tx.QueryRow(ctx, query).Scan(&n)
	})
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// TestLoadFixture loads a caseload and reads every resident back through the
// services' own code: the case (its BSNs open and are found by their blind index),
// the plans in force, their history and messages, and the month.
func TestLoadFixture(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()

	// A resident made through the service before: the fixture keeps clear of its BSN.
	first, err := b.Residents.Create(ctx, testTenant, synth.DemoResident())
	if err != nil {
		t.Fatal(err)
	}
	const n = 300
	st, err := loadFixtureWith(ctx, b.db.App, b.sealer, testTenant, n, testPeriod, 7, fullFixture)
	if err != nil {
		t.Fatal(err)
	}
	if st.Residents != n || st.Plans != 3*n || st.Payslips != int(0.4*n) {
		t.Errorf("stats %+v, want %d residents, %d plans, %d payslips", st, n, 3*n, int(0.4*n))
	}
	checkCounts(t, b, "", []countWant{
		{"SELECT count(*) FROM residents", st.Residents + 1},
		{"SELECT count(*) FROM payslips", st.Payslips},
		{"SELECT count(*) FROM plans", st.Plans},
		{"SELECT count(*) FROM plans WHERE status = 'approved' AND approved_at IS NOT NULL AND version = 2", st.Plans},
		{"SELECT count(*) FROM plan_events", 2 * st.Plans},
		{"SELECT count(*) FROM outbound_messages WHERE kind = 'start'", st.Plans},
		{"SELECT count(*) FROM audit_log WHERE object_type = 'paymentplan'", 2 * st.Plans},
		{"SELECT count(*) FROM creditors", synth.NumCorporations},
	})

	ids, nets := loaded(t, b, first.ID)
	if len(ids) != n {
		t.Fatalf("%d fixture residents, want %d", len(ids), n)
	}
	tl := tally{households: map[bijstand.HouseholdKind]int{}, perCreditor: map[string]int{}}
	for _, id := range ids {
		checkCase(t, b, id, &tl)
		checkPlans(t, b, id, &tl)
		checkMonth(t, b, id, nets[id], &tl)
	}
	t.Logf("households %v (%d with a kostendeler), %d with a payslip; bijstand > 0: %d, payout > 0: %d of %d; %d shortfalls",
		tl.households, tl.kostendelers, tl.worked, tl.withBijstand, tl.withPayout, n, tl.shortfalls)
	// The mix is exact per chunk (rounded): off by at most one per chunk, two here.
	near := func(got int, share float64) bool { return abs(got-int(share*n)) <= 2 }
	if !near(tl.households[bijstand.KindSingle], 0.65) || !near(tl.households[bijstand.KindSingleParent], 0.2) ||
		!near(tl.households[bijstand.KindCouple], 0.15) || !near(tl.kostendelers, 0.1) {
		t.Errorf("households %v with %d kostendelers, want the mix 55/20/15/10 %%", tl.households, tl.kostendelers)
	}
	if tl.worked != st.Payslips {
		t.Errorf("%d months with a payslip, want %d", tl.worked, st.Payslips)
	}
	if tl.withBijstand < n*98/100 || tl.withPayout < n*90/100 {
		t.Errorf("bijstand > 0 for %d and payout > 0 for %d of %d residents, want most", tl.withBijstand, tl.withPayout, n)
	}
	checkHistory(t, b, ids[0])
	checkMessages(t, b, tl.perCreditor)

	// A second load with another seed (and the default options: the plans' history,
	// no messages, no audit) finds the tenant's creditors and adds to them.
	st2, err := loadFixture(ctx, b.db.App, b.sealer, testTenant, 50, testPeriod, 8)
	if err != nil {
		t.Fatal(err)
	}
	checkCounts(t, b, "after a second load: ", []countWant{
		{"SELECT count(*) FROM residents", n + 1 + st2.Residents},
		{"SELECT count(*) FROM plans", st.Plans + st2.Plans},
		{"SELECT count(*) FROM plan_events", 2 * (st.Plans + st2.Plans)},
		{"SELECT count(*) FROM outbound_messages", st.Plans},
		{"SELECT count(*) FROM audit_log WHERE object_type = 'paymentplan'", 2 * st.Plans},
	})
	if got := count(t, b, "SELECT count(*) FROM creditors"); got != synth.NumCorporations {
		t.Errorf("%d creditors after a second load, want %d", got, synth.NumCorporations)
	}
	// The same seed and size again is refused: its ids are taken.
	if _, err := loadFixture(ctx, b.db.App, b.sealer, testTenant, 50, testPeriod, 8); err == nil {
		t.Error("loading the same fixture twice into one tenant succeeded")
	} else {
		t.Logf("loaded twice: %v", err)
	}
}

// countWant is a count query and the count it must give.
type countWant struct {
	query string
	want  int
}

// checkCounts runs the count queries; prefix says when, in the failures.
func checkCounts(t *testing.T, b *testBundle, prefix string, cs []countWant) {
	t.Helper()
	for _, c := range cs {
		if got := count(t, b, c.query); got != c.want {
			t.Errorf("%s%s = %d, want %d", prefix, c.query, got, c.want)
		}
	}
}

// loaded returns the ids of the residents loaded (all but the one of id first), and
// the net wages of their payslips, to compare with the months.
func loaded(t *testing.T, b *testBundle, first string) ([]string, map[string]money.Cents) {
	t.Helper()
	nets := map[string]money.Cents{}
	var ids []string
	err := db.InTenant(tenant.WithID(context.Background(), testTenant), b.db.App, func(ctx context.Context, tx pgx.Tx) error {
		rows, err := tx.Query(ctx, "SELECT resident_id, net_cents FROM payslips")
		if err != nil {
			return err
		}
		var id string
		var net int64
		if _, err = pgx.ForEachRow(rows, []any{&id, &net}, func() error { nets[id] += money.Cents(net); return nil }); err != nil {
			return err
		}
		rows, err = tx.Query(ctx, "SELECT id FROM residents WHERE id <> $1 ORDER BY id", first)
		if err != nil {
			return err
		}
		ids, err = pgx.CollectRows(rows, pgx.RowTo[string])
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids, nets
}

// tally is what reading the residents back counts.
type tally struct {
	households                                     map[bijstand.HouseholdKind]int
	kostendelers, worked, withBijstand, withPayout int
	shortfalls                                     int            // deductions a month could not pay in full
	perCreditor                                    map[string]int // plans per creditor
}

// checkCase reads the case of resident id back: the household, and the BSNs, which
// open, and whose blind indexes find the case.
func checkCase(t *testing.T, b *testBundle, id string, tl *tally) {
	t.Helper()
	ctx := context.Background()
	h, err := b.Residents.Household(ctx, testTenant, id)
	if err != nil {
		t.Fatalf("resident %s: household: %v", id, err)
	}
	tl.households[h.Kind]++
	if len(h.Housemates) > 0 {
		tl.kostendelers++
	}
	if want := map[bijstand.HouseholdKind]int{bijstand.KindCouple: 2}[h.Kind]; len(h.Applicants) != max(want, 1) {
		t.Errorf("resident %s: %s with %d applicants", id, h.Kind, len(h.Applicants))
	}
	if h.Kind == bijstand.KindSingleParent && len(h.Children) == 0 {
		t.Errorf("resident %s: a single parent without children", id)
	}
	r, err := b.Residents.Get(staff(ctx), testTenant, id, "controle benchmarkfixture")
	if err != nil {
		t.Fatalf("resident %s: get: %v", id, err)
	}
	if _, err := iban.Parse(string(r.IBAN)); err != nil {
		t.Errorf("resident %s: IBAN: %v", id, err)
	}
	bsns := []bsn.BSN{r.BSN}
	if r.Partner != nil {
		bsns = append(bsns, r.Partner.BSN)
	}
	for _, x := range bsns {
		found, err := b.Residents.FindByBSN(staff(ctx), testTenant, x.Reveal(), "controle benchmarkfixture")
		if err != nil || found.ID != id {
			t.Errorf("resident %s: FindByBSN(%s) = %s, %v", id, x, found.ID, err)
		}
	}
}

// checkPlans reads the plans of resident id back: the three deductions in force, in
// order, to the right kind of creditor.
func checkPlans(t *testing.T, b *testBundle, id string, tl *tally) {
	t.Helper()
	ctx := context.Background()
	wantKinds := []bijstand.DeductionKind{bijstand.DeductOnBehalf, bijstand.DeductOnBehalf, bijstand.DeductAflossing}
	wantPriorities := []int{10, 20, 50} // rent, zorgpremie, aflossing
	wantCreditorKinds := [][]creditors.Kind{{creditors.KindWoningcorporatie}, {creditors.KindZorgverzekeraar},
		{creditors.KindEnergie, creditors.KindWater}}
	ds, err := b.Plans.Active(ctx, testTenant, id, testPeriod)
	if err != nil {
		t.Fatalf("resident %s: active: %v", id, err)
	}
	if len(ds) != 3 {
		t.Fatalf("resident %s: %d deductions in force, want 3", id, len(ds))
	}
	plans, err := b.Plans.List(ctx, testTenant, id)
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]paymentplans.Plan{}
	for _, p := range plans {
		byID[p.ID] = p
	}
	for i, d := range ds {
		if d.Kind != wantKinds[i] || d.Priority != wantPriorities[i] || d.Amount <= 0 {
			t.Errorf("resident %s: deduction %d is %s priority %d amount %d, want %s priority %d", id, i,
				d.Kind, d.Priority, d.Amount, wantKinds[i], wantPriorities[i])
		}
		p := byID[d.ID]
		c, err := b.Creditors.Get(ctx, testTenant, p.CreditorID)
		if err != nil {
			t.Fatalf("resident %s: plan %s: creditor: %v", id, p.ID, err)
		}
		tl.perCreditor[c.ID]++
		if !slices.Contains(wantCreditorKinds[i], c.Kind) {
			t.Errorf("resident %s: deduction %d pays a %s", id, i, c.Kind)
		}
		if err := b.Creditors.ValidateReference(c, p.Reference); err != nil {
			t.Errorf("resident %s: plan %s: reference: %v", id, p.ID, err)
		}
		if p.Status != paymentplans.StatusActive || !p.InForce(testPeriod) || p.Start != testPeriod {
			t.Errorf("resident %s: plan %s is %s from %s", id, p.ID, p.Status, p.Start)
		}
		paper := p.Mandate != nil && p.Mandate.GivenBy == paymentplans.MandatePaper
		if paper != (p.Kind == bijstand.DeductOnBehalf) {
			t.Errorf("resident %s: plan %s (%s) has mandate %+v", id, p.ID, p.Kind, p.Mandate)
		}
	}
}

// checkMonth computes the month of resident id, whose payslips are net.
func checkMonth(t *testing.T, b *testBundle, id string, net money.Cents, tl *tally) {
	t.Helper()
	m, err := b.Income.Month(context.Background(), testTenant, id, testPeriod)
	if err != nil {
		t.Fatalf("resident %s: month: %v", id, err)
	}
	if m.Result.Income != net || len(m.Payslips) != map[bool]int{true: 1}[net > 0] {
		t.Errorf("resident %s: month counts income %d from %d payslips, want %d", id, m.Result.Income, len(m.Payslips), net)
	}
	if net > 0 {
		tl.worked++
	}
	for _, d := range m.Result.Deductions {
		if d.Requested > m.Result.Norm {
			t.Errorf("resident %s: a deduction of %d above the norm %d", id, d.Requested, m.Result.Norm)
		}
		if d.Shortfall > 0 {
			tl.shortfalls++
		}
	}
	if m.Result.Bijstand > 0 {
		tl.withBijstand++
	}
	if m.Result.Payout > 0 {
		tl.withPayout++
	}
}

// checkHistory reads the history of resident id's plans, as the service would have
// left it.
func checkHistory(t *testing.T, b *testBundle, id string) {
	t.Helper()
	ctx := context.Background()
	ds, err := b.Plans.Active(ctx, testTenant, id, testPeriod)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range ds {
		evs, err := b.Plans.Events(ctx, testTenant, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) != 2 || evs[0].Action != paymentplans.ActionRequest || evs[1].Action != paymentplans.ActionApprove ||
			evs[1].From != paymentplans.StatusRequested || evs[1].To != paymentplans.StatusApproved {
			t.Errorf("plan %s: events %+v, want request then approve", d.ID, evs)
		}
	}
}

// checkMessages reads each creditor's start messages, as the service would have left
// them: one per plan (perCreditor).
func checkMessages(t *testing.T, b *testBundle, perCreditor map[string]int) {
	t.Helper()
	ctx := context.Background()
	for creditorID, want := range perCreditor {
		msgs, err := b.Plans.Export(ctx, testTenant, creditorID, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		if len(msgs) != want {
			t.Errorf("creditor %s: %d messages, want %d", creditorID, len(msgs), want)
		}
		for _, m := range msgs {
			var pl paymentplans.MessagePayload
			if err := json.Unmarshal(m.Payload, &pl); err != nil {
				t.Fatalf("message %s: %v", m.ID, err)
			}
			p, err := b.Plans.Get(ctx, testTenant, m.PlanID)
			if err != nil {
				t.Fatal(err)
			}
			end := ""
			if p.End != nil {
				end = p.End.String()
			}
			want := paymentplans.MessagePayload{MessageID: m.ID, Kind: paymentplans.MessageStart, Gemeente: string(testTenant),
				CreditorID: creditorID, PlanID: p.ID, Reference: p.Reference, AmountCents: int64(p.Amount), Currency: "EUR",
				StartPeriod: testPeriod.String(), EndPeriod: end, CreatedAt: p.ApprovedAt.UTC().Format(time.RFC3339)}
			if pl != want {
				t.Errorf("message %s: %+v, want %+v", m.ID, pl, want)
			}
		}
	}
}

func abs(x int) int { return max(x, -x) }

// TestLoadFixtureDeterministic loads the same seed into two fresh databases and
// compares everything but the ciphertexts and timestamps; another seed differs.
func TestLoadFixtureDeterministic(t *testing.T) {
	t.Parallel()
	digest := func(seed uint64) string {
		b := setup(t)
		ctx := context.Background()
		if _, err := loadFixture(ctx, b.db.App, b.sealer, testTenant, 300, testPeriod, seed); err != nil {
			t.Fatal(err)
		}
		h := sha256.New()
		err := db.InTenant(tenant.WithID(ctx, testTenant), b.db.App, func(ctx context.Context, tx pgx.Tx) error {
			for _, q := range []string{
				`SELECT id, name, birth_date, bsn_index, iban, household_kind, parents_cannot_support, n_months_used,
				        r_months_used, medisch_urenbeperkt, partner_name, partner_birth_date, partner_bsn_index,
				        partner_n_months_used, partner_r_months_used, partner_medisch_urenbeperkt
				 FROM residents ORDER BY id`,
				`SELECT resident_id, position, birth_date FROM resident_children ORDER BY resident_id, position`,
				`SELECT resident_id, position, birth_date, cost_sharer, description FROM resident_housemates ORDER BY resident_id, position`,
				`SELECT id, resident_id, applicant, employer, period_start, period_end, gross_cents, net_cents, hours_centi, pay_date
				 FROM payslips ORDER BY id`,
				// A tenant creditor's id is new in each database: its name stands for it.
				`SELECT p.id, p.resident_id, p.kind, coalesce(c.name, p.creditor_id), p.reference, p.amount_cents, p.priority,
				        p.start_period, p.end_period, p.status
				 FROM plans p LEFT JOIN creditors c ON c.tenant_id = p.tenant_id AND c.id = p.creditor_id ORDER BY p.id`,
			} {
				rows, err := tx.Query(ctx, q)
				if err != nil {
					return err
				}
				for rows.Next() {
					vals, err := rows.Values()
					if err != nil {
						rows.Close()
						return err
					}
					fmt.Fprintln(h, vals...)
				}
				if err := rows.Err(); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return hex.EncodeToString(h.Sum(nil))
	}
	a, b, c := digest(11), digest(11), digest(12)
	if a != b {
		t.Errorf("seed 11 loaded twice: digests %s and %s differ", a, b)
	}
	if a == c {
		t.Errorf("seeds 11 and 12 give the same digest %s", a)
	}
}

// BenchmarkLoadFixture reports the loading rate of 20,000 residents with each choice
// of fixtureOptions (residents/s): a benchmark, not a test, so the suite neither waits
// for it nor fails on speed.
func BenchmarkLoadFixture(b *testing.B) {
	for _, c := range []struct {
		name string
		o    fixtureOptions
	}{{"default", defaultFixture}, {"full", fullFixture}, {"lean", leanFixture}} {
		b.Run(c.name, func(b *testing.B) {
			for range b.N {
				tb := setup(b)
				const n = 20000
				st, err := loadFixtureWith(context.Background(), tb.db.App, tb.sealer, testTenant, n, bijstand.PeriodOf(time.Now()), 1, c.o)
				if err != nil {
					b.Fatal(err)
				}
				if got := count(b, tb, "SELECT count(*) FROM residents"); got != n {
					b.Errorf("%d residents, want %d", got, n)
				}
				b.ReportMetric(float64(st.Residents)/st.Elapsed.Seconds(), "residents/s")
			}
		})
	}
}

// BenchmarkFixtureEncode measures the Go side of a load per resident beside drawing it
// (synth's BenchmarkBenchDraw): sealing and indexing its BSNs, and encoding every
// table's rows (the full fixture).
func BenchmarkFixtureEncode(b *testing.B) {
	tb := setup(b)
	bench, err := synth.NewBench(context.Background(), synth.BenchConfig{Tenant: testTenant, Period: testPeriod, Seed: 1,
		Creditors: tb.Creditors, Now: time.Now()})
	if err != nil {
		b.Fatal(err)
	}
	l := newLoad(bench, tb.sealer, testTenant, testPeriod)
	people, err := bench.Chunk(0, 1, 1000)
	if err != nil {
		b.Fatal(err)
	}
	var w copyBuf
	i := 0
	for b.Loop() {
		r, err := l.row(&people[i%len(people)])
		if err != nil {
			b.Fatal(err)
		}
		w.b = w.b[:0]
		for _, t := range fxTables {
			t.enc(l, &w, &r)
		}
		i++
	}
}
