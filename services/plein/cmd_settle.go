package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/plein-nl/plein/platform/bijstand"
	"github.com/plein-nl/plein/platform/db"
	"github.com/plein-nl/plein/platform/jobs"
	"github.com/plein-nl/plein/platform/observe"
	"github.com/plein-nl/plein/platform/tenant"
	"github.com/plein-nl/plein/services/settlement"
)

// settleTarget adds --tenant and --period to fs; the function it returns parses args
// into fs and reads them, for the command name.
func settleTarget(fs *flag.FlagSet, name string) func(args []string) (tenant.ID, bijstand.Period, error) {
	tf := fs.String("tenant", "", "the gemeente: an applied tenant id (required)")
	pf := fs.String("period", "", "the month, YYYY-MM (required)")
	return func(args []string) (t tenant.ID, p bijstand.Period, err error) {
		if err = parseFlags(fs, args); err != nil || fs.NArg() > 0 {
			return t, p, cmp.Or(err, error(usageError{fmt.Sprintf("%s: unexpected argument %q", name, fs.Arg(0))}))
		}
		if t, err = tenant.Parse(*tf); err != nil {
			return t, p, usageError{name + ": --tenant is required: an applied tenant id, such as zwolle"}
		}
		if p, err = bijstand.ParsePeriod(*pf); err != nil {
			return t, p, usageError{name + ": --period is required as YYYY-MM: " + err.Error()}
		}
		return t, p, nil
	}
}

// cmdSettle runs or resumes a period's settlement run to its end, working its jobs in
// this process (next to any other workers), and writes the files; `plein settle replay`
// replays a final run.
func cmdSettle(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "replay" {
		return cmdSettleReplay(ctx, args[1:], stdout, stderr)
	}
	fs, dataDir := dbFlags("settle", stderr, dataDirEnvHelp)
	target := settleTarget(fs, "plein settle")
	out := fs.String("out", "", "directory to write the SEPA files, specifications and reconciliation.json to (required)")
	dryRun := fs.Bool("dry-run", false, "compute and reconcile only: nothing is posted or paid; writes reconciliation.json")
	batch := fs.Int("batch-size", 0, "residents per batch job (default 2500)")
	ackStale := fs.Bool("acknowledge-stale-law", false, "settle as final a month whose law data is stale (past the next indexation of the newest law file); recorded in the run")
	var o settlement.SettleOptions
	var err error
	if o.Tenant, o.Period, err = target(args); err != nil {
		return err
	}
	o.Out, o.DryRun, o.AcknowledgeStaleLaw = *out, *dryRun, *ackStale
	switch {
	case o.Out == "":
		return usageError{"plein settle: --out is required: the directory to write the files to"}
	case *batch < 0 || *batch > 100000:
		return usageError{"plein settle: --batch-size must be 1 to 100000"}
	}
	o.Starter, o.Approver = settlement.CLIActors(os.Getenv(db.EnvDatabaseURL) != "")
	settlement.OneRunGC()
	log := observe.NewEnvLogger(stderr)
	clk, err := businessClock("settle", log)
	if err != nil {
		return err
	}
	p, err := openBackend(ctx, *dataDir, log, needDir|needKeys)
	if err != nil {
		return err
	}
	defer p.Close(ctx)
	insert, err := jobs.NewClient(p.app, jobs.Config{})
	if err != nil {
		return err
	}
	svc, err := newSettlement(settlementDeps{pool: p.app, dir: p.dir, jobs: insert, batch: *batch, now: clk.Now})
	if err != nil {
		return err
	}
	quiet := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	jc, err := jobs.Start(ctx, p.app, jobs.Config{Workers: workers(p.app, svc, p.keys, clk.Now), Logger: quiet, MaxWorkers: settlement.CLIWorkers})
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

// cmdSettleReplay replays a final run from its items' receipts (settlement.Replay).
func cmdSettleReplay(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, dataDir := dbFlags("settle replay", stderr, dataDirEnvHelp)
	target := settleTarget(fs, "plein settle replay")
	runID := fs.String("run", "", "the run id (default: the period's final run)")
	t, period, err := target(args)
	if err != nil {
		return err
	}
	p, err := openBackend(ctx, *dataDir, observe.NewEnvLogger(stderr), needApp)
	if err != nil {
		return err
	}
	defer p.Close(ctx)
	return settlement.ReplayCommand(ctx, settlement.NewService(settlement.Config{App: p.app}), t, period, *runID, stdout)
}
