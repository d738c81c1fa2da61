package settlement

import (
	"bytes"
	"context"
	"errors"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/plein-nl/plein/platform/bijstand"
	"github.com/plein-nl/plein/platform/db"
	"github.com/plein-nl/plein/platform/iban"
	"github.com/plein-nl/plein/platform/ledger"
	"github.com/plein-nl/plein/platform/money"
	"github.com/plein-nl/plein/platform/tenant"
)

// TestHeldPayoutReleased: a payout held because the resident's account is not valid
// stays owed; the first run after the account is valid again pays every held payout
// along with that month's, once, and the resident's ledger account is back at 0.
func TestHeldPayoutReleased(t *testing.T) {
	t.Parallel()
	sb, invalid := withInvalidA(t)
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	settle := func(month time.Month) (Run, string) {
		t.Helper()
		p := bijstand.Period{Year: 2026, Month: month}
		var stdout bytes.Buffer
		o := SettleOptions{Tenant: "zwolle", Period: p, Out: t.TempDir(), Starter: "cli:alice", Approver: "cli:bob"}
		if err := Settle(ctx, sb.svc, o, &stdout, io.Discard); err != nil {
			t.Fatalf("settle %s: %v\n%s", p, err, stdout.String())
		}
		r, _, err := sb.svc.Current(ctx, "zwolle", p)
		if err != nil || r.Status != StatusFinal || r.Report == nil || !r.Report.OK {
			t.Fatalf("run of %s: %+v, %v", p, r, err)
		}
		return r, stdout.String()
	}
	owedToA := func() money.Cents {
		t.Helper()
		// A credit on the resident's account is what the gemeente owes the resident.
		return -money.Cents(sb.d.Count(t, "zwolle",
			`SELECT coalesce(sum(amount_cents), 0)::int FROM journal_lines WHERE account_code = $1`, ledger.ResidentAccount(resA)))
	}

	jan, _ := settle(time.January)
	if rep := jan.Report; rep.HeldResidents != 1 || rep.HeldPayoutCents != payoutA || rep.ReleasedResidents != 0 {
		t.Errorf("January: held %d (%s), released %d; want A's %s held", rep.HeldResidents, rep.HeldPayoutCents, rep.ReleasedResidents, payoutA)
	}
	feb, _ := settle(time.February)
	if got := owedToA(); got != 2*payoutA {
		t.Errorf("after February the gemeente owes A %s, want two held payouts %s", got, 2*payoutA)
	}
	if feb.Report.ReleasedPayoutCents != 0 {
		t.Errorf("February released %s while A's account is still invalid", feb.Report.ReleasedPayoutCents)
	}

	invalid.Store(false)
	var lastDry string
	// A dry-run of March shows what it would release; a run of March cancelled while
	// it awaits approval pays nothing. Neither changes what the final run releases, and
	// while a run awaits approval a dry-run of the next month shows it will have been paid.
	dryReport := func(nth int) *Report {
		t.Helper()
		runs, err := sb.svc.List(ctx, "zwolle", 100)
		if err != nil {
			t.Fatal(err)
		}
		var dries []Run
		for _, r := range runs {
			if r.DryRun && r.Period == march {
				dries = append(dries, r)
			}
		}
		if len(dries) != nth || dries[0].Report == nil {
			t.Fatalf("%d dry-runs of March (%+v), want %d with a report", len(dries), dries, nth)
		}
		// The clock stands still: started_at does not order them, the report's run id does.
		for _, r := range dries {
			if r.ID == lastDry {
				return r.Report
			}
		}
		t.Fatalf("dry-run %s not listed", lastDry)
		return nil
	}
	dry := SettleOptions{Tenant: "zwolle", Period: march, Out: t.TempDir(), DryRun: true, Starter: "cli:alice"}
	settleDry := func() {
		t.Helper()
		var stderr bytes.Buffer
		if err := Settle(ctx, sb.svc, dry, io.Discard, &stderr); err != nil {
			t.Fatal(err)
		}
		m := regexp.MustCompile(`started run (\S+)`).FindStringSubmatch(stderr.String())
		if m == nil {
			t.Fatalf("no run started: %s", stderr.String())
		}
		lastDry = m[1]
	}
	settleDry()
	if got := dryReport(1).ReleasedPayoutCents; got != 2*payoutA {
		t.Errorf("a dry-run of March releases %s, want %s", got, 2*payoutA)
	}
	pending := SettleOptions{Tenant: "zwolle", Period: march, Out: t.TempDir(), Starter: "cli:alice"}
	if err := Settle(ctx, sb.svc, pending, io.Discard, io.Discard); !errors.Is(err, ErrAwaitingApproval) {
		t.Fatalf("March without a second person: %v, want it awaiting approval", err)
	}
	waiting, _, err := sb.svc.Current(ctx, "zwolle", march)
	if err != nil || waiting.Status != StatusAwaitingApproval {
		t.Fatalf("March: %+v, %v", waiting, err)
	}
	settleDry()
	if got := dryReport(2).ReleasedPayoutCents; got != 0 {
		t.Errorf("a dry-run of March while a run of March awaits approval releases %s, want 0 (that run pays it)", got)
	}
	if _, err := sb.svc.Cancel(ctx, "zwolle", waiting.ID, "cli:bob", "opnieuw na controle"); err != nil {
		t.Fatal(err)
	}
	mar, out := settle(time.March)
	if rep := mar.Report; rep.HeldResidents != 0 || rep.ReleasedResidents != 1 || rep.ReleasedPayoutCents != 2*payoutA {
		t.Errorf("March: held %d, released %d (%s); want A's two held payouts %s released", rep.HeldResidents,
			rep.ReleasedResidents, rep.ReleasedPayoutCents, 2*payoutA)
	}
	// The other residents are paid the same every month: what March pays more than
	// January is A's March payout and the two held ones.
	if got, want := mar.Report.SEPAControlSumCents-jan.Report.SEPAControlSumCents, 3*payoutA; got != want {
		t.Errorf("March pays %s more than January, want %s (A's month and two held)", got, want)
	}
	if want := "released the held payouts of 1 residents (" + strconv.FormatInt(int64(2*payoutA), 10) + " cents), paid with this run\n"; !strings.Contains(out, want) {
		t.Errorf("stdout lacks %q:\n%s", want, out)
	}
	if got := owedToA(); got != 0 {
		t.Errorf("after March the gemeente owes A %s, want 0", got)
	}
	files, err := sb.svc.Files(ctx, "zwolle", mar.ID, true)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(files, func(f File) bool {
		return bytes.Contains(f.Content, []byte("Bijstand maart 2026 met nabetaling kenmerk "+EndToEndID(mar.ID, "R", resA)))
	}) {
		t.Error("no SEPA file tells A the March transfer holds a nabetaling")
	}
	d, err := sb.svc.Diff(ctx, "zwolle", mar.ID, DiffOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if i := slices.IndexFunc(d.Lines, func(l DiffLine) bool { return l.ResidentID == resA }); i < 0 ||
		d.Lines[i].Current.ReleasedCents != 2*payoutA || !d.Lines[i].Previous.Held {
		t.Errorf("diff with February %+v: want A changed, held before and %s released now", d.Lines, 2*payoutA)
	}

	// A's specificaties: January held, March paid the two held payouts (the nabetaling).
	sr, err := NewStatementReader(sb.d.App, nil)
	if err != nil {
		t.Fatal(err)
	}
	janSt, err := sr.Month(ctx, "zwolle", resA, bijstand.Period{Year: 2026, Month: time.January})
	if err != nil || janSt.Hold != HoldInvalidIBAN || janSt.Released != 0 {
		t.Errorf("A's January statement: hold %q, released %s, %v; want held, nothing released", janSt.Hold, janSt.Released, err)
	}
	marSt, err := sr.Month(ctx, "zwolle", resA, march)
	if err != nil || marSt.Hold != "" || marSt.Released != 2*payoutA || marSt.Payout != payoutA {
		t.Errorf("A's March statement: hold %q, released %s, payout %s, %v; want %s released with %s", marSt.Hold, marSt.Released,
			marSt.Payout, err, 2*payoutA, payoutA)
	}

	sb.clock.Set(time.Date(2026, 4, 24, 9, 0, 0, 0, time.UTC))
	apr, _ := settle(time.April)
	if got, want := apr.Report.SEPAControlSumCents-jan.Report.SEPAControlSumCents, payoutA; got != want || apr.Report.ReleasedPayoutCents != 0 {
		t.Errorf("April pays %s more than January and releases %s; want A's month %s only (nothing paid twice)", got,
			apr.Report.ReleasedPayoutCents, want)
	}
	if got := owedToA(); got != 0 {
		t.Errorf("after April the gemeente owes A %s, want 0", got)
	}
}

// TestHeldPayoutLedgerDisagrees: when the ledger no longer says the held payout is owed
// (here: it was paid outside Plein and booked by hand), the run that would release it
// fails, naming the resident and both figures, instead of paying it a second time.
func TestHeldPayoutLedgerDisagrees(t *testing.T) {
	t.Parallel()
	sb, invalid := withInvalidA(t)
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	feb := SettleOptions{Tenant: "zwolle", Period: bijstand.Period{Year: 2026, Month: time.February}, Out: t.TempDir(),
		Starter: "cli:alice", Approver: "cli:bob"}
	if err := Settle(ctx, sb.svc, feb, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	err := db.InTenant(tenant.WithID(ctx, "zwolle"), sb.d.Owner, func(ctx context.Context, tx pgx.Tx) error {
		_, _, err := ledger.Post(ctx, tx, ledger.Entry{IdempotencyKey: "manual:paid-a", BookedOn: march.First(),
			Description: "Handmatig betaald", Source: "manual",
			Lines: []ledger.Line{{Account: ledger.ResidentAccount(resA), Amount: payoutA}, {Account: ledger.Bank, Amount: -payoutA}}})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	invalid.Store(false)
	o := SettleOptions{Tenant: "zwolle", Period: march, Out: t.TempDir(), Starter: "cli:alice", Approver: "cli:bob"}
	if err := Settle(ctx, sb.svc, o, io.Discard, io.Discard); err == nil {
		t.Fatal("March settled, want it failed: the ledger owes A nothing")
	}
	runs, err := sb.svc.List(ctx, "zwolle", 10)
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(runs, func(r Run) bool { return r.Period == march })
	if i < 0 {
		t.Fatalf("no run of March in %+v", runs)
	}
	r := runs[i]
	want := "resident " + resA + ": the held payouts still owed are € 1.175,73 by the settlement items (€ 1.175,73 due now) and € 0,00 by the ledger"
	if r.Status != StatusFailed || !strings.Contains(r.Error, want) {
		t.Errorf("March: %s, %q; want failed with %q", r.Status, r.Error, want)
	}
}

// payoutA is resident A's month in the fixture: bijstand − reserve − zorgpremie, the
// same every month.
const payoutA = bijstandSingle - reserveSingle - zorgpremie

// withInvalidA is a settlement service over the fixture's months for any period, with
// resident A's account invalid (a check digit that does not match) until the flag is
// cleared.
func withInvalidA(t *testing.T) (settleBundle, *atomic.Bool) {
	t.Helper()
	b := setup(t)
	invalid := new(atomic.Bool)
	invalid.Store(true)
	base := b.months
	b.monthsFor = func(p bijstand.Period) []ResidentMonth {
		out := slices.Clone(base)
		for i := range out {
			out[i].Result.Period = p
			if out[i].ResidentID == resA && invalid.Load() {
				out[i].IBAN = iban.IBAN("NL00ABNA0417164300")
			}
		}
		return out
	}
	return setupSettleWith(t, b, nil), invalid
}
