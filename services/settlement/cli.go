package settlement

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/plein-nl/plein/platform/audit"
	"github.com/plein-nl/plein/platform/bijstand"
	"github.com/plein-nl/plein/platform/tenant"
)

// What `plein settle` does once the service is built and its workers run: take a
// period's run to its end in this process and write its files.

const (
	// settleStall is how long Settle waits without progress before it kicks the run
	// again (a worker died, PostgreSQL restarted under a job).
	settleStall = 10 * time.Second
	// settleOutage is how long Settle waits for the database to come back (a restart,
	// a failover) before it gives up; the run itself resumes where it was.
	settleOutage = 2 * time.Minute
)

// Who plein settle acts as in dev mode (the private PostgreSQL): the CLI is both people
// of the four eyes, as two distinct actors; elsewhere it only starts runs and a tenant
// admin approves through the API.
const (
	DevStarter  = "cli:plein-settle (dev)"
	DevApprover = "cli:plein-settle (dev, second person)"
)

// CLIActors returns who plein settle acts as: in dev mode (not remote) both people of
// the four eyes; against a real database (remote) the operating system user, who only
// starts runs.
func CLIActors(remote bool) (starter, approver string) {
	if remote {
		return "cli:" + audit.OSUser(), ""
	}
	return DevStarter, DevApprover
}

// CLIWorkers is how many of a run's jobs plein settle works at once in its own process:
// a few more than the cores, so that PostgreSQL and Go overlap, not so many that ten
// batch transactions fight over two cores.
const CLIWorkers = 4

// ErrAwaitingApproval is returned (wrapped, with the run and where to approve it) by
// Settle when the run is computed and reconciled and waits for a second person.
var ErrAwaitingApproval = errors.New("the run waits for approval by a second person")

// SettleOptions are what Settle settles and who acts.
type SettleOptions struct {
	Tenant tenant.ID
	Period bijstand.Period
	Out    string // the directory to write the files to
	DryRun bool
	// Starter starts the run; Approver, when set, approves it as the second person
	// (the private database of a developer). Without one Settle stops at approval with
	// ErrAwaitingApproval, and a tenant admin approves through the API.
	Starter, Approver string
	// AcknowledgeStaleLaw lets a final run of a month on stale law data start
	// (ErrStaleLaw), recording Starter as who acknowledged it.
	AcknowledgeStaleLaw bool
}

// Settle runs or resumes the run of o.Period to its end and writes its files to o.Out:
// the SEPA files and specifications of a final run, reconciliation.json of a dry-run.
// A final period writes the files it wrote, whatever state the tenant is in now.
// Progress goes to stderr, the outcome to stdout.
func Settle(ctx context.Context, svc *Service, o SettleOptions, stdout, stderr io.Writer) error {
	if _, ok := svc.cfg.Tenants.Settings(o.Tenant); !ok {
		return fmt.Errorf("plein settle: tenant %q is not applied (plein tenant apply -f tenants/%s.yaml)", o.Tenant, o.Tenant)
	}
	run, final, err := svc.Current(ctx, o.Tenant, o.Period)
	if err != nil {
		return err
	}
	if !final || run.Status != StatusFinal || o.DryRun {
		var created bool
		run, created, err = svc.StartWith(ctx, o.Tenant, o.Period,
			StartOptions{DryRun: o.DryRun, By: o.Starter, AcknowledgeStaleLaw: o.AcknowledgeStaleLaw})
		if err != nil {
			return fmt.Errorf("plein settle: %w", err)
		}
		if created {
			fmt.Fprintf(stderr, "plein settle: started run %s of %s for %s\n", run.ID, o.Period, o.Tenant)
		} else {
			fmt.Fprintf(stderr, "plein settle: resuming run %s of %s (%s)\n", run.ID, o.Period, run.Status)
			if err := svc.Kick(ctx, o.Tenant, run.ID); err != nil {
				return err
			}
		}
	}
	run, err = waitRun(ctx, svc, o, run, stderr)
	if err != nil {
		return err
	}
	warnStaleLaw(run, stderr)
	if run.Status == StatusDryRunDone {
		return writeDryRun(o, run, stdout)
	}
	if err := writeRunFiles(ctx, svc, o, run, stdout); err != nil {
		return err
	}
	return waitCounters(ctx, svc, o, run, stderr)
}

// waitCounters waits until the vrijlating counters jobs final run r inserted are
// completed, so that a run of the next month started after Settle returns computes
// with them (the plan step would wait for them too, but not a reader of the counters).
// A job River gave up on is an error, after the files are written: the run is paid,
// and the next month's run fails until the job is retried.
func waitCounters(ctx context.Context, svc *Service, o SettleOptions, r Run, stderr io.Writer) error {
	down := &outage{stderr: stderr}
	lastPrint := time.Now()
	for {
		open, err := svc.openCounters(ctx, o.Tenant, "", r.ID)
		if err != nil {
			if down.wait(ctx, err) {
				continue
			}
			return fmt.Errorf("plein settle: run %s: %w", r.ID, err)
		}
		down.over()
		if j, ok := lost(open); ok {
			return fmt.Errorf("plein settle: run %s of %s is final and its files are written, but its vrijlating counters "+
				"were not recorded: %s; the next month's run fails until job %d is retried", r.ID, o.Period, j, j.ID)
		}
		if len(open) == 0 {
			return nil
		}
		if time.Since(lastPrint) > 2*time.Second {
			if err := svc.kickCounters(ctx, o.Tenant, open); err != nil {
				fmt.Fprintf(stderr, "plein settle: %v\n", err)
			}
			fmt.Fprintf(stderr, "plein settle: %s: recording the vrijlating counters, %d jobs to go\n", r.ID, len(open))
			lastPrint = time.Now()
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("plein settle: run %s is final, its vrijlating counters not yet recorded: %w", r.ID, ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// outage follows a database that cannot be reached while Settle waits for a run.
type outage struct {
	since  time.Time // zero while the database can be reached
	stderr io.Writer
}

// wait reports whether err means the database cannot be reached, and then waits a
// little, unless it has been so for settleOutage.
func (o *outage) wait(ctx context.Context, err error) bool {
	if !dbUnavailable(err) || ctx.Err() != nil {
		return false
	}
	if o.since.IsZero() {
		o.since = time.Now()
		fmt.Fprintf(o.stderr, "plein settle: the database cannot be reached (%v); waiting for it\n", err)
	}
	if time.Since(o.since) > settleOutage {
		return false
	}
	select {
	case <-ctx.Done():
	case <-time.After(500 * time.Millisecond):
	}
	return true
}

// over reports whether an outage just ended, and says so.
func (o *outage) over() bool {
	if o.since.IsZero() {
		return false
	}
	fmt.Fprintf(o.stderr, "plein settle: the database is back after %s\n", time.Since(o.since).Round(time.Second))
	o.since = time.Time{}
	return true
}

// waitRun follows a run until it is final (approving it when o.Approver is set) or has
// ended otherwise, kicking it when it makes no progress.
func waitRun(ctx context.Context, svc *Service, o SettleOptions, run Run, stderr io.Writer) (Run, error) {
	lastProgress, lastKey := time.Now(), ""
	lastPrint := time.Time{}
	down := &outage{stderr: stderr}
	for {
		r, err := svc.Get(ctx, o.Tenant, run.ID)
		if err != nil {
			if down.wait(ctx, err) {
				continue
			}
			return r, err
		}
		if down.over() {
			// The jobs that were running when it went are retried by River or kicked.
			lastProgress = time.Now()
		}
		switch r.Status {
		case StatusFinal, StatusDryRunDone:
			return r, nil
		case StatusFailed, StatusCancelled:
			return r, fmt.Errorf("plein settle: run %s of %s is %s: %s", r.ID, o.Period, r.Status, r.Error)
		case StatusAwaitingApproval:
			if o.Approver == "" {
				return r, &awaitingApproval{id: r.ID, tenant: o.Tenant, period: o.Period}
			}
			if _, err := svc.Approve(ctx, o.Tenant, r.ID, o.Approver); err != nil &&
				!errors.Is(err, ErrWrongState) && !down.wait(ctx, err) {
				return r, err
			}
			continue
		}
		key := fmt.Sprintf("%s/%d/%d", r.Status, r.BatchesDone, r.ResidentsDone)
		if key != lastKey {
			lastKey, lastProgress = key, time.Now()
		} else if time.Since(lastProgress) > settleStall {
			resume(ctx, svc, o, r, stderr)
			lastProgress = time.Now()
		}
		if time.Since(lastPrint) > 2*time.Second {
			fmt.Fprintf(stderr, "plein settle: %s: %s, %d of %d residents\n", r.ID, r.Status, r.ResidentsDone, r.ResidentsTotal)
			lastPrint = time.Now()
		}
		select {
		case <-ctx.Done():
			return r, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// resume kicks run r, which made no progress for settleStall, unless it is planning
// and its plan waits for the counters jobs of an earlier final run: a kick would only
// add a plan job that waits with it.
func resume(ctx context.Context, svc *Service, o SettleOptions, r Run, stderr io.Writer) {
	if r.Status == StatusPlanning {
		if open, err := svc.openCounters(ctx, o.Tenant, r.Period.String(), ""); err == nil && len(open) > 0 {
			fmt.Fprintf(stderr, "plein settle: %s waits for the vrijlating counters of run %s (%s)\n", r.ID, open[0].RunID, open[0].Period)
			return
		}
	}
	fmt.Fprintf(stderr, "plein settle: no progress for %s; resuming run %s\n", settleStall, r.ID)
	if err := svc.Kick(ctx, o.Tenant, r.ID); err != nil {
		fmt.Fprintf(stderr, "plein settle: kick: %v\n", err)
	}
}

// awaitingApproval is ErrAwaitingApproval with the run and how to go on.
type awaitingApproval struct {
	id     string
	tenant tenant.ID
	period bijstand.Period
}

func (e *awaitingApproval) Error() string {
	return fmt.Sprintf("plein settle: run %s of %s is computed and reconciled; "+
		"it waits for approval by a second person (POST /api/v1/tenants/%s/settlement/runs/%s/approve), "+
		"then run plein settle again to write the files", e.id, e.period, e.tenant, e.id)
}

func (e *awaitingApproval) Unwrap() error { return ErrAwaitingApproval }

// dbUnavailable reports whether err says the database could not be reached or went
// away under a statement (a restart, a failover), rather than that it refused the
// statement: retrying later can succeed.
func dbUnavailable(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		// Class 08: connection exception; 57P01–57P05: the server is shutting down,
		// starting up or crashed.
		return strings.HasPrefix(pgErr.Code, "08") || strings.HasPrefix(pgErr.Code, "57P")
	}
	var connErr *pgconn.ConnectError
	var netErr net.Error
	return errors.As(err, &connErr) || errors.As(err, &netErr) || pgconn.SafeToRetry(err) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED)
}

// writeRunFiles writes the final run's stored files into o.Out, each through a
// temporary file and a rename, so a file in the directory is always whole.
func writeRunFiles(ctx context.Context, svc *Service, o SettleOptions, r Run, stdout io.Writer) error {
	files, err := svc.Files(ctx, o.Tenant, r.ID, true)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(o.Out, 0o750); err != nil {
		return fmt.Errorf("plein settle: --out: %w", err)
	}
	for _, f := range files {
		if err := writeAtomic(filepath.Join(o.Out, f.Name), f.Content); err != nil {
			return err
		}
	}
	fmt.Fprintf(stdout, "run %s of %s for %s is final (execution date %s)\n", r.ID, o.Period, o.Tenant, r.ExecutionDate.Format(time.DateOnly))
	if rep := r.Report; rep != nil {
		fmt.Fprintf(stdout, "residents %d, bijstand %d, reserve %d, deductions %d, payout %d, held %d (%d cents), not computed %d, SEPA %d transfers, control sum %d cents\n",
			rep.Residents, rep.BijstandCents, rep.VakantietoeslagReserveCents, rep.DeductionsAppliedCents, rep.PayoutCents,
			rep.HeldResidents, rep.HeldPayoutCents, rep.UncomputedResidents, rep.SEPATransactions, rep.SEPAControlSumCents)
		if rep.ReleasedResidents > 0 {
			fmt.Fprintf(stdout, "released the held payouts of %d residents (%d cents), paid with this run\n", rep.ReleasedResidents, rep.ReleasedPayoutCents)
		}
		writeUncomputed(stdout, rep)
	}
	for _, f := range files {
		fmt.Fprintf(stdout, "  %s  %d bytes  sha256 %s\n", filepath.Join(o.Out, f.Name), f.Size, f.SHA256)
	}
	return nil
}

// warnStaleLaw says on stderr when run's month was computed on stale law data, and for
// a final run who acknowledged it.
func warnStaleLaw(r Run, stderr io.Writer) {
	if r.Report == nil || !r.Report.Law.Stale {
		return
	}
	l := r.Report.Law
	fmt.Fprintf(stderr, "plein settle: warning: %s was computed with stale law data: platform/law/%s (valid from %s), "+
		"whose next indexation was due on %s", r.Period, l.File, l.ValidFrom, l.NextIndexationDue)
	if l.AcknowledgedBy != "" {
		fmt.Fprintf(stderr, "; acknowledged by %s", l.AcknowledgedBy)
	}
	fmt.Fprintln(stderr)
}

// writeDryRun writes a dry-run's report as reconciliation.json into o.Out.
func writeDryRun(o SettleOptions, r Run, stdout io.Writer) error {
	if r.Report == nil {
		return fmt.Errorf("plein settle: dry-run %s has no report", r.ID)
	}
	if err := os.MkdirAll(o.Out, 0o750); err != nil {
		return fmt.Errorf("plein settle: --out: %w", err)
	}
	b, err := json.MarshalIndent(r.Report, "", "  ")
	if err != nil {
		return err
	}
	path := filepath.Join(o.Out, "reconciliation.json")
	if err := writeAtomic(path, append(b, '\n')); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "dry-run %s of %s for %s: nothing posted or paid; %s\n", r.ID, o.Period, o.Tenant, path)
	writeUncomputed(stdout, r.Report)
	return nil
}

// writeUncomputed writes a line per resident of rep whose month was not computed: the
// resident's id and why, which names no BSN and no name (UncomputedReason).
func writeUncomputed(stdout io.Writer, rep *Report) {
	for _, u := range rep.Uncomputed {
		fmt.Fprintf(stdout, "  not computed: resident %s: %s\n", u.ResidentID, u.Reason)
	}
}

// writeAtomic writes b to path through a temporary file in the same directory and a
// rename.
func writeAtomic(path string, b []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".plein-settle-*")
	if err != nil {
		return fmt.Errorf("plein settle: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return fmt.Errorf("plein settle: write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("plein settle: write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("plein settle: write %s: %w", path, err)
	}
	return nil
}

// OneRunGC tunes the collector of a process that runs one run and exits (plein
// settle). A run holds every resident's month in memory while it closes and posts
// (about a kilobyte each): with the default GOGC the collector rescans that heap over
// and over, so such a process trades memory for time, unless the operator set GOGC.
func OneRunGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
}
