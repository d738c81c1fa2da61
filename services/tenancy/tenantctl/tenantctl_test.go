package tenantctl

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/plein-nl/plein/platform/db/dbtest"
	"github.com/plein-nl/plein/services/controlplane"
	"github.com/plein-nl/plein/services/tenancy"
	"github.com/plein-nl/plein/services/tenancy/tenancytest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// testBundle is a fresh database and a private copy of three gemeenten's configs.
type testBundle struct {
	d       *dbtest.DB
	store   *tenancy.Store
	tenants string
}

func setup(t *testing.T) *testBundle {
	t.Helper()
	d := dbtest.New(t)
	dir := tenancytest.Copy(t, "../../../tenants", "deventer", "enschede", "zwolle")
	return &testBundle{d: d, store: tenancy.NewStore(d.Control, nil), tenants: dir}
}

func (b *testBundle) load(t *testing.T) []*tenancy.Loaded {
	t.Helper()
	loaded, err := tenancy.LoadPath(b.tenants)
	if err != nil {
		t.Fatal(err)
	}
	return loaded
}

// run calls a command and returns what it wrote, failing the test on an error.
func run(t *testing.T, what string, cmd func(w io.Writer) error) string {
	t.Helper()
	var out bytes.Buffer
	if err := cmd(&out); err != nil {
		t.Fatalf("%s: %v\n%s", what, err, out.String())
	}
	return out.String()
}

func TestWriteChanges(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)
	changes := []tenancy.Change{
		{Tenant: "zwolle", Status: "unchanged", Version: 2},
		{Tenant: "kampen", Status: "unchanged", Version: 3, Pending: true, ValidFrom: at, InForce: 2},
		{Tenant: "deventer", Status: "changed", Version: 4, File: "deventer.yaml", ValidFrom: at,
			Diff: "  name: Gemeente Deventer\n- primary_color: '#000000'\n+ primary_color: '#111111'\n"},
		{Tenant: "enschede", Status: "new", Version: 1, File: "enschede.yaml", ValidFrom: at, Pending: true},
		{Tenant: "hengelo", Status: "changed", Version: 5, File: "hengelo.yaml", ValidFrom: at, Pending: true, InForce: 4},
	}
	want := `zwolle: unchanged (version 2)
kampen: unchanged (version 3, pending from 2026-07-01T02:00:00+02:00; version 2 in force)
deventer: changed, %s version 4 (deventer.yaml)
    valid from 2026-07-01T02:00:00+02:00 (at once)
    - primary_color: '#000000'
    + primary_color: '#111111'
enschede: new, %s version 1 (enschede.yaml)
    valid from 2026-07-01T02:00:00+02:00 (pending)
hengelo: changed, %s version 5 (hengelo.yaml)
    valid from 2026-07-01T02:00:00+02:00 (pending: version 4 stays in force until then)
`
	for verb, dry := range map[string]bool{"applied": false, "would apply (dry run, nothing written)": true} {
		var out bytes.Buffer
		writeChanges(&out, changes, dry)
		if w := strings.ReplaceAll(want, "%s", verb); out.String() != w {
			t.Errorf("dry run %v:\n%s\nwant\n%s", dry, out.String(), w)
		}
	}
}

// TestRegistryCommands: apply (dry run and for real), list, show, a suspension and the
// events, as an operator sees them.
func TestRegistryCommands(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	out := run(t, "dry run", func(w io.Writer) error { return Apply(ctx, w, b.store, b.load(t), "tester", true) })
	if !strings.Contains(out, "zwolle: new, would apply (dry run, nothing written) version 1") || !strings.Contains(out, "+ name: Gemeente Zwolle") {
		t.Errorf("dry run:\n%s", out)
	}
	if out := run(t, "list", func(w io.Writer) error { return List(ctx, w, b.store, false) }); out != "ID  NAME  STATUS  VERSION  PENDING  HOSTS\n" {
		t.Errorf("the dry run wrote:\n%s", out)
	}
	run(t, "apply", func(w io.Writer) error { return Apply(ctx, w, b.store, b.load(t), "tester", false) })
	out = run(t, "apply again", func(w io.Writer) error { return Apply(ctx, w, b.store, b.load(t), "tester", false) })
	if out != "deventer: unchanged (version 1)\nenschede: unchanged (version 1)\nzwolle: unchanged (version 1)\n" {
		t.Errorf("a second apply:\n%s", out)
	}

	out = run(t, "list", func(w io.Writer) error { return List(ctx, w, b.store, false) })
	if !regexp.MustCompile(`(?m)^zwolle\s+Gemeente Zwolle\s+active\s+1\s+-\s+mijn\.zwolle\.example`).MatchString(out) {
		t.Errorf("list:\n%s", out)
	}
	var list []tenancy.TenantSummary
	if err := json.Unmarshal([]byte(run(t, "list --json", func(w io.Writer) error { return List(ctx, w, b.store, true) })), &list); err != nil || len(list) != 3 || list[2].ID != "zwolle" {
		t.Errorf("list as JSON: %+v, %v", list, err)
	}

	out = run(t, "show", func(w io.Writer) error {
		return Show(ctx, w, b.store, controlplane.NewConditions(b.d.Control), "zwolle")
	})
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`^zwolle — Gemeente Zwolle\nversion 1 in force since \S+, applied \S+ by tester from \S*zwolle\.yaml\n\n`),
		regexp.MustCompile(`(?m)^history:\n  VERSION\s+VALID FROM\s+STATE\s+APPLIED\s+BY\n  v1\s+\S+\s+in force\s+\S+\s+tester\n`),
		regexp.MustCompile(`\nconditions: none yet \(no control plane has reconciled this tenant\)\n$`),
	} {
		if !want.MatchString(out) {
			t.Errorf("show lacks %s:\n%s", want, out)
		}
	}
	if err := controlplane.NewConditions(b.d.Control).SetConditions(ctx, "zwolle", 1,
		[]controlplane.Condition{{Type: "Ready", Status: "True", Reason: "Reconciled", Message: "alles goed"}}); err != nil {
		t.Fatal(err)
	}
	out = run(t, "show", func(w io.Writer) error {
		return Show(ctx, w, b.store, controlplane.NewConditions(b.d.Control), "zwolle")
	})
	if !regexp.MustCompile(`\nconditions \(plein controlplane\):\n  TYPE\s+STATUS\s+REASON\s+VERSION\s+SINCE\s+MESSAGE\n  Ready\s+True\s+Reconciled\s+v1\s+\S+Z\s+alles goed\n$`).MatchString(out) {
		t.Errorf("show with a condition:\n%s", out)
	}

	out = run(t, "suspend", func(w io.Writer) error {
		return Transition(ctx, w, b.store, "zwolle", tenancy.StatusSuspended, "op@coop", "contributie")
	})
	if out != "zwolle: active → suspended (event 1, by op@coop: contributie)\n" {
		t.Errorf("suspend: %q", out)
	}
	if err := Transition(ctx, io.Discard, b.store, "zwolle", tenancy.StatusSuspended, "op@coop", "nog eens"); err == nil {
		t.Error("suspending a suspended tenant succeeded")
	}
	out = run(t, "events", func(w io.Writer) error { return Events(ctx, w, b.store, "zwolle") })
	if !regexp.MustCompile(`^SEQ\s+AT\s+FROM\s+TO\s+BY\s+REASON\n1\s+\S+\s+active\s+suspended\s+op@coop\s+contributie\n$`).MatchString(out) {
		t.Errorf("events:\n%s", out)
	}
}

// TestApplyQuietly: plein dev's apply logs one line for all that changed, and nothing
// when nothing did.
func TestApplyQuietly(t *testing.T) {
	t.Parallel()
	b := setup(t)
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	for range 2 {
		if err := ApplyQuietly(context.Background(), log, b.store, b.load(t), "plein dev", b.tenants); err != nil {
			t.Fatal(err)
		}
	}
	if n := strings.Count(logs.String(), "\n"); n != 1 || !strings.Contains(logs.String(), `msg="tenant configs applied" gemeenten=3`) {
		t.Errorf("logs of two applies, want one line for three gemeenten:\n%s", logs.String())
	}
	if list, err := b.store.List(context.Background()); err != nil || len(list) != 3 || list[0].Version != 1 {
		t.Errorf("after two applies: %+v, %v", list, err)
	}
}
