package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/user"
	"path/filepath"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/plein-nl/plein/platform/bijstand"
	"github.com/plein-nl/plein/platform/jobs"
	"github.com/plein-nl/plein/platform/tenant"
	"github.com/plein-nl/plein/services/settlement"
	"github.com/plein-nl/plein/services/tenancy"
)

// Who plein settle acts as. In dev mode (the private PostgreSQL) the CLI is both
// people of the four eyes, as two distinct actors; elsewhere it only starts runs and a
// tenant admin approves through the API.
const (
	settleDevStarter  = "cli:plein-settle (dev)"
	settleDevApprover = "cli:plein-settle (dev, second person)"
	// settleStall is how long the CLI waits without progress before it kicks the run
	// again (a worker died, PostgreSQL restarted under a job).
	settleStall = 10 * time.Second
	// settleOutage is how long the CLI waits for the database to come back (a restart,
	// a failover) before it gives up; the run itself resumes where it was.
	settleOutage = 2 * time.Minute
	// settleWorkers is how many of a run's jobs this process works at once: a few more
	// than the cores, so that PostgreSQL and Go overlap, not so many that ten batch
	// transactions fight over two cores.
	settleWorkers = 4
)

// settleOptions are plein settle's inputs.
type settleOptions struct {
	tenant  tenant.ID
	period  bijstand.Period
	out     string
	dryRun  bool
	dev     bool
	starter string
	batch   int
	now     func() time.Time
}

func cmdSettle(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("settle", stderr)
	tenantFlag := fs.String("tenant", "", "the gemeente: an applied tenant id (required)")
	periodFlag := fs.String("period", "", "the month to settle, YYYY-MM (required)")
	out := fs.String("out", "", "directory to write the SEPA files, specifications and reconciliation.json to (required)")
	dryRun := fs.Bool("dry-run", false, "compute and reconcile only: nothing is posted or paid; writes reconciliation.json")
	batch := fs.Int("batch-size", 0, "residents per batch job (default 2500)")
	dataDir := fs.String("data-dir", "./.plein", "data directory of the local PostgreSQL (without PLEIN_DATABASE_URL)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("plein settle: unexpected argument %q", fs.Arg(0))}
	}
	o := settleOptions{out: *out, dryRun: *dryRun, batch: *batch, now: time.Now}
	var err error
	if o.tenant, err = tenant.Parse(*tenantFlag); err != nil {
		return usageError{"plein settle: --tenant is required: an applied tenant id, such as zwolle"}
	}
	if o.period, err = bijstand.ParsePeriod(*periodFlag); err != nil {
		return usageError{"plein settle: --period is required as YYYY-MM: " + err.Error()}
	}
	if o.out == "" {
		return usageError{"plein settle: --out is required: the directory to write the files to"}
	}
	if o.batch < 0 || o.batch > 100000 {
		return usageError{"plein settle: --batch-size must be 1 to 100000"}
	}
	o.dev = os.Getenv(envDatabaseURL) == ""
	// A run holds every resident's month in memory while it closes and posts (about a
	// kilobyte each): with the default GOGC the collector rescans that heap over and
	// over. This command runs one run and exits, so it trades memory for time, unless
	// the operator set GOGC.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	o.starter = settleDevStarter
	if !o.dev {
		o.starter = "cli:" + currentUser()
	}
	log := newLogger(stderr)
	dbs, err := openDatabases(ctx, *dataDir, log)
	if err != nil {
		return err
	}
	defer dbs.close(ctx)
	return settle(ctx, dbs, o, stdout, stderr, log)
}

func currentUser() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	return "unknown"
}

// settle runs or resumes the run of o.period to its end, doing the work in this
// process (River workers of its own, next to any others), and writes the files.
func settle(ctx context.Context, dbs *databases, o settleOptions, stdout, stderr io.Writer, log *slog.Logger) error {
	appPool, err := dbs.App(ctx)
	if err != nil {
		return err
	}
	dir, err := tenancy.NewDirectory(ctx, appPool)
	if err != nil {
		return err
	}
	if _, ok := dir.ByID(o.tenant); !ok {
		return fmt.Errorf("plein settle: tenant %q is not applied (plein tenant apply -f tenants/%s.yaml)", o.tenant, o.tenant)
	}
	insert, err := insertOnlyJobs(appPool)
	if err != nil {
		return err
	}
	svc, err := newSettlement(settlementDeps{pool: appPool, dir: dir, jobs: insert, now: o.now, batch: o.batch})
	if err != nil {
		return err
	}
	quiet := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	jc, err := jobs.NewClient(appPool, jobs.Config{Workers: workers(appPool, svc), Logger: quiet, MaxWorkers: settleWorkers})
	if err != nil {
		return err
	}
	if err := jc.Start(ctx); err != nil {
		return err
	}
	defer func() {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		_ = jc.Stop(sctx)
	}()

	// A final period writes the files it wrote, whatever state the tenant is in now.
	run, final, err := svc.Current(ctx, o.tenant, o.period)
	if err != nil {
		return err
	}
	if !final || run.Status != settlement.StatusFinal || o.dryRun {
		var created bool
		run, created, err = svc.Start(ctx, o.tenant, o.period, o.dryRun, o.starter)
		if err != nil {
			return fmt.Errorf("plein settle: %w", err)
		}
		if created {
			fmt.Fprintf(stderr, "plein settle: started run %s of %s for %s\n", run.ID, o.period, o.tenant)
		} else {
			fmt.Fprintf(stderr, "plein settle: resuming run %s of %s (%s)\n", run.ID, o.period, run.Status)
			if err := svc.Kick(ctx, o.tenant, run.ID); err != nil {
				return err
			}
		}
	}
	run, err = waitRun(ctx, svc, o, run, stderr)
	if err != nil {
		return err
	}
	if run.Status == settlement.StatusDryRunDone {
		return writeDryRun(o, run, stdout)
	}
	return writeRunFiles(ctx, svc, o, run, stdout)
}

// waitRun follows a run until it is final (approving it in dev mode) or has ended
// otherwise, kicking it when it makes no progress.
func waitRun(ctx context.Context, svc *settlement.Service, o settleOptions, run settlement.Run, stderr io.Writer) (settlement.Run, error) {
	lastProgress, lastKey := time.Now(), ""
	lastPrint := time.Time{}
	var down time.Time // since when the database cannot be reached; zero while it can
	// unavailable reports whether err means the database cannot be reached, and waits a
	// little when it does and has not been so for settleOutage.
	unavailable := func(err error) bool {
		if !dbUnavailable(err) || ctx.Err() != nil {
			return false
		}
		if down.IsZero() {
			down = time.Now()
			fmt.Fprintf(stderr, "plein settle: the database cannot be reached (%v); waiting for it\n", err)
		}
		if time.Since(down) > settleOutage {
			return false
		}
		select {
		case <-ctx.Done():
		case <-time.After(500 * time.Millisecond):
		}
		return true
	}
	for {
		r, err := svc.Get(ctx, o.tenant, run.ID)
		if err != nil {
			if unavailable(err) {
				continue
			}
			return r, err
		}
		if !down.IsZero() {
			fmt.Fprintf(stderr, "plein settle: the database is back after %s\n", time.Since(down).Round(time.Second))
			// The jobs that were running when it went are retried by River or kicked.
			down, lastProgress = time.Time{}, time.Now()
		}
		switch r.Status {
		case settlement.StatusFinal, settlement.StatusDryRunDone:
			return r, nil
		case settlement.StatusFailed, settlement.StatusCancelled:
			return r, fmt.Errorf("plein settle: run %s of %s is %s: %s", r.ID, o.period, r.Status, r.Error)
		case settlement.StatusAwaitingApproval:
			if !o.dev {
				return r, exitError{code: 3, msg: fmt.Sprintf("plein settle: run %s of %s is computed and reconciled; "+
					"it waits for approval by a second person (POST /api/v1/tenants/%s/settlement/runs/%s/approve), "+
					"then run plein settle again to write the files", r.ID, o.period, o.tenant, r.ID)}
			}
			if _, err := svc.Approve(ctx, o.tenant, r.ID, settleDevApprover); err != nil &&
				!errors.Is(err, settlement.ErrWrongState) && !unavailable(err) {
				return r, err
			}
			continue
		}
		key := fmt.Sprintf("%s/%d/%d", r.Status, r.BatchesDone, r.ResidentsDone)
		if key != lastKey {
			lastKey, lastProgress = key, time.Now()
		} else if time.Since(lastProgress) > settleStall {
			fmt.Fprintf(stderr, "plein settle: no progress for %s; resuming run %s\n", settleStall, r.ID)
			if err := svc.Kick(ctx, o.tenant, r.ID); err != nil {
				fmt.Fprintf(stderr, "plein settle: kick: %v\n", err)
			}
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

// writeRunFiles writes the final run's stored files into o.out, each through a
// temporary file and a rename, so a file in the directory is always whole.
func writeRunFiles(ctx context.Context, svc *settlement.Service, o settleOptions, r settlement.Run, stdout io.Writer) error {
	files, err := svc.Files(ctx, o.tenant, r.ID, true)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(o.out, 0o750); err != nil {
		return fmt.Errorf("plein settle: --out: %w", err)
	}
	for _, f := range files {
		if err := writeAtomic(filepath.Join(o.out, f.Name), f.Content); err != nil {
			return err
		}
	}
	rep := r.Report
	fmt.Fprintf(stdout, "run %s of %s for %s is final (execution date %s)\n", r.ID, o.period, o.tenant, r.ExecutionDate.Format(time.DateOnly))
	if rep != nil {
		fmt.Fprintf(stdout, "residents %d, bijstand %d, reserve %d, deductions %d, payout %d, held %d (%d cents), SEPA %d transfers, control sum %d cents\n",
			rep.Residents, rep.BijstandCents, rep.VakantietoeslagReserveCents, rep.DeductionsAppliedCents, rep.PayoutCents,
			rep.HeldResidents, rep.HeldPayoutCents, rep.SEPATransactions, rep.SEPAControlSumCents)
	}
	for _, f := range files {
		fmt.Fprintf(stdout, "  %s  %d bytes  sha256 %s\n", filepath.Join(o.out, f.Name), f.Size, f.SHA256)
	}
	return nil
}

func writeDryRun(o settleOptions, r settlement.Run, stdout io.Writer) error {
	if r.Report == nil {
		return fmt.Errorf("plein settle: dry-run %s has no report", r.ID)
	}
	if err := os.MkdirAll(o.out, 0o750); err != nil {
		return fmt.Errorf("plein settle: --out: %w", err)
	}
	b, err := jsonIndent(r.Report)
	if err != nil {
		return err
	}
	path := filepath.Join(o.out, "reconciliation.json")
	if err := writeAtomic(path, b); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "dry-run %s of %s for %s: nothing posted or paid; %s\n", r.ID, o.period, o.tenant, path)
	return nil
}

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

func jsonIndent(v any) ([]byte, error) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}
