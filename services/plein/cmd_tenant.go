package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/plein-nl/plein/platform/db"
	"github.com/plein-nl/plein/platform/jobs"
	"github.com/plein-nl/plein/platform/keyring"
	"github.com/plein-nl/plein/platform/observe"
	"github.com/plein-nl/plein/platform/tenant"
	"github.com/plein-nl/plein/services/controlplane"
	"github.com/plein-nl/plein/services/residents"
	"github.com/plein-nl/plein/services/tenancy"
	"github.com/plein-nl/plein/services/tenancy/tenantctl"
)

func cmdMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || (args[0] != "up" && args[0] != "status") {
		return usageError{"plein migrate: want up or status"}
	}
	fs, dataDir := dbFlags("migrate "+args[0], stderr, dataDirHelp)
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	log := observe.NewEnvLogger(stderr)
	dbs, err := db.OpenDatabases(ctx, *dataDir, log) // migrates the local database itself
	if err != nil {
		return err
	}
	defer dbs.Close(ctx)
	owner, err := dbs.OwnerURL()
	if err != nil {
		return err
	}
	if args[0] == "up" {
		if err := db.Migrate(ctx, owner, log); err != nil {
			return err
		}
		fmt.Fprintln(stdout, "migrations: up to date")
		return nil
	}
	st, err := db.Status(ctx, owner)
	if err != nil {
		return err
	}
	return db.WriteStatus(stdout, st)
}

// tenantCommands are the subcommands of plein tenant; suspend and resume are
// cmdTenantTransition's.
var tenantCommands = map[string]command{
	"apply": cmdTenantApply, "list": cmdTenantList, "show": cmdTenantShow, "events": cmdTenantEvents,
	"offboard": cmdTenantOffboard, "purge": cmdTenantPurge, "keys": cmdTenantKeys,
}

func cmdTenant(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usageError{"plein tenant: want apply, list, show, suspend, resume, events, offboard, purge or keys"}
	}
	switch args[0] {
	case "suspend":
		return cmdTenantTransition(ctx, "suspend", tenancy.StatusSuspended, args[1:], stdout, stderr)
	case "resume":
		return cmdTenantTransition(ctx, "resume", tenancy.StatusActive, args[1:], stdout, stderr)
	}
	if cmd, ok := tenantCommands[args[0]]; ok {
		return cmd(ctx, args[1:], stdout, stderr)
	}
	return usageError{fmt.Sprintf("plein tenant: unknown subcommand %q", args[0])}
}

// parseTenantArgs parses `plein tenant <verb> ID [flags]`: a missing or malformed id
// is a usage error.
func parseTenantArgs(verb string, fs *flag.FlagSet, args []string) (tenant.ID, error) {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		return "", usageError{"plein tenant " + verb + ": want a tenant id"}
	}
	id, err := tenant.Parse(args[0])
	if err != nil {
		return "", usageError{"plein tenant " + verb + ": " + err.Error()}
	}
	return id, parseFlags(fs, args[1:])
}

// withControl opens the plein_control pool of a tenant command for fn, and closes it.
func withControl(ctx context.Context, dataDir string, stderr io.Writer, fn func(p *backend, store *tenancy.Store) error) error {
	p, err := openBackend(ctx, dataDir, observe.NewEnvLogger(stderr), needControl)
	if err != nil {
		return err
	}
	defer p.Close(ctx)
	return fn(p, tenancy.NewStore(p.control, nil))
}

func cmdTenantApply(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, dataDir := dbFlags("tenant apply", stderr, dataDirHelp)
	file := fs.String("f", "", "a tenant config file, or a directory of them (required)")
	dryRun := fs.Bool("dry-run", false, "validate everything and show the diff; write nothing")
	author := fs.String("author", tenantctl.DefaultAuthor(), "who applies (recorded with the version)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *file == "" {
		return usageError{"plein tenant apply: -f FILE|DIR is required"}
	}
	// Everything that can be checked without the database is checked first.
	loaded, err := tenancy.LoadPath(*file)
	if err != nil {
		return err
	}
	return withControl(ctx, *dataDir, stderr, func(p *backend, _ *tenancy.Store) error {
		jc, err := jobs.NewClient(p.control, jobs.Config{})
		if err != nil {
			return err
		}
		return tenantctl.Apply(ctx, stdout, tenancy.NewStore(p.control, jc), loaded, *author, *dryRun)
	})
}

func cmdTenantList(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, dataDir := dbFlags("tenant list", stderr, dataDirHelp)
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	return withControl(ctx, *dataDir, stderr, func(_ *backend, store *tenancy.Store) error {
		return tenantctl.List(ctx, stdout, store, *asJSON)
	})
}

func cmdTenantShow(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, dataDir := dbFlags("tenant show", stderr, dataDirHelp)
	id, err := parseTenantArgs("show", fs, args)
	if err != nil {
		return err
	}
	return withControl(ctx, *dataDir, stderr, func(p *backend, store *tenancy.Store) error {
		return tenantctl.Show(ctx, stdout, store, controlplane.NewConditions(p.control), id)
	})
}

// cmdTenantTransition moves a tenant in its lifecycle: suspend or resume.
func cmdTenantTransition(ctx context.Context, verb string, to tenancy.Status, args []string, stdout, stderr io.Writer) error {
	fs, dataDir := dbFlags("tenant "+verb, stderr, dataDirHelp)
	reason := fs.String("reason", "", "why (required; recorded with the event)")
	author := fs.String("author", tenantctl.DefaultAuthor(), "who does it (recorded with the event)")
	id, err := parseTenantArgs(verb, fs, args)
	if err != nil {
		return err
	}
	if strings.TrimSpace(*reason) == "" {
		return usageError{"plein tenant " + verb + ": --reason is required"}
	}
	return withControl(ctx, *dataDir, stderr, func(_ *backend, store *tenancy.Store) error {
		return tenantctl.Transition(ctx, stdout, store, id, to, *author, *reason)
	})
}

func cmdTenantEvents(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, dataDir := dbFlags("tenant events", stderr, dataDirHelp)
	id, err := parseTenantArgs("events", fs, args)
	if err != nil {
		return err
	}
	return withControl(ctx, *dataDir, stderr, func(_ *backend, store *tenancy.Store) error {
		return tenantctl.Events(ctx, stdout, store, id)
	})
}

func cmdTenantOffboard(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, dataDir := dbFlags("tenant offboard", stderr, dataDirHelp)
	export := fs.String("export", "", "the export bundle to write (a new .tar.gz file; required)")
	dryRun := fs.Bool("dry-run", false, "write and check the bundle, show what a purge would delete; change nothing")
	reason := fs.String("reason", "", "why (required without --dry-run; recorded with the event)")
	author := fs.String("author", tenantctl.DefaultAuthor(), "who does it (recorded with the event and in the gemeente's audit log)")
	graceFlag := fs.String("grace", "30d", "how long the data are kept after the export before they are purged (720h, 30d)")
	id, err := parseTenantArgs("offboard", fs, args)
	if err != nil {
		return err
	}
	if *export == "" {
		return usageError{"plein tenant offboard: --export FILE is required: a gemeente is never offboarded without the export of its data"}
	}
	if !*dryRun && strings.TrimSpace(*reason) == "" {
		return usageError{"plein tenant offboard: --reason is required"}
	}
	grace, err := tenantctl.ParseGrace(*graceFlag)
	if err != nil {
		return usageError{"plein tenant offboard: --grace: " + err.Error()}
	}
	if err := tenantctl.CheckExport(*export); err != nil {
		return err
	}
	log := observe.NewEnvLogger(stderr)
	p, err := openBackend(ctx, *dataDir, log, needApp|needControl|needKeys)
	if err != nil {
		return err
	}
	defer p.Close(ctx)
	return tenantctl.Offboard{Store: tenancy.NewStore(p.control, nil), App: p.app, Tenant: id, Export: *export,
		DryRun: *dryRun, Author: *author, Reason: *reason, Grace: grace,
		Keys: func() (tenancy.Sealer, error) { return p.keys.For(ctx, id) },
	}.Run(ctx, stdout)
}

// cmdTenantPurge deletes an offboarding tenant's data once its grace period is over.
func cmdTenantPurge(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, dataDir := dbFlags("tenant purge", stderr, dataDirHelp)
	author := fs.String("author", tenantctl.DefaultAuthor(), "who does it (recorded with the event)")
	id, err := parseTenantArgs("purge", fs, args)
	if err != nil {
		return err
	}
	k, err := keyring.LoadKMS(*dataDir, os.Getenv(db.EnvDatabaseURL) == "")
	if err != nil {
		return err
	}
	return withControl(ctx, *dataDir, stderr, func(_ *backend, store *tenancy.Store) error {
		return tenantctl.Purge(ctx, stdout, store.WithShredder(keyring.Shredder{KMS: k}), id, *author)
	})
}

func cmdTenantKeys(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || !tenantctl.KeysVerb(args[0]) {
		return usageError{"plein tenant keys: want show, rotate or reseal"}
	}
	fs, dataDir := dbFlags("tenant keys "+args[0], stderr, dataDirHelp)
	kek := fs.Bool("kek", false, "rotate the key-encryption key (re-wraps the data keys) instead of the data key")
	id, err := parseTenantArgs("keys "+args[0], fs, args[1:])
	if err != nil {
		return err
	}
	p, err := openBackend(ctx, *dataDir, observe.NewEnvLogger(stderr), needDir|needKeys)
	if err != nil {
		return err
	}
	defer p.Close(ctx)
	return tenantctl.Keys{Ring: p.keys, Reseal: residents.NewResealer(p.app, p.keys, p.dir), Tenant: id}.Run(ctx, stdout, args[0], *kek)
}
