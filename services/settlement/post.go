package settlement

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/plein-nl/plein/platform/bijstand"
	"github.com/plein-nl/plein/platform/jobs"
	"github.com/plein-nl/plein/platform/ledger"
	"github.com/plein-nl/plein/platform/money"
	"github.com/plein-nl/plein/platform/sepa"
	"github.com/plein-nl/plein/services/paymentplans"
)

// post books an approved run and writes its files, all in the job's one transaction:
// the ledger entries, the SEPA files, the specifications, the reconciliation and the
// status final commit together or not at all. A worker killed halfway leaves the run
// in posting, and the retried job does it all again from the same stored items, with
// the same dates (posted_at and the execution date are taken once, here, and a rolled
// back attempt left none), so the files and entries are those of an undisturbed run.
func (s *Service) post(ctx context.Context, tx pgx.Tx, job *river.Job[PostArgs], creditors map[string]CreditorInfo) (err error) {
	defer s.cfg.Metrics.step("post", job.Args.Tenant, time.Now(), &err)
	r, tst, ok, err := s.lockStep(ctx, tx, "post", job.Args.RunID, StatusPosting)
	if err != nil || !ok {
		return err
	}
	if tst != "active" {
		// Suspended: payouts are frozen, nothing is lost. The run waits, approved, and
		// pays once the tenant is resumed.
		return river.JobSnooze(time.Hour)
	}
	st, ok := s.cfg.Tenants.Settings(job.Args.Tenant)
	if !ok {
		return fmt.Errorf("settlement: post %s: no settings for tenant %s", r.ID, job.Args.Tenant)
	}
	months, err := readMonths(ctx, tx, r)
	if err != nil {
		return err
	}
	p, err := Assemble(r.Period, r.ID, months, creditors)
	if err != nil {
		return s.fail(ctx, tx, r, err.Error())
	}
	postedAt := s.cfg.Now().UTC().Truncate(time.Second)
	exec := ExecutionDate(r.Period, st.PayDay, s.today())
	monthEntries, err := MonthEntries(r.Period, r.ID, months, s.cfg.BatchSize)
	if err != nil {
		return s.fail(ctx, tx, r, err.Error())
	}
	// The files are Go's work and the month's entries PostgreSQL's: done at the same
	// time, on the two cores. The entries go in a savepoint, undone if the files do
	// not reconcile: a run that does not reconcile posts nothing.
	var (
		files     []outFile
		summaries []sepa.Summary
		entries   []ledger.Entry
		ferr      error
		done      = make(chan struct{})
	)
	go func() {
		defer close(done)
		files, summaries, entries, ferr = s.files(r, st, p, postedAt, exec)
	}()
	sp, err := tx.Begin(ctx)
	if err != nil {
		<-done
		return err
	}
	_, err = ledger.PostBatch(ctx, sp, monthEntries)
	<-done
	if err != nil {
		return fmt.Errorf("settlement: post %s: ledger: %w", r.ID, err)
	}
	var report Report
	if ferr == nil {
		report, err = reconcile(r.ResidentsTotal, months, p, summaries)
		report.Law = s.runLaw(r)
		if !report.OK {
			ferr = fmt.Errorf("the run does not reconcile: %w", err)
		}
	}
	if ferr != nil {
		if err := sp.Rollback(ctx); err != nil {
			return err
		}
		return s.fail(ctx, tx, r, ferr.Error())
	}
	if _, err := ledger.PostBatch(ctx, sp, entries); err != nil {
		return fmt.Errorf("settlement: post %s: ledger: %w", r.ID, err)
	}
	if err := sp.Commit(ctx); err != nil {
		return err
	}
	return s.finish(ctx, tx, job.Args.TenantArgs, r, months, report, files, postedAt, exec)
}

// finish makes posted run r final, in the transaction that posted it: its files with
// the reconciliation report, its status, and the jobs that follow from it.
func (s *Service) finish(ctx context.Context, tx pgx.Tx, ta jobs.TenantArgs, r Run, months []ResidentMonth, report Report,
	files []outFile, postedAt, exec time.Time) error {
	rec, err := json.MarshalIndent(report, "", "  ")
	if err != nil {
		return err
	}
	files = append(files, outFile{name: "reconciliation.json", kind: "reconciliation", content: append(rec, '\n')})
	if err := insertFiles(ctx, tx, r.ID, files, postedAt); err != nil {
		return err
	}
	counters, err := s.insertFollowUps(ctx, tx, ta, r, months)
	if err != nil {
		return fmt.Errorf("settlement: post %s: %w", r.ID, err)
	}
	if _, err := tx.Exec(ctx, `
		UPDATE settlement_runs SET status = 'final', posted_at = $2, execution_date = $3, finished_at = $4, report = $5,
		       counters_expected = $6
		WHERE tenant_id = current_tenant() AND id = $1`, r.ID, postedAt, exec, s.cfg.Now(), rec, counters); err != nil {
		return err
	}
	r.Status, r.Report = StatusFinal, &report
	now := s.cfg.Now()
	r.FinishedAt = &now
	s.cfg.Metrics.ended(r)
	s.cfg.Metrics.paid(r.Tenant, report, len(files))
	return nil
}

// insertFollowUps inserts, in the transaction that makes run r final, the jobs through
// which the services that own them record what the run decided: the deductions'
// shortfalls (the payment plans) and the vrijlating counters the months advanced (the
// residents). A dry run never gets here, so it records neither. It returns how many
// counters rows the run will have recorded (the run's counters_expected).
func (s *Service) insertFollowUps(ctx context.Context, tx pgx.Tx, ta jobs.TenantArgs, r Run, months []ResidentMonth) (int, error) {
	if err := s.insertShortfalls(ctx, tx, ta, r, months); err != nil {
		return 0, err
	}
	return s.insertCounters(ctx, tx, ta, r, months)
}

// shortfallChunk is the most residents one shortfall job carries.
const shortfallChunk = 500

// insertShortfalls inserts, in the transaction that makes the run final, the jobs
// that record its deductions' shortfalls and signal them to schuldhulp (the payment
// plans' job): what the run could not pay is recorded where it was decided.
func (s *Service) insertShortfalls(ctx context.Context, tx pgx.Tx, ta jobs.TenantArgs, r Run, months []ResidentMonth) error {
	var all []paymentplans.ResidentShortfalls
	for _, m := range months {
		var plans []paymentplans.PlanShortfall
		for _, d := range m.Result.Deductions {
			if d.Shortfall > 0 {
				plans = append(plans, paymentplans.PlanShortfall{PlanID: d.ID, Requested: d.Requested, Applied: d.Applied, Shortfall: d.Shortfall})
			}
		}
		if len(plans) > 0 {
			all = append(all, paymentplans.ResidentShortfalls{ResidentID: m.ResidentID, Plans: plans})
		}
	}
	for i := 0; i < len(all); i += shortfallChunk {
		args := paymentplans.ShortfallArgs{TenantArgs: ta, RunID: r.ID, Chunk: i/shortfallChunk + 1, Period: r.Period.String(),
			Residents: all[i:min(i+shortfallChunk, len(all))]}
		if err := jobs.InsertTx(ctx, s.client(ctx), tx, args, nil); err != nil {
			return err
		}
	}
	return nil
}

// insertFiles stores a run's files, each with its SHA-256 sum.
func insertFiles(ctx context.Context, tx pgx.Tx, runID string, files []outFile, at time.Time) error {
	for _, f := range files {
		sum := sha256.Sum256(f.content)
		if _, err := tx.Exec(ctx, `
			INSERT INTO settlement_files (tenant_id, run_id, name, kind, content, sha256, created_at)
			VALUES (current_tenant(), $1, $2, $3, $4, $5, $6)`, runID, f.name, f.kind, f.content, sum[:], at); err != nil {
			return fmt.Errorf("settlement: post %s: file %s: %w", runID, f.name, err)
		}
	}
	return nil
}

// ExecutionDate is the date a run's transfers are executed: the pay date of period, or,
// for a run approved after it, the first weekday from today (a bank refuses a date in
// the past).
func ExecutionDate(period bijstand.Period, payDay int, today time.Time) time.Time {
	d := period.PayDate(payDay)
	if !d.Before(today) {
		return d
	}
	d = today
	for d.Weekday() == time.Saturday || d.Weekday() == time.Sunday {
		d = d.AddDate(0, 0, 1)
	}
	return d
}

type outFile struct {
	name, kind string
	content    []byte
}

// files writes the run's SEPA files — resident payouts in files of at most FileSize
// transfers, the creditors' aggregated transfers in one — and each creditor's
// specification as CSV and JSON. For every SEPA file it returns the entry that books
// its execution: debit what each transfer pays off (the resident's or creditor's
// account), credit the bank for the file's total, as the bank books a batch.
func (s *Service) files(r Run, st Settings, p Payments, createdAt, exec time.Time) ([]outFile, []sepa.Summary, []ledger.Entry, error) {
	var files []outFile
	var sums []sepa.Summary
	var entries []ledger.Entry
	prefix := "sepa-" + r.Period.String()
	short := strings.ReplaceAll(r.ID, "-", "")[:12]
	write := func(name, id, desc string, ts []sepa.Transfer, accounts []string) error {
		b := sepa.Batch{
			MsgID: "PLEIN-" + short + "-" + id, PmtInfID: "PLEIN-" + short + "-" + id + "-P",
			CreatedAt: createdAt, ExecutionDate: exec, Debtor: st.Debtor, Transfers: ts,
		}
		var buf bytes.Buffer
		buf.Grow(4096 + 600*len(ts)) // about 530 bytes a transfer: no copying as it grows
		sum, err := sepa.Write(&buf, b, r.SEPAVersion)
		if err != nil {
			return fmt.Errorf("SEPA file %s: %w", name, err)
		}
		files = append(files, outFile{name: name, kind: "sepa", content: buf.Bytes()})
		sums = append(sums, sum)
		lines := make([]ledger.Line, 0, len(ts)+1)
		var total money.Cents
		for i, t := range ts {
			lines = append(lines, ledger.Line{Account: accounts[i], Amount: t.Amount})
			total += t.Amount
		}
		lines = append(lines, ledger.Line{Account: ledger.Bank, Amount: -total})
		entries = append(entries, ledger.Entry{
			IdempotencyKey: "settlement:" + r.ID + ":file:" + name,
			BookedOn:       exec,
			Description:    desc + " " + MonthName(r.Period) + " (" + name + ")",
			Source:         Source(r.ID),
			Lines:          lines,
		})
		return nil
	}
	for i := 0; i < len(p.Residents); i += s.cfg.FileSize {
		chunk := p.Residents[i:min(i+s.cfg.FileSize, len(p.Residents))]
		ts, accts := make([]sepa.Transfer, len(chunk)), make([]string, len(chunk))
		for j, rp := range chunk {
			ts[j], accts[j] = rp.Transfer, ledger.ResidentAccount(rp.ResidentID)
		}
		n := i/s.cfg.FileSize + 1
		if err := write(fmt.Sprintf("%s-residents-%03d.xml", prefix, n), fmt.Sprintf("R%03d", n),
			"Betaling bijstand", ts, accts); err != nil {
			return nil, nil, nil, err
		}
	}
	if len(p.Creditors) > 0 {
		ts, accts := make([]sepa.Transfer, len(p.Creditors)), make([]string, len(p.Creditors))
		for j, cp := range p.Creditors {
			ts[j], accts[j] = cp.Transfer, ledger.CreditorAccount(cp.CreditorID)
		}
		if err := write(prefix+"-creditors.xml", "C", "Betaling inhoudingen", ts, accts); err != nil {
			return nil, nil, nil, err
		}
	}
	for _, cp := range p.Creditors {
		var csv, js bytes.Buffer
		csv.Grow(80 * len(cp.Lines))
		js.Grow(160 * len(cp.Lines))
		if err := sepa.WriteSpecCSV(&csv, cp.Spec()); err != nil {
			return nil, nil, nil, fmt.Errorf("specification %s: %w", cp.CreditorID, err)
		}
		if err := sepa.WriteSpecJSON(&js, cp.Spec()); err != nil {
			return nil, nil, nil, fmt.Errorf("specification %s: %w", cp.CreditorID, err)
		}
		base := "spec-" + r.Period.String() + "-" + cp.CreditorID
		files = append(files, outFile{name: base + ".csv", kind: "spec_csv", content: csv.Bytes()},
			outFile{name: base + ".json", kind: "spec_json", content: js.Bytes()})
	}
	return files, sums, entries, nil
}
