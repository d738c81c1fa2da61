package settlement

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/plein-nl/plein/platform/bijstand"
	"github.com/plein-nl/plein/platform/jobs"
	"github.com/plein-nl/plein/platform/ledger"
	"github.com/plein-nl/plein/platform/money"
	"github.com/plein-nl/plein/platform/sepa"
	"github.com/plein-nl/plein/platform/tenant"
	"github.com/plein-nl/plein/services/paymentplans"
)

// Posting a run is done in parts and one final step, so that the heavy work runs in
// parallel, on separate connections, and commits part by part, while only the final
// step decides. The guarantees are those of the single transaction it replaces:
//
//   - Nothing is final, and nothing is paid, before the final step. The parts write only
//     what holds no money and shows nowhere: the run's files into settlement_files (keyed
//     by run and name; Files shows the files of a final run only) and the ledger
//     accounts the entries will post to (an account holds no money until an entry moves
//     it). The entries — the money — are posted by the final step, in the transaction
//     that checks that every part is there (each file by name and SHA-256), inserts the
//     reconciliation, the follow-up jobs and sets the status final: all of it commits
//     together or not at all.
//   - A retry writes the same bytes. The dates that go into the files and entries
//     (posted_at, the execution date) are taken once, by the first attempt, and stored
//     on the run before any part is written; every later attempt reads them back. A
//     retry writes every file again in memory from the same stored items and compares it
//     with the one a part stored: a part is written once (INSERT … ON CONFLICT DO
//     NOTHING), and a stored file that differs from what the run writes now (a
//     creditor's data changed between two attempts) stops the post with an error
//     instead of paying from files that do not match.
//   - Nothing is paid twice: the entries are posted in one batch whose keys are unique
//     in the ledger, in the transaction that also moves the run out of posting, under
//     the run's row lock; a second copy of the job finds the run final.
//   - Every run reconciles to the cent: the reconciliation of the months, payments and
//     the files' own totals runs before any part is written, and a run that does not
//     reconcile writes no part and fails.
//
// The parts run in the job's read phase (readFirst), before its transaction opens: the
// run's items are read, assembled and written in Go, and then the files (in two
// halves) and the accounts are stored at the same time, each in a transaction of its
// own. The final step is then one short transaction: the ledger batch and the status.

// postInput is what the parts of a post prepared for its final step.
type postInput struct {
	runID   string // the run the parts were done for; "" when there is nothing to post
	failure string // why the run fails (it does not assemble or reconcile); no part written
	months  []ResidentMonth
	report  Report
	entries []ledger.Entry
	files   []outFile
	posted  time.Time
	exec    time.Time
}

// readPost does the parts of posting run job.Args.RunID, when it is posting and its
// tenant active; otherwise it returns an empty input and the step decides.
func (s *Service) readPost(ctx context.Context, job *river.Job[PostArgs]) (postInput, error) {
	var in postInput
	t := job.Args.Tenant
	creditors, err := s.cfg.Caseload.Creditors(ctx, t)
	if err != nil {
		return in, err
	}
	st, ok := s.cfg.Tenants.Settings(t)
	if !ok {
		return in, fmt.Errorf("settlement: post %s: no settings for tenant %s", job.Args.RunID, t)
	}
	var r Run
	var posting bool
	err = s.in(ctx, t, func(ctx context.Context, tx pgx.Tx) error {
		var tst string
		if r, err = getRun(ctx, tx, job.Args.RunID, false); err != nil || r.Status != StatusPosting {
			return err
		}
		if err := tx.QueryRow(ctx, `SELECT status FROM tenants WHERE tenant_id = current_tenant()`).Scan(&tst); err != nil || tst != "active" {
			return err
		}
		// The dates of the files and entries, taken by the first attempt only and
		// committed before any part is written with them.
		err := tx.QueryRow(ctx, `
			UPDATE settlement_runs SET posted_at = coalesce(posted_at, $2), execution_date = coalesce(execution_date, $3)
			WHERE tenant_id = current_tenant() AND id = $1 AND status = 'posting'
			RETURNING posted_at, execution_date`, r.ID, s.cfg.Now().UTC().Truncate(time.Second),
			ExecutionDate(r.Period, st.PayDay, s.today())).Scan(&in.posted, &in.exec)
		posting = err == nil
		return err
	})
	if err != nil || !posting {
		// The step reports what is not found, and does nothing for what is done.
		return postInput{}, err
	}
	in.runID = r.ID
	in.posted, in.exec = in.posted.UTC(), time.Date(in.exec.Year(), in.exec.Month(), in.exec.Day(), 0, 0, 0, 0, time.UTC)
	// The parts run under a share lock on the run, held by this transaction: Kick sees
	// the run busy (it skips a locked run) and adds no second post while the parts run;
	// the final step's lock waits for this one to end.
	err = s.in(ctx, t, func(ctx context.Context, tx pgx.Tx) error {
		var n int
		if err := tx.QueryRow(ctx, `
			SELECT count(*) FROM (SELECT 1 FROM settlement_runs
			WHERE tenant_id = current_tenant() AND id = $1 AND status = 'posting' FOR KEY SHARE) r`, r.ID).Scan(&n); err != nil || n == 0 {
			in.runID = "" // made final by a copy of the job in the meantime
			return err
		}
		if in.months, err = readMonths(ctx, tx, r); err != nil {
			return err
		}
		if err := s.prepare(r, st, creditors, &in); err != nil || in.failure != "" {
			return err
		}
		return s.storeParts(ctx, t, r.ID, &in)
	})
	if err != nil {
		return postInput{}, err
	}
	return in, nil
}

// prepare assembles, writes and reconciles the run in memory: the files, the entries
// and the report; a run that does not assemble or reconcile gets in.failure.
func (s *Service) prepare(r Run, st Settings, creditors map[string]CreditorInfo, in *postInput) error {
	p, err := Assemble(r.Period, r.ID, in.months, creditors)
	if err != nil {
		in.failure = err.Error()
		return nil
	}
	monthEntries, err := MonthEntries(r.Period, r.ID, in.months, s.cfg.BatchSize)
	if err != nil {
		in.failure = err.Error()
		return nil
	}
	files, summaries, fileEntries, err := s.files(r, st, p, in.posted, in.exec)
	if err != nil {
		in.failure = err.Error()
		return nil
	}
	report, err := reconcile(r.ResidentsTotal, in.months, p, summaries)
	if !report.OK {
		in.failure = fmt.Errorf("the run does not reconcile: %w", err).Error()
		return nil
	}
	in.report, in.files, in.entries = report, files, append(monthEntries, fileEntries...)
	return nil
}

// storeParts stores the parts of the run at the same time, each in its own
// transaction: the files in two halves and the accounts of the entries.
func (s *Service) storeParts(ctx context.Context, t tenant.ID, runID string, in *postInput) error {
	var g errgroup.Group
	half := len(in.files) / 2
	for _, part := range [][]outFile{in.files[:half], in.files[half:]} {
		g.Go(func() error {
			return s.in(ctx, t, func(ctx context.Context, tx pgx.Tx) error {
				return stageFiles(ctx, tx, runID, part, in.posted)
			})
		})
	}
	g.Go(func() error {
		codes := map[string]bool{}
		for _, e := range in.entries {
			for _, l := range e.Lines {
				codes[l.Account] = true
			}
		}
		return s.in(ctx, t, func(ctx context.Context, tx pgx.Tx) error {
			return ledger.OpenAccounts(ctx, tx, slices.Sorted(maps.Keys(codes)))
		})
	})
	if err := g.Wait(); err != nil {
		return fmt.Errorf("settlement: post %s: %w", runID, err)
	}
	return nil
}

// post is the final step of posting an approved run: in the job's one transaction,
// under the run's lock, it checks that every part the read phase stored is there, posts
// the ledger entries and makes the run final (finish). A worker killed before it
// commits leaves the run in posting, its parts stored or not, and the retried job does
// the parts again (finding those stored) and then this step.
func (s *Service) post(ctx context.Context, tx pgx.Tx, job *river.Job[PostArgs], in postInput) (err error) {
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
	if in.runID != r.ID {
		return errInputStale
	}
	if in.failure != "" {
		return s.fail(ctx, tx, r, in.failure)
	}
	if err := checkStaged(ctx, tx, r.ID, in.files); err != nil {
		return fmt.Errorf("settlement: post %s: %w", r.ID, err)
	}
	if _, err := ledger.PostBatch(ctx, tx, in.entries); err != nil {
		return fmt.Errorf("settlement: post %s: ledger: %w", r.ID, err)
	}
	return s.finish(ctx, tx, job.Args.TenantArgs, r, in.months, in.report, len(in.files), in.posted, in.exec)
}

// finish makes posted run r final, in the transaction that posted it: the
// reconciliation report (the run's other stored files count from now on), its status,
// and the jobs that follow from it.
func (s *Service) finish(ctx context.Context, tx pgx.Tx, ta jobs.TenantArgs, r Run, months []ResidentMonth, report Report,
	stored int, postedAt, exec time.Time) error {
	rec, err := json.MarshalIndent(report, "", "  ")
	if err != nil {
		return err
	}
	files := []outFile{{name: "reconciliation.json", kind: "reconciliation", content: append(rec, '\n')}}
	if err := stageFiles(ctx, tx, r.ID, files, postedAt); err != nil {
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
	s.cfg.Metrics.paid(r.Tenant, report, stored+len(files))
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

// stageFiles stores a run's files, each with its SHA-256 sum, once: a file the run has
// already (stored by an earlier attempt or a concurrent copy of the job) is left as it
// is when it holds the same bytes, and is an error when it does not.
func stageFiles(ctx context.Context, tx pgx.Tx, runID string, files []outFile, at time.Time) error {
	for _, f := range files {
		sum := sha256.Sum256(f.content)
		var stored []byte
		err := tx.QueryRow(ctx, `
			WITH ins AS (
				INSERT INTO settlement_files (tenant_id, run_id, name, kind, content, sha256, created_at)
				VALUES (current_tenant(), $1, $2, $3, $4, $5, $6)
				ON CONFLICT (tenant_id, run_id, name) DO NOTHING
				RETURNING sha256)
			SELECT sha256 FROM ins
			UNION ALL
			SELECT sha256 FROM settlement_files
			WHERE tenant_id = current_tenant() AND run_id = $1 AND name = $2 AND NOT EXISTS (SELECT 1 FROM ins)`,
			runID, f.name, f.kind, f.content, sum[:], at).Scan(&stored)
		if err != nil {
			return fmt.Errorf("settlement: post %s: file %s: %w", runID, f.name, err)
		}
		if !bytes.Equal(stored, sum[:]) {
			return fmt.Errorf("settlement: post %s: file %s: %w", runID, f.name, ErrFileChanged)
		}
	}
	return nil
}

// ErrFileChanged is a file that an earlier attempt at posting a run stored with other
// bytes than the run writes now: the input changed between the attempts (a creditor's
// name or account), and the run is not posted from files that do not match.
var ErrFileChanged = errors.New("a stored file of the run differs from the one written now")

// checkStaged checks that the run has stored exactly files, by name and SHA-256: every
// part of the post is there, and nothing else.
func checkStaged(ctx context.Context, tx pgx.Tx, runID string, files []outFile) error {
	want := make(map[string][32]byte, len(files))
	for _, f := range files {
		want[f.name] = sha256.Sum256(f.content)
	}
	rows, err := tx.Query(ctx, `SELECT name, sha256 FROM settlement_files WHERE tenant_id = current_tenant() AND run_id = $1`, runID)
	if err != nil {
		return err
	}
	var name string
	var sum []byte
	got := 0
	_, err = pgx.ForEachRow(rows, []any{&name, &sum}, func() error {
		w, ok := want[name]
		if !ok || !bytes.Equal(w[:], sum) {
			return fmt.Errorf("file %s: %w", name, ErrFileChanged)
		}
		got++
		return nil
	})
	if err == nil && got != len(want) {
		err = fmt.Errorf("%d of the run's %d files are stored: a part of the post is missing", got, len(want))
	}
	return err
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
