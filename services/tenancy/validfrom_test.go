package tenancy

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/plein-nl/plein/platform/tenant"
	"github.com/plein-nl/plein/services/tenancy/tenancytest"
)

// copyTenants copies the config and logo of the named real gemeenten into a new
// temporary directory, so that a test does not depend on how many tenants/ holds.
func copyTenants(t *testing.T, ids ...tenant.ID) string {
	t.Helper()
	return tenancytest.Copy(t, realTenants, ids...)
}

// setValidFrom appends a valid_from line to a config file (or replaces the one it has)
// and returns its line number.
func setValidFrom(t *testing.T, file, value string) int {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, l := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
		if !strings.HasPrefix(l, "valid_from:") {
			lines = append(lines, l)
		}
	}
	if value != "" {
		lines = append(lines, "valid_from: "+value)
	}
	if err := os.WriteFile(file, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return len(lines)
}

func rfc3339(t time.Time) string { return t.Format(time.RFC3339Nano) }

func TestParseValidFrom(t *testing.T) {
	t.Parallel()
	fx := readFixture(t)
	ams, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		t.Fatal(err)
	}
	plain, errs := Parse(filepath.Join(fixtureDir, "hengelo.yaml"), []byte(fx.yaml))
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if !plain.ValidFrom.IsZero() {
		t.Errorf("without valid_from: ValidFrom = %v, want zero (at once)", plain.ValidFrom)
	}

	for _, tc := range []struct {
		value string
		want  time.Time
	}{
		// A date is its midnight in the Netherlands: winter and summer time.
		{"2027-01-01", time.Date(2027, 1, 1, 0, 0, 0, 0, ams)},
		{"2027-07-01", time.Date(2027, 7, 1, 0, 0, 0, 0, ams)},
		{`"2027-01-01"`, time.Date(2027, 1, 1, 0, 0, 0, 0, ams)},
		{"2027-01-01T09:30:00+01:00", time.Date(2027, 1, 1, 8, 30, 0, 0, time.UTC)},
		{"2027-01-01T08:30:00.5Z", time.Date(2027, 1, 1, 8, 30, 0, 5e8, time.UTC)},
		// In the past is allowed: it means at once (decided when it is applied).
		{"2020-03-01", time.Date(2020, 3, 1, 0, 0, 0, 0, ams)},
	} {
		l, errs := Parse(filepath.Join(fixtureDir, "hengelo.yaml"), []byte(fx.yaml+"valid_from: "+tc.value+"\n"))
		if len(errs) > 0 {
			t.Errorf("valid_from: %s: %v", tc.value, errs)
			continue
		}
		if !l.ValidFrom.Equal(tc.want) {
			t.Errorf("valid_from: %s: ValidFrom = %v, want %v", tc.value, l.ValidFrom, tc.want)
		}
		// valid_from is not part of the config: the canonical text, which versions are
		// compared and diffed by, is the same as without it.
		if got, want := l.Config.Canonical(), plain.Config.Canonical(); got != want {
			t.Errorf("valid_from: %s changed the canonical config:\n%s\nwant\n%s", tc.value, got, want)
		}
	}
	if d := time.Date(2027, 7, 1, 0, 0, 0, 0, ams); FormatTime(d) != "2027-07-01T00:00:00+02:00" {
		t.Errorf("FormatTime(%v) = %s, want 2027-07-01T00:00:00+02:00", d, FormatTime(d))
	}
}

// A bad valid_from is reported at its line, with the other problems of the file, and
// LoadPath returns nothing to apply.
func TestLoadPathBadValidFrom(t *testing.T) {
	t.Parallel()
	fx := readFixture(t)
	for _, tc := range []struct {
		yaml   string
		line   int
		reason string
	}{
		{"valid_from: 2027-13-01\n", 19, `valid_from: "2027-13-01" is not a date (2027-01-01`},
		{"valid_from: 1 januari 2027\n", 19, `valid_from: "1 januari 2027" is not a date`},
		{"valid_from: 2027-01-01 00:00\n", 19, `valid_from: "2027-01-01 00:00" is not a date`},
		{"valid_from: 2027-01-01T00:00:00\n", 19, `valid_from: "2027-01-01T00:00:00" is not a date`}, // no zone
		{"valid_from:\n", 19, `valid_from: "" is not a date`},
		{"valid_from: [2027-01-01]\n", 19, "valid_from: must be a date (2027-01-01) or an RFC 3339 date-time, not a list"},
		{"valid_from:\n  date: 2027-01-01\n", 20, "valid_from: must be a date (2027-01-01) or an RFC 3339 date-time, not a list or a map"}, // at the map
	} {
		dir := writeFiles(t, map[string]string{"hengelo.yaml": fx.yaml + tc.yaml, "hengelo.svg": fx.svg})
		loaded, err := LoadPath(dir)
		var es Errors
		if !errors.As(err, &es) || !errors.Is(err, ErrInvalidConfig) {
			t.Errorf("%q: LoadPath = %d configs, %v; want Errors", tc.yaml, len(loaded), err)
			continue
		}
		want := fmt.Sprintf("%s:%d: %s", filepath.Join(dir, "hengelo.yaml"), tc.line, tc.reason)
		if len(es) != 1 || !strings.Contains(es[0].Error(), want) {
			t.Errorf("%q: errors %v, want one containing %q", tc.yaml, err, want)
		}
		if loaded != nil {
			t.Errorf("%q: LoadPath returned %d configs with the error", tc.yaml, len(loaded))
		}
	}
}

// TestStoreApplyValidFrom: a version with a future valid_from is stored but not in
// force; List, History and the Directory agree on which one is; later versions are
// diffed against the latest (pending) one and take effect in order; a pending version
// may not change the hosts; and every refused apply writes nothing.
func TestStoreApplyValidFrom(t *testing.T) {
	t.Parallel()
	b := setupStore(t, false)
	b.tenants = copyTenants(t, "enschede", "zwolle")
	ctx := context.Background()
	b.apply(t, b.tenants, "ops")
	zwolle := filepath.Join(b.tenants, "zwolle.yaml")
	applyErr := func(t *testing.T, author string) error {
		t.Helper()
		before := b.state(t)
		changes, err := b.store.Apply(ctx, load(t, b.tenants), author, false)
		if err == nil {
			t.Fatalf("Apply = %+v, want it refused", summarize(changes))
		}
		if after := b.state(t); after != before {
			t.Errorf("refused apply changed the database: before %+v, after %+v", before, after)
		}
		return err
	}

	// Version 2 of zwolle, a new primary colour from an hour from now.
	from2 := time.Now().Add(time.Hour).Truncate(time.Second)
	setValidFrom(t, zwolle, rfc3339(from2))
	rewrite(t, zwolle, zwolleColor, zwolleNewColor)

	// A dry run says so and writes nothing.
	before := b.state(t)
	changes, err := b.store.Apply(ctx, load(t, b.tenants), "ops", true)
	if err != nil {
		t.Fatal(err)
	}
	if zw := changes[1]; zw.Status != "changed" || zw.Version != 2 || !zw.Pending || zw.InForce != 1 || !zw.ValidFrom.Equal(from2) {
		t.Errorf("dry run: zwolle = %+v, want changed to version 2, pending from %v, version 1 in force", zw, from2)
	}
	if after := b.state(t); after != before {
		t.Errorf("dry run wrote: before %+v, after %+v", before, after)
	}

	changes = b.apply(t, b.tenants, "wouter")
	if zw := changes[1]; zw.Status != "changed" || zw.Version != 2 || !zw.Pending || zw.InForce != 1 || !zw.ValidFrom.Equal(from2) {
		t.Fatalf("apply: zwolle = %+v, want changed to version 2, pending from %v, version 1 in force", zw, from2)
	}
	if en := changes[0]; en.Status != "unchanged" || en.Pending || en.InForce != 1 {
		t.Errorf("apply: enschede = %+v, want unchanged with version 1 in force", en)
	}
	var stored time.Time
	if err := b.d.Control.QueryRow(ctx, "SELECT valid_from FROM tenant_config_versions WHERE tenant_id = 'zwolle' AND version = 2").Scan(&stored); err != nil || !stored.Equal(from2) {
		t.Errorf("stored valid_from of zwolle v2 = %v (%v), want %v", stored, err, from2)
	}
	// The diff is of the config only: valid_from is on a line of its own (Change.ValidFrom).
	if lines := diffLines(changes[1].Diff); len(lines) != 2 || strings.Contains(changes[1].Diff, "valid_from") {
		t.Errorf("zwolle's diff: %q, want only the primary colour replaced", lines)
	}

	checkInForce := func(t *testing.T, wantVersion int, wantColor string, wantPending []int) {
		t.Helper()
		list, err := b.store.List(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var got TenantSummary
		for _, ts := range list {
			if ts.ID == "zwolle" {
				got = ts
			}
		}
		var pending []int
		for _, p := range got.Pending {
			pending = append(pending, p.Version)
		}
		if got.Version != wantVersion || !slices.Equal(pending, wantPending) {
			t.Errorf("List: zwolle version %d pending %v, want version %d pending %v", got.Version, pending, wantVersion, wantPending)
		}
		hist, err := b.store.History(ctx, "zwolle")
		if err != nil {
			t.Fatal(err)
		}
		inForce, ok := InForce(hist)
		if !ok || inForce.Version != wantVersion || inForce.Config.Branding.PrimaryColor != wantColor {
			t.Errorf("History: in force %+v, want version %d with %s", inForce, wantVersion, wantColor)
		}
		for _, v := range hist {
			want := StateSuperseded
			switch {
			case slices.Contains(wantPending, v.Version):
				want = StatePending
			case v.Version == wantVersion:
				want = StateInForce
			}
			if v.State != want {
				t.Errorf("History: version %d is %s, want %s", v.Version, v.State, want)
			}
		}
		dir, err := NewDirectory(ctx, b.d.App)
		if err != nil {
			t.Fatal(err)
		}
		if tn, ok := dir.ByID("zwolle"); !ok || tn.Version != wantVersion || tn.Config.Branding.PrimaryColor != wantColor {
			t.Errorf("Directory: zwolle = %+v, want version %d with %s", tn, wantVersion, wantColor)
		}
	}
	checkInForce(t, 1, "#00549F", []int{2})

	// The same file again: unchanged, still pending.
	changes = b.apply(t, b.tenants, "ops")
	if zw := changes[1]; zw.Status != "unchanged" || zw.Version != 2 || !zw.Pending || !zw.ValidFrom.Equal(from2) {
		t.Errorf("unchanged apply: zwolle = %+v, want unchanged at pending version 2", zw)
	}

	// Version 3, later still: diffed against version 2 (pending), not version 1.
	from3 := from2.Add(time.Hour)
	setValidFrom(t, zwolle, rfc3339(from3))
	rewrite(t, zwolle, `secondary_color: "#F2A900"`, `secondary_color: "#F2B900"`)
	changes = b.apply(t, b.tenants, "ops")
	if zw := changes[1]; zw.Status != "changed" || zw.Version != 3 || zw.Previous != 2 || !zw.Pending || zw.InForce != 1 {
		t.Fatalf("version 3: zwolle = %+v, want changed to pending version 3 after 2, version 1 in force", zw)
	}
	if lines := diffLines(changes[1].Diff); len(lines) != 2 || !strings.Contains(lines[0], "#F2A900") || !strings.Contains(lines[1], "#F2B900") {
		t.Errorf("version 3's diff: %q, want only the secondary colour, against version 2", lines)
	}
	checkInForce(t, 1, "#00549F", []int{2, 3})

	// Refused, writing nothing: a change that would take effect before version 3 ...
	rewrite(t, zwolle, `font: "Open Sans, Arial, sans-serif"`, `font: "Arial, sans-serif"`)
	setValidFrom(t, zwolle, "")
	err = applyErr(t, "ops")
	// Without valid_from the error is at the top of the config: line 5, id.
	if want := fmt.Sprintf("zwolle.yaml:5: valid_from: is not set (at once), but version 3 takes effect at %s", FormatTime(from3)); !strings.Contains(err.Error(), want) {
		t.Errorf("a change at once: %v, want %q", err, want)
	}
	line := setValidFrom(t, zwolle, rfc3339(from2))
	err = applyErr(t, "ops")
	if want := fmt.Sprintf("zwolle.yaml:%d: valid_from: is %s, but version 3 takes effect at", line, FormatTime(from2)); !strings.Contains(err.Error(), want) {
		t.Errorf("a change before version 3: %v, want %q", err, want)
	}
	// ... more than a year ahead ...
	line = setValidFrom(t, zwolle, rfc3339(time.Now().AddDate(2, 0, 0)))
	err = applyErr(t, "ops")
	if want := fmt.Sprintf("zwolle.yaml:%d: valid_from: ", line); !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "more than a year ahead") {
		t.Errorf("two years ahead: %v, want %q … more than a year ahead", err, want)
	}
	// ... a pending version that changes the hosts (line 15: the list of hosts) ...
	setValidFrom(t, zwolle, rfc3339(from3))
	rewrite(t, zwolle, "    - mijn.zwolle.example\n", "    - mijn.zwolle.example\n    - www.zwolle.example\n")
	err = applyErr(t, "ops")
	if want := "zwolle.yaml:15: portal.hosts: a version that takes effect later"; !strings.Contains(err.Error(), want) {
		t.Errorf("pending host change: %v, want %q", err, want)
	}
	rewrite(t, zwolle, "    - www.zwolle.example\n", "")
	// ... and a new gemeente whose first version would take effect later.
	fx := readFixture(t)
	os.WriteFile(filepath.Join(b.tenants, "hengelo.yaml"), []byte(fx.yaml+"valid_from: "+rfc3339(from2)+"\n"), 0o600)
	os.WriteFile(filepath.Join(b.tenants, "hengelo.svg"), []byte(fx.svg), 0o600)
	err = applyErr(t, "ops")
	if want := "hengelo.yaml:19: valid_from: "; !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "new gemeente: its first version takes effect at once") {
		t.Errorf("new gemeente with a future valid_from: %v, want %q … new gemeente", err, want)
	}
	os.Remove(filepath.Join(b.tenants, "hengelo.yaml"))

	// The same valid_from as version 3 amends it: version 4 takes effect at that moment
	// instead, and version 3 never will.
	changes = b.apply(t, b.tenants, "ops")
	if zw := changes[1]; zw.Status != "changed" || zw.Version != 4 || !zw.Pending || !zw.ValidFrom.Equal(from3) {
		t.Errorf("amend version 3: zwolle = %+v, want pending version 4 from %v", zw, from3)
	}

	// A valid_from in the past means at once, for enschede, which has nothing pending.
	enschede := filepath.Join(b.tenants, "enschede.yaml")
	setValidFrom(t, enschede, "2020-01-01")
	rewrite(t, enschede, `font: "Open Sans, Arial, sans-serif"`, `font: "Arial, sans-serif"`)
	start := time.Now()
	changes = b.apply(t, b.tenants, "ops")
	if en := changes[0]; en.Status != "changed" || en.Version != 2 || en.Pending || en.InForce != 2 || en.ValidFrom.Before(start.Add(-time.Second)) {
		t.Errorf("valid_from in the past: enschede = %+v, want version 2 in force from now (%v)", en, start)
	}
	dir, err := NewDirectory(ctx, b.d.App)
	if err != nil {
		t.Fatal(err)
	}
	if tn, _ := dir.ByID("enschede"); tn == nil || tn.Version != 2 || tn.Config.Branding.Font != "Arial, sans-serif" {
		t.Errorf("Directory: enschede = %+v, want version 2 at once", tn)
	}
}

// TestDirectoryValidFromPasses: a running Directory serves a pending version once its
// valid_from passes, without an apply and without a restart; List agrees with it all
// along.
func TestDirectoryValidFromPasses(t *testing.T) {
	t.Parallel()
	b := setupStore(t, false)
	b.tenants = copyTenants(t, "enschede", "zwolle")
	b.apply(t, b.tenants, "ops")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	dir, err := NewDirectory(ctx, b.d.App)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { defer close(done); dir.Run(ctx, 50*time.Millisecond, slog.New(slog.DiscardHandler)) }()
	defer func() { cancel(); <-done }()

	zwolle := filepath.Join(b.tenants, "zwolle.yaml")
	from := time.Now().Add(1500 * time.Millisecond).Truncate(time.Millisecond)
	setValidFrom(t, zwolle, rfc3339(from))
	rewrite(t, zwolle, zwolleColor, zwolleNewColor)
	if ch := b.apply(t, b.tenants, "ops")[1]; ch.Version != 2 || !ch.Pending {
		t.Fatalf("apply: zwolle = %+v, want pending version 2", ch)
	}

	// Reloaded after the apply, the directory still serves version 1.
	if _, err := dir.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	inForce := func() (dirVersion, listVersion, pending int) {
		t.Helper()
		if tn, ok := dir.ByID("zwolle"); ok {
			dirVersion = tn.Version
		}
		list, err := b.store.List(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, ts := range list {
			if ts.ID == "zwolle" {
				listVersion, pending = ts.Version, len(ts.Pending)
			}
		}
		return
	}
	if time.Now().Before(from) {
		if d, l, p := inForce(); d != 1 || l != 1 || p != 1 {
			t.Errorf("before valid_from: directory serves version %d, List says %d with %d pending; want 1, 1 with 1", d, l, p)
		}
	}

	deadline := time.Now().Add(10 * time.Second)
	for {
		tn, _ := dir.ByID("zwolle")
		if tn != nil && tn.Version == 2 {
			if !time.Now().After(from) {
				t.Errorf("version 2 served at %v, before its valid_from %v", time.Now(), from)
			}
			if tn.Config.Branding.PrimaryColor != "#003A70" {
				t.Errorf("version 2 served with primary colour %s, want #003A70", tn.Config.Branding.PrimaryColor)
			}
			if byHost, _ := dir.ByHost("mijn.zwolle.example"); byHost == nil || byHost.Version != 2 {
				t.Errorf("ByHost(mijn.zwolle.example) = %+v, want version 2", byHost)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("10 s after apply the directory still serves %+v, want version 2 (valid from %v)", tn, from)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if d, l, p := inForce(); d != 2 || l != 2 || p != 0 {
		t.Errorf("after valid_from: directory serves version %d, List says %d with %d pending; want 2, 2 with 0", d, l, p)
	}
}
