package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/plein-nl/plein/platform/tenant"
	"github.com/plein-nl/plein/services/tenancy"
)

// cmdTenantOffboard ends a gemeente's use of Plein: it writes the export bundle of all
// its data, checks it, and moves the tenant to offboarding with a grace period after
// which its rows are purged (plein tenant purge, or the periodic job). With --dry-run
// it writes and checks the bundle and shows what a purge would delete, and changes
// nothing.
func cmdTenantOffboard(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	id, err := tenantArg("offboard", args)
	if err != nil {
		return err
	}
	fs := newFlags("tenant offboard", stderr)
	export := fs.String("export", "", "the export bundle to write (a new .tar.gz file; required)")
	dryRun := fs.Bool("dry-run", false, "write and check the bundle, show what a purge would delete; change nothing")
	reason := fs.String("reason", "", "why (required without --dry-run; recorded with the event)")
	author := fs.String("author", defaultAuthor(), "who does it (recorded with the event and in the gemeente's audit log)")
	graceFlag := fs.String("grace", "30d", "how long the data are kept after the export before they are purged (720h, 30d)")
	dataDir := fs.String("data-dir", "./.plein", "data directory of the local PostgreSQL")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	if *export == "" {
		return usageError{"plein tenant offboard: --export FILE is required: a gemeente is never offboarded without the export of its data"}
	}
	if !*dryRun && strings.TrimSpace(*reason) == "" {
		return usageError{"plein tenant offboard: --reason is required"}
	}
	grace, err := parseGrace(*graceFlag)
	if err != nil {
		return usageError{"plein tenant offboard: --grace: " + err.Error()}
	}
	if _, err := os.Lstat(*export); err == nil {
		return fmt.Errorf("plein tenant offboard: %s exists: an export is never overwritten; choose another file", *export)
	}

	log := newLogger(stderr)
	dbs, err := openDatabases(ctx, *dataDir, log)
	if err != nil {
		return err
	}
	defer dbs.close(ctx)
	app, err := dbs.App(ctx)
	if err != nil {
		return err
	}
	control, err := dbs.Control(ctx)
	if err != nil {
		return err
	}
	store := tenancy.NewStore(control, nil)
	// No bundle is made for a tenant that cannot be offboarded.
	if *dryRun {
		_, err = store.Status(ctx, id)
	} else {
		err = store.CheckOffboard(ctx, id)
	}
	if err != nil {
		return err
	}
	// The gemeente owns its residents' BSNs and cannot use our ciphertext: the bundle
	// holds them in clear, opened with the app's own keys.
	sealer, err := bsnSealer(*dataDir, dbs.local != nil)
	if err != nil {
		return fmt.Errorf("plein tenant offboard: the BSN keys, to give the gemeente its residents' BSNs: %w", err)
	}
	info, err := writeBundle(*export, func(w io.Writer, spool string) (tenancy.Manifest, error) {
		return tenancy.Export(ctx, app, id, w, tenancy.ExportOptions{Sealer: sealer, Actor: *author, DryRun: *dryRun, TempDir: spool})
	})
	if err != nil {
		return err
	}
	printBundle(stdout, id, *export, info)
	if *dryRun {
		counts, err := store.PurgePreview(ctx, id)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "\ndry run: nothing changed. A purge of %s would now delete:\n", id)
		return printCounts(stdout, counts)
	}
	o, err := store.Offboard(ctx, id, info, *author, *reason, grace)
	if err != nil {
		return fmt.Errorf("%w (the export %s stays; remove it or keep it)", err, *export)
	}
	if ev := o.Event; ev != nil {
		fmt.Fprintf(stdout, "\n%s: %s → %s (event %d, by %s: %s)\n", ev.Tenant, ev.From, ev.To, ev.Seq, ev.Actor, ev.Reason)
	}
	fmt.Fprintf(stdout, "%s: its data are purged from %s (grace %s); until then the portal is read-only and the staff API refuses changes\n",
		id, o.PurgeAfter.UTC().Format(time.RFC3339), fmtGrace(grace))
	return nil
}

// writeBundle writes a bundle with write into a new file next to path, checks it by
// reading it back, and only then gives it its name: a bundle under that name is always
// complete and checked. The tables are spooled in the same directory.
func writeBundle(path string, write func(w io.Writer, spool string) (tenancy.Manifest, error)) (tenancy.BundleInfo, error) {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.partial")
	if err != nil {
		return tenancy.BundleInfo{}, fmt.Errorf("export: %w", err)
	}
	done := false
	defer func() {
		if !done {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	m, err := write(f, dir)
	if err != nil {
		return tenancy.BundleInfo{}, err
	}
	if err := f.Sync(); err != nil {
		return tenancy.BundleInfo{}, fmt.Errorf("export: %w", err)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return tenancy.BundleInfo{}, fmt.Errorf("export: %w", err)
	}
	vm, info, err := tenancy.VerifyBundle(f)
	if err != nil {
		return tenancy.BundleInfo{}, fmt.Errorf("export: the bundle does not check out: %w", err)
	}
	if vm.Tenant != m.Tenant || len(vm.Files) != len(m.Files) {
		return tenancy.BundleInfo{}, fmt.Errorf("export: %w: read back another manifest than was written", tenancy.ErrBundleInvalid)
	}
	if err := f.Close(); err != nil {
		return tenancy.BundleInfo{}, fmt.Errorf("export: %w", err)
	}
	// A hard link does not replace a file that appeared meanwhile, as a rename would.
	if err := os.Link(f.Name(), path); err != nil {
		return tenancy.BundleInfo{}, fmt.Errorf("export: %w", err)
	}
	done = true
	os.Remove(f.Name())
	return info, nil
}

func printBundle(w io.Writer, id tenant.ID, path string, info tenancy.BundleInfo) {
	var rows int64
	var tables, files int
	for _, f := range info.Manifest.Files {
		if f.Rows != nil {
			rows += *f.Rows
			tables++
		} else {
			files++
		}
	}
	fmt.Fprintf(w, "%s: export written to %s and checked: %d bytes, sha256 %s\n", id, path, info.Bytes, info.SHA256)
	fmt.Fprintf(w, "  %d rows in %d tables, %d stored files", rows, tables, files)
	if info.Manifest.BSNInClear {
		fmt.Fprint(w, "; the residents' BSNs are in clear: keep the bundle confidential")
	}
	fmt.Fprintln(w)
}

func printCounts(w io.Writer, counts map[string]int64) error {
	names := make([]string, 0, len(counts))
	var total int64
	for n, c := range counts {
		names = append(names, n)
		total += c
	}
	slices.Sort(names)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "TABLE\tROWS\t")
	for _, n := range names {
		fmt.Fprintf(tw, "%s\t%d\t\n", n, counts[n])
	}
	fmt.Fprintf(tw, "total\t%d\t\n", total)
	return tw.Flush()
}

// cmdTenantPurge deletes an offboarding tenant's data once its grace period is over
// (the periodic job does the same); the database refuses it before then.
func cmdTenantPurge(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	id, err := tenantArg("purge", args)
	if err != nil {
		return err
	}
	fs := newFlags("tenant purge", stderr)
	author := fs.String("author", defaultAuthor(), "who does it (recorded with the event)")
	dataDir := fs.String("data-dir", "./.plein", "data directory of the local PostgreSQL")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	store, done, err := controlStore(ctx, *dataDir, stderr)
	if err != nil {
		return err
	}
	defer done()
	o, err := store.Purge(ctx, id, *author)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: purged by %s at %s and offboarded; deleted:\n", id, o.PurgedBy, o.PurgedAt.UTC().Format(time.RFC3339))
	return printCounts(stdout, o.Deleted)
}

// fmtGrace shows a grace period as it is usually given: in days when it is whole days.
func fmtGrace(d time.Duration) string {
	if d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%d days", d/(24*time.Hour))
	}
	return d.String()
}

// parseGrace reads a grace period: a Go duration (720h) or whole days (30d), or both
// (1d12h). It may be 0 (purge at once), never negative.
func parseGrace(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	var d time.Duration
	if days, rest, ok := strings.Cut(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n < 0 || n > 3650 {
			return 0, fmt.Errorf("%q: days must be a whole number from 0 to 3650", s)
		}
		d, s = time.Duration(n)*24*time.Hour, rest
		if s == "" {
			return d, nil
		}
	}
	x, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%q: want a duration such as 720h or 30d", s)
	}
	if x < 0 {
		return 0, errors.New("a grace period is never negative")
	}
	return d + x, nil
}
