package tenantctl

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

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/plein-nl/plein/platform/tenant"
	"github.com/plein-nl/plein/services/tenancy"
)

// Offboard ends a gemeente's use of Plein: Run writes the export bundle of all its
// data, checks it, and moves the tenant to offboarding with a grace period after which
// its rows are purged (Purge, or the periodic job). A dry run writes and checks the
// bundle, shows what a purge would delete, and changes nothing.
type Offboard struct {
	Store  *tenancy.Store // as plein_control
	App    *pgxpool.Pool  // the export reads as plein_app
	Tenant tenant.ID
	Export string // the bundle to write: a new file
	DryRun bool
	Author string
	Reason string // required without DryRun
	Grace  time.Duration
	// Keys opens the BSN keys: the gemeente owns its residents' BSNs and cannot use our
	// ciphertext, so the bundle holds them in clear. It is called only once the tenant
	// is known to be offboardable.
	Keys func() (tenancy.Sealer, error)
}

// CheckExport refuses an export path where a file is: an export is never overwritten.
func CheckExport(path string) error {
	if _, err := os.Lstat(path); err == nil {
		return fmt.Errorf("plein tenant offboard: %s exists: an export is never overwritten; choose another file", path)
	}
	return nil
}

// Run offboards o.Tenant, writing what it did to w.
func (o Offboard) Run(ctx context.Context, w io.Writer) error {
	if err := CheckExport(o.Export); err != nil {
		return err
	}
	// No bundle is made for a tenant that cannot be offboarded.
	var err error
	if o.DryRun {
		_, err = o.Store.Status(ctx, o.Tenant)
	} else {
		err = o.Store.CheckOffboard(ctx, o.Tenant)
	}
	if err != nil {
		return err
	}
	sealer, err := o.Keys()
	if err != nil {
		return fmt.Errorf("plein tenant offboard: the BSN keys, to give the gemeente its residents' BSNs: %w", err)
	}
	info, err := writeBundle(o.Export, func(w io.Writer, spool string) (tenancy.Manifest, error) {
		return tenancy.Export(ctx, o.App, o.Tenant, w, tenancy.ExportOptions{Sealer: sealer, Actor: o.Author, DryRun: o.DryRun, TempDir: spool})
	})
	if err != nil {
		return err
	}
	writeBundleInfo(w, o.Tenant, o.Export, info)
	if o.DryRun {
		counts, err := o.Store.PurgePreview(ctx, o.Tenant)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "\ndry run: nothing changed. A purge of %s would now delete:\n", o.Tenant)
		return writeCounts(w, counts)
	}
	off, err := o.Store.Offboard(ctx, o.Tenant, info, o.Author, o.Reason, o.Grace)
	if err != nil {
		return fmt.Errorf("%w (the export %s stays; remove it or keep it)", err, o.Export)
	}
	if off.Event != nil {
		fmt.Fprintln(w)
		writeEvent(w, *off.Event)
	}
	fmt.Fprintf(w, "%s: its data are purged from %s (grace %s); until then the portal is read-only and the staff API refuses changes\n",
		o.Tenant, off.PurgeAfter.UTC().Format(time.RFC3339), formatGrace(o.Grace))
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

func writeBundleInfo(w io.Writer, id tenant.ID, path string, info tenancy.BundleInfo) {
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

// writeCounts writes rows per table, by table name, and their total.
func writeCounts(w io.Writer, counts map[string]int64) error {
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

// Purge deletes an offboarding tenant's data once its grace period is over (the
// periodic job does the same; the database refuses it before then) and writes what it
// deleted.
func Purge(ctx context.Context, w io.Writer, store *tenancy.Store, id tenant.ID, author string) error {
	o, err := store.Purge(ctx, id, author)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "%s: purged by %s at %s and offboarded; deleted:\n", id, o.PurgedBy, o.PurgedAt.UTC().Format(time.RFC3339))
	return writeCounts(w, o.Deleted)
}

// formatGrace shows a grace period as it is usually given: in days when it is whole
// days.
func formatGrace(d time.Duration) string {
	if d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%d days", d/(24*time.Hour))
	}
	return d.String()
}

// ParseGrace reads a grace period: a Go duration (720h) or whole days (30d), or both
// (1d12h). It may be 0 (purge at once), never negative.
func ParseGrace(s string) (time.Duration, error) {
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
