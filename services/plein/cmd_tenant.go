package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/user"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/plein-nl/plein/platform/db"
	"github.com/plein-nl/plein/platform/tenant"
	"github.com/plein-nl/plein/services/controlplane"
	"github.com/plein-nl/plein/services/tenancy"
)

func cmdMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || (args[0] != "up" && args[0] != "status") {
		return usageError{"plein migrate: want up or status"}
	}
	fs := newFlags("migrate "+args[0], stderr)
	dataDir := fs.String("data-dir", "./.plein", "data directory of the local PostgreSQL")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	log := newLogger(stderr)
	dbs, err := openDatabases(ctx, *dataDir, log) // migrates the local database itself
	if err != nil {
		return err
	}
	defer dbs.close(ctx)
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
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SOURCE\tVERSION\tSTATE\tNAME")
	for _, s := range st {
		state := "pending"
		if s.Applied {
			state = "applied"
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\n", s.Source, s.Version, state, s.Name)
	}
	return tw.Flush()
}

func cmdTenant(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usageError{"plein tenant: want apply, list, show, suspend, resume, events, offboard or purge"}
	}
	switch args[0] {
	case "apply":
		return cmdTenantApply(ctx, args[1:], stdout, stderr)
	case "list":
		return cmdTenantList(ctx, args[1:], stdout, stderr)
	case "show":
		return cmdTenantShow(ctx, args[1:], stdout, stderr)
	case "suspend":
		return cmdTenantTransition(ctx, "suspend", tenancy.StatusSuspended, args[1:], stdout, stderr)
	case "resume":
		return cmdTenantTransition(ctx, "resume", tenancy.StatusActive, args[1:], stdout, stderr)
	case "events":
		return cmdTenantEvents(ctx, args[1:], stdout, stderr)
	case "offboard":
		return cmdTenantOffboard(ctx, args[1:], stdout, stderr)
	case "purge":
		return cmdTenantPurge(ctx, args[1:], stdout, stderr)
	}
	return usageError{fmt.Sprintf("plein tenant: unknown subcommand %q", args[0])}
}

func defaultAuthor() string {
	name := "unknown"
	if u, err := user.Current(); err == nil {
		name = u.Username
	}
	host, _ := os.Hostname()
	return name + "@" + host
}

func cmdTenantApply(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("tenant apply", stderr)
	file := fs.String("f", "", "a tenant config file, or a directory of them (required)")
	dryRun := fs.Bool("dry-run", false, "validate everything and show the diff; write nothing")
	author := fs.String("author", defaultAuthor(), "who applies (recorded with the version)")
	dataDir := fs.String("data-dir", "./.plein", "data directory of the local PostgreSQL")
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
	log := newLogger(stderr)
	dbs, err := openDatabases(ctx, *dataDir, log)
	if err != nil {
		return err
	}
	defer dbs.close(ctx)
	control, err := dbs.Control(ctx)
	if err != nil {
		return err
	}
	jc, err := insertOnlyJobs(control)
	if err != nil {
		return err
	}
	changes, err := tenancy.NewStore(control, jc).Apply(ctx, loaded, *author, *dryRun)
	if err != nil {
		return err
	}
	printChanges(stdout, changes, *dryRun)
	return nil
}

func printChanges(w io.Writer, changes []tenancy.Change, dryRun bool) {
	verb := "applied"
	if dryRun {
		verb = "would apply (dry run, nothing written)"
	}
	for _, c := range changes {
		switch c.Status {
		case "unchanged":
			if c.Pending {
				fmt.Fprintf(w, "%s: unchanged (version %d, pending from %s; version %d in force)\n", c.Tenant, c.Version, tenancy.FormatTime(c.ValidFrom), c.InForce)
				continue
			}
			fmt.Fprintf(w, "%s: unchanged (version %d)\n", c.Tenant, c.Version)
		default:
			fmt.Fprintf(w, "%s: %s, %s version %d (%s)\n", c.Tenant, c.Status, verb, c.Version, c.File)
			fmt.Fprintln(w, "    "+validFromLine(c))
			for _, line := range strings.Split(strings.TrimSuffix(c.Diff, "\n"), "\n") {
				if strings.HasPrefix(line, "+ ") || strings.HasPrefix(line, "- ") {
					fmt.Fprintln(w, "    "+line)
				}
			}
		}
	}
}

// validFromLine says when a new version takes effect, on a line of its own: valid_from
// is not part of the config, so not of its diff.
func validFromLine(c tenancy.Change) string {
	if !c.Pending {
		return "valid from " + tenancy.FormatTime(c.ValidFrom) + " (at once)"
	}
	if c.InForce == 0 {
		return "valid from " + tenancy.FormatTime(c.ValidFrom) + " (pending)"
	}
	return fmt.Sprintf("valid from %s (pending: version %d stays in force until then)", tenancy.FormatTime(c.ValidFrom), c.InForce)
}

func cmdTenantList(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("tenant list", stderr)
	dataDir := fs.String("data-dir", "./.plein", "data directory of the local PostgreSQL")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	store, done, err := controlStore(ctx, *dataDir, stderr)
	if err != nil {
		return err
	}
	defer done()
	list, err := store.List(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(list)
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tSTATUS\tVERSION\tPENDING\tHOSTS")
	for _, t := range list {
		pending := "-"
		if len(t.Pending) > 0 {
			var ps []string
			for _, p := range t.Pending {
				ps = append(ps, fmt.Sprintf("v%d from %s", p.Version, tenancy.FormatTime(p.ValidFrom)))
			}
			pending = strings.Join(ps, ", ")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\n", t.ID, t.Name, t.Status, t.Version, pending, strings.Join(t.Hosts, ","))
	}
	return tw.Flush()
}

func cmdTenantShow(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		return usageError{"plein tenant show: want a tenant id"}
	}
	id, err := tenant.Parse(args[0])
	if err != nil {
		return err
	}
	fs := newFlags("tenant show", stderr)
	dataDir := fs.String("data-dir", "./.plein", "data directory of the local PostgreSQL")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	control, done, err := controlPool(ctx, *dataDir, stderr)
	if err != nil {
		return err
	}
	defer done()
	store := tenancy.NewStore(control, nil)
	hist, err := store.History(ctx, id)
	if err != nil {
		return err
	}
	// The config shown is the one in force; a pending version is listed above it.
	cur, ok := tenancy.InForce(hist)
	if !ok {
		cur = hist[len(hist)-1]
	}
	fmt.Fprintf(stdout, "%s — %s\nversion %d in force since %s, applied %s by %s from %s\n",
		cur.Tenant, cur.Config.Name, cur.Version, tenancy.FormatTime(cur.ValidFrom), cur.AppliedAt, cur.Author, cur.File)
	for i := len(hist) - 1; i >= 0; i-- {
		if v := hist[i]; v.State == tenancy.StatePending {
			fmt.Fprintf(stdout, "version %d pending: takes effect at %s (applied %s by %s)\n", v.Version, tenancy.FormatTime(v.ValidFrom), v.AppliedAt, v.Author)
		}
	}
	fmt.Fprintf(stdout, "\n%s\nhistory:\n", cur.Config.Canonical())
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  VERSION\tVALID FROM\tSTATE\tAPPLIED\tBY")
	for _, v := range hist {
		fmt.Fprintf(tw, "  v%d\t%s\t%s\t%s\t%s\n", v.Version, tenancy.FormatTime(v.ValidFrom), strings.ReplaceAll(v.State, "_", " "), v.AppliedAt, v.Author)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	// What the control plane found in Kubernetes, written back onto the tenant.
	conds, err := controlplane.NewConditions(control).Get(ctx, string(id))
	if err != nil {
		return err
	}
	if len(conds) == 0 {
		fmt.Fprintln(stdout, "\nconditions: none yet (no control plane has reconciled this tenant)")
		return nil
	}
	fmt.Fprintln(stdout, "\nconditions (plein controlplane):")
	tw = tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  TYPE\tSTATUS\tREASON\tVERSION\tSINCE\tMESSAGE")
	for _, c := range conds {
		fmt.Fprintf(tw, "  %s\t%s\t%s\tv%d\t%s\t%s\n", c.Type, c.Status, c.Reason, c.ObservedVersion,
			c.LastTransitionTime.UTC().Format(time.RFC3339), c.Message)
	}
	return tw.Flush()
}

// cmdTenantTransition moves a tenant in its lifecycle: suspend (portal read-only with a
// banner, settlement frozen, nothing deleted) or resume.
func cmdTenantTransition(ctx context.Context, verb string, to tenancy.Status, args []string, stdout, stderr io.Writer) error {
	id, err := tenantArg(verb, args)
	if err != nil {
		return err
	}
	fs := newFlags("tenant "+verb, stderr)
	reason := fs.String("reason", "", "why (required; recorded with the event)")
	author := fs.String("author", defaultAuthor(), "who does it (recorded with the event)")
	dataDir := fs.String("data-dir", "./.plein", "data directory of the local PostgreSQL")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	if strings.TrimSpace(*reason) == "" {
		return usageError{"plein tenant " + verb + ": --reason is required"}
	}
	store, done, err := controlStore(ctx, *dataDir, stderr)
	if err != nil {
		return err
	}
	defer done()
	ev, err := store.Transition(ctx, id, to, *author, *reason)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: %s → %s (event %d, by %s: %s)\n", ev.Tenant, ev.From, ev.To, ev.Seq, ev.Actor, ev.Reason)
	return nil
}

// cmdTenantEvents prints a tenant's lifecycle events.
func cmdTenantEvents(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	id, err := tenantArg("events", args)
	if err != nil {
		return err
	}
	fs := newFlags("tenant events", stderr)
	dataDir := fs.String("data-dir", "./.plein", "data directory of the local PostgreSQL")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	store, done, err := controlStore(ctx, *dataDir, stderr)
	if err != nil {
		return err
	}
	defer done()
	evs, err := store.Events(ctx, id)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SEQ\tAT\tFROM\tTO\tBY\tREASON")
	for _, e := range evs {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", e.Seq, e.At.Format(time.RFC3339), e.From, e.To, e.Actor, e.Reason)
	}
	return tw.Flush()
}

// controlStore opens the tenant registry as the control plane (plein_control) for a
// tenant subcommand; done closes it.
func controlStore(ctx context.Context, dataDir string, stderr io.Writer) (*tenancy.Store, func(), error) {
	control, done, err := controlPool(ctx, dataDir, stderr)
	if err != nil {
		return nil, nil, err
	}
	return tenancy.NewStore(control, nil), done, nil
}

// controlPool opens the plein_control pool of a tenant command.
func controlPool(ctx context.Context, dataDir string, stderr io.Writer) (*pgxpool.Pool, func(), error) {
	dbs, err := openDatabases(ctx, dataDir, newLogger(stderr))
	if err != nil {
		return nil, nil, err
	}
	control, err := dbs.Control(ctx)
	if err != nil {
		dbs.close(ctx)
		return nil, nil, err
	}
	return control, func() { dbs.close(ctx) }, nil
}

// tenantArg reads the tenant id that a `plein tenant <verb> ID [flags]` command takes
// first; a missing or malformed id is a usage error.
func tenantArg(verb string, args []string) (tenant.ID, error) {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		return "", usageError{"plein tenant " + verb + ": want a tenant id"}
	}
	id, err := tenant.Parse(args[0])
	if err != nil {
		return "", usageError{"plein tenant " + verb + ": " + err.Error()}
	}
	return id, nil
}
