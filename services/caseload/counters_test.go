package caseload_test

import (
	"context"
	"io"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/plein-nl/plein/platform/bijstand"
	"github.com/plein-nl/plein/platform/db"
	"github.com/plein-nl/plein/platform/jobs"
	"github.com/plein-nl/plein/platform/jobs/jobstest"
	"github.com/plein-nl/plein/platform/money"
	"github.com/plein-nl/plein/platform/tenant"
	"github.com/plein-nl/plein/services/caseload"
	"github.com/plein-nl/plein/services/income"
	"github.com/plein-nl/plein/services/paymentplans"
	"github.com/plein-nl/plein/services/residents"
	"github.com/plein-nl/plein/services/residents/residentstest"
	"github.com/plein-nl/plein/services/settlement"
)

// The vrijlating counters over settled months (docs/domain.md §2), end to end: the
// caseload reads each month's counters, a final run advances them through the
// residents' job, and every later computation of a month uses that month's own.

// settleBundle is the caseload's testBundle with a settlement service over it and the
// River workers of a run, the jobs its post leaves for other services included.
type settleBundle struct {
	*testBundle
	svc    *settlement.Service
	insert *jobs.Client
	// gate holds the counters jobs until opened (setupSettle opens it).
	gate *jobstest.Gate[residents.CountersArgs]
}

func setupSettle(t *testing.T) *settleBundle {
	t.Helper()
	b := setupHeld(t)
	b.gate.Open()
	return b
}

// setupHeld is setupSettle with the counters jobs held until b.gate opens.
func setupHeld(t *testing.T) *settleBundle {
	t.Helper()
	b := setup(t)
	insert, err := jobs.NewClient(b.d.App, jobs.Config{})
	if err != nil {
		t.Fatal(err)
	}
	svc := settlement.NewService(settlement.Config{App: b.d.App, Jobs: insert, Caseload: b.cl,
		Tenants: caseload.NewTenants(b.dir), Now: b.clock.Now, Counters: residents.NewCounterReader(b.d.App)})
	w := river.NewWorkers()
	settlement.AddWorkers(w, b.d.App, svc)
	paymentplans.AddWorkers(w, paymentplans.WorkerConfig{App: b.d.App, Signals: noSignals{}})
	gate := jobstest.NewGate[residents.CountersArgs](residents.NewCountersWorker(b.d.App, b.clock.Now))
	river.AddWorker(w, gate)
	jc, err := jobs.NewClient(b.d.App, jobs.Config{Workers: w, MaxWorkers: 4})
	if err == nil {
		err = jc.Start(t.Context()) // stops when the test ends, before the database goes
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { <-jc.Stopped() })
	return &settleBundle{testBundle: b, svc: svc, insert: insert, gate: gate}
}

// noSignals is a debts service that raises no signal (no resident here has a plan).
type noSignals struct{}

func (noSignals) Shortfall(context.Context, tenant.ID, string, string, string, string, money.Cents) error {
	return nil
}

// wage hands in the resident's payslip of the month before p, net, paid out on the
// 20th of p: it counts in p ([policy], docs/domain.md §2).
func (b *settleBundle) wage(t *testing.T, residentID string, p bijstand.Period, net money.Cents) {
	t.Helper()
	b.wageOf(t, residentID, 0, p, net)
}

// wageOf is wage for applicant (0 the resident, 1 the partner).
func (b *settleBundle) wageOf(t *testing.T, residentID string, applicant int, p bijstand.Period, net money.Cents) {
	t.Helper()
	prev := p.Prev()
	ps := income.NewPayslip{Applicant: applicant, Employer: "Bakkerij Jansen", PeriodStart: prev.First(), PeriodEnd: p.First().AddDate(0, 0, -1),
		Gross: net + 30000, Net: net, HoursCenti: 8000, PayDate: p.First().AddDate(0, 0, 19), Actor: "digid:test"}
	if _, err := b.inc.SubmitPayslip(context.Background(), zwolle, residentID, ps, income.SourceResident); err != nil {
		t.Fatalf("payslip of %s: %v", p, err)
	}
}

// settle settles p for zwolle, on its pay date, as a dry run or to final (approved by
// a second person), waits for the jobs the run left, and returns the run.
func (b *settleBundle) settle(t *testing.T, p bijstand.Period, dryRun bool) settlement.Run {
	t.Helper()
	b.clock.Set(p.PayDate(25).Add(9 * time.Hour))
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	// From July 2026 on the law data is stale (no file of 1 July 2026 yet): a final
	// run goes on only with the acknowledgement, recorded for such a month alone.
	o := settlement.SettleOptions{Tenant: zwolle, Period: p, Out: filepath.Join(t.TempDir(), p.String()), DryRun: dryRun,
		Starter: "consulent:alice", Approver: "admin:bob", AcknowledgeStaleLaw: true}
	if err := settlement.Settle(ctx, b.svc, o, io.Discard, io.Discard); err != nil {
		t.Fatalf("settle %s: %v", p, err)
	}
	run, _, err := b.svc.Current(ctx, zwolle, p)
	if dryRun {
		var runs []settlement.Run
		if runs, err = b.svc.List(ctx, zwolle, 1); len(runs) == 1 {
			run = runs[0]
		}
	}
	if err != nil || run.Period != p || run.Report == nil {
		t.Fatalf("the run of %s: %+v, %v", p, run, err)
	}
	b.waitJobs(t)
	return run
}

// waitJobs waits until every counters job is completed, failing on one that ended
// otherwise.
func (b *settleBundle) waitJobs(t *testing.T) {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(50 * time.Millisecond) {
		var open, failed int
		err := b.d.App.QueryRow(t.Context(), `
			SELECT count(*) FILTER (WHERE state NOT IN ('completed', 'cancelled', 'discarded')),
			       count(*) FILTER (WHERE state IN ('cancelled', 'discarded'))
			FROM `+db.RiverSchema+`.river_job WHERE kind = 'residents.counters'`).Scan(&open, &failed)
		if err != nil || failed > 0 {
			t.Fatalf("counters jobs: %d failed (%v)", failed, err)
		}
		if open == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d counters jobs still open after a minute", open)
		}
	}
}

// counters returns the resident's (applicant 0) counters in force at the start of p.
func (b *settleBundle) counters(t *testing.T, residentID string, p bijstand.Period) (n, r int) {
	t.Helper()
	return b.countersOf(t, residentID, 0, p)
}

// countersOf returns applicant's counters in force at the start of p.
func (b *settleBundle) countersOf(t *testing.T, residentID string, applicant int, p bijstand.Period) (n, r int) {
	t.Helper()
	h, err := b.res.HouseholdAsOf(context.Background(), zwolle, residentID, p)
	if err != nil {
		t.Fatal(err)
	}
	return h.Applicants[applicant].NMonthsUsed, h.Applicants[applicant].RMonthsUsed
}

// recorded returns how many applicants' counters run runID recorded, as the
// settlement reads it.
func (b *settleBundle) recorded(t *testing.T, runID string) int {
	t.Helper()
	n, err := residents.NewCounterReader(b.d.App).RecordedFor(context.Background(), zwolle, runID)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// counterJobs returns how many counters jobs River holds, in any state.
func (b *settleBundle) counterJobs(t *testing.T) int {
	t.Helper()
	var n int
	err := b.d.App.QueryRow(t.Context(), `SELECT count(*) FROM `+db.RiverSchema+`.river_job WHERE kind = 'residents.counters'`).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// month is p recomputed as the portal's month page and the staff calculation compute it.
func (b *settleBundle) month(t *testing.T, residentID string, p bijstand.Period) bijstand.Result {
	t.Helper()
	m, err := b.inc.Month(context.Background(), zwolle, residentID, p)
	if err != nil {
		t.Fatalf("month %s: %v", p, err)
	}
	return m.Result
}

func (b *settleBundle) runRows(t *testing.T) int {
	t.Helper()
	return b.d.Count(t, zwolle, `SELECT count(*) FROM vrijlating_counters WHERE source = 'run'`)
}

// The figures of docs/domain.md §2 for a single aged 35 in 2026 (norm 1401.50, §1) with
// a net wage of 1200.00 a month, worked by hand:
//   - with art. 31.2 n vrijlating (fewer than 6 months used, aged ≥ 27): 25 % of
//     1200.00 = 300.00, capped at 285.00; counted income 1200.00 − 285.00 = 915.00;
//     bijstand 1401.50 − 915.00 = 486.50;
//   - without (6 months used; no y, no r for a single without children): counted income
//     1200.00; bijstand 1401.50 − 1200.00 = 201.50, 285.00 more counted.
const (
	wageNet        = money.Cents(120000)
	vrijlatingN    = money.Cents(28500)
	bijstandWithN  = money.Cents(48650)
	bijstandNoneN  = money.Cents(20150)
	monthsOfNLimit = 6
)

// TestNVrijlatingStopsAfterSixSettledMonths (issue 16, "Done when"): a resident aged 35
// with a net wage every month, settled to final for seven months in a row, has 31.2 n
// vrijlating in months 1–6 and none in month 7, and her bijstand rises accordingly. A
// dry run advances nothing; settling a final month again, or a counters job that comes
// again, counts nothing twice; each month computed again afterwards uses its own
// counters.
func TestNVrijlatingStopsAfterSixSettledMonths(t *testing.T) {
	t.Parallel()
	b := setupSettle(t)
	b.clock.Set(time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC))
	fatima := b.resident(t, zwolle, residentstest.Single("999993653")) // born 1990-05-01, n 0
	jan := bijstand.Period{Year: 2026, Month: time.January}

	// A dry run of January first: nothing advances.
	b.wage(t, fatima, jan, wageNet)
	if dry := b.settle(t, jan, true); dry.Status != settlement.StatusDryRunDone || dry.Report.BijstandCents != bijstandWithN {
		t.Fatalf("dry run of January: %s, bijstand %d; want %s, %d", dry.Status, dry.Report.BijstandCents, settlement.StatusDryRunDone, bijstandWithN)
	}
	if n, _ := b.counters(t, fatima, jan.Next()); n != 0 || b.runRows(t) != 0 {
		t.Fatalf("after a dry run: n %d as of February, %d run rows; want 0 and 0", n, b.runRows(t))
	}

	runs := map[bijstand.Period]settlement.Run{}
	for i, p := 0, jan; i < 7; i, p = i+1, p.Next() {
		if p != jan {
			b.wage(t, fatima, p, wageNet)
		}
		run := b.settle(t, p, false)
		runs[p] = run
		wantN, wantBijstand, wantVrijlating, wantKind := i+1, bijstandWithN, vrijlatingN, bijstand.VrijlatingN
		if i >= monthsOfNLimit {
			wantN, wantBijstand, wantVrijlating, wantKind = monthsOfNLimit, bijstandNoneN, 0, bijstand.VrijlatingNone
		}
		if run.Status != settlement.StatusFinal || run.Report.BijstandCents != wantBijstand {
			t.Errorf("month %d (%s): %s, bijstand %d; want final, %d", i+1, p, run.Status, run.Report.BijstandCents, wantBijstand)
		}
		wantAck := ""
		if p.Month >= time.July { // past the next indexation of the file of 1 January 2026
			wantAck = "consulent:alice"
		}
		if run.StaleLawAcknowledgedBy != wantAck {
			t.Errorf("month %d (%s): stale law acknowledged by %q, want %q", i+1, p, run.StaleLawAcknowledgedBy, wantAck)
		}
		if n, _ := b.counters(t, fatima, p.Next()); n != wantN {
			t.Errorf("month %d (%s): n months used after it %d, want %d", i+1, p, n, wantN)
		}
		m := b.month(t, fatima, p)
		if a := m.Applicants[0]; a.VrijlatingKind != wantKind || a.Vrijlating != wantVrijlating || m.Bijstand != wantBijstand {
			t.Errorf("month %d (%s) shows vrijlating %q %d, bijstand %d; want %q %d, %d",
				i+1, p, a.VrijlatingKind, a.Vrijlating, m.Bijstand, wantKind, wantVrijlating, wantBijstand)
		}
	}
	jul := bijstand.Period{Year: 2026, Month: time.July}
	if d := b.month(t, fatima, jul).Bijstand - b.month(t, fatima, jul.Prev()).Bijstand; d != -vrijlatingN {
		t.Errorf("bijstand from June to July changed by %d, want −%d: the vrijlating counts as income", d, vrijlatingN)
	}

	// Once per applicant and period: months 1–6 advanced the counters (July did not).
	if n := b.runRows(t); n != monthsOfNLimit {
		t.Errorf("run rows: %d, want %d", n, monthsOfNLimit)
	}
	// Settling a final month again starts nothing: no run, no counters job (one per
	// final month that advanced a counter). The job of a run inserted again (the post
	// retried) is the same job, and a copy under another chunk writes nothing.
	finals := func() int {
		return b.d.Count(t, zwolle, `SELECT count(*) FROM settlement_runs WHERE period = '2026-01-01' AND NOT dry_run`)
	}
	if n, cj := finals(), b.counterJobs(t); n != 1 || cj != monthsOfNLimit {
		t.Fatalf("before settling January again: %d final runs of it, %d counters jobs; want 1, %d", n, cj, monthsOfNLimit)
	}
	if again := b.settle(t, jan, false); again.ID != runs[jan].ID {
		t.Errorf("settling January again gave run %s, want its final run %s", again.ID, runs[jan].ID)
	}
	if n, cj := finals(), b.counterJobs(t); n != 1 || cj != monthsOfNLimit {
		t.Errorf("after settling January again: %d final runs of it, %d counters jobs; want 1, %d", n, cj, monthsOfNLimit)
	}
	again := residents.CountersArgs{TenantArgs: jobs.TenantArgs{Tenant: zwolle}, RunID: runs[jan].ID, Chunk: 1, Period: "2026-01",
		Counters: []residents.AdvancedCounters{{ResidentID: fatima, Applicant: 0, Kind: residents.CounterN}}}
	for _, chunk := range []int{1, 2} {
		again.Chunk = chunk
		err := db.InTenant(tenant.WithID(context.Background(), zwolle), b.d.App, func(ctx context.Context, tx pgx.Tx) error {
			return jobs.InsertTx(ctx, b.insert, tx, again, nil)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	b.waitJobs(t)
	if n, cj := b.runRows(t), b.counterJobs(t); n != monthsOfNLimit || cj != monthsOfNLimit+1 {
		t.Errorf("after the run's job again: %d run rows, %d counters jobs; want %d, %d (the chunk 2 copy only)",
			n, cj, monthsOfNLimit, monthsOfNLimit+1)
	}
	if n := b.recorded(t, runs[jan].ID); n != 1 {
		t.Errorf("recorded for January's run: %d, want 1", n)
	}
	// Each month computed again uses its own counters, not today's (6).
	for i, p := 0, jan; i < 7; i, p = i+1, p.Next() {
		n, _ := b.counters(t, fatima, p)
		if want := min(i, monthsOfNLimit); n != want {
			t.Errorf("n months used before %s: %d, want %d", p, n, want)
		}
	}
	if m := b.month(t, fatima, jan.Next().Next()); m.Applicants[0].NMonthsUsed != 3 || m.Bijstand != bijstandWithN {
		t.Errorf("March again: n after it %d, bijstand %d; want 3, %d", m.Applicants[0].NMonthsUsed, m.Bijstand, bijstandWithN)
	}
}

// TestCorrectionRespectedByNextRun: a consulent who corrects the counters after a
// month was settled is followed by the next run, and the settled month keeps its own.
func TestCorrectionRespectedByNextRun(t *testing.T) {
	t.Parallel()
	b := setupSettle(t)
	fatima, jan := b.fatimaJanuary(t)
	feb := jan.Next()
	b.settle(t, jan, false)
	if n, _ := b.counters(t, fatima, feb); n != 1 {
		t.Fatalf("n months used before February: %d, want 1", n)
	}

	// On 27 January the consulent learns that she used five months of n vrijlating
	// elsewhere before: six now, her last one was January's.
	b.clock.Set(time.Date(2026, 1, 27, 10, 0, 0, 0, time.UTC))
	six := 6
	if _, err := b.res.Update(context.Background(), zwolle, fatima, 1, residents.Changes{NMonthsUsed: &six}); err != nil {
		t.Fatal(err)
	}
	b.wage(t, fatima, feb, wageNet)
	if run := b.settle(t, feb, false); run.Report.BijstandCents != bijstandNoneN {
		t.Errorf("February after the correction: bijstand %d, want %d (no n vrijlating left)", run.Report.BijstandCents, bijstandNoneN)
	}
	if n, _ := b.counters(t, fatima, feb.Next()); n != 6 {
		t.Errorf("n months used before March: %d, want the consulent's 6", n)
	}
	if m := b.month(t, fatima, jan); m.Applicants[0].VrijlatingKind != bijstand.VrijlatingN || m.Bijstand != bijstandWithN {
		t.Errorf("January again: vrijlating %q, bijstand %d; want n, %d", m.Applicants[0].VrijlatingKind, m.Bijstand, bijstandWithN)
	}
}

// TestRunWaitsForCountersOfEarlierMonth: a run of February planned while the counters
// job of January's final run is still pending waits for it (the plan job snoozes,
// writing nothing), and then computes with the counters January advanced. Fatima
// (35, net wage 1200.00 each month) has used 5 months of 31.2 n vrijlating: January is
// her sixth, February has none. Computed with January's old counters February would pay
// her 285.00 too much; the figures are the hand-worked ones above (docs/domain.md §2).
func TestRunWaitsForCountersOfEarlierMonth(t *testing.T) {
	t.Parallel()
	b := setupHeld(t)
	ctx := t.Context()
	b.clock.Set(time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC))
	fatima := b.resident(t, zwolle, residentstest.Single("999993653"))
	five := monthsOfNLimit - 1
	if _, err := b.res.Update(ctx, zwolle, fatima, 1, residents.Changes{NMonthsUsed: &five}); err != nil {
		t.Fatal(err)
	}
	jan := bijstand.Period{Year: 2026, Month: time.January}
	feb := jan.Next()
	b.wage(t, fatima, jan, wageNet)

	// January to final; its counters job is held, so Settle does not return.
	janRun, settled := b.settleHeld(t, jan)
	if janRun.Report.BijstandCents != bijstandWithN {
		t.Errorf("January: bijstand %d, want %d (her sixth month of n vrijlating)", janRun.Report.BijstandCents, bijstandWithN)
	}

	// February's dry run plans while January's counters are pending: it waits.
	b.clock.Set(feb.PayDate(25).Add(9 * time.Hour))
	b.wage(t, fatima, feb, wageNet)
	febRun, _, err := b.svc.Start(ctx, zwolle, feb, true, "consulent:alice")
	if err != nil {
		t.Fatal(err)
	}
	var snoozes int
	b.await(t, func() (settlement.Run, bool) {
		err := b.d.App.QueryRow(ctx, `
			SELECT coalesce(max((metadata ->> 'snoozes')::int), 0) FROM `+db.RiverSchema+`.river_job
			WHERE kind = 'settlement.plan' AND args ->> 'run_id' = $1`, febRun.ID).Scan(&snoozes)
		return settlement.Run{}, err == nil && snoozes >= 2
	})
	if r, err := b.svc.Get(ctx, zwolle, febRun.ID); err != nil || r.Status != settlement.StatusPlanning || r.BatchesTotal != 0 || r.JobErrors != 0 {
		t.Fatalf("February after %d snoozes: %s, %d batches, %d job errors (%v); want planning, 0, 0", snoozes, r.Status, r.BatchesTotal, r.JobErrors, err)
	}
	select {
	case err := <-settled:
		t.Fatalf("Settle of January returned (%v) before its counters were recorded", err)
	default:
	}

	b.gate.Open()
	if err := <-settled; err != nil {
		t.Fatalf("Settle of January: %v", err)
	}
	febRun = b.await(t, func() (settlement.Run, bool) {
		r, err := b.svc.Get(ctx, zwolle, febRun.ID)
		return r, err == nil && r.Status.Ended()
	})
	if febRun.Status != settlement.StatusDryRunDone || febRun.Report.BijstandCents != bijstandNoneN {
		t.Errorf("February: %s, bijstand %d; want %s, %d (no n vrijlating left: 285.00 more counted)",
			febRun.Status, febRun.Report.BijstandCents, settlement.StatusDryRunDone, bijstandNoneN)
	}
	if a := b.month(t, fatima, feb).Applicants[0]; a.VrijlatingKind != bijstand.VrijlatingNone || a.Vrijlating != 0 {
		t.Errorf("February's vrijlating: %q %d, want none", a.VrijlatingKind, a.Vrijlating)
	}
}

// fatimaJanuary registers Fatima (single, aged 35, no vrijlating months used) on
// 5 January 2026 with her net wage of January handed in, and returns her id and January.
func (b *settleBundle) fatimaJanuary(t *testing.T) (string, bijstand.Period) {
	t.Helper()
	b.clock.Set(time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC))
	fatima := b.resident(t, zwolle, residentstest.Single("999993653"))
	jan := bijstand.Period{Year: 2026, Month: time.January}
	b.wage(t, fatima, jan, wageNet)
	return fatima, jan
}

// settleHeld settles p to final as settle does, in the background, while the counters
// jobs are held: it returns the run once final (its counters job inserted, not run)
// and the channel Settle's result comes on once the gate opens.
func (b *settleBundle) settleHeld(t *testing.T, p bijstand.Period) (settlement.Run, <-chan error) {
	t.Helper()
	ctx := t.Context()
	b.clock.Set(p.PayDate(25).Add(9 * time.Hour))
	settled := make(chan error, 1)
	go func() {
		o := settlement.SettleOptions{Tenant: zwolle, Period: p, Out: filepath.Join(t.TempDir(), p.String()),
			Starter: "consulent:alice", Approver: "admin:bob"}
		settled <- settlement.Settle(ctx, b.svc, o, io.Discard, io.Discard)
	}()
	run := b.await(t, func() (settlement.Run, bool) {
		r, ok, err := b.svc.Current(ctx, zwolle, p)
		return r, err == nil && ok && r.Status == settlement.StatusFinal
	})
	return run, settled
}

// TestCorrectionDuringApproval: a consulent's correction made after a final run
// computed its month but before the run's counters job ran is the base the job adds
// the month to; it is not overwritten by counters computed from the old ones.
// Fatima (35, net wage 1200.00 a month, no n months used) has n vrijlating in January;
// while January is being approved the consulent learns she used 6 months elsewhere and
// records n 6 (for January: February has no row yet). January's job then records
// February as 6 + 1 = 7, and February has no n vrijlating: bijstand 1401.50 − 1200.00
// = 201.50 (docs/domain.md §2, figures above). Computed from the old counters (0 + 1)
// February would read n 1 and pay 1401.50 − (1200.00 − 285.00) = 486.50, 285.00 too much.
func TestCorrectionDuringApproval(t *testing.T) {
	t.Parallel()
	b := setupHeld(t)
	fatima, jan := b.fatimaJanuary(t)
	feb := jan.Next()
	janRun, settled := b.settleHeld(t, jan)
	if janRun.Report.BijstandCents != bijstandWithN {
		t.Errorf("January: bijstand %d, want %d", janRun.Report.BijstandCents, bijstandWithN)
	}
	six := monthsOfNLimit
	if _, err := b.res.Update(t.Context(), zwolle, fatima, 1, residents.Changes{NMonthsUsed: &six}); err != nil {
		t.Fatal(err)
	}
	b.gate.Open()
	if err := <-settled; err != nil {
		t.Fatalf("Settle of January: %v", err)
	}
	b.waitJobs(t)
	if n, _ := b.counters(t, fatima, feb); n != monthsOfNLimit+1 || b.recorded(t, janRun.ID) != 1 {
		t.Errorf("n months used before February: %d, recorded %d; want %d, 1", n, b.recorded(t, janRun.ID), monthsOfNLimit+1)
	}
	b.wage(t, fatima, feb, wageNet)
	if run := b.settle(t, feb, false); run.Report.BijstandCents != bijstandNoneN {
		t.Errorf("February: bijstand %d, want %d (no n vrijlating left)", run.Report.BijstandCents, bijstandNoneN)
	}
}

// TestMonthWithoutWorkKeepsCounters: a month without income from work uses no
// vrijlating, so its final run records no counters (no row, no job) and the next month
// reads the same counters; the month after, with a wage again, advances them from there.
// Without income February's bijstand is the whole norm, 1401.50.
func TestMonthWithoutWorkKeepsCounters(t *testing.T) {
	t.Parallel()
	b := setupSettle(t)
	fatima, jan := b.fatimaJanuary(t)
	feb, mar := jan.Next(), jan.Next().Next()
	janRun := b.settle(t, jan, false)
	febRun := b.settle(t, feb, false)
	if febRun.Report.BijstandCents != 140150 {
		t.Errorf("February without work: bijstand %d, want 140150", febRun.Report.BijstandCents)
	}
	nFeb, rFeb := b.counters(t, fatima, feb)
	nMar, rMar := b.counters(t, fatima, mar)
	if nFeb != 1 || nMar != nFeb || rMar != rFeb {
		t.Errorf("counters before February %d/%d, before March %d/%d; want 1/0 both", nFeb, rFeb, nMar, rMar)
	}
	if rows, cj, rec := b.runRows(t), b.counterJobs(t), b.recorded(t, febRun.ID); rows != 1 || cj != 1 || rec != 0 {
		t.Errorf("after February: %d run rows, %d counters jobs, %d recorded for it; want 1, 1, 0", rows, cj, rec)
	}
	b.wage(t, fatima, mar, wageNet)
	if run := b.settle(t, mar, false); run.Report.BijstandCents != bijstandWithN {
		t.Errorf("March: bijstand %d, want %d", run.Report.BijstandCents, bijstandWithN)
	}
	if n, _ := b.counters(t, fatima, mar.Next()); n != 2 || b.recorded(t, janRun.ID) != 1 {
		t.Errorf("n months used before April: %d, recorded for January %d; want 2, 1", n, b.recorded(t, janRun.ID))
	}
}

// TestPartnerCountersAdvance: the partner (applicant 1) keeps her own counters through
// a real run. Ayşe, with 5 months of n used, earns a wage in January and February, her
// husband none: January is her sixth month of n vrijlating, February has none, and his
// counters do not move.
func TestPartnerCountersAdvance(t *testing.T) {
	t.Parallel()
	b := setupSettle(t)
	b.clock.Set(time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC))
	five := monthsOfNLimit - 1
	couple := b.resident(t, zwolle, residents.NewResident{Name: "Jan de Vries", BirthDate: "1985-02-01", BSN: "111222333",
		IBAN: "NL91ABNA0417164300", Kind: "couple",
		Partner: &residents.NewPartner{Name: "Ayşe de Vries", BirthDate: "1987-11-30", BSN: "168888889", NMonthsUsed: &five}})
	jan := bijstand.Period{Year: 2026, Month: time.January}
	feb := jan.Next()
	b.wageOf(t, couple, 1, jan, wageNet)
	janRun := b.settle(t, jan, false)
	if n, _ := b.countersOf(t, couple, 1, feb); n != monthsOfNLimit || b.recorded(t, janRun.ID) != 1 {
		t.Errorf("partner's n months used before February: %d, recorded %d; want %d, 1", n, b.recorded(t, janRun.ID), monthsOfNLimit)
	}
	if n, r := b.countersOf(t, couple, 0, feb); n != 0 || r != 0 {
		t.Errorf("resident's counters before February: %d/%d, want 0/0", n, r)
	}
	b.wageOf(t, couple, 1, feb, wageNet)
	b.settle(t, feb, false)
	if m := b.month(t, couple, jan); m.Applicants[1].VrijlatingKind != bijstand.VrijlatingN || m.Applicants[1].Vrijlating != vrijlatingN {
		t.Errorf("January: partner's vrijlating %q %d, want n %d", m.Applicants[1].VrijlatingKind, m.Applicants[1].Vrijlating, vrijlatingN)
	}
	if a := b.month(t, couple, feb).Applicants[1]; a.VrijlatingKind != bijstand.VrijlatingNone || a.Vrijlating != 0 {
		t.Errorf("February: partner's vrijlating %q %d, want none", a.VrijlatingKind, a.Vrijlating)
	}
	if n, _ := b.countersOf(t, couple, 1, feb.Next()); n != monthsOfNLimit {
		t.Errorf("partner's n months used before March: %d, want %d", n, monthsOfNLimit)
	}
}

// await polls cond for up to a minute and returns its run once it holds.
func (b *settleBundle) await(t *testing.T, cond func() (settlement.Run, bool)) settlement.Run {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(50 * time.Millisecond) {
		if r, ok := cond(); ok {
			return r
		}
		if time.Now().After(deadline) {
			t.Fatal("still waiting after a minute")
		}
	}
}
