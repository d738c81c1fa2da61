package settlement

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/plein-nl/plein/platform/bijstand"
	"github.com/plein-nl/plein/platform/ledger"
	"github.com/plein-nl/plein/platform/tenant"
)

const (
	resE = "0b3a6c1e-0000-4000-8000-00000000000e" // the engine refused the month
	resF = "0b3a6c1e-0000-4000-8000-00000000000f" // the engine refused the month
)

// engineRefusal is how the income service passes on the engine's refusal of a
// household with a partner aged 17 (platform/bijstand).
var engineRefusal = errors.New("income: month: household.applicants[1].birth_date: the applicant is 17 on 2026-03-01; bijstand starts at 18")

// withUncomputed is b with two residents more whose months the engine refused, as
// the caseload returns them (name and account, no amounts), F before E.
func withUncomputed(t *testing.T, b testBundle) testBundle {
	t.Helper()
	b.months = append(slices.Clone(b.months),
		ResidentMonth{ResidentID: resF, Name: "Sanne Visser", IBAN: nlIBAN(t, "INGB", "0007654321"),
			Result: bijstand.Result{Period: march}, Uncomputed: UncomputedReason(engineRefusal)},
		ResidentMonth{ResidentID: resE, Name: "Jan Jansen", IBAN: nlIBAN(t, "RABO", "0300000001"),
			Result: bijstand.Result{Period: march}, Uncomputed: UncomputedReason(engineRefusal)})
	return b
}

// TestUncomputedLeftOut: residents whose month was not computed change nothing the run
// pays or books; the report lists them, by resident id, and the run reconciles.
func TestUncomputedLeftOut(t *testing.T) {
	t.Parallel()
	b := setup(t)
	w := withUncomputed(t, b)
	p, err := Assemble(march, runID, w.months, w.creditors)
	if err != nil {
		t.Fatalf("Assemble: %v", err)
	}
	without := assemble(t, b)
	if !reflect.DeepEqual(p, without) {
		t.Errorf("payments with residents not computed\n got %+v\nwant %+v (as without them)", p, without)
	}
	for _, size := range []int{1, 100} {
		got, err := MonthEntries(march, runID, w.months, size)
		if err != nil {
			t.Fatal(err)
		}
		want, err := MonthEntries(march, runID, b.months, size)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("size %d: entries with residents not computed\n got %+v\nwant %+v (%v)", size, got, want, err)
		}
	}
	rep, err := reconcile(len(w.months), w.months, p, nil)
	if err != nil {
		t.Fatalf("reconcile: %v", err)
	}
	want, err := Reconcile(b.months, without)
	if err != nil {
		t.Fatal(err)
	}
	reason := "De maand kon niet worden berekend: " + engineRefusal.Error() + "; controleer de gegevens van deze inwoner"
	want.UncomputedResidents = 2
	want.Uncomputed = []UncomputedResident{{ResidentID: resE, Reason: reason}, {ResidentID: resF, Reason: reason}}
	if !reflect.DeepEqual(rep, want) {
		t.Errorf("report\n got %+v\nwant %+v", rep, want)
	}
	if rep.Residents != 4 || !rep.OK {
		t.Errorf("residents %d, ok %v; want the 4 computed, ok", rep.Residents, rep.OK)
	}
}

// TestReconcileUncomputedCatches: a month not computed that carries money, a resident
// both computed and not, a payment to one not computed, and a run missing a planned
// resident do not reconcile.
func TestReconcileUncomputedCatches(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		planned   int
		tamper    func(months []ResidentMonth, p *Payments) []ResidentMonth
		mentioned []string
	}{
		{"a resident planned is missing", 7, func(m []ResidentMonth, _ *Payments) []ResidentMonth { return m },
			[]string{"the run planned 7 residents and has 6: 4 computed, 2 not computed"}},
		{"amounts on a month not computed", 6, func(m []ResidentMonth, _ *Payments) []ResidentMonth {
			m[5].Result.Bijstand, m[5].Result.Payout = 100, 100
			return m
		}, []string{"resident " + resE + ": not computed, yet has amounts"}},
		{"a hold on a month not computed", 6, func(m []ResidentMonth, _ *Payments) []ResidentMonth {
			m[4].Hold = "geen geldig rekeningnummer"
			return m
		}, []string{"resident " + resF + ": not computed, yet has"}},
		{"computed and not computed", 7, func(m []ResidentMonth, _ *Payments) []ResidentMonth {
			return append(m, ResidentMonth{ResidentID: resA, Result: bijstand.Result{Period: march}, Uncomputed: "x"})
		}, []string{"resident " + resA + " appears more than once"}},
		{"a transfer to a month not computed", 6, func(m []ResidentMonth, p *Payments) []ResidentMonth {
			tr := p.Residents[0].Transfer
			tr.EndToEndID = EndToEndID(runID, "R", resE)
			p.Residents = append(p.Residents, ResidentPayment{ResidentID: resE, Transfer: tr})
			return m
		}, []string{"resident " + resE + ": transfer of", "without a payout"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := withUncomputed(t, setup(t))
			p := assemble(t, w)
			months := tc.tamper(w.months, &p)
			rep, err := reconcile(tc.planned, months, p, nil)
			notReconciled(t, rep, err, tc.mentioned)
		})
	}
}

// TestUncomputedReason: the consulent's Dutch sentence around the engine's text, on
// one line, never over the column's 500 characters.
func TestUncomputedReason(t *testing.T) {
	t.Parallel()
	if got, want := UncomputedReason(errors.New("period: no law")), "De maand kon niet worden berekend: period: no law; controleer de gegevens van deze inwoner"; got != want {
		t.Errorf("reason %q, want %q", got, want)
	}
	long := UncomputedReason(errors.New("first\nsecond\t" + strings.Repeat("é", 2000)))
	if n := utf8.RuneCountInString(long); n != maxUncomputedReason || strings.ContainsAny(long, "\n\t") ||
		!strings.HasPrefix(long, "De maand kon niet worden berekend: first second éé") ||
		!strings.HasSuffix(long, "é…; controleer de gegevens van deze inwoner") || !utf8.ValidString(long) {
		t.Errorf("a long reason (%d characters): %q", n, long)
	}
	if got := UncomputedReason(nil); !strings.Contains(got, "onbekende fout") {
		t.Errorf("reason of no error: %q", got)
	}
}

// TestMemberMonths: a batch keeps its members' months, in the members' order, and names
// a member the caseload returned no month for (the batch then fails the run).
func TestMemberMonths(t *testing.T) {
	t.Parallel()
	b := setup(t)
	got, missing := memberMonths(b.months, []string{resC, resA})
	if len(got) != 2 || got[0].ResidentID != resC || got[1].ResidentID != resA || missing != "" {
		t.Fatalf("months %+v, missing %q: want C then A, none missing", got, missing)
	}
	if got, missing := memberMonths(b.months, []string{resA, "res-unknown", resC}); got != nil || missing != "res-unknown" {
		t.Errorf("a member without a month: %+v, missing %q, want no months and res-unknown", got, missing)
	}
}

// TestMetricsUncomputed: a batch's residents not computed are counted per tenant, apart
// from those computed.
func TestMetricsUncomputed(t *testing.T) {
	t.Parallel()
	reg := prometheus.NewRegistry()
	m, err := NewMetrics(reg)
	if err != nil {
		t.Fatal(err)
	}
	m.computed("zwolle", 3, 1)
	m.computed("zwolle", 2, 0)
	if got, comp := testutil.ToFloat64(m.uncomputed.WithLabelValues("zwolle")), testutil.ToFloat64(m.residents.WithLabelValues("zwolle")); got != 1 || comp != 5 {
		t.Errorf("uncomputed %v, computed %v; want 1, 5", got, comp)
	}
	if n, err := testutil.GatherAndCount(reg, "plein_settlement_residents_uncomputed_total"); err != nil || n != 1 {
		t.Errorf("plein_settlement_residents_uncomputed_total: %d series (%v), want 1", n, err)
	}
}

// TestSettleWithUncomputed: a run in which two residents' months were not computed
// pays the others exactly as it would without them, books and pays nothing for the
// two, lists them in its report and on stdout, and becomes final.
func TestSettleWithUncomputed(t *testing.T) {
	t.Parallel()
	sb := setupSettleWith(t, withUncomputed(t, setup(t)), nil)
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	var stdout bytes.Buffer
	o := SettleOptions{Tenant: "zwolle", Period: march, Out: t.TempDir(), Starter: "cli:alice", Approver: "cli:bob"}
	if err := Settle(ctx, sb.svc, o, &stdout, io.Discard); err != nil {
		t.Fatalf("settle: %v\n%s", err, stdout.String())
	}
	reason := UncomputedReason(engineRefusal)
	// The totals are TestReconcile's, of the four residents computed.
	for _, line := range []string{
		"residents 4, bijstand 420450, reserve 20181, deductions 43707, payout 356562, held 0 (0 cents), not computed 2, SEPA 5 transfers, control sum 395269 cents\n",
		"\n  not computed: resident " + resE + ": " + reason + "\n  not computed: resident " + resF + ": " + reason + "\n",
	} {
		if !strings.Contains(stdout.String(), line) {
			t.Errorf("stdout has no line %q:\n%s", line, stdout.String())
		}
	}
	run, _, err := sb.svc.Current(ctx, "zwolle", march)
	if err != nil || run.Status != StatusFinal || run.Report == nil {
		t.Fatalf("run: %+v, %v", run, err)
	}
	want := []UncomputedResident{{ResidentID: resE, Reason: reason}, {ResidentID: resF, Reason: reason}}
	if rep := run.Report; !rep.OK || rep.Residents != 4 || rep.UncomputedResidents != 2 || !reflect.DeepEqual(rep.Uncomputed, want) ||
		rep.SEPAControlSumCents != 395269 || rep.SEPATransactions != 5 {
		t.Errorf("report %+v, want the four residents' totals and E and F not computed", rep)
	}
	if n := sb.d.Count(t, "zwolle", `SELECT count(*) FROM settlement_items WHERE run_id = $1 AND uncomputed IS NOT NULL`, run.ID); n != 2 {
		t.Errorf("%d items not computed, want 2", n)
	}
	for _, id := range []string{resE, resF} {
		if n := sb.d.Count(t, "zwolle", `SELECT count(*) FROM journal_lines WHERE account_code = $1`, ledger.ResidentAccount(id)); n != 0 {
			t.Errorf("resident %s: %d ledger lines, want none", id, n)
		}
	}
	var bank int
	if bank = sb.d.Count(t, "zwolle", `SELECT coalesce(sum(amount_cents), 0)::int FROM journal_lines WHERE account_code = $1`, ledger.Bank); bank != -395269 {
		t.Errorf("bank %d, want −395269 (the control sum)", bank)
	}
	files, err := sb.svc.Files(ctx, "zwolle", run.ID, true)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		for _, id := range []string{resE, resF} {
			if bytes.Contains(f.Content, []byte(EndToEndID(run.ID, "R", id))) {
				t.Errorf("%s pays resident %s, whose month was not computed", f.Name, id)
			}
		}
	}
}

// TestSystemicErrorRetried: a caseload that cannot be read (the database went away)
// fails the batch's job, which River retries; no resident is marked not computed, and
// the run computes everyone once the read succeeds.
func TestSystemicErrorRetried(t *testing.T) {
	t.Parallel()
	b := setup(t)
	var calls atomic.Int32
	b.monthsErr = func() error {
		if calls.Add(1) == 1 {
			return fmt.Errorf("residents: payees: %w", &pgconn.PgError{Code: "57P01", Message: "terminating connection due to administrator command"})
		}
		return nil
	}
	sb := setupSettleWith(t, b, nil)
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	o := SettleOptions{Tenant: tenant.ID("zwolle"), Period: march, Out: t.TempDir(), DryRun: true, Starter: "cli:alice"}
	if err := Settle(ctx, sb.svc, o, io.Discard, io.Discard); err != nil {
		t.Fatalf("settle: %v", err)
	}
	runs, err := sb.svc.List(ctx, "zwolle", 1)
	if err != nil || len(runs) != 1 {
		t.Fatalf("runs %+v, %v", runs, err)
	}
	run, err := sb.svc.Get(ctx, "zwolle", runs[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if rep := run.Report; run.Status != StatusDryRunDone || rep == nil || !rep.OK || rep.Residents != 4 || rep.UncomputedResidents != 0 {
		t.Errorf("run %s, report %+v; want dry_run_done with the 4 residents computed", run.Status, rep)
	}
	if calls.Load() < 3 || run.JobErrors < 1 || !strings.Contains(run.LastJobError, "administrator command") {
		t.Errorf("%d reads, %d job errors (%q); want the failed read retried", calls.Load(), run.JobErrors, run.LastJobError)
	}
}

// TestRunFailsWhenNotAResidentsData: what is not one resident's data fails the run
// before anyone can approve it, naming the cause: the law data (a ComputeError), a
// member the caseload did not return, and a run in which not one month was computed.
func TestRunFailsWhenNotAResidentsData(t *testing.T) {
	t.Parallel()
	notPublished := errors.New("law: value not in the law data for this date: youth_single")
	cases := []struct {
		name   string
		change func(b *testBundle)
		want   []string
	}{
		{"law data", func(b *testBundle) {
			b.monthsErr = func() error { return &ComputeError{ResidentID: resB, Err: notPublished} }
		}, []string{"the month could not be computed", "resident " + resB, "youth_single"}},
		{"a member without a month", func(b *testBundle) {
			b.months = slices.DeleteFunc(slices.Clone(b.months), func(m ResidentMonth) bool { return m.ResidentID == resC })
			b.extraIDs = []string{resC}
		}, []string{"resident " + resC + " was planned into the run", "returned no month"}},
		{"no month computed", func(b *testBundle) {
			ms := slices.Clone(b.months)
			for i := range ms {
				ms[i] = ResidentMonth{ResidentID: ms[i].ResidentID, Name: ms[i].Name, IBAN: ms[i].IBAN,
					Result: bijstand.Result{Period: march}, Uncomputed: "De maand kon niet worden berekend: x"}
			}
			b.months = ms
		}, []string{"no resident's month could be computed (4 residents)", "De maand kon niet worden berekend: x"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t)
			tc.change(&b)
			sb := setupSettleWith(t, b, nil)
			ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
			defer cancel()
			o := SettleOptions{Tenant: tenant.ID("zwolle"), Period: march, Out: t.TempDir(), DryRun: true, Starter: "cli:alice"}
			if err := Settle(ctx, sb.svc, o, io.Discard, io.Discard); err == nil {
				t.Fatal("settle succeeded, want the run failed")
			}
			runs, err := sb.svc.List(ctx, "zwolle", 1)
			if err != nil || len(runs) != 1 {
				t.Fatalf("runs %+v, %v", runs, err)
			}
			if runs[0].Status != StatusFailed {
				t.Fatalf("run %s, want failed", runs[0].Status)
			}
			for _, w := range tc.want {
				if !strings.Contains(runs[0].Error, w) {
					t.Errorf("run error %q lacks %q", runs[0].Error, w)
				}
			}
		})
	}
}
