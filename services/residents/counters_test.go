package residents

import (
	"context"
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/plein-nl/plein/platform/bijstand"
	"github.com/plein-nl/plein/platform/db"
	"github.com/plein-nl/plein/platform/jobs"
	"github.com/plein-nl/plein/platform/tenant"
)

const counterRun = "7d1f0e7a-5b3c-4c2e-9f00-123456789abc"

// work runs the counters worker on args in a tenant transaction of its own, as the job's
// worker does (and as a retried job does again).
func work(t *testing.T, b *testBundle, args CountersArgs) {
	t.Helper()
	err := db.InTenant(tenant.WithID(context.Background(), args.Tenant), b.d.App, func(ctx context.Context, tx pgx.Tx) error {
		return (&countersWorker{now: clock}).work(ctx, tx, &river.Job[CountersArgs]{Args: args})
	})
	if err != nil {
		t.Fatalf("counters job: %v", err)
	}
}

// countersOf returns applicant i's counters in force at the start of p.
func countersOf(t *testing.T, b *testBundle, id string, p bijstand.Period, i int) [2]int {
	t.Helper()
	h, err := b.raw.HouseholdAsOf(context.Background(), enschede, id, p)
	if err != nil {
		t.Fatal(err)
	}
	return [2]int{h.Applicants[i].NMonthsUsed, h.Applicants[i].RMonthsUsed}
}

func period(y int, m time.Month) bijstand.Period { return bijstand.Period{Year: y, Month: m} }

// TestCountersAsOf: the counters are read as of a month (docs/domain.md §2). A case's
// counters hold from the month it is registered in (and, as the best known, for the
// months before it); a final run's job makes the next month's; a retried job writes
// nothing twice; a consulent's correction after the run holds from the first month not
// yet settled and wins over a run's row of that month, even one written after it; an
// earlier month keeps its own.
func TestCountersAsOf(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := as(consulentEnschede)
	r := mustCreate(t, b.svc, ctx, enschede, couple()) // on 2026-03-15: n 2 (partner 5), r 0 (partner 3)
	mar, apr := period(2026, time.March), period(2026, time.April)
	for _, c := range []struct {
		p         bijstand.Period
		applicant int
		want      [2]int
	}{
		{mar, 0, [2]int{2, 0}}, {mar, 1, [2]int{5, 3}},
		{period(2025, time.December), 0, [2]int{2, 0}}, // before the case: the counters it came with
		{period(2027, time.June), 1, [2]int{5, 3}},
	} {
		if got := countersOf(t, b, r.ID, c.p, c.applicant); got != c.want {
			t.Errorf("applicant %d as of %s: %v, want %v", c.applicant, c.p, got, c.want)
		}
	}

	// March's final run: her partner's r vrijlating counted (3 → 4). The job is
	// retried: nothing doubles.
	partner := CountersArgs{TenantArgs: jobs.TenantArgs{Tenant: enschede}, RunID: counterRun, Chunk: 1, Period: "2026-03",
		Counters: []AdvancedCounters{{ResidentID: r.ID, Applicant: 1, Kind: CounterR}}}
	work(t, b, partner)
	work(t, b, partner)
	if n := b.d.Count(t, enschede, `SELECT count(*) FROM vrijlating_counters WHERE source = 'run'`); n != 1 {
		t.Errorf("run rows after a retried job: %d, want 1", n)
	}
	if got := countersOf(t, b, r.ID, apr, 1); got != [2]int{5, 4} {
		t.Errorf("partner as of April: %v, want [5 4]", got)
	}
	if got := countersOf(t, b, r.ID, mar, 1); got != [2]int{5, 3} {
		t.Errorf("partner as of March after its run: %v, want its own [5 3]", got)
	}
	got, err := b.svc.Get(ctx, enschede, r.ID, purpose)
	if err != nil || got.NMonthsUsed != 2 || got.Partner.RMonthsUsed != 4 {
		t.Errorf("the staff API shows n %d, partner r %d (%v); want the latest, 2 and 4", got.NMonthsUsed, got.Partner.RMonthsUsed, err)
	}

	// Still on 15 March, a consulent corrects the resident's n. April's counters exist
	// (the partner's): the correction holds from April, the first month not yet settled.
	// The run's job for the resident comes after it (a later chunk): it does not
	// overtake the correction, and March keeps its own counters.
	six := 6
	if _, err := b.svc.Update(ctx, enschede, r.ID, 1, Changes{NMonthsUsed: &six}); err != nil {
		t.Fatal(err)
	}
	work(t, b, CountersArgs{TenantArgs: jobs.TenantArgs{Tenant: enschede}, RunID: counterRun, Chunk: 2, Period: "2026-03",
		Counters: []AdvancedCounters{{ResidentID: r.ID, Applicant: 0, Kind: CounterN}}})
	if got := countersOf(t, b, r.ID, apr, 0); got != [2]int{6, 0} {
		t.Errorf("resident as of April after the correction: %v, want [6 0]", got)
	}
	if got := countersOf(t, b, r.ID, mar, 0); got != [2]int{2, 0} {
		t.Errorf("resident as of March after the correction: %v, want [2 0]", got)
	}
	if got := countersOf(t, b, r.ID, apr, 1); got != [2]int{5, 4} {
		t.Errorf("partner as of April after the resident's correction: %v, want the run's [5 4]", got)
	}
	// Another change that names no counter records none.
	name := "Jan de Vries-Bakker"
	before := b.d.Count(t, enschede, `SELECT count(*) FROM vrijlating_counters`)
	if _, err := b.svc.Update(ctx, enschede, r.ID, 2, Changes{Name: &name}); err != nil {
		t.Fatal(err)
	}
	if after := b.d.Count(t, enschede, `SELECT count(*) FROM vrijlating_counters`); after != before {
		t.Errorf("rows after a change of name: %d, want %d", after, before)
	}
}

// TestCorrectionDuringApproval: a consulent corrects the counters of a month after its
// final run computed it but before the run's counters job ran (the month is being
// approved, no row of the next month exists yet, so the correction is recorded for
// the run's month). The job adds the month the run counted to the corrected counters:
// April is 6 + 1 = 7, not the 2 + 1 = 3 the run computed from March's old counters,
// which would give her another month of 31.2 n vrijlating she no longer has.
func TestCorrectionDuringApproval(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := as(consulentEnschede)
	r := mustCreate(t, b.svc, ctx, enschede, couple()) // on 2026-03-15: n 2
	mar, apr := period(2026, time.March), period(2026, time.April)
	if _, err := b.svc.Update(ctx, enschede, r.ID, 1, Changes{NMonthsUsed: ptr(6)}); err != nil {
		t.Fatal(err)
	}
	job := CountersArgs{TenantArgs: jobs.TenantArgs{Tenant: enschede}, RunID: counterRun, Chunk: 1, Period: "2026-03",
		Counters: []AdvancedCounters{{ResidentID: r.ID, Applicant: 0, Kind: CounterN}}}
	work(t, b, job)
	work(t, b, job) // retried: the row is written once, from the same base
	for _, c := range []struct {
		p    bijstand.Period
		want [2]int
	}{{mar, [2]int{6, 0}}, {apr, [2]int{7, 0}}} {
		if got := countersOf(t, b, r.ID, c.p, 0); got != c.want {
			t.Errorf("resident as of %s: %v, want %v", c.p, got, c.want)
		}
	}
	n, err := NewCounterReader(b.d.App).RecordedFor(context.Background(), enschede, counterRun)
	if err != nil || n != 1 {
		t.Errorf("recorded for the run: %d (%v), want 1", n, err)
	}
	if n, err := NewCounterReader(b.d.App).RecordedFor(context.Background(), zwolle, counterRun); err != nil || n != 0 {
		t.Errorf("recorded for the run in another tenant: %d (%v), want 0", n, err)
	}
}

// TestPartnerChangeKeepsCounters: a PATCH that replaces the partner to fix a name or
// BSN, without counters, keeps the partner's counters in force and records no row (it
// used to record n 0, r 0: six more months of vrijlating); counters the request repeats
// record nothing; a counter it changes is recorded, the other kept.
func TestPartnerChangeKeepsCounters(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := as(consulentEnschede)
	r := mustCreate(t, b.svc, ctx, enschede, couple()) // partner n 5, r 3
	apr := period(2026, time.April)
	work(t, b, CountersArgs{TenantArgs: jobs.TenantArgs{Tenant: enschede}, RunID: counterRun, Chunk: 1, Period: "2026-03",
		Counters: []AdvancedCounters{{ResidentID: r.ID, Applicant: 1, Kind: CounterR}}}) // April: 5, 4
	rows := func() int { return b.d.Count(t, enschede, `SELECT count(*) FROM vrijlating_counters`) }
	before := rows()
	version := 1
	patch := func(body string) Resident {
		t.Helper()
		var ch Changes
		if err := json.Unmarshal([]byte(body), &ch); err != nil {
			t.Fatal(err)
		}
		got, err := b.svc.Update(ctx, enschede, r.ID, version, ch)
		if err != nil {
			t.Fatalf("PATCH %s: %v", body, err)
		}
		version = got.Version
		return got
	}
	got := patch(`{"partner": {"name": "Ayşe Yılmaz", "birth_date": "1987-11-30", "bsn": "` + bsnB + `"}}`)
	if p := got.Partner; p.Name != "Ayşe Yılmaz" || p.NMonthsUsed != 5 || p.RMonthsUsed != 4 || rows() != before {
		t.Errorf("after the name fix: %s n %d r %d, %d rows; want Ayşe Yılmaz, 5, 4, %d", p.Name, p.NMonthsUsed, p.RMonthsUsed, rows(), before)
	}
	if c := countersOf(t, b, r.ID, apr, 1); c != [2]int{5, 4} {
		t.Errorf("partner as of April after the name fix: %v, want [5 4]", c)
	}
	patch(`{"n_months_used": 2, "partner": {"name": "Ayşe Yılmaz", "birth_date": "1987-11-30", "bsn": "` + bsnB +
		`", "n_months_used": 5, "r_months_used": 4}}`)
	if rows() != before {
		t.Errorf("rows after counters equal to those in force: %d, want %d", rows(), before)
	}
	got = patch(`{"partner": {"name": "Ayşe Yılmaz", "birth_date": "1987-11-30", "bsn": "` + bsnB + `", "n_months_used": 1}}`)
	if p := got.Partner; p.NMonthsUsed != 1 || p.RMonthsUsed != 4 || rows() != before+1 {
		t.Errorf("after an explicit partner n: n %d r %d, %d rows; want 1, 4, %d", p.NMonthsUsed, p.RMonthsUsed, rows(), before+1)
	}
	if c := countersOf(t, b, r.ID, apr, 1); c != [2]int{1, 4} {
		t.Errorf("partner as of April after the explicit n: %v, want [1 4]", c)
	}
	if c := countersOf(t, b, r.ID, apr, 0); c != [2]int{2, 0} {
		t.Errorf("resident as of April: %v, want her own [2 0]", c)
	}
}

// TestCountersIsolation: row-level security holds the counters to their tenant: another
// tenant's transaction reads none of them and cannot write one for it, and a job for
// another tenant's resident records nothing.
func TestCountersIsolation(t *testing.T) {
	t.Parallel()
	b := setup(t)
	r := mustCreate(t, b.svc, as(consulentEnschede), enschede, couple())
	if n := b.d.Count(t, enschede, `SELECT count(*) FROM vrijlating_counters`); n != 2 {
		t.Fatalf("enschede's rows: %d, want 2 (resident and partner)", n)
	}
	var seen int
	err := db.InTenant(tenant.WithID(context.Background(), zwolle), b.d.App, func(ctx context.Context, tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM vrijlating_counters`).Scan(&seen); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO vrijlating_counters (tenant_id, resident_id, applicant, period, source, recorded_at, n_used, r_used)
			VALUES ('enschede', $1, 0, '2026-04-01', 'consulent', now(), 0, 0)`, r.ID)
		return err
	})
	if seen != 0 || err == nil {
		t.Errorf("zwolle sees %d of enschede's rows and writes one (err %v); want 0 and a refusal", seen, err)
	}
	if n := b.d.Count(t, zwolle, `SELECT count(*) FROM vrijlating_counters`); n != 0 {
		t.Errorf("zwolle's rows as the owner: %d, want 0", n)
	}
	// A job of zwolle naming enschede's resident: zwolle has no such case, so the job
	// fails and records nothing.
	err = db.InTenant(tenant.WithID(context.Background(), zwolle), b.d.App, func(ctx context.Context, tx pgx.Tx) error {
		return (&countersWorker{now: clock}).work(ctx, tx, &river.Job[CountersArgs]{Args: CountersArgs{
			TenantArgs: jobs.TenantArgs{Tenant: zwolle}, RunID: counterRun, Chunk: 1, Period: "2026-03",
			Counters: []AdvancedCounters{{ResidentID: r.ID, Kind: CounterN}}}})
	})
	if err == nil {
		t.Error("a zwolle job recorded counters of enschede's resident")
	}
	if got := countersOf(t, b, r.ID, period(2026, time.April), 0); got != [2]int{2, 0} {
		t.Errorf("enschede's resident after zwolle's job: %v, want [2 0]", got)
	}
}

// TestCountersMigration: migration 00015 turns the counters a case held in its columns
// into consulent rows of the month it was registered in, for both applicants, and
// every month reads them as before.
func TestCountersMigration(t *testing.T) {
	t.Parallel()
	b := setup(t)
	r := mustCreate(t, b.svc, as(consulentEnschede), enschede, couple()) // on 2026-03-15
	mustCreate(t, b.svc, as(consulentZwolle), zwolle, single(bsnA))
	sql, err := os.ReadFile("../../migrations/00015_vrijlating_counters.sql")
	if err != nil {
		t.Fatal(err)
	}
	up, _, ok := strings.Cut(strings.TrimPrefix(string(sql), "-- +goose Up"), "-- +goose Down")
	if !ok {
		t.Fatal("no goose Down in the migration")
	}
	// The database as it was before the migration, then the migration's Up.
	if _, err := b.d.Owner.Exec(context.Background(), "DROP TABLE vrijlating_counters;"+up); err != nil {
		t.Fatal(err)
	}
	type row struct {
		applicant, n, r int
		period          string
	}
	var got []row
	err = db.InTenant(tenant.WithID(context.Background(), enschede), b.d.Owner, func(ctx context.Context, tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT applicant, n_used, r_used, to_char(period, 'YYYY-MM') FROM vrijlating_counters
			WHERE source = 'consulent' AND resident_id = $1 ORDER BY applicant`, r.ID)
		if err != nil {
			return err
		}
		got, err = pgx.CollectRows(rows, func(cr pgx.CollectableRow) (row, error) {
			var x row
			return x, cr.Scan(&x.applicant, &x.n, &x.r, &x.period)
		})
		return err
	})
	if want := []row{{0, 2, 0, "2026-03"}, {1, 5, 3, "2026-03"}}; err != nil || !slices.Equal(got, want) {
		t.Errorf("migrated rows %+v (%v), want %+v", got, err, want)
	}
	if n := b.d.Count(t, zwolle, `SELECT count(*) FROM vrijlating_counters`); n != 1 {
		t.Errorf("zwolle's migrated rows: %d, want 1", n)
	}
	if got := countersOf(t, b, r.ID, period(2025, time.January), 1); got != [2]int{5, 3} {
		t.Errorf("partner as of a month before the case, migrated: %v, want [5 3]", got)
	}
}
