package settlement

import (
	"bytes"
	"context"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/plein-nl/plein/platform/bijstand"
	"github.com/plein-nl/plein/platform/iban"
	"github.com/plein-nl/plein/platform/ledger"
	"github.com/plein-nl/plein/platform/money"
)

// TestHeldPayoutReleased: a payout held because the resident's account is not valid
// stays owed; the first run after the account is valid again pays every held payout
// along with that month's, once, and the resident's ledger account is back at 0.
func TestHeldPayoutReleased(t *testing.T) {
	t.Parallel()
	b := setup(t)
	var invalid atomic.Bool
	invalid.Store(true)
	base := b.months
	b.monthsFor = func(p bijstand.Period) []ResidentMonth {
		out := slices.Clone(base)
		for i := range out {
			out[i].Result.Period = p
			if out[i].ResidentID == resA && invalid.Load() {
				out[i].IBAN = iban.IBAN("NL00ABNA0417164300") // a check digit that does not match
			}
		}
		return out
	}
	sb := setupSettleWith(t, b, nil)
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()

	// A's month: bijstand − reserve − zorgpremie, the same every month of the fixture.
	payoutA := bijstandSingle - reserveSingle - zorgpremie
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
	if feb.Report.ReleasedCents != 0 {
		t.Errorf("February released %s while A's account is still invalid", feb.Report.ReleasedCents)
	}

	invalid.Store(false)
	mar, out := settle(time.March)
	if rep := mar.Report; rep.HeldResidents != 0 || rep.ReleasedResidents != 1 || rep.ReleasedCents != 2*payoutA {
		t.Errorf("March: held %d, released %d (%s); want A's two held payouts %s released", rep.HeldResidents,
			rep.ReleasedResidents, rep.ReleasedCents, 2*payoutA)
	}
	// The other residents are paid the same every month: what March pays more than
	// January is A's March payout and the two held ones.
	if got, want := mar.Report.SEPAControlSumCents-jan.Report.SEPAControlSumCents, 3*payoutA; got != want {
		t.Errorf("March pays %s more than January, want %s (A's month and two held)", got, want)
	}
	if want := "released 1 payouts held before (" + strconv.FormatInt(int64(2*payoutA), 10) + " cents), paid with this run\n"; !strings.Contains(out, want) {
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

	sb.clock.Set(time.Date(2026, 4, 24, 9, 0, 0, 0, time.UTC))
	apr, _ := settle(time.April)
	if got, want := apr.Report.SEPAControlSumCents-jan.Report.SEPAControlSumCents, payoutA; got != want || apr.Report.ReleasedCents != 0 {
		t.Errorf("April pays %s more than January and releases %s; want A's month %s only (nothing paid twice)", got,
			apr.Report.ReleasedCents, want)
	}
	if got := owedToA(); got != 0 {
		t.Errorf("after April the gemeente owes A %s, want 0", got)
	}
}
