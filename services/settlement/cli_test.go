package settlement

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"

	"github.com/plein-nl/plein/platform/bijstand"
	"github.com/plein-nl/plein/platform/clocktest"
	"github.com/plein-nl/plein/platform/db/dbtest"
	"github.com/plein-nl/plein/platform/jobs"
	"github.com/plein-nl/plein/platform/money"
	"github.com/plein-nl/plein/platform/sepa"
	"github.com/plein-nl/plein/platform/tenant"
	"github.com/plein-nl/plein/services/paymentplans"
	"github.com/plein-nl/plein/services/residents"
)

// cliTenants are two active tenants paying on the 25th.
type cliTenants struct{ debtor sepa.Debtor }

func (c cliTenants) Settings(t tenant.ID) (Settings, bool) {
	if t != "zwolle" && t != "enschede" {
		return Settings{}, false
	}
	return Settings{Status: "active", Debtor: c.debtor, PayDay: 25, LeadDays: 3, VakantietoeslagMonth: 5, SEPAVersion: sepa.V09}, true
}
func (cliTenants) Active() []tenant.ID { return []tenant.ID{"enschede", "zwolle"} }
func (cliTenants) All() []tenant.ID    { return []tenant.ID{"enschede", "zwolle"} }

// cliCaseload is the testBundle's four residents in every tenant.
type cliCaseload struct{ testBundle }

func (c cliCaseload) ResidentIDs(context.Context, tenant.ID) ([]string, error) {
	ids := slices.Clone(c.extraIDs)
	for _, m := range c.months {
		ids = append(ids, m.ResidentID)
	}
	slices.Sort(ids)
	return ids, nil
}

func (c cliCaseload) Months(_ context.Context, _ tenant.ID, p bijstand.Period, first, last string) ([]ResidentMonth, error) {
	if c.monthsErr != nil {
		if err := c.monthsErr(); err != nil {
			return nil, err
		}
	}
	months := c.months
	if c.monthsFor != nil {
		months = c.monthsFor(p)
	}
	var out []ResidentMonth
	for _, m := range months {
		if m.ResidentID >= first && m.ResidentID <= last {
			out = append(out, m)
		}
	}
	slices.SortFunc(out, func(a, b ResidentMonth) int { return strings.Compare(a.ResidentID, b.ResidentID) })
	return out, nil
}

func (c cliCaseload) Creditors(context.Context, tenant.ID) (map[string]CreditorInfo, error) {
	return c.creditors, nil
}

// setupSettle is a settlement service on a fresh database, on 24 March 2026, with its
// workers running.
func setupSettle(t *testing.T) *Service {
	t.Helper()
	return setupSettleWith(t, setup(t), nil).svc
}

// settleBundle is a settlement service over a fresh database, its clock, and the
// database.
type settleBundle struct {
	svc   *Service
	d     *dbtest.DB
	clock *clocktest.Clock
}

// setupSettleWith is setupSettle over the months of b, with the worker counters makes
// over the application pool for the counters jobs a final run inserts (nil: the
// residents service's, which records nothing for the fixture's residents: they have
// no work income).
func setupSettleWith(t *testing.T, b testBundle, counters func(app *pgxpool.Pool) river.Worker[residents.CountersArgs]) settleBundle {
	t.Helper()
	d := dbtest.New(t)
	dbtest.CreateTenants(t, d, "zwolle", "enschede")
	insert, err := jobs.NewClient(d.App, jobs.Config{})
	if err != nil {
		t.Fatal(err)
	}
	clock := clocktest.New(time.Date(2026, 3, 24, 9, 0, 0, 0, time.UTC))
	svc := NewService(Config{App: d.App, Jobs: insert, Caseload: cliCaseload{b}, BatchSize: 2,
		Tenants: cliTenants{sepa.Debtor{Name: "Gemeente Zwolle", IBAN: nlIBAN(t, "BNGH", "0285001932"), BIC: "BNGHNL2G", Town: "Zwolle", Country: "NL"}},
		Now:     clock.Now, Counters: b.counters})
	w := river.NewWorkers()
	AddWorkers(w, d.App, svc)
	// A final run inserts the payment plans' shortfall jobs and the residents'
	// counters jobs, and River inserts only kinds its workers know: wired as
	// services/plein wires them.
	paymentplans.AddWorkers(w, paymentplans.WorkerConfig{App: d.App, Signals: noSignals{}})
	if counters == nil {
		river.AddWorker(w, residents.NewCountersWorker(d.App, nil))
	} else {
		river.AddWorker(w, counters(d.App))
	}
	jc, err := jobs.NewClient(d.App, jobs.Config{Workers: w, MaxWorkers: 4})
	if err == nil {
		err = jc.Start(t.Context()) // stops when the test ends, before the database goes
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { <-jc.Stopped() })
	return settleBundle{svc: svc, d: d, clock: clock}
}

// TestSettle: what `plein settle` does with a run. A dry-run writes its reconciliation;
// a run without a second person stops at approval; with one it is approved and its
// files are written; a final period writes the same files again without a new run.
func TestSettle(t *testing.T) {
	t.Parallel()
	svc := setupSettle(t)
	ctx := t.Context()
	settle := func(o SettleOptions) (string, string, error) {
		t.Helper()
		var stdout, stderr bytes.Buffer
		cctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
		defer cancel()
		err := Settle(cctx, svc, o, &stdout, &stderr)
		return stdout.String(), stderr.String(), err
	}
	out := t.TempDir()
	o := SettleOptions{Tenant: "zwolle", Period: march, Out: filepath.Join(out, "dry"), DryRun: true, Starter: "cli:alice"}
	stdout, stderr, err := settle(o)
	if err != nil || !regexp.MustCompile(`^dry-run \S+ of 2026-03 for zwolle: nothing posted or paid; \S+/dry/reconciliation\.json\n$`).MatchString(stdout) ||
		!strings.Contains(stderr, "plein settle: started run ") {
		t.Fatalf("dry-run: %v\n%s%s", err, stdout, stderr)
	}
	if b, err := os.ReadFile(filepath.Join(o.Out, "reconciliation.json")); err != nil || !strings.Contains(string(b), `"residents": 4`) {
		t.Errorf("reconciliation.json: %v\n%s", err, b)
	}

	o = SettleOptions{Tenant: "enschede", Period: march, Out: filepath.Join(out, "enschede"), Starter: "cli:alice"}
	_, _, err = settle(o)
	want := regexp.MustCompile(`^plein settle: run (\S+) of 2026-03 is computed and reconciled; it waits for approval by a second person ` +
		`\(POST /api/v1/tenants/enschede/settlement/runs/(\S+)/approve\), then run plein settle again to write the files$`)
	if m := want.FindStringSubmatch(fmt.Sprint(err)); !errors.Is(err, ErrAwaitingApproval) || m == nil || m[1] != m[2] {
		t.Errorf("without a second person: %v, want ErrAwaitingApproval saying %s", err, want)
	}
	if _, err := os.Stat(o.Out); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a run awaiting approval wrote %s: %v", o.Out, err)
	}

	o = SettleOptions{Tenant: "zwolle", Period: march, Out: filepath.Join(out, "zwolle"), Starter: "cli:alice", Approver: "cli:bob"}
	stdout, _, err = settle(o)
	if err != nil || !regexp.MustCompile(`^run \S+ of 2026-03 for zwolle is final \(execution date 2026-03-25\)\n`+
		`residents 4, bijstand \d+, reserve \d+, deductions \d+, payout \d+, held 0 \(0 cents\), not computed 0, SEPA \d+ transfers, control sum \d+ cents\n`).MatchString(stdout) {
		t.Fatalf("run: %v\n%s", err, stdout)
	}
	files := regexp.MustCompile(`(?m)^  (\S+)  (\d+) bytes  sha256 [0-9a-f]{64}$`).FindAllStringSubmatch(stdout, -1)
	if len(files) == 0 {
		t.Fatalf("no files listed:\n%s", stdout)
	}
	for _, f := range files {
		if b, err := os.ReadFile(f[1]); err != nil || fmt.Sprint(len(b)) != f[2] {
			t.Errorf("%s: %d bytes (%v), listed %s", f[1], len(b), err, f[2])
		}
	}
	if left, _ := filepath.Glob(filepath.Join(o.Out, ".plein-settle-*")); len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}

	// Again: the period is final, nothing starts, the same files are written.
	o.Out = filepath.Join(out, "again")
	again, stderr, err := settle(o)
	if err != nil || strings.Contains(stderr, "started run") || strings.ReplaceAll(again, "/again/", "/zwolle/") != stdout {
		t.Errorf("a final period again: %v\n%s%s\nwant\n%s", err, again, stderr, stdout)
	}
}

func TestDBUnavailable(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		err  error
		want bool
	}{
		{&pgconn.PgError{Code: "08006"}, true},                            // connection failure
		{fmt.Errorf("get run: %w", &pgconn.PgError{Code: "57P01"}), true}, // admin shutdown
		{&pgconn.PgError{Code: "23505"}, false},                           // a unique violation: refused
		{&net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}, true},       //
		{fmt.Errorf("read: %w", io.ErrUnexpectedEOF), true},               //
		{fmt.Errorf("write: %w", syscall.EPIPE), true},                    //
		{errors.New("settlement: run not found"), false},                  //
		{fmt.Errorf("settlement: %w", ErrWrongState), false},              //
		{context.Canceled, false},                                         //
	} {
		if got := dbUnavailable(c.err); got != c.want {
			t.Errorf("dbUnavailable(%v) = %v, want %v", c.err, got, c.want)
		}
	}
}

// TestOutage: an outage is said once when it begins and once when it ends, and waited
// out for settleOutage at the most.
func TestOutage(t *testing.T) {
	t.Parallel()
	var stderr bytes.Buffer
	o := &outage{stderr: &stderr}
	down := &pgconn.PgError{Code: "57P03", Message: "the database system is starting up"}
	if o.wait(t.Context(), errors.New("refused")) || o.over() {
		t.Error("an error that is no outage was waited for")
	}
	for range 2 {
		if !o.wait(t.Context(), down) {
			t.Fatal("an outage was not waited for")
		}
	}
	if !o.over() || o.over() {
		t.Error("the end of the outage, once")
	}
	if got := stderr.String(); strings.Count(got, "cannot be reached") != 1 || !regexp.MustCompile(`\nplein settle: the database is back after \d+s\n$`).MatchString(got) {
		t.Errorf("stderr:\n%s", got)
	}
	o.since = time.Now().Add(-settleOutage - time.Second)
	if o.wait(t.Context(), down) {
		t.Error("an outage longer than settleOutage was waited for")
	}
}

func TestWriteDryRunAndAtomic(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "out")
	o := SettleOptions{Tenant: "zwolle", Period: march, Out: dir}
	if err := writeDryRun(o, Run{ID: "r1"}, io.Discard); err == nil || err.Error() != "plein settle: dry-run r1 has no report" {
		t.Errorf("a dry-run without a report: %v", err)
	}
	var stdout bytes.Buffer
	if err := writeDryRun(o, Run{ID: "r1", Report: &Report{Residents: 3, OK: true}}, &stdout); err != nil {
		t.Fatal(err)
	}
	if want := "dry-run r1 of 2026-03 for zwolle: nothing posted or paid; " + filepath.Join(dir, "reconciliation.json") + "\n"; stdout.String() != want {
		t.Errorf("stdout %q, want %q", stdout.String(), want)
	}
	b, err := os.ReadFile(filepath.Join(dir, "reconciliation.json"))
	if err != nil || !strings.HasPrefix(string(b), "{\n  ") || !strings.HasSuffix(string(b), "}\n") || !strings.Contains(string(b), `"residents": 3`) {
		t.Errorf("reconciliation.json (%v):\n%s", err, b)
	}
	if err := writeAtomic(filepath.Join(dir, "missing", "x.xml"), []byte("x")); err == nil || !strings.HasPrefix(err.Error(), "plein settle: ") {
		t.Errorf("a write into a missing directory: %v", err)
	}
	if left, _ := os.ReadDir(dir); len(left) != 1 {
		t.Errorf("files in %s: %v, want reconciliation.json alone", dir, left)
	}
}

// noSignals is a debts service that raises no signal.
type noSignals struct{}

func (noSignals) Shortfall(context.Context, tenant.ID, string, string, string, string, money.Cents) error {
	return nil
}

// TestSettleUnknownTenant: a tenant without an applied configuration settles nothing
// and says how to apply it.
func TestSettleUnknownTenant(t *testing.T) {
	t.Parallel()
	svc := setupSettle(t)
	var stdout, stderr bytes.Buffer
	err := Settle(t.Context(), svc, SettleOptions{Tenant: "almere", Period: march, Out: t.TempDir(), Starter: "cli:alice"}, &stdout, &stderr)
	if want := `plein settle: tenant "almere" is not applied (plein tenant apply -f tenants/almere.yaml)`; err == nil || err.Error() != want {
		t.Errorf("Settle of almere: %v, want %s", err, want)
	}
	if runs, err := svc.List(t.Context(), "almere", 10); err != nil || len(runs) > 0 {
		t.Errorf("runs of almere: %v, %v; want none", runs, err)
	}
}

// TestCLIActors: plein settle is both people of the four eyes only in dev mode; against
// a real database it is the operating system user, who starts and never approves.
func TestCLIActors(t *testing.T) {
	t.Parallel()
	if s, a := CLIActors(false); s != DevStarter || a != DevApprover || s == a {
		t.Errorf("dev: %q, %q; want the two dev actors", s, a)
	}
	if s, a := CLIActors(true); !strings.HasPrefix(s, "cli:") || s == DevStarter || a != "" {
		t.Errorf("remote: %q, %q; want cli:<user> and no approver", s, a)
	}
}
