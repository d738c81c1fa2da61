package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/plein-nl/plein/internal/synth"
	"github.com/plein-nl/plein/platform/bijstand"
	"github.com/plein-nl/plein/platform/db"
	"github.com/plein-nl/plein/platform/keyring"
	"github.com/plein-nl/plein/platform/observe"
	"github.com/plein-nl/plein/platform/tenant"
)

// `plein seed` makes a synthetic caseload for demos, tests and benchmarks through the
// services' own APIs. internal/synth draws and makes it; this file reads the flags and
// wires the services.

func cmdSeed(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	log := observe.NewEnvLogger(stderr)
	clk, err := businessClock("seed", log)
	if err != nil {
		return err
	}
	o, dataDir, err := seedFlags(args, stderr, clk.Now)
	if err != nil {
		return err
	}
	// Bad flags are reported before PostgreSQL is started.
	if err := seedError(o.Check()); err != nil {
		return err
	}
	dbs, err := db.OpenDatabases(ctx, dataDir, log)
	if err != nil {
		return err
	}
	defer dbs.Close(ctx)
	appPool, err := dbs.App(ctx)
	if err != nil {
		return err
	}
	keys, err := keyring.Load(appPool, dataDir, dbs.IsLocal())
	if err != nil {
		return err
	}
	// No session is ever issued here; the app only needs a key to be built.
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	a, err := buildApp(ctx, appConfig{log: log, appPool: appPool, sessionKey: key, keys: keys, now: o.Now})
	if err != nil {
		return err
	}
	rep, err := seed(ctx, a, o)
	if err != nil {
		return err
	}
	rep.Print(stdout)
	return nil
}

// seedFlags reads the flags of `plein seed`: the options (on the clock now) and the
// data directory.
func seedFlags(args []string, stderr io.Writer, now func() time.Time) (synth.Options, string, error) {
	fs := newFlags("seed", stderr)
	tenantFlag := fs.String("tenant", "", "the gemeente to seed: an applied tenant id (required)")
	n := fs.Int("residents", 0, fmt.Sprintf("how many residents to make, 1 to %d (required)", synth.MaxResidents))
	periodFlag := fs.String("period", "", "the month of the payslips and plans, YYYY-MM (default: the current month)")
	seedFlag := fs.Uint64("seed", 1, "seed of the random stream: the same seed makes the same caseload")
	workers := fs.Int("workers", synth.DefaultWorkers, "residents seeded at the same time (each call is its own transaction)")
	dataDir := fs.String("data-dir", "./.plein", "data directory of the local PostgreSQL (without PLEIN_DATABASE_URL)")
	if err := parseFlags(fs, args); err != nil {
		return synth.Options{}, "", err
	}
	if fs.NArg() > 0 {
		return synth.Options{}, "", usageError{fmt.Sprintf("plein seed: unexpected argument %q", fs.Arg(0))}
	}
	t, err := tenant.Parse(*tenantFlag)
	if err != nil && *tenantFlag != "" {
		return synth.Options{}, "", usageError{fmt.Sprintf("plein seed: --tenant: %v", err)}
	}
	o := synth.Options{Tenant: t, Residents: *n, Seed: *seedFlag, Workers: *workers, Now: now, Progress: stderr}
	o.Period = bijstand.PeriodOf(o.Now())
	if *periodFlag != "" {
		if o.Period, err = bijstand.ParsePeriod(*periodFlag); err != nil {
			return synth.Options{}, "", usageError{"plein seed: --period: " + err.Error()}
		}
	}
	return o, *dataDir, nil
}

// seed makes the caseload of o in a tenant of the app's directory (synth.SeedTenant).
func seed(ctx context.Context, a *app, o synth.Options) (synth.Report, error) {
	rep, err := synth.SeedTenant(ctx, synth.Services{Residents: a.residents, Income: a.income, Plans: a.plans, Creditors: a.creditors}, a.dir, o)
	return rep, seedError(err)
}

// seedError is err of `plein seed`: a refused option is a usage error naming its flag.
func seedError(err error) error {
	var oe *synth.OptionError
	switch {
	case errors.As(err, &oe):
		return usageError{"plein seed: --" + oe.Option + " " + oe.Problem}
	case err != nil:
		return fmt.Errorf("plein seed: %w", err)
	}
	return nil
}
