package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime/debug"
	"time"

	"github.com/plein-nl/plein/platform/audit"
	"github.com/plein-nl/plein/platform/bijstand"
	"github.com/plein-nl/plein/platform/db"
	"github.com/plein-nl/plein/platform/jobs"
	"github.com/plein-nl/plein/platform/observe"
	"github.com/plein-nl/plein/platform/tenant"
	"github.com/plein-nl/plein/services/settlement"
)

// Who plein settle acts as. In dev mode (the private PostgreSQL) the CLI is both
// people of the four eyes, as two distinct actors; elsewhere it only starts runs and a
// tenant admin approves through the API.
const (
	settleDevStarter  = "cli:plein-settle (dev)"
	settleDevApprover = "cli:plein-settle (dev, second person)"
	// settleWorkers is how many of a run's jobs this process works at once: a few more
	// than the cores, so that PostgreSQL and Go overlap, not so many that ten batch
	// transactions fight over two cores.
	settleWorkers = 4
)

// cmdSettle runs or resumes a period's settlement run to its end, working its jobs in
// this process (next to any other workers), and writes the files.
func cmdSettle(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, dataDir := dbFlags("settle", stderr, dataDirEnvHelp)
	tenantFlag := fs.String("tenant", "", "the gemeente: an applied tenant id (required)")
	periodFlag := fs.String("period", "", "the month to settle, YYYY-MM (required)")
	out := fs.String("out", "", "directory to write the SEPA files, specifications and reconciliation.json to (required)")
	dryRun := fs.Bool("dry-run", false, "compute and reconcile only: nothing is posted or paid; writes reconciliation.json")
	batch := fs.Int("batch-size", 0, "residents per batch job (default 2500)")
	ackStale := fs.Bool("acknowledge-stale-law", false, "settle as final a month whose law data is stale (past the next indexation of the newest law file); recorded in the run")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("plein settle: unexpected argument %q", fs.Arg(0))}
	}
	o := settlement.SettleOptions{Out: *out, DryRun: *dryRun, AcknowledgeStaleLaw: *ackStale, Starter: settleDevStarter, Approver: settleDevApprover}
	var err error
	if o.Tenant, err = tenant.Parse(*tenantFlag); err != nil {
		return usageError{"plein settle: --tenant is required: an applied tenant id, such as zwolle"}
	}
	if o.Period, err = bijstand.ParsePeriod(*periodFlag); err != nil {
		return usageError{"plein settle: --period is required as YYYY-MM: " + err.Error()}
	}
	if o.Out == "" {
		return usageError{"plein settle: --out is required: the directory to write the files to"}
	}
	if *batch < 0 || *batch > 100000 {
		return usageError{"plein settle: --batch-size must be 1 to 100000"}
	}
	if os.Getenv(db.EnvDatabaseURL) != "" {
		o.Starter, o.Approver = "cli:"+audit.OSUser(), ""
	}
	// A run holds every resident's month in memory while it closes and posts (about a
	// kilobyte each): with the default GOGC the collector rescans that heap over and
	// over. This command runs one run and exits, so it trades memory for time, unless
	// the operator set GOGC.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	log := observe.NewEnvLogger(stderr)
	clk, err := businessClock("settle", log)
	if err != nil {
		return err
	}
	p, err := openBackend(ctx, *dataDir, log, needDir)
	if err != nil {
		return err
	}
	defer p.Close(ctx)
	if _, ok := p.dir.ByID(o.Tenant); !ok {
		return fmt.Errorf("plein settle: tenant %q is not applied (plein tenant apply -f tenants/%s.yaml)", o.Tenant, o.Tenant)
	}
	insert, err := jobs.NewClient(p.app, jobs.Config{})
	if err != nil {
		return err
	}
	svc, err := newSettlement(settlementDeps{pool: p.app, dir: p.dir, jobs: insert, batch: *batch, now: clk.Now})
	if err != nil {
		return err
	}
	quiet := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	jc, err := jobs.Start(ctx, p.app, jobs.Config{Workers: workers(p.app, svc, clk.Now), Logger: quiet, MaxWorkers: settleWorkers})
	if err != nil {
		return err
	}
	defer jobs.Stop(ctx, jc, 30*time.Second, quiet)
	err = settlement.Settle(ctx, svc, o, stdout, stderr)
	if errors.Is(err, settlement.ErrAwaitingApproval) {
		return exitError{code: 3, msg: err.Error()}
	}
	return err
}
