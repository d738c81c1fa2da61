package settlement

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/plein-nl/plein/platform/bijstand"
	"github.com/plein-nl/plein/platform/iban"
	"github.com/plein-nl/plein/platform/ledger"
	"github.com/plein-nl/plein/platform/money"
	"github.com/plein-nl/plein/platform/sepa"
)

// The figures are docs/domain.md §3 for 2026, a single without income: bijstand 1401.50, the
// vakantietoeslag reserve 67.27 (4.8 %), so cash 1334.23; the deduction capacity for
// verrekening, beslag and aflossing is 70.07 (bijstand − BVV 1331.43).
const (
	bijstandSingle = money.Cents(140150)
	reserveSingle  = money.Cents(6727)
	zorgpremie     = money.Cents(15850)
	capacitySingle = money.Cents(7007)
)

var march = bijstand.Period{Year: 2026, Month: time.March}

const (
	resA  = "0b3a6c1e-0000-4000-8000-00000000000a" // zorgpremie → payout 1175.73
	resB  = "0b3a6c1e-0000-4000-8000-00000000000b" // zorgpremie + verrekening 50.00 → 1125.73
	resC  = "0b3a6c1e-0000-4000-8000-00000000000c" // aflossing 100.00 asked, 70.07 fits → 1264.16
	resD  = "0b3a6c1e-0000-4000-8000-00000000000d" // income above the norm: bijstand 0
	runID = "7d1f0e7a-5b3c-4c2e-9f00-123456789abc"
)

// nlIBAN makes a valid Dutch IBAN for bank and a 10-digit account, so that the tests do
// not depend on a list of real accounts.
func nlIBAN(t *testing.T, bank, account string) iban.IBAN {
	t.Helper()
	var digits strings.Builder
	for _, c := range bank + account + "NL00" {
		if c >= 'A' && c <= 'Z' {
			fmt.Fprintf(&digits, "%d", c-'A'+10)
		} else {
			digits.WriteRune(c)
		}
	}
	n, _ := new(big.Int).SetString(digits.String(), 10)
	check := 98 - new(big.Int).Mod(n, big.NewInt(97)).Int64()
	i, err := iban.Parse(fmt.Sprintf("NL%02d%s%s", check, bank, account))
	if err != nil {
		t.Fatalf("nlIBAN(%s, %s): %v", bank, account, err)
	}
	return i
}

type testBundle struct {
	months    []ResidentMonth
	creditors map[string]CreditorInfo
	counters  CounterReader // nil: only River's counters jobs are checked
	// monthsErr, when set, is asked first by every read of the months: an error it
	// returns is the caseload's (a systemic failure, not a month the engine refused).
	monthsErr func() error
	// monthsFor, when set, gives the months of a period instead of months (which
	// still lists the residents).
	monthsFor func(bijstand.Period) []ResidentMonth
	// extraIDs are residents ResidentIDs lists (plans into a run) besides those with a
	// month: residents the caseload then returns no month for.
	extraIDs []string
}

func setup(t *testing.T) testBundle {
	t.Helper()
	single := func(deds ...bijstand.DeductionResult) bijstand.Result {
		r := bijstand.Result{Period: march, Bijstand: bijstandSingle, VakantietoeslagReserve: reserveSingle, Deductions: deds}
		r.Payout = r.Bijstand - r.VakantietoeslagReserve
		for _, d := range deds {
			r.Payout -= d.Applied
		}
		return r
	}
	zorg := func(id string) bijstand.DeductionResult {
		return bijstand.DeductionResult{ID: id, Label: "Zilveren Kruis", Kind: bijstand.DeductOnBehalf, Requested: zorgpremie, Applied: zorgpremie}
	}
	return testBundle{
		months: []ResidentMonth{
			{ResidentID: resA, Name: "Zoë Çelik", IBAN: nlIBAN(t, "ABNA", "0417164300"),
				Result: single(zorg("plan-a-zorg")),
				Plans:  map[string]PlanRef{"plan-a-zorg": {CreditorID: "zilveren-kruis", Reference: "POL-111"}}},
			{ResidentID: resB, Name: "Piet Jansen", IBAN: nlIBAN(t, "INGB", "0001234567"),
				Result: single(zorg("plan-b-zorg"), bijstand.DeductionResult{ID: "claim-b", Kind: bijstand.DeductVerrekening, Requested: 5000, Applied: 5000}),
				Plans:  map[string]PlanRef{"plan-b-zorg": {CreditorID: "zilveren-kruis", Reference: "POL-222"}}},
			{ResidentID: resC, Name: "Łukasz Søren", IBAN: nlIBAN(t, "RABO", "0123456789"),
				Result: single(bijstand.DeductionResult{ID: "plan-c-kb", Kind: bijstand.DeductAflossing, Requested: 10000, Applied: capacitySingle, Shortfall: 10000 - capacitySingle}),
				Plans:  map[string]PlanRef{"plan-c-kb": {CreditorID: "kredietbank", Reference: "DOS-9"}}},
			{ResidentID: resD, Name: "Anna de Vries", IBAN: nlIBAN(t, "SNSB", "0987654321"),
				Result: bijstand.Result{Period: march}},
		},
		creditors: map[string]CreditorInfo{
			"zilveren-kruis": {ID: "zilveren-kruis", Name: "Zilveren Kruis Zorgverzekeringen N.V.", IBAN: nlIBAN(t, "INGB", "0000001234")},
			"kredietbank":    {ID: "kredietbank", Name: "Gemeentelijke Kredietbank", IBAN: nlIBAN(t, "BNGH", "0285000000")},
			"unused":         {ID: "unused", Name: "Eneco", IBAN: nlIBAN(t, "RABO", "0000000001")},
		},
	}
}

func assemble(t *testing.T, b testBundle) Payments {
	t.Helper()
	p, err := Assemble(march, runID, b.months, b.creditors)
	if err != nil {
		t.Fatalf("Assemble: %v", err)
	}
	return p
}

func TestAssemble(t *testing.T) {
	t.Parallel()
	p := assemble(t, setup(t))

	type payout struct {
		id     string
		amount money.Cents
	}
	var gotRes []payout
	for _, r := range p.Residents {
		gotRes = append(gotRes, payout{r.ResidentID, r.Transfer.Amount})
		if want := "Bijstand maart 2026 kenmerk " + r.Transfer.EndToEndID; r.Transfer.Remittance != want {
			t.Errorf("resident %s remittance = %q, want %q", r.ResidentID, r.Transfer.Remittance, want)
		}
	}
	wantRes := []payout{{resA, 117573}, {resB, 112573}, {resC, 126416}} // D has no payout
	if !slices.Equal(gotRes, wantRes) {
		t.Errorf("resident payouts = %v, want %v", gotRes, wantRes)
	}

	// Two residents with the same verzekeraar: one transfer, two lines. The verrekening of
	// B makes no transfer: "gemeente" is no creditor here.
	if len(p.Creditors) != 2 {
		t.Fatalf("creditor transfers = %d, want 2: %+v", len(p.Creditors), p.Creditors)
	}
	kb, zk := p.Creditors[0], p.Creditors[1]
	if kb.CreditorID != "kredietbank" || zk.CreditorID != "zilveren-kruis" {
		t.Fatalf("creditor order = %s, %s; want kredietbank, zilveren-kruis", kb.CreditorID, zk.CreditorID)
	}
	if kb.Transfer.Amount != capacitySingle {
		t.Errorf("kredietbank amount = %d, want %d", kb.Transfer.Amount, capacitySingle)
	}
	if want := 2 * zorgpremie; zk.Transfer.Amount != want {
		t.Errorf("zilveren-kruis amount = %d, want %d", zk.Transfer.Amount, want)
	}
	wantSpec := []sepa.SpecLine{
		{Resident: "Zoë Çelik", Reference: "POL-111", Amount: zorgpremie},
		{Resident: "Piet Jansen", Reference: "POL-222", Amount: zorgpremie},
	}
	if got := zk.Spec(); !reflect.DeepEqual(got, wantSpec) {
		t.Errorf("zilveren-kruis spec = %+v, want %+v", got, wantSpec)
	}
	if err := sepa.CheckSpec(zk.Spec(), zk.Transfer.Amount); err != nil {
		t.Errorf("CheckSpec: %v", err)
	}
	if want := "Bijstand maart 2026 kenmerk " + kb.Transfer.EndToEndID + " ref DOS-9"; kb.Transfer.Remittance != want {
		t.Errorf("kredietbank remittance = %q, want %q", kb.Transfer.Remittance, want)
	}
	if want := "Bijstand maart 2026 kenmerk " + zk.Transfer.EndToEndID + " 2 inhoudingen, zie specificatie"; zk.Transfer.Remittance != want {
		t.Errorf("zilveren-kruis remittance = %q, want %q", zk.Transfer.Remittance, want)
	}
	if got, want := p.Total(), money.Cents(117573+112573+126416+7007+31700); got != want {
		t.Errorf("Total = %d, want %d", got, want)
	}
}

func TestAssembleErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		change func(b *testBundle)
		want   error
		names  string // what the message must name
	}{
		{"applied deduction without plan", func(b *testBundle) { b.months[0].Plans = nil }, ErrUnknownPlan, resA},
		{"plan with unknown creditor", func(b *testBundle) {
			b.months[2].Plans = map[string]PlanRef{"plan-c-kb": {CreditorID: "nobody", Reference: "x"}}
		}, ErrUnknownCreditor, "nobody"},
		{"payout without IBAN", func(b *testBundle) { b.months[1].IBAN = "" }, ErrIBAN, resB},
		{"payout with an IBAN of wrong checksum", func(b *testBundle) { b.months[1].IBAN = "NL50BANK1234567890" }, ErrIBAN, resB},
		{"payout without name", func(b *testBundle) { b.months[1].Name = "" }, ErrNoName, resB},
		{"creditor with invalid IBAN", func(b *testBundle) {
			c := b.creditors["kredietbank"]
			c.IBAN = "NL50BANK1234567890"
			b.creditors["kredietbank"] = c
		}, ErrIBAN, "kredietbank"},
		{"resident twice", func(b *testBundle) { b.months = append(b.months, b.months[0]) }, ErrDuplicateResident, resA},
		{"result of another month", func(b *testBundle) { b.months[2].Result.Period = march.Prev() }, ErrPeriodMismatch, resC},
		{"resident id with a colon", func(b *testBundle) { b.months[0].ResidentID = "a:b" }, ErrInvalidID, "a:b"},
		{"unknown kind", func(b *testBundle) { b.months[0].Result.Deductions[0].Kind = "gift" }, ErrUnknownKind, resA},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t)
			tt.change(&b)
			p, err := Assemble(march, runID, b.months, b.creditors)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if !strings.Contains(err.Error(), tt.names) {
				t.Errorf("err = %q, does not name %q", err, tt.names)
			}
			if len(p.Residents)+len(p.Creditors) != 0 {
				t.Errorf("payments returned with an error: %+v", p)
			}
		})
	}

	t.Run("verrekening and unapplied deductions need no plan", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		b.months[1].Plans = map[string]PlanRef{"plan-b-zorg": b.months[1].Plans["plan-b-zorg"]} // no "claim-b"
		b.months[0].Result.Deductions = append(b.months[0].Result.Deductions,
			bijstand.DeductionResult{ID: "no-plan", Kind: bijstand.DeductBeslag, Requested: 100, Shortfall: 100})
		if _, err := Assemble(march, runID, b.months, b.creditors); err != nil {
			t.Fatalf("Assemble: %v", err)
		}
	})
	t.Run("no run id", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		if _, err := Assemble(march, "", b.months, b.creditors); !errors.Is(err, ErrRunID) {
			t.Fatalf("err = %v, want %v", err, ErrRunID)
		}
	})
}

func TestAssembleDeterministic(t *testing.T) {
	t.Parallel()
	b := setup(t)
	first := assemble(t, b)

	// The same residents in another order give the same payments, ids included.
	b2 := setup(t)
	slices.Reverse(b2.months)
	second := assemble(t, b2)
	if !reflect.DeepEqual(first, second) {
		t.Errorf("Assemble is not deterministic:\n%+v\n%+v", first, second)
	}

	ids := map[string]bool{}
	for _, tr := range first.Transfers() {
		if len(tr.EndToEndID) > sepa.MaxIDLen || ids[tr.EndToEndID] {
			t.Errorf("EndToEndID %q too long or not unique", tr.EndToEndID)
		}
		ids[tr.EndToEndID] = true
		if len(tr.Remittance) > sepa.MaxRemittanceLen {
			t.Errorf("remittance of %d characters", len(tr.Remittance))
		}
	}
	// Another run never reuses an id.
	other, err := Assemble(march, runID+"-2", b.months, b.creditors)
	if err != nil {
		t.Fatal(err)
	}
	for _, tr := range other.Transfers() {
		if ids[tr.EndToEndID] {
			t.Errorf("EndToEndID %s of another run reused", tr.EndToEndID)
		}
	}
}

func TestRemittanceCut(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.months[2].Plans["plan-c-kb"] = PlanRef{CreditorID: "kredietbank", Reference: strings.Repeat("Dossier ñ ", 30)}
	p := assemble(t, b)
	r := p.Creditors[0].Transfer.Remittance
	if len(r) != sepa.MaxRemittanceLen || !strings.Contains(r, p.Creditors[0].Transfer.EndToEndID) || !strings.Contains(r, "Dossier n") {
		t.Errorf("remittance = %q (%d), want 140 EPC characters with the kenmerk", r, len(r))
	}
}

func balanced(t *testing.T, e ledger.Entry) {
	t.Helper()
	var sum money.Cents
	for _, l := range e.Lines {
		if l.Amount == 0 {
			t.Errorf("%s: zero line on %s", e.IdempotencyKey, l.Account)
		}
		sum += l.Amount
	}
	if sum != 0 || len(e.Lines) < 2 {
		t.Errorf("%s: sum %d over %d lines, want 0 over ≥ 2", e.IdempotencyKey, sum, len(e.Lines))
	}
	if _, _, ok := ledger.KnownAccount(e.Lines[0].Account); !ok {
		t.Errorf("%s: account %s unknown to the ledger", e.IdempotencyKey, e.Lines[0].Account)
	}
}

func TestEntries(t *testing.T) {
	t.Parallel()
	b := setup(t)
	entries, err := Entries(march, runID, b.months)
	if err != nil {
		t.Fatalf("Entries: %v", err)
	}
	payments := PaymentEntries(runID, assemble(t, b))

	keys := map[string]bool{}
	for _, e := range append(slices.Clone(entries), payments...) {
		balanced(t, e)
		for _, l := range e.Lines {
			if _, _, ok := ledger.KnownAccount(l.Account); !ok {
				t.Errorf("%s: account %s unknown to the ledger", e.IdempotencyKey, l.Account)
			}
		}
		if keys[e.IdempotencyKey] {
			t.Errorf("key %s twice", e.IdempotencyKey)
		}
		keys[e.IdempotencyKey] = true
		if e.Source != "settlement:"+runID || !e.BookedOn.Equal(march.First()) || e.Description == "" {
			t.Errorf("%s: source %q, booked %v, description %q", e.IdempotencyKey, e.Source, e.BookedOn, e.Description)
		}
	}

	byKey := map[string][]ledger.Line{}
	for _, e := range entries {
		byKey[e.IdempotencyKey] = e.Lines
	}
	tests := []struct {
		resident string
		want     []ledger.Line // debits first, then credits, each by account
	}{
		{resA, []ledger.Line{
			{Account: ledger.BijstandExpense, Amount: 140150},
			{Account: "creditor:zilveren-kruis", Amount: -15850},
			{Account: ledger.ResidentAccount(resA), Amount: -117573},
			{Account: ledger.VakantietoeslagReserve, Amount: -6727},
		}},
		{resB, []ledger.Line{ // verrekening: the gemeente's claim is settled
			{Account: ledger.BijstandExpense, Amount: 140150},
			{Account: "creditor:zilveren-kruis", Amount: -15850},
			{Account: ledger.GemeenteClaims, Amount: -5000},
			{Account: ledger.ResidentAccount(resB), Amount: -112573},
			{Account: ledger.VakantietoeslagReserve, Amount: -6727},
		}},
		{resC, []ledger.Line{
			{Account: ledger.BijstandExpense, Amount: 140150},
			{Account: "creditor:kredietbank", Amount: -7007},
			{Account: ledger.ResidentAccount(resC), Amount: -126416},
			{Account: ledger.VakantietoeslagReserve, Amount: -6727},
		}},
	}
	for _, tt := range tests {
		if got := byKey["settlement:"+runID+":"+tt.resident]; !slices.Equal(got, tt.want) {
			t.Errorf("entry of %s:\n got %v\nwant %v", tt.resident, got, tt.want)
		}
	}
	if len(entries) != 3 {
		t.Errorf("%d entries, want 3 (resident D has bijstand 0)", len(entries))
	}

	// After the payments the payables are 0: what was owed has left the bank.
	bal := map[string]money.Cents{}
	for _, e := range append(entries, payments...) {
		for _, l := range e.Lines {
			bal[l.Account] += l.Amount
		}
	}
	for acct, v := range bal {
		if (strings.HasPrefix(acct, "resident:") || strings.HasPrefix(acct, "creditor:")) && v != 0 {
			t.Errorf("balance of %s after payment = %d, want 0", acct, v)
		}
	}
	if want := -money.Cents(117573 + 112573 + 126416 + 7007 + 31700); bal[ledger.Bank] != want {
		t.Errorf("bank = %d, want %d", bal[ledger.Bank], want)
	}
}

func TestEntriesErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		change func(b *testBundle)
		want   error
	}{
		{"result that does not balance", func(b *testBundle) { b.months[0].Result.Payout++ }, ErrUnbalanced},
		{"applied deduction without plan", func(b *testBundle) { b.months[2].Plans = nil }, ErrUnknownPlan},
		{"payout without bijstand", func(b *testBundle) { b.months[3].Result.Payout = 1 }, ErrUnbalanced},
		{"resident twice", func(b *testBundle) { b.months = append(b.months, b.months[1]) }, ErrDuplicateResident},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t)
			tt.change(&b)
			if _, err := Entries(march, runID, b.months); !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestSEPAFileReconciles(t *testing.T) {
	t.Parallel()
	b := setup(t)
	p := assemble(t, b)
	for _, v := range []sepa.Version{sepa.V09, sepa.V03} {
		t.Run(string(v), func(t *testing.T) {
			t.Parallel()
			batch := sepa.Batch{
				MsgID:         "PLEIN-2026-03-0001",
				CreatedAt:     time.Date(2026, 3, 20, 9, 0, 0, 0, time.UTC),
				PmtInfID:      "PLEIN-2026-03-0001-1",
				ExecutionDate: time.Date(2026, 3, 25, 0, 0, 0, 0, time.UTC),
				Debtor:        sepa.Debtor{Name: "Gemeente Utrecht", IBAN: nlIBAN(t, "BNGH", "0285001234"), Town: "Utrecht", Country: "NL"},
				Transfers:     p.Transfers(),
			}
			var buf bytes.Buffer
			sum, err := sepa.Write(&buf, batch, v)
			if err != nil {
				t.Fatalf("Write: %v", err)
			}
			rep, err := Reconcile(b.months, p, sum)
			if err != nil {
				t.Fatalf("Reconcile: %v", err)
			}
			if !rep.OK || rep.SEPAControlSumCents != sum.CtrlSum || rep.SEPATransactions != sum.NbOfTxs {
				t.Errorf("report ok=%v control sum %d/%d txs, file %d/%d", rep.OK, rep.SEPAControlSumCents, rep.SEPATransactions, sum.CtrlSum, sum.NbOfTxs)
			}
			if !bytes.Contains(buf.Bytes(), []byte("<CtrlSum>3952.69</CtrlSum>")) {
				t.Errorf("file does not declare CtrlSum 3952.69")
			}
		})
	}
}

func TestReconcile(t *testing.T) {
	t.Parallel()
	b := setup(t)
	p := assemble(t, b)
	rep, err := Reconcile(b.months, p)
	if err != nil {
		t.Fatalf("Reconcile: %v", err)
	}
	want := Report{
		Period: "2026-03", RunID: runID, Residents: 4,
		BijstandCents:               3 * bijstandSingle,
		VakantietoeslagReserveCents: 3 * reserveSingle,
		DeductionsAppliedCents:      2*zorgpremie + 5000 + capacitySingle,
		DeductionsByKindCents: map[bijstand.DeductionKind]money.Cents{
			bijstand.DeductOnBehalf: 2 * zorgpremie, bijstand.DeductVerrekening: 5000,
			bijstand.DeductBeslag: 0, bijstand.DeductAflossing: capacitySingle,
		},
		PayoutCents:           117573 + 112573 + 126416,
		ShortfallsCents:       10000 - capacitySingle,
		ResidentPayments:      3,
		ResidentPaymentsCents: 117573 + 112573 + 126416,
		CreditorPayments:      2,
		CreditorPaymentsCents: 2*zorgpremie + capacitySingle,
		SEPATransactions:      5,
		SEPAControlSumCents:   395269, // payouts 356562 + zorg 31700 + aflossing 7007
		Uncomputed:            []UncomputedResident{},
		OK:                    true,
		Problems:              []string{},
	}
	if !reflect.DeepEqual(rep, want) {
		t.Errorf("report\n got %+v\nwant %+v", rep, want)
	}

	raw, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	var fields map[string]any
	if err := json.Unmarshal(raw, &fields); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"residents", "bijstand_cents", "vakantietoeslag_reserve_cents", "deductions_applied_cents",
		"payout_cents", "sepa_control_sum_cents", "deductions_by_kind_cents", "creditor_payments_cents", "shortfalls_cents", "ok", "problems",
		"uncomputed_residents", "uncomputed"} {
		if _, ok := fields[f]; !ok {
			t.Errorf("JSON has no %q: %s", f, raw)
		}
	}
	if got := fields["sepa_control_sum_cents"]; got != float64(395269) {
		t.Errorf("sepa_control_sum_cents = %v, want 395269", got)
	}
	if !bytes.Contains(raw, []byte(`"uncomputed_residents":0,"uncomputed":[]`)) {
		t.Errorf("JSON without uncomputed residents: %s, want an empty list, not null", raw)
	}
}

func TestReconcileCatches(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		tamper    func(months []ResidentMonth, p *Payments) []sepa.Summary
		mentioned []string
	}{
		{"tampered payout transfer", func(_ []ResidentMonth, p *Payments) []sepa.Summary {
			p.Residents[1].Transfer.Amount += 100
			return nil
		}, []string{"resident " + resB, "transfer € 1.126,73 ≠ payout € 1.125,73", "SEPA control sum"}},
		{"result that breaks the identity", func(m []ResidentMonth, _ *Payments) []sepa.Summary {
			m[0].Result.Payout--
			return nil
		}, []string{"resident " + resA + ": bijstand € 1.401,50 ≠ reserve € 67,27 + deductions € 158,50 + payout € 1.175,72 (off by € 0,01)"}},
		{"dropped resident transfer", func(_ []ResidentMonth, p *Payments) []sepa.Summary {
			p.Residents = p.Residents[1:]
			return nil
		}, []string{"resident " + resA + ": payout € 1.175,73 has no transfer"}},
		{"resident paid twice", func(_ []ResidentMonth, p *Payments) []sepa.Summary {
			p.Residents = append(p.Residents, p.Residents[0])
			return nil
		}, []string{"resident " + resA + ": paid twice", "used twice"}},
		{"a release the transfer does not pay", func(m []ResidentMonth, _ *Payments) []sepa.Summary {
			m[0].Released = 500
			return nil
		}, []string{"resident " + resA + ": transfer € 1.175,73 ≠ payout € 1.180,73", "SEPA control sum"}},
		{"a negative release", func(m []ResidentMonth, p *Payments) []sepa.Summary {
			m[0].Released = -500
			p.Residents[0].Transfer.Amount -= 500
			return nil
		}, []string{"resident " + resA + ": negative release € -5,00"}},
		{"a release on a payout held again", func(m []ResidentMonth, p *Payments) []sepa.Summary {
			m[0].Released, m[0].Hold = 500, "geen geldig rekeningnummer"
			p.Held = append(p.Held, HeldPayout{ResidentID: resA, Amount: p.Residents[0].Transfer.Amount + 500, Reason: m[0].Hold})
			p.Residents = p.Residents[1:]
			return nil
		}, []string{"resident " + resA + ": releases € 5,00 while held again"}},
		{"specification that does not add up", func(_ []ResidentMonth, p *Payments) []sepa.Summary {
			p.Creditors[1].Lines[0].Amount--
			return nil
		}, []string{"creditor zilveren-kruis: specification"}},
		{"creditor transfer dropped", func(_ []ResidentMonth, p *Payments) []sepa.Summary {
			p.Creditors = p.Creditors[1:]
			return nil
		}, []string{"creditor kredietbank: applied deductions € 70,07 have no transfer"}},
		{"file with another control sum", func(_ []ResidentMonth, p *Payments) []sepa.Summary {
			return []sepa.Summary{{NbOfTxs: 5, CtrlSum: p.Total() - 1}}
		}, []string{"SEPA control sum € 3.952,68"}},
		{"file with fewer transactions", func(_ []ResidentMonth, p *Payments) []sepa.Summary {
			return []sepa.Summary{{NbOfTxs: 4, CtrlSum: p.Total()}}
		}, []string{"SEPA files: 4 transactions, payments have 5"}},
		{"shortfall that does not add up", func(m []ResidentMonth, _ *Payments) []sepa.Summary {
			m[2].Result.Deductions[0].Shortfall = 0
			return nil
		}, []string{"resident " + resC + ": deduction plan-c-kb"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t)
			p := assemble(t, b)
			summaries := tt.tamper(b.months, &p)
			rep, err := Reconcile(b.months, p, summaries...)
			notReconciled(t, rep, err, tt.mentioned)
		})
	}
}

// notReconciled fails t unless rep and err say the run does not reconcile, with a
// problem mentioning each of mentioned.
func notReconciled(t *testing.T, rep Report, err error, mentioned []string) {
	t.Helper()
	if !errors.Is(err, ErrNotReconciled) || rep.OK {
		t.Fatalf("ok = %v, err = %v; want not reconciled", rep.OK, err)
	}
	all := strings.Join(rep.Problems, "\n")
	for _, m := range mentioned {
		if !strings.Contains(all, m) {
			t.Errorf("problems do not mention %q:\n%s", m, all)
		}
	}
}

// TestMonthEntries: compounding keeps every account's total and every resident's own
// line, in balanced entries of at most size residents.
func TestMonthEntries(t *testing.T) {
	t.Parallel()
	b := setup(t)
	// Resident B gets the vakantietoeslag paid out this month.
	b.months[1].VakantietoeslagPaid = 12345
	per, err := Entries(march, runID, b.months)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]money.Cents{}
	for _, e := range per {
		for _, l := range e.Lines {
			want[l.Account] += l.Amount
		}
	}
	for _, size := range []int{1, 2, 3, 100} {
		got := map[string]money.Cents{}
		entries, err := MonthEntries(march, runID, b.months, size)
		if err != nil {
			t.Fatal(err)
		}
		keys := map[string]bool{}
		for _, e := range entries {
			balanced(t, e)
			if keys[e.IdempotencyKey] {
				t.Errorf("size %d: key %s twice", size, e.IdempotencyKey)
			}
			keys[e.IdempotencyKey] = true
			for _, l := range e.Lines {
				got[l.Account] += l.Amount
			}
		}
		// Three residents have bijstand (D has none): ceil(3/size) entries.
		if n := (3 + size - 1) / size; len(entries) != n {
			t.Errorf("size %d: %d entries, want %d", size, len(entries), n)
		}
		for acct, a := range want {
			if got[acct] != a {
				t.Errorf("size %d: %s = %s, want %s (as the residents' own entries)", size, acct, got[acct], a)
			}
		}
		if got[ledger.ResidentAccount(resB)] != -(b.months[1].Result.Payout + 12345) {
			t.Errorf("size %d: resident B is owed %s, want payout + vakantietoeslag", size, got[ledger.ResidentAccount(resB)])
		}
	}
}

func TestDeductionsCodec(t *testing.T) {
	t.Parallel()
	in := []itemDeduction{
		{ID: "3f1c0c1e-1111-4222-8333-444455556666", Kind: "on_behalf", Requested: 15275, Applied: 15275, Creditor: "zilveren-kruis", Reference: "123456789"},
		{ID: "claim-b", Kind: "verrekening", Requested: 5000, Applied: 4000, Shortfall: 1000},
	}
	s, err := encodeDeductions(in)
	if err != nil {
		t.Fatal(err)
	}
	out, err := decodeDeductions(s)
	if err != nil || !reflect.DeepEqual(out, in) {
		t.Fatalf("round trip: %+v, %v; want %+v", out, err, in)
	}
	if out, err := decodeDeductions(""); err != nil || out != nil {
		t.Errorf("no deductions: %v %v", out, err)
	}
	if _, err := encodeDeductions([]itemDeduction{{ID: "a\tb"}}); err == nil {
		t.Error("a tab in an id was encoded")
	}
	for _, bad := range []string{"x\ty", "a\tb\t1\t2\tzz\tc\td"} {
		if _, err := decodeDeductions(bad); err == nil {
			t.Errorf("decoded %q", bad)
		}
	}
}

// TestValidPartyID: the loop accepts exactly what the ledger's pattern for an id part
// accepts.
func TestValidPartyID(t *testing.T) {
	t.Parallel()
	re := regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)
	cases := []string{"", "a", "zilveren-kruis", "3f1c0c1e-1111-4222-8333-444455556666", "-a", ".a", "_a", "a:b", "a b",
		"é", "A.b_c-9", strings.Repeat("a", 64), strings.Repeat("a", 65), "a\n"}
	for _, c := range cases {
		if got, want := validPartyID(c), re.MatchString(c); got != want {
			t.Errorf("validPartyID(%q) = %v, the pattern says %v", c, got, want)
		}
	}
}

// TestVerrekeningWithPlanPaysNoCreditor: a verrekening plan names the gemeente's own
// claim as its creditor; the money stays in the gemeente's books, so no transfer (not
// even one of € 0,00) goes to that creditor, and the run reconciles.
func TestVerrekeningWithPlanPaysNoCreditor(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.months[1].Plans["claim-b"] = PlanRef{CreditorID: "gemeente-zwolle", Reference: "TV-1"}
	b.creditors["gemeente-zwolle"] = CreditorInfo{ID: "gemeente-zwolle", Name: "Gemeente Zwolle", IBAN: nlIBAN(t, "BNGH", "0285001234")}
	p := assemble(t, b)
	for _, c := range p.Creditors {
		if c.CreditorID == "gemeente-zwolle" {
			t.Errorf("a transfer of %s to the gemeente's own claim", c.Transfer.Amount)
		}
	}
	if rep, err := Reconcile(b.months, p); err != nil || !rep.OK {
		t.Errorf("reconcile: %v %+v", err, rep.Problems)
	}
}
