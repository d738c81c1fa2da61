package tenancy

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/plein-nl/plein/platform/db/dbtest"
	"github.com/plein-nl/plein/platform/jobs"
	"github.com/plein-nl/plein/platform/tenant"
	"github.com/plein-nl/plein/services/tenancy/tenancytest"
)

const realTenants = "../../tenants"

type storeBundle struct {
	d     *dbtest.DB
	store *Store
	// tenants is a private copy of the real tenants directory that a test may change.
	tenants string
}

// setupStore gives a fresh database and a store on it, without a jobs client unless
// jc says so.
func setupStore(t *testing.T, withJobs bool) *storeBundle {
	t.Helper()
	d := dbtest.New(t)
	var jc *jobs.Client
	if withJobs {
		var err error
		jc, err = jobs.NewClient(d.Control, jobs.Config{})
		if err != nil {
			t.Fatal(err)
		}
	}
	return &storeBundle{d: d, store: NewStore(d.Control, jc), tenants: originalTenants(t)}
}

// originalIDs are the first three gemeenten in tenants/, which the tests of applying,
// the directory and the service are written against.
var originalIDs = []tenant.ID{"deventer", "enschede", "zwolle"}

// originalTenants copies the config and logo of deventer, enschede and zwolle from the
// real tenants directory into a new temporary directory and returns it: a private
// copy that a test may change, and that holds those three whatever else tenants/ holds.
func originalTenants(t testing.TB) string {
	t.Helper()
	return tenancytest.Copy(t, realTenants, originalIDs...)
}

// rewrite replaces old, which must occur once, in a file.
func rewrite(t *testing.T, file, old, new string) {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, []byte(edit(t, string(b), old, new)), 0o600); err != nil {
		t.Fatal(err)
	}
}

func load(t *testing.T, path string) []*Loaded {
	t.Helper()
	l, err := LoadPath(path)
	if err != nil {
		t.Fatalf("LoadPath(%s): %v", path, err)
	}
	return l
}

func (b *storeBundle) apply(t *testing.T, path, author string) []Change {
	t.Helper()
	ch, err := b.store.Apply(context.Background(), load(t, path), author, false)
	if err != nil {
		t.Fatalf("Apply(%s): %v", path, err)
	}
	return ch
}

// dbState is what an apply may change, to compare before and after.
type dbState struct {
	tenants, versions, hosts, maxVersion int
}

func (b *storeBundle) state(t *testing.T) dbState {
	t.Helper()
	var s dbState
	err := b.d.Control.QueryRow(context.Background(), `SELECT
		(SELECT count(*) FROM tenants),
		(SELECT count(*) FROM tenant_config_versions),
		(SELECT count(*) FROM tenant_hosts),
		(SELECT coalesce(max(version), 0) FROM tenant_config_versions)`).Scan(&s.tenants, &s.versions, &s.hosts, &s.maxVersion)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// changeSummary is the part of a Change that tests compare whole.
type changeSummary struct {
	tenant            tenant.ID
	status            string
	version, previous int
}

func summarize(chs []Change) []changeSummary {
	out := make([]changeSummary, len(chs))
	for i, c := range chs {
		out[i] = changeSummary{c.Tenant, c.Status, c.Version, c.Previous}
	}
	return out
}

// diffLines returns the "- " and "+ " lines of a diff.
func diffLines(diff string) []string {
	var out []string
	for _, l := range strings.Split(diff, "\n") {
		if strings.HasPrefix(l, "- ") || strings.HasPrefix(l, "+ ") {
			out = append(out, l)
		}
	}
	return out
}

// Zwolle's primary colour in tenants/zwolle.yaml, and a darker blue to change it to.
const (
	zwolleColor    = `primary_color: "#00549F"`
	zwolleNewColor = `primary_color: "#003A70"`
)

func TestStoreApply(t *testing.T) {
	t.Parallel()
	b := setupStore(t, false)
	ctx := context.Background()

	// First apply: every tenant is new, at version 1.
	changes := b.apply(t, b.tenants, "ops@coop.example")
	want := []changeSummary{{"deventer", "new", 1, 0}, {"enschede", "new", 1, 0}, {"zwolle", "new", 1, 0}}
	if got := summarize(changes); !slices.Equal(got, want) {
		t.Fatalf("first apply: got %+v, want %+v", got, want)
	}
	for _, c := range changes {
		if c.File != filepath.Join(b.tenants, string(c.Tenant)+".yaml") {
			t.Errorf("%s: File = %q, want its yaml file", c.Tenant, c.File)
		}
		if lines := diffLines(c.Diff); len(lines) == 0 || slices.ContainsFunc(lines, func(l string) bool { return strings.HasPrefix(l, "- ") }) {
			t.Errorf("%s: a new tenant's diff should only add lines, got:\n%s", c.Tenant, c.Diff)
		}
	}
	if !strings.Contains(changes[1].Diff, "+ name: Gemeente Enschede\n") {
		t.Errorf("enschede's diff lacks its name:\n%s", changes[1].Diff)
	}
	if got, want := b.state(t), (dbState{tenants: 3, versions: 3, hosts: 3, maxVersion: 1}); got != want {
		t.Errorf("after first apply: got %+v, want %+v", got, want)
	}

	list, err := b.store.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	wantList := []struct {
		id   tenant.ID
		name string
		host string
	}{
		{"deventer", "Gemeente Deventer", "mijn.deventer.example"},
		{"enschede", "Gemeente Enschede", "mijn.enschede.example"},
		{"zwolle", "Gemeente Zwolle", "mijn.zwolle.example"},
	}
	if len(list) != len(wantList) {
		t.Fatalf("List returned %d tenants, want %d: %+v", len(list), len(wantList), list)
	}
	for i, w := range wantList {
		got := list[i]
		if got.ID != w.id || got.Name != w.name || !slices.Equal(got.Hosts, []string{w.host}) ||
			got.Status != "active" || got.Version != 1 || got.UpdatedAt == "" {
			t.Errorf("List[%d] = %+v, want %s %q hosts [%s], active, version 1, with updated_at", i, got, w.id, w.name, w.host)
		}
	}

	// The same files again: nothing to do.
	changes = b.apply(t, b.tenants, "ops@coop.example")
	want = []changeSummary{{"deventer", "unchanged", 1, 1}, {"enschede", "unchanged", 1, 1}, {"zwolle", "unchanged", 1, 1}}
	if got := summarize(changes); !slices.Equal(got, want) {
		t.Errorf("second apply: got %+v, want %+v", got, want)
	}
	for _, c := range changes {
		if c.Diff != "" {
			t.Errorf("%s unchanged, but diff = %q, want none", c.Tenant, c.Diff)
		}
	}
	if got, want := b.state(t), (dbState{tenants: 3, versions: 3, hosts: 3, maxVersion: 1}); got != want {
		t.Errorf("after unchanged apply: got %+v, want %+v", got, want)
	}

	// A comment is not part of the config: still unchanged.
	rewrite(t, filepath.Join(b.tenants, "deventer.yaml"), "id: deventer\n", "# reviewed\nid: deventer\n")
	changes = b.apply(t, b.tenants, "ops@coop.example")
	if got := summarize(changes); !slices.Equal(got, want) {
		t.Errorf("apply after a comment: got %+v, want %+v", got, want)
	}

	// Zwolle's primary colour changes: only zwolle gets a version 2.
	rewrite(t, filepath.Join(b.tenants, "zwolle.yaml"), zwolleColor, zwolleNewColor)
	changes = b.apply(t, b.tenants, "wouter@coop.example")
	want = []changeSummary{{"deventer", "unchanged", 1, 1}, {"enschede", "unchanged", 1, 1}, {"zwolle", "changed", 2, 1}}
	if got := summarize(changes); !slices.Equal(got, want) {
		t.Fatalf("apply of zwolle's colour: got %+v, want %+v", got, want)
	}
	zw := changes[2].Diff
	lines := diffLines(zw)
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "- ") || !strings.HasPrefix(lines[1], "+ ") ||
		!strings.Contains(lines[0], "primary_color") || !strings.Contains(lines[0], "#00549F") ||
		!strings.Contains(lines[1], "primary_color") || !strings.Contains(lines[1], "#003A70") {
		t.Errorf("zwolle's diff: got changed lines %q, want one removed primary_color #00549F then one added #003A70; diff:\n%s", lines, zw)
	}
	if got, want := b.state(t), (dbState{tenants: 3, versions: 4, hosts: 3, maxVersion: 2}); got != want {
		t.Errorf("after zwolle's change: got %+v, want %+v", got, want)
	}

	hist, err := b.store.History(ctx, "zwolle")
	if err != nil {
		t.Fatal(err)
	}
	type histRow struct {
		version int
		author  string
		color   string
	}
	var gotHist []histRow
	for _, v := range hist {
		gotHist = append(gotHist, histRow{v.Version, v.Author, v.Config.Branding.PrimaryColor})
		if v.Tenant != "zwolle" || v.AppliedAt == "" || !strings.HasSuffix(v.File, "zwolle.yaml") {
			t.Errorf("History version %d = %+v, want tenant zwolle, applied_at and file set", v.Version, v)
		}
	}
	wantHist := []histRow{{2, "wouter@coop.example", "#003A70"}, {1, "ops@coop.example", "#00549F"}}
	if !slices.Equal(gotHist, wantHist) {
		t.Errorf("History(zwolle): got %+v, want %+v", gotHist, wantHist)
	}
	if len(hist) > 0 && hist[0].Diff != zw {
		t.Errorf("History(zwolle)[0].Diff = %q, want the apply's diff %q", hist[0].Diff, zw)
	}

	list, err = b.store.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 3 || list[2].ID != "zwolle" || list[2].Version != 2 || list[0].Version != 1 {
		t.Errorf("List after zwolle's change = %+v, want zwolle at version 2, the others at 1", list)
	}

	if _, err := b.store.History(ctx, "hengelo"); !errors.Is(err, ErrTenantNotFound) || !IsNotFound(err) {
		t.Errorf("History(hengelo) error = %v, want ErrTenantNotFound", err)
	}
}

// A changed logo is a change even when the YAML is the same.
func TestStoreApplyLogoChange(t *testing.T) {
	t.Parallel()
	b := setupStore(t, false)
	b.apply(t, b.tenants, "ops")
	rewrite(t, filepath.Join(b.tenants, "enschede.svg"), `rx="8"`, `rx="12"`)
	changes := b.apply(t, b.tenants, "ops")
	want := []changeSummary{{"deventer", "unchanged", 1, 1}, {"enschede", "changed", 2, 1}, {"zwolle", "unchanged", 1, 1}}
	if got := summarize(changes); !slices.Equal(got, want) {
		t.Fatalf("apply of a new logo: got %+v, want %+v", got, want)
	}
	if lines := diffLines(changes[1].Diff); len(lines) != 2 || !strings.Contains(lines[0], "logo sha256") {
		t.Errorf("enschede's diff: got %q, want the logo digest replaced", lines)
	}
}

func TestStoreApplyDryRun(t *testing.T) {
	t.Parallel()
	b := setupStore(t, false)
	ctx := context.Background()

	// On an empty database: would be new, writes nothing.
	changes, err := b.store.Apply(ctx, load(t, b.tenants), "ops", true)
	if err != nil {
		t.Fatal(err)
	}
	want := []changeSummary{{"deventer", "new", 1, 0}, {"enschede", "new", 1, 0}, {"zwolle", "new", 1, 0}}
	if got := summarize(changes); !slices.Equal(got, want) {
		t.Errorf("dry run on an empty database: got %+v, want %+v", got, want)
	}
	if got := b.state(t); got != (dbState{}) {
		t.Errorf("dry run wrote: got %+v, want an empty database", got)
	}

	b.apply(t, b.tenants, "ops")
	before := b.state(t)
	rewrite(t, filepath.Join(b.tenants, "zwolle.yaml"), zwolleColor, zwolleNewColor)
	changes, err = b.store.Apply(ctx, load(t, b.tenants), "ops", true)
	if err != nil {
		t.Fatal(err)
	}
	want = []changeSummary{{"deventer", "unchanged", 1, 1}, {"enschede", "unchanged", 1, 1}, {"zwolle", "changed", 2, 1}}
	if got := summarize(changes); !slices.Equal(got, want) {
		t.Errorf("dry run of zwolle's change: got %+v, want %+v", got, want)
	}
	if lines := diffLines(changes[2].Diff); len(lines) != 2 {
		t.Errorf("dry run diff: got %q, want the primary_color line replaced", lines)
	}
	if after := b.state(t); after != before {
		t.Errorf("dry run changed the database: before %+v, after %+v", before, after)
	}
	hist, err := b.store.History(ctx, "zwolle")
	if err != nil {
		t.Fatal(err)
	}
	if len(hist) != 1 || hist[0].Config.Branding.PrimaryColor != "#00549F" {
		t.Errorf("zwolle after dry run: %d versions, newest colour %q; want 1 version with #00549F", len(hist), hist[0].Config.Branding.PrimaryColor)
	}
}

// A host that the database gives to another tenant is refused, and the whole apply
// with it: also the valid change of another file in the same apply.
func TestStoreApplyHostOwnedByAnotherTenant(t *testing.T) {
	t.Parallel()
	b := setupStore(t, false)
	ctx := context.Background()
	b.apply(t, b.tenants, "ops")
	before := b.state(t)

	rewrite(t, filepath.Join(b.tenants, "zwolle.yaml"), zwolleColor, zwolleNewColor)
	zwolle := load(t, filepath.Join(b.tenants, "zwolle.yaml"))

	fx := readFixture(t)
	hengeloDir := writeFiles(t, map[string]string{
		"hengelo.yaml": edit(t, fx.yaml, "mijn.hengelo.example", "mijn.enschede.example"),
		"hengelo.svg":  fx.svg,
	})
	hengelo := load(t, hengeloDir)

	for _, tc := range []struct {
		name   string
		loaded []*Loaded
		dryRun bool
	}{
		{"valid file first", append(slices.Clone(zwolle), hengelo...), false},
		{"conflicting file first", append(slices.Clone(hengelo), zwolle...), false},
		{"dry run", append(slices.Clone(zwolle), hengelo...), true},
	} {
		changes, err := b.store.Apply(ctx, tc.loaded, "ops", tc.dryRun)
		if err == nil {
			t.Fatalf("%s: Apply = %+v, want the host refused", tc.name, summarize(changes))
		}
		// Line 11 of the fixture holds its first host.
		want := filepath.Join(hengeloDir, "hengelo.yaml") + `:11: portal.hosts[0]: "mijn.enschede.example" already belongs to tenant enschede`
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error = %v, want it to contain %q", tc.name, err, want)
		}
		if !errors.Is(err, ErrInvalidConfig) {
			t.Errorf("%s: errors.Is(err, ErrInvalidConfig) = false for %v", tc.name, err)
		}
		if changes != nil {
			t.Errorf("%s: changes = %+v with the error, want none", tc.name, summarize(changes))
		}
		if after := b.state(t); after != before {
			t.Errorf("%s: refused apply changed the database: before %+v, after %+v", tc.name, before, after)
		}
	}
	var owner string
	if err := b.d.Control.QueryRow(ctx, "SELECT tenant_id FROM tenant_hosts WHERE host = 'mijn.enschede.example'").Scan(&owner); err != nil || owner != "enschede" {
		t.Errorf("mijn.enschede.example belongs to %q (%v), want enschede", owner, err)
	}
}

// A tenant may keep its own hosts: the conflict check looks at other tenants only.
func TestStoreApplyOwnHostIsNoConflict(t *testing.T) {
	t.Parallel()
	b := setupStore(t, false)
	b.apply(t, b.tenants, "ops")
	rewrite(t, filepath.Join(b.tenants, "enschede.yaml"), "    - mijn.enschede.example\n", "    - mijn.enschede.example\n    - www.enschede.example\n")
	changes := b.apply(t, b.tenants, "ops")
	if changes[1].Status != "changed" || changes[1].Version != 2 {
		t.Errorf("enschede with an extra host: got %+v, want changed to version 2", changes[1])
	}
	if got, want := b.state(t).hosts, 4; got != want {
		t.Errorf("tenant_hosts has %d rows, want %d", got, want)
	}
}

func TestStoreApplyNeedsAuthor(t *testing.T) {
	t.Parallel()
	b := setupStore(t, false)
	for _, author := range []string{"", "   "} {
		for _, dryRun := range []bool{false, true} {
			changes, err := b.store.Apply(context.Background(), load(t, b.tenants), author, dryRun)
			if err == nil || !strings.Contains(err.Error(), "author") {
				t.Errorf("Apply(author %q, dryRun %v) = %+v, %v; want an error about the author", author, dryRun, summarize(changes), err)
			}
		}
	}
	if got := b.state(t); got != (dbState{}) {
		t.Errorf("apply without author wrote: %+v", got)
	}
}

func TestStoreApplyEnqueuesConfigApplied(t *testing.T) {
	t.Parallel()
	b := setupStore(t, true)
	ctx := context.Background()
	jobCount := func() int {
		t.Helper()
		var n int
		if err := b.d.Control.QueryRow(ctx, "SELECT count(*) FROM river.river_job WHERE kind = 'tenancy.config_applied'").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}

	b.apply(t, b.tenants, "ops")
	if got := jobCount(); got != 3 {
		t.Errorf("after 3 new tenants: %d jobs, want 3", got)
	}
	b.apply(t, b.tenants, "ops")
	if got := jobCount(); got != 3 {
		t.Errorf("after an unchanged apply: %d jobs, want still 3", got)
	}
	rewrite(t, filepath.Join(b.tenants, "zwolle.yaml"), zwolleColor, zwolleNewColor)
	if _, err := b.store.Apply(ctx, load(t, b.tenants), "ops", true); err != nil {
		t.Fatal(err)
	}
	if got := jobCount(); got != 3 {
		t.Errorf("after a dry run: %d jobs, want still 3", got)
	}
	b.apply(t, b.tenants, "wouter")
	if got := jobCount(); got != 4 {
		t.Errorf("after zwolle's change: %d jobs, want 4", got)
	}

	var tid, author, queue string
	var version int
	err := b.d.Control.QueryRow(ctx, `
		SELECT args->>'tenant', (args->>'version')::int, args->>'author', queue FROM river.river_job
		WHERE kind = 'tenancy.config_applied' ORDER BY id DESC LIMIT 1`).Scan(&tid, &version, &author, &queue)
	if err != nil {
		t.Fatal(err)
	}
	if tid != "zwolle" || version != 2 || author != "wouter" || queue != jobs.QueueNotifications {
		t.Errorf("newest job: tenant %q version %d author %q queue %q; want zwolle 2 wouter %s", tid, version, author, queue, jobs.QueueNotifications)
	}
}
