package main

import (
	"context"
	"encoding/xml"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/plein-nl/plein/platform/bijstand"
	"github.com/plein-nl/plein/platform/db"
	"github.com/plein-nl/plein/platform/db/dbtest"
	"github.com/plein-nl/plein/platform/jobs"
	"github.com/plein-nl/plein/platform/keyring"
	"github.com/plein-nl/plein/platform/keyring/keyringtest"
	"github.com/plein-nl/plein/platform/ledger"
	"github.com/plein-nl/plein/platform/money"
	"github.com/plein-nl/plein/platform/observe"
	"github.com/plein-nl/plein/platform/sepa"
	"github.com/plein-nl/plein/platform/sepa/sepatest"
	"github.com/plein-nl/plein/platform/tenant"
	"github.com/plein-nl/plein/services/settlement"
	"github.com/plein-nl/plein/services/tenancy"
)

// The settlement end to end, in process: a seeded caseload of Zwolle, the run's River
// jobs worked by a real client, approval by a second person, the SEPA files checked
// against the official XSDs, and the ledger against the reconciliation.

type settleBundle struct {
	*seedBundle
	d   *dbtest.DB
	svc *settlement.Service
	reg *prometheus.Registry
}

// setupSettle seeds n residents of zwolle for period and starts River workers for the
// settlement service with clock now.
func setupSettle(t *testing.T, n int, period string, now time.Time) *settleBundle {
	t.Helper()
	b := setupSeed(t)
	if _, err := seed(b.ctx, b.a, seedOpts(n, period, 7)); err != nil {
		t.Fatal(err)
	}
	d := b.d
	reg := prometheus.NewRegistry()
	svc, err := newSettlement(settlementDeps{pool: d.App, dir: b.a.dir, reg: reg, jobs: mustInsertJobs(t, d),
		now: func() time.Time { return now }, batch: 25})
	if err != nil {
		t.Fatal(err)
	}
	jc, err := jobs.NewClient(d.App, jobs.Config{Workers: workers(d.App, svc, keyring.New(d.App, keyringtest.KMS(t), nil), func() time.Time { return now }), Logger: observe.NewEnvLogger(io.Discard), MaxWorkers: 4})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	if err := jc.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		sctx, c2 := context.WithTimeout(context.Background(), 10*time.Second)
		defer c2()
		_ = jc.Stop(sctx)
	})
	return &settleBundle{seedBundle: b, d: d, svc: svc, reg: reg}
}

func mustInsertJobs(t *testing.T, d *dbtest.DB) *jobs.Client {
	t.Helper()
	c, err := jobs.NewClient(d.App, jobs.Config{})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// wait follows run id until it reaches one of want, failing on any other end.
func (b *settleBundle) wait(t *testing.T, id string, want ...settlement.Status) settlement.Run {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		r, err := b.svc.Get(context.Background(), "zwolle", id)
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range want {
			if r.Status == w {
				return r
			}
		}
		if r.Status.Ended() {
			t.Fatalf("run %s ended %s (%s), want %v", id, r.Status, r.Error, want)
		}
		if time.Now().After(deadline) {
			t.Fatalf("run %s still %s after 2 minutes (%d/%d batches)", id, r.Status, r.BatchesDone, r.BatchesTotal)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func period(s string) bijstand.Period {
	p, err := bijstand.ParsePeriod(s)
	if err != nil {
		panic(err)
	}
	return p
}

func TestSettleEndToEnd(t *testing.T) {
	t.Parallel()
	// Seeded on 2 April with plans from April; settled on 22 April, its start date.
	b := setupSettle(t, 120, "2026-04", time.Date(2026, 4, 22, 9, 0, 0, 0, time.UTC))
	ctx := context.Background()
	// One resident's account number is wrong (imported before Plein checked it): the
	// payout is held back and reported; the rest of the run goes on.
	var heldID string
	b.ownerTx(t, func(ctx context.Context, tx pgx.Tx) error {
		return tx.QueryRow(ctx, `
			UPDATE residents SET iban = 'NL00INGB0001234567'
			WHERE id = (SELECT min(id) FROM residents) RETURNING id`).Scan(&heldID)
	})

	run, created, err := b.svc.Start(ctx, "zwolle", period("2026-04"), false, "consulent:alice")
	if err != nil || !created {
		t.Fatalf("start: %v (created %v)", err, created)
	}
	again, created, err := b.svc.Start(ctx, "zwolle", period("2026-04"), false, "consulent:carol")
	if err != nil || created || again.ID != run.ID {
		t.Fatalf("a second start of the period: %v, created %v, run %s; want the first run %s", err, created, again.ID, run.ID)
	}
	run = b.wait(t, run.ID, settlement.StatusAwaitingApproval)
	if run.ResidentsDone != 120 || run.BatchesDone != 5 || run.Report == nil || !run.Report.OK {
		t.Fatalf("computed run: %+v", run)
	}
	// Nothing is booked before approval.
	b.ownerTx(t, func(ctx context.Context, tx pgx.Tx) error {
		var n int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM journal_entries`).Scan(&n); err != nil || n != 0 {
			t.Errorf("journal entries before approval: %d (%v)", n, err)
		}
		return nil
	})
	if _, err := b.svc.Approve(ctx, "zwolle", run.ID, "consulent:alice"); !errors.Is(err, settlement.ErrFourEyes) {
		t.Fatalf("approval by the starter: %v, want ErrFourEyes", err)
	}
	if _, err := b.svc.Approve(ctx, "zwolle", run.ID, "admin:bob"); err != nil {
		t.Fatal(err)
	}
	run = b.wait(t, run.ID, settlement.StatusFinal)
	rep := run.Report
	t.Logf("final: %d residents, bijstand %s, reserve %s, deductions %s, payout %s, held %d, SEPA %d for %s",
		rep.Residents, rep.BijstandCents, rep.VakantietoeslagReserveCents, rep.DeductionsAppliedCents, rep.PayoutCents,
		rep.HeldResidents, rep.SEPATransactions, rep.SEPAControlSumCents)
	if rep.BijstandCents != rep.VakantietoeslagReserveCents+rep.DeductionsAppliedCents+rep.PayoutCents {
		t.Errorf("bijstand ≠ reserve + deductions + payout in %+v", rep)
	}
	if rep.HeldResidents != 1 || rep.HeldPayoutCents <= 0 {
		t.Errorf("held: %d residents, %s; want the one with the wrong IBAN", rep.HeldResidents, rep.HeldPayoutCents)
	}
	// Zwolle pays on the 25th; 25 April 2026 is a Saturday, so Friday the 24th.
	if want := time.Date(2026, 4, 24, 0, 0, 0, 0, time.UTC); !run.ExecutionDate.Equal(want) {
		t.Errorf("execution date %s, want the pay date %s", run.ExecutionDate, want)
	}
	if rep.DeductionsAppliedCents <= 0 || rep.CreditorPayments == 0 {
		t.Errorf("no deductions paid to creditors: %+v", rep)
	}
	b.checkShortfalls(t, run.ID, rep.ShortfallsCents)

	files := b.checkFiles(t, run.ID, *rep)
	b.checkLedger(t, *rep, heldID)

	// A final period is locked: a new start is refused, settling again gives the same files.
	if _, _, err := b.svc.Start(ctx, "zwolle", period("2026-04"), false, "consulent:alice"); !errors.Is(err, settlement.ErrPeriodFinal) {
		t.Errorf("start of a final period: %v, want ErrPeriodFinal", err)
	}
	again2, err := b.svc.Files(ctx, "zwolle", run.ID, true)
	if err != nil || len(again2) != len(files) {
		t.Fatalf("files again: %v", err)
	}
	for i := range files {
		if files[i].SHA256 != again2[i].SHA256 {
			t.Errorf("%s changed", files[i].Name)
		}
	}
	err = db.InTenant(tenant.WithID(ctx, "zwolle"), b.d.Owner, func(ctx context.Context, tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE settlement_runs SET status = 'cancelled' WHERE id = $1`, run.ID)
		return err
	})
	if err == nil || !strings.Contains(err.Error(), "cannot change") {
		t.Errorf("changing a final run as the owner: %v, want it refused", err)
	}

	// The operators' metrics: the run, its money and its files.
	b.checkMetrics(t, *rep, len(files))
}

// checkShortfalls waits for the shortfall jobs of final run id: every deduction the
// run could not pay in full is recorded, once, with the run's shortfall, signalled,
// and has one schuldhulp request.
func (b *settleBundle) checkShortfalls(t *testing.T, runID string, want money.Cents) {
	t.Helper()
	if want <= 0 {
		t.Fatalf("the run has no shortfalls (%s): the seed should leave some", want)
	}
	var items, recorded, signalled, requests int
	var sum int64
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(200 * time.Millisecond) {
		b.ownerTx(t, func(ctx context.Context, tx pgx.Tx) error {
			return tx.QueryRow(ctx, `
				SELECT (SELECT count(*) FROM settlement_items i, unnest(string_to_array(i.deductions, E'\n')) l
				        WHERE i.run_id = $1 AND split_part(l, E'\t', 5)::bigint > 0),
				       (SELECT count(*) FROM plan_shortfalls WHERE period = '2026-04-01'),
				       (SELECT count(*) FROM plan_shortfalls WHERE period = '2026-04-01' AND signalled_at IS NOT NULL),
				       (SELECT coalesce(sum(shortfall_cents), 0) FROM plan_shortfalls WHERE period = '2026-04-01'),
				       (SELECT count(*) FROM schuldhulp_requests WHERE kind = 'shortfall')`, runID).
				Scan(&items, &recorded, &signalled, &sum, &requests)
		})
		if signalled == items || time.Now().After(deadline) {
			break
		}
	}
	if items == 0 || recorded != items || signalled != items || requests != items || money.Cents(sum) != want {
		t.Errorf("shortfalls: %d in the run's items, %d recorded (%d signalled, %d cents), %d schuldhulp requests; want %d of each, %s",
			items, recorded, signalled, sum, requests, items, want)
	}
}

// checkFiles: a final run's files are XSD-valid, their control sums the report's,
// and none pays the held resident; it returns them.
func (b *settleBundle) checkFiles(t *testing.T, runID string, rep settlement.Report) []settlement.File {
	t.Helper()
	files, err := b.svc.Files(t.Context(), "zwolle", runID, true)
	if err != nil {
		t.Fatal(err)
	}
	var ctrl money.Cents
	var txs, xmls int
	for _, f := range files {
		if f.Kind != "sepa" {
			continue
		}
		xmls++
		sepatest.Validate(t, f.Name, f.Content, sepa.V09)
		var doc struct {
			Txs  int    `xml:"CstmrCdtTrfInitn>GrpHdr>NbOfTxs"`
			Sum  string `xml:"CstmrCdtTrfInitn>GrpHdr>CtrlSum"`
			Exec string `xml:"CstmrCdtTrfInitn>PmtInf>ReqdExctnDt>Dt"`
		}
		if err := xmlUnmarshal(f.Content, &doc); err != nil {
			t.Fatal(err)
		}
		txs += doc.Txs
		ctrl += parseEuro(t, doc.Sum)
		if doc.Exec != "2026-04-24" {
			t.Errorf("%s: execution date %s, want 2026-04-24", f.Name, doc.Exec)
		}
		if strings.Contains(string(f.Content), "NL00INGB0001234567") {
			t.Errorf("%s pays the held resident's invalid account", f.Name)
		}
	}
	if xmls != 2 || txs != rep.SEPATransactions || ctrl != rep.SEPAControlSumCents {
		t.Errorf("SEPA files: %d files, %d transactions, %s; report says %d, %s", xmls, txs, ctrl, rep.SEPATransactions, rep.SEPAControlSumCents)
	}
	return files
}

// checkLedger: the ledger of a final run agrees with its report to the cent.
func (b *settleBundle) checkLedger(t *testing.T, rep settlement.Report, heldID string) {
	t.Helper()
	b.ownerTx(t, func(ctx context.Context, tx pgx.Tx) error {
		bal, err := ledger.Balances(ctx, tx, "", time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC))
		if err != nil {
			return err
		}
		checks := []struct {
			acct string
			want money.Cents
		}{
			{ledger.Bank, -rep.SEPAControlSumCents},
			{ledger.BijstandExpense, rep.BijstandCents},
			{ledger.VakantietoeslagReserve, -rep.VakantietoeslagReserveCents},
			{ledger.GemeenteClaims, -rep.DeductionsByKindCents[bijstand.DeductVerrekening]},
			{ledger.ResidentAccount(heldID), -rep.HeldPayoutCents},
		}
		for _, c := range checks {
			if bal[c.acct] != c.want {
				t.Errorf("balance of %s: %s, want %s", c.acct, bal[c.acct], c.want)
			}
		}
		var open int
		if err := tx.QueryRow(ctx, `
			SELECT count(*) FROM (SELECT account_code FROM journal_lines
			WHERE account_code LIKE 'resident:%' OR account_code LIKE 'creditor:%'
			GROUP BY account_code HAVING sum(amount_cents) <> 0) x`).Scan(&open); err != nil {
			return err
		}
		if open != 1 {
			t.Errorf("%d resident or creditor accounts are not settled; want only the held resident's", open)
		}
		return nil
	})
}

// checkMetrics: the operators' metrics of a final run, its money and its n files.
func (b *settleBundle) checkMetrics(t *testing.T, rep settlement.Report, n int) {
	t.Helper()
	mfs, err := b.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			key := mf.GetName()
			for _, l := range m.GetLabel() {
				key += "," + l.GetName() + "=" + l.GetValue()
			}
			got[key] = m.GetCounter().GetValue() + float64(m.GetHistogram().GetSampleCount())
		}
	}
	for key, want := range map[string]float64{
		"plein_settlement_runs_total,status=final,tenant=zwolle":           1,
		"plein_settlement_run_duration_seconds,status=final,tenant=zwolle": 1,
		"plein_settlement_residents_computed_total,tenant=zwolle":          120,
		"plein_settlement_paid_cents_total,payee=creditor,tenant=zwolle":   float64(rep.CreditorPaymentsCents),
		"plein_settlement_files_written_total,tenant=zwolle":               float64(n),
		"plein_settlement_runs_started_total,dry_run=false,tenant=zwolle":  1,
	} {
		if got[key] != want {
			t.Errorf("metric %s = %v, want %v", key, got[key], want)
		}
	}
}

func xmlUnmarshal(b []byte, v any) error { return xml.Unmarshal(b, v) }

func parseEuro(t *testing.T, s string) money.Cents {
	t.Helper()
	whole, frac, ok := strings.Cut(s, ".")
	if !ok || len(frac) != 2 {
		t.Fatalf("amount %q", s)
	}
	var c int64
	for _, r := range whole + frac {
		c = c*10 + int64(r-'0')
	}
	return money.Cents(c)
}

func TestSettleDryRunAndBadInput(t *testing.T) {
	t.Parallel()
	b := setupSettle(t, 40, "2026-03", e2eNow)
	ctx := context.Background()

	// Beyond the calendar: May has not begun on 2 April; April's run starts from its
	// start date (20 April), a dry-run of April can run now.
	if _, _, err := b.svc.Start(ctx, "zwolle", period("2026-05"), true, "consulent:alice"); !errors.Is(err, settlement.ErrPeriodTooEarly) {
		t.Errorf("dry-run of May: %v, want ErrPeriodTooEarly", err)
	}
	if _, _, err := b.svc.Start(ctx, "zwolle", period("2026-04"), false, "consulent:alice"); !errors.Is(err, settlement.ErrPeriodTooEarly) {
		t.Errorf("run of April on 2 April: %v, want ErrPeriodTooEarly", err)
	}

	dry, _, err := b.svc.Start(ctx, "zwolle", period("2026-03"), true, "consulent:alice")
	if err != nil {
		t.Fatal(err)
	}
	dry = b.wait(t, dry.ID, settlement.StatusDryRunDone)
	if dry.Report == nil || !dry.Report.OK || dry.Report.Residents != 40 {
		t.Fatalf("dry-run report: %+v", dry.Report)
	}
	if _, err := b.svc.Approve(ctx, "zwolle", dry.ID, "admin:bob"); !errors.Is(err, settlement.ErrDryRunNotApproved) {
		t.Errorf("approving a dry-run: %v", err)
	}
	diff, err := b.svc.Diff(ctx, "zwolle", dry.ID, settlement.DiffOptions{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if diff.PreviousRunID != "" || diff.Counts[settlement.ChangeNew] != 40 || len(diff.Lines) != 10 || diff.Next == "" {
		t.Errorf("diff with no earlier run: %+v", diff)
	}
	files, err := b.svc.Files(ctx, "zwolle", dry.ID, false)
	if err != nil || len(files) != 0 {
		t.Errorf("a dry-run wrote files: %v %v", files, err)
	}
	b.ownerTx(t, func(ctx context.Context, tx pgx.Tx) error {
		var n int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM journal_entries`).Scan(&n); err != nil || n != 0 {
			t.Errorf("a dry-run posted %d entries (%v)", n, err)
		}
		return nil
	})

	// The final run of March, then a dry-run of March again compares with it.
	run, _, err := b.svc.Start(ctx, "zwolle", period("2026-03"), false, "consulent:alice")
	if err != nil {
		t.Fatal(err)
	}
	b.wait(t, run.ID, settlement.StatusAwaitingApproval)
	if _, err := b.svc.Approve(ctx, "zwolle", run.ID, "admin:bob"); err != nil {
		t.Fatal(err)
	}
	b.wait(t, run.ID, settlement.StatusFinal)
	if _, err := b.svc.Cancel(ctx, "zwolle", run.ID, "admin:bob", "te laat"); !errors.Is(err, settlement.ErrWrongState) {
		t.Errorf("cancelling a final run: %v", err)
	}

	// A suspended tenant settles nothing.
	if _, err := tenancy.NewStore(b.d.Control, nil).Transition(ctx, "zwolle", tenancy.StatusSuspended, "operator@coop", "test"); err != nil {
		t.Fatal(err)
	}
	if _, err := b.a.dir.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	if _, _, err := b.svc.Start(ctx, "zwolle", period("2026-02"), false, "consulent:alice"); !errors.Is(err, settlement.ErrTenantNotActive) {
		t.Errorf("start in a suspended tenant: %v, want ErrTenantNotActive", err)
	}
}

// TestSettleVakantietoeslag: in May (the default month) every reserve not yet paid is
// paid out with the payout, in the same transfer.
func TestSettleVakantietoeslag(t *testing.T) {
	t.Parallel()
	b := setupSettle(t, 30, "2026-03", time.Date(2026, 5, 26, 9, 0, 0, 0, time.UTC))
	ctx := context.Background()
	reserves := map[string]money.Cents{}
	var lastReport *settlement.Report
	for _, p := range []string{"2026-03", "2026-04", "2026-05"} {
		run, _, err := b.svc.Start(ctx, "zwolle", period(p), false, "consulent:alice")
		if err != nil {
			t.Fatal(err)
		}
		b.wait(t, run.ID, settlement.StatusAwaitingApproval)
		if _, err := b.svc.Approve(ctx, "zwolle", run.ID, "admin:bob"); err != nil {
			t.Fatal(err)
		}
		run = b.wait(t, run.ID, settlement.StatusFinal)
		lastReport = run.Report
		b.ownerTx(t, func(ctx context.Context, tx pgx.Tx) error {
			rows, err := tx.Query(ctx, `SELECT resident_id, reserve_cents, vakantietoeslag_cents, payout_cents
				FROM settlement_items WHERE run_id = $1`, run.ID)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var id string
				var res, vt, pay int64
				if err := rows.Scan(&id, &res, &vt, &pay); err != nil {
					return err
				}
				reserves[id] += money.Cents(res)
				switch {
				case p != "2026-05" && vt != 0:
					t.Errorf("%s: vakantietoeslag paid in %s", id, p)
				case p == "2026-05" && money.Cents(vt) != reserves[id]:
					t.Errorf("%s: vakantietoeslag paid %d in May, want the reserves of March to May %s", id, vt, reserves[id])
				}
			}
			return rows.Err()
		})
	}
	if lastReport.VakantietoeslagPaidCents <= 0 {
		t.Fatalf("May paid no vakantietoeslag: %+v", lastReport)
	}
	// The reserve account is empty again: everything reserved was paid.
	b.ownerTx(t, func(ctx context.Context, tx pgx.Tx) error {
		bal, err := ledger.Balances(ctx, tx, ledger.VakantietoeslagReserve, time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC))
		if err != nil {
			return err
		}
		if bal[ledger.VakantietoeslagReserve] != 0 {
			t.Errorf("vakantietoeslag reserve after May: %s, want 0", bal[ledger.VakantietoeslagReserve])
		}
		return nil
	})
}

// TestSettleSchedule: on the calendar's start date the periodic job starts the month's
// run of every active tenant that has reached it, once.
func TestSettleSchedule(t *testing.T) {
	t.Parallel()
	// 20 April 2026: Zwolle (pay day 25, the 24th being a Friday) starts on the 19th;
	// the other gemeenten's pay days are configured in tenants/*.yaml.
	b := setupSettle(t, 10, "2026-04", time.Date(2026, 4, 20, 7, 0, 0, 0, time.UTC))
	ctx := context.Background()
	if err := b.svc.Schedule(ctx); err != nil {
		t.Fatal(err)
	}
	run, ok, err := b.svc.Current(ctx, "zwolle", period("2026-04"))
	if err != nil || !ok || run.StartedBy != settlement.SchedulerActor {
		t.Fatalf("zwolle's April run after the schedule: %+v %v %v", run, ok, err)
	}
	if err := b.svc.Schedule(ctx); err != nil {
		t.Fatal(err)
	}
	runs, err := b.svc.List(ctx, "zwolle", 10)
	if err != nil || len(runs) != 1 {
		t.Errorf("runs after scheduling twice: %d (%v), want 1", len(runs), err)
	}
	b.wait(t, run.ID, settlement.StatusAwaitingApproval)
	got, err := b.svc.Get(ctx, "zwolle", run.ID)
	if err != nil || got.JobErrors != 0 || got.Progress() != 1 {
		t.Errorf("computed run: %+v %v", got, err)
	}
}

// TestKickSkipsLiveSteps: Kick re-inserts a step's job only when no live transaction
// holds the step's lock: a worker that is posting keeps its run locked, a killed one
// does not.
func TestKickSkipsLiveSteps(t *testing.T) {
	t.Parallel()
	b := setupSeed(t)
	ctx := context.Background()
	// No workers: the jobs Kick inserts stay in River's table to be counted.
	svc, err := newSettlement(settlementDeps{pool: b.d.App, dir: b.a.dir, jobs: mustInsertJobs(t, b.d), now: func() time.Time { return e2eNow }})
	if err != nil {
		t.Fatal(err)
	}
	const id = "0b7c8e2a-1d3f-4a5b-8c6d-7e8f9a0b1c2d"
	b.ownerTx(t, func(ctx context.Context, tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `
			INSERT INTO settlement_runs (tenant_id, id, period, dry_run, status, sepa_version, started_by, started_at, approved_by, approved_at)
			VALUES ('zwolle', $1, '2026-03-01', false, 'posting', 'pain.001.001.09', 'consulent:alice', now(), 'admin:bob', now())`, id)
		return err
	})
	posts := func() int {
		var n int
		if err := b.d.Owner.QueryRow(ctx, `SELECT count(*) FROM river.river_job WHERE kind = 'settlement.post' AND args ->> 'run_id' = $1`, id).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	// A live posting: another transaction holds the run's row.
	live, err := b.d.Owner.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.SetTenant(ctx, live, "zwolle"); err != nil {
		t.Fatal(err)
	}
	if _, err := live.Exec(ctx, `SELECT 1 FROM settlement_runs WHERE id = $1 FOR UPDATE`, id); err != nil {
		t.Fatal(err)
	}
	if err := svc.Kick(ctx, "zwolle", id); err != nil {
		t.Fatal(err)
	}
	if n := posts(); n != 0 {
		t.Errorf("Kick while the run is locked by a live step inserted %d post jobs, want 0", n)
	}
	// The worker dies: its transaction and its lock are gone.
	if err := live.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	if err := svc.Kick(ctx, "zwolle", id); err != nil {
		t.Fatal(err)
	}
	if n := posts(); n != 1 {
		t.Errorf("Kick of an abandoned post inserted %d post jobs, want 1", n)
	}
}

// ownerTx runs fn as the owner with zwolle's tenant set (the owner is bound by RLS too).
func (b *seedBundle) ownerTx(t *testing.T, fn func(ctx context.Context, tx pgx.Tx) error) {
	t.Helper()
	if err := db.InTenant(tenant.WithID(context.Background(), "zwolle"), b.d.Owner, fn); err != nil {
		t.Fatal(err)
	}
}
