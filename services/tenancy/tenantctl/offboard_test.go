package tenantctl

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/plein-nl/plein/platform/bsn/bsntest"
	"github.com/plein-nl/plein/services/tenancy"
)

func TestParseGrace(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"30d", 30 * 24 * time.Hour, true},
		{"720h", 720 * time.Hour, true},
		{"1d12h", 36 * time.Hour, true},
		{"0", 0, true},
		{"0d", 0, true},
		{"-1h", 0, false},
		{"-1d", 0, false},
		{"30 dagen", 0, false},
		{"d", 0, false},
		{"", 0, false},
	} {
		got, err := ParseGrace(c.in)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("ParseGrace(%q) = %s, %v; want %s (ok %v)", c.in, got, err, c.want, c.ok)
		}
	}
}

func TestFormatGrace(t *testing.T) {
	t.Parallel()
	for in, want := range map[time.Duration]string{0: "0 days", 30 * 24 * time.Hour: "30 days", 36 * time.Hour: "36h0m0s"} {
		if got := formatGrace(in); got != want {
			t.Errorf("formatGrace(%s) = %q, want %q", in, got, want)
		}
	}
}

func TestWriteCounts(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	if err := writeCounts(&out, map[string]int64{"residents": 4, "audit_log": 2}); err != nil {
		t.Fatal(err)
	}
	want := "      TABLE  ROWS\n  audit_log     2\n  residents     4\n      total     6\n"
	if out.String() != want {
		t.Errorf("got\n%s\nwant\n%s", out.String(), want)
	}
}

// TestWriteBundleNamesOnlyACheckedBundle: a bundle that cannot be written or does not
// check out leaves no file under its name and no partial file next to it.
func TestWriteBundleNamesOnlyACheckedBundle(t *testing.T) {
	t.Parallel()
	for name, write := range map[string]func(w io.Writer, spool string) (tenancy.Manifest, error){
		"the export fails": func(io.Writer, string) (tenancy.Manifest, error) {
			return tenancy.Manifest{}, errors.New("the database went away")
		},
		"not a bundle": func(w io.Writer, _ string) (tenancy.Manifest, error) {
			_, err := io.WriteString(w, "no tar, no gzip")
			return tenancy.Manifest{Tenant: "zwolle"}, err
		},
	} {
		dir := t.TempDir()
		path := filepath.Join(dir, "zwolle.tar.gz")
		if _, err := writeBundle(path, write); err == nil {
			t.Errorf("%s: no error", name)
		}
		if left, _ := os.ReadDir(dir); len(left) != 0 {
			t.Errorf("%s: left %v", name, left)
		}
	}
}

// countsTable is the table of rows per table that a purge deleted or would delete:
// right-aligned, ordered by table, with the total.
var countsTable = regexp.MustCompile(`\n +TABLE  ROWS\n(?: +[a-z_.]+ +\d+\n)*? +residents +\d+\n(?: +[a-z_.]+ +\d+\n)* +total +\d+\n$`)

// TestOffboardAndPurge: a dry run writes a checked bundle and changes nothing; an
// export is never overwritten; the offboard moves the tenant and says when its data
// go; the purge says what it deleted.
func TestOffboardAndPurge(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	run(t, "apply", func(w io.Writer) error { return Apply(ctx, w, b.store, b.load(t), "tester", false) })
	sealer := bsntest.Sealer(t)
	keysAsked := 0
	out := t.TempDir()
	o := Offboard{Store: b.store, App: b.d.App, Tenant: "zwolle", Export: filepath.Join(out, "dry.tar.gz"), DryRun: true,
		Author: "op@coop", Grace: 0, Keys: func() (tenancy.Sealer, error) { keysAsked++; return sealer, nil }}
	s := run(t, "dry run", func(w io.Writer) error { return o.Run(ctx, w) })
	if !strings.HasPrefix(s, "zwolle: export written to "+o.Export+" and checked: ") ||
		!strings.Contains(s, "\ndry run: nothing changed. A purge of zwolle would now delete:\n") || !countsTable.MatchString(s) {
		t.Errorf("dry run:\n%s", s)
	}
	if st, err := b.store.Status(ctx, "zwolle"); err != nil || st != tenancy.StatusActive {
		t.Errorf("after the dry run zwolle is %s (%v), want active", st, err)
	}
	if err := o.Run(ctx, io.Discard); err == nil || !strings.Contains(err.Error(), "an export is never overwritten") {
		t.Errorf("an export over an existing file: %v", err)
	}

	o.Tenant, o.Export = "amersfoort", filepath.Join(out, "amersfoort.tar.gz")
	if err := o.Run(ctx, io.Discard); !errors.Is(err, tenancy.ErrTenantNotFound) || keysAsked != 1 {
		t.Errorf("an unknown tenant: %v, keys asked %d times; want ErrTenantNotFound and no keys", err, keysAsked)
	}
	if _, err := os.Stat(o.Export); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a refused offboard wrote a bundle: %v", err)
	}

	o.Tenant, o.Export, o.DryRun, o.Reason = "zwolle", filepath.Join(out, "zwolle.tar.gz"), false, "fusie"
	s = run(t, "offboard", func(w io.Writer) error { return o.Run(ctx, w) })
	if !strings.Contains(s, "\n\nzwolle: active → offboarding (event 1, by op@coop: fusie)\n") ||
		!strings.Contains(s, "(grace 0 days); until then the portal is read-only and the staff API refuses changes\n") {
		t.Errorf("offboard:\n%s", s)
	}
	s = run(t, "purge", func(w io.Writer) error { return Purge(ctx, w, b.store, "zwolle", "op@coop") })
	if !strings.HasPrefix(s, "zwolle: purged by op@coop at ") || !countsTable.MatchString(s) {
		t.Errorf("purge:\n%s", s)
	}
	if st, err := b.store.Status(ctx, "zwolle"); err != nil || st != tenancy.StatusOffboarded {
		t.Errorf("after the purge zwolle is %s (%v), want offboarded", st, err)
	}
}
