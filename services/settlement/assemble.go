// Package settlement turns one month of computed bijstand (platform/bijstand) into what
// the gemeente pays and books: the SEPA credit transfers (Assemble), the balanced
// journal entries (Entries, PaymentEntries) and the reconciliation report that proves
// every cent (Reconcile).
//
// Everything here is pure: no I/O, no clock, no database. The same input gives the same
// output, EndToEndIDs included, so a settlement step that is retried after a crash
// writes exactly the payments and entries it wrote before.
package settlement

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/plein-nl/plein/platform/bijstand"
	"github.com/plein-nl/plein/platform/iban"
	"github.com/plein-nl/plein/platform/money"
	"github.com/plein-nl/plein/platform/sepa"
)

// Errors of Assemble and Entries, wrapped with the resident, deduction or creditor they
// are about.
var (
	ErrRunID             = errors.New("run id is required")
	ErrInvalidID         = errors.New("id must be 1 to 64 characters of A-Z a-z 0-9 . _ - (no ':')")
	ErrDuplicateResident = errors.New("resident appears more than once")
	ErrPeriodMismatch    = errors.New("result is for another period")
	ErrNoName            = errors.New("name is required for a payment")
	ErrIBAN              = errors.New("missing or invalid IBAN")
	ErrNegative          = errors.New("negative amount")
	ErrUnknownKind       = errors.New("unknown deduction kind")
	ErrUnknownPlan       = errors.New("applied deduction has no payment plan")
	ErrUnknownCreditor   = errors.New("payment plan names an unknown creditor")
	ErrUnbalanced        = errors.New("bijstand is not reserve + deductions applied + payout")
	ErrReleased          = errors.New("a release of held payouts is negative or on a payout held again")
)

// ResidentMonth is one resident's month as the settlement needs it: who is paid, to
// which account, the engine's result and the plans behind its deductions.
type ResidentMonth struct {
	ResidentID string
	Name       string
	IBAN       iban.IBAN
	Result     bijstand.Result
	// Plans maps a deduction ID (the payment plan's id) to the creditor it pays and the
	// creditor's reference. Deductions of kind verrekening need no plan.
	Plans map[string]PlanRef
	// VakantietoeslagPaid is the reserve paid out to the resident this run (in the
	// tenant's vakantietoeslag month: every reserve not yet paid, this month's
	// included), on top of the payout.
	VakantietoeslagPaid money.Cents
	// Released is what the resident was owed of payouts held in earlier final runs
	// (Hold), paid with this run on top of the payout now that the account is valid.
	// Those payouts were booked as owed when they were held, so Released adds a
	// transfer, not a month entry. Always 0 for a month held or not computed.
	Released money.Cents
	// Hold, when set, is why the payout cannot be paid this run (no valid bank
	// account): the month is booked and the deductions are paid, but the payout stays
	// owed to the resident (on the resident's account) and is reported, not dropped.
	Hold string
	// Uncomputed, when set, is why the engine could not compute the month
	// (UncomputedReason): Result holds no amounts, and the resident is paid, booked
	// and counted nothing this run, only reported.
	Uncomputed string
	// Receipt is what the month was computed from and with (the caseload's); nil when
	// not known, and then the item cannot be replayed.
	Receipt *Receipt

	// vtMonth is set by the run in the tenant's vakantietoeslag month, with vtOwed the
	// reserve of earlier months still owed: inputs of the month's receipt.
	vtMonth bool
	vtOwed  money.Cents
}

// PlanRef is where a deduction's money goes: the creditor, and the creditor's own
// reference (a polisnummer, a dossiernummer) that goes into its specification.
type PlanRef struct {
	CreditorID string
	Reference  string
}

// CreditorInfo is a creditor the gemeente pays on behalf of residents.
type CreditorInfo struct {
	ID   string
	Name string
	IBAN iban.IBAN
	BIC  string
}

// Payments is what a run pays: one transfer per resident payout, one aggregated
// transfer per creditor.
type Payments struct {
	Period bijstand.Period
	RunID  string
	// Residents is sorted by resident id; only residents with a payout > 0.
	Residents []ResidentPayment
	// Creditors is sorted by creditor id.
	Creditors []CreditorPayment
	// Held are the payouts not paid this run, sorted by resident id.
	Held []HeldPayout
}

// HeldPayout is a payout that is held back, and why.
type HeldPayout struct {
	ResidentID string
	Amount     money.Cents
	Reason     string
}

// ResidentPayment is the payout of one resident.
type ResidentPayment struct {
	ResidentID string
	Transfer   sepa.Transfer
}

// CreditorPayment is one creditor's aggregated transfer and the lines it is made of.
type CreditorPayment struct {
	CreditorID string
	Transfer   sepa.Transfer
	// Lines are sorted by resident id, then in the order of the resident's deductions.
	Lines []CreditorLine
}

// CreditorLine is one applied deduction inside a creditor's transfer.
type CreditorLine struct {
	ResidentID  string
	DeductionID string
	Kind        bijstand.DeductionKind
	// Resident is the resident's name as it goes into the specification (not
	// transliterated: the specification is not a SEPA message).
	Resident  string
	Reference string
	Amount    money.Cents
}

// Spec returns the specification that goes along with the transfer.
func (c CreditorPayment) Spec() []sepa.SpecLine {
	out := make([]sepa.SpecLine, len(c.Lines))
	for i, l := range c.Lines {
		out[i] = sepa.SpecLine{Resident: l.Resident, Reference: l.Reference, Amount: l.Amount}
	}
	return out
}

// Transfers returns every transfer of the run, resident payouts first, for a sepa.Batch.
func (p Payments) Transfers() []sepa.Transfer {
	out := make([]sepa.Transfer, 0, len(p.Residents)+len(p.Creditors))
	for _, r := range p.Residents {
		out = append(out, r.Transfer)
	}
	for _, c := range p.Creditors {
		out = append(out, c.Transfer)
	}
	return out
}

// Total returns the sum of all transfers: the control sum of the SEPA file(s).
func (p Payments) Total() money.Cents {
	var t money.Cents
	for _, tr := range p.Transfers() {
		t += tr.Amount
	}
	return t
}

// validPartyID reports whether id is an id part the ledger accepts in an account code
// ("resident:<id>"): 1 to 64 of A-Z a-z 0-9 . _ -, not starting with . _ or -. It
// keeps ':' out of ids, so the idempotency keys built from them cannot collide. (A
// loop, not a regular expression: it runs for every resident of a run, twice.)
func validPartyID(id string) bool {
	if len(id) < 1 || len(id) > 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch {
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case i > 0 && (c == '.' || c == '_' || c == '-'):
		default:
			return false
		}
	}
	return true
}

// paidToCreditor reports whether applied money of kind k leaves the gemeente to a
// creditor. Verrekening does not: it settles the gemeente's own claim on the resident,
// so it stays in the gemeente's books (GemeenteClaims) and no transfer is made.
func paidToCreditor(k bijstand.DeductionKind) (bool, error) {
	switch k {
	case bijstand.DeductOnBehalf, bijstand.DeductBeslag, bijstand.DeductAflossing:
		return true, nil
	case bijstand.DeductVerrekening:
		return false, nil
	}
	return false, fmt.Errorf("%w %q", ErrUnknownKind, k)
}

// Assemble builds the payments of a run for period from the residents' months:
//
//   - one transfer per resident whose payout (plus the vakantietoeslag paid out, in
//     that month) is more than 0, with remittance "Bijstand <maand> <jaar> kenmerk
//     <EndToEndID>";
//   - per creditor one transfer of the sum of all applied on_behalf, beslag and
//     aflossing deductions whose plan names it, with a specification line per
//     deduction (resident name, reference, amount) that adds up to the transfer;
//   - nothing for verrekening: that money is the gemeente's own claim and stays in
//     its books;
//   - the payouts of earlier runs that were held and are now released
//     (ResidentMonth.Released) in the resident's transfer, on top of the payout;
//   - nothing for a payout on hold (ResidentMonth.Hold): it is listed in Held;
//   - nothing at all for a month not computed (ResidentMonth.Uncomputed).
//
// EndToEndIDs are derived from runID and the resident or creditor id (see EndToEndID),
// so a retried run pays under the same ids and the bank can refuse a duplicate.
//
// Nothing is dropped: every problem (an applied deduction without plan or with an
// unknown creditor, a payout without IBAN or name, a result of another period) is
// reported, all at once, joined, and no Payments are returned then.
func Assemble(period bijstand.Period, runID string, months []ResidentMonth, creditors map[string]CreditorInfo) (Payments, error) {
	if runID == "" {
		return Payments{}, fmt.Errorf("settlement: assemble: %w", ErrRunID)
	}
	a := newAssembler(period, runID, months, creditors)
	seen := make(map[string]bool, len(months))
	for _, m := range months {
		rid := m.ResidentID
		if !validPartyID(rid) {
			a.fail("resident %q: %w", rid, ErrInvalidID)
			continue
		}
		if seen[rid] {
			a.fail("resident %s: %w", rid, ErrDuplicateResident)
			continue
		}
		seen[rid] = true
		if m.Uncomputed == "" {
			a.resident(m)
		}
	}
	a.creditorPayments()
	if len(a.errs) > 0 {
		return Payments{}, fmt.Errorf("settlement: assemble %s: %w", period, errors.Join(a.errs...))
	}
	p := a.p
	slices.SortFunc(p.Residents, func(a, b ResidentPayment) int { return cmp.Compare(a.ResidentID, b.ResidentID) })
	slices.SortFunc(p.Held, func(a, b HeldPayout) int { return cmp.Compare(a.ResidentID, b.ResidentID) })
	return p, nil
}

// assembler is the state of one Assemble: the payments so far, the creditors' lines
// and every refusal.
type assembler struct {
	period     bijstand.Period
	runID      string
	creditors  map[string]CreditorInfo
	p          Payments
	byCreditor map[string][]CreditorLine
	errs       []error
}

// newAssembler sizes the payments up front: a run of 500,000 residents would otherwise
// spend seconds copying slices of transfers and creditor lines as they grow.
func newAssembler(period bijstand.Period, runID string, months []ResidentMonth, creditors map[string]CreditorInfo) *assembler {
	perCreditor := map[string]int{}
	for _, m := range months {
		for _, d := range m.Result.Deductions {
			if toC, _ := paidToCreditor(d.Kind); toC && d.Applied > 0 {
				if plan, ok := m.Plans[d.ID]; ok {
					perCreditor[plan.CreditorID]++
				}
			}
		}
	}
	byCreditor := make(map[string][]CreditorLine, len(perCreditor))
	for id, n := range perCreditor {
		byCreditor[id] = make([]CreditorLine, 0, n)
	}
	return &assembler{period: period, runID: runID, creditors: creditors, byCreditor: byCreditor,
		p: Payments{Period: period, RunID: runID, Residents: make([]ResidentPayment, 0, len(months))}}
}

func (a *assembler) fail(format string, args ...any) {
	a.errs = append(a.errs, fmt.Errorf(format, args...))
}

// resident checks m, files its deductions to creditors and its payout: a transfer, or
// held.
func (a *assembler) resident(m ResidentMonth) {
	rid, r := m.ResidentID, m.Result
	if r.Period != a.period {
		a.fail("resident %s: %w: %s, run is for %s", rid, ErrPeriodMismatch, r.Period, a.period)
	}
	if r.Payout < 0 || r.Bijstand < 0 || r.VakantietoeslagReserve < 0 {
		a.fail("resident %s: %w in bijstand, reserve or payout", rid, ErrNegative)
	}
	a.creditorLines(m)
	if m.VakantietoeslagPaid < 0 {
		a.fail("resident %s: vakantietoeslag paid: %w", rid, ErrNegative)
	}
	if m.Released < 0 || m.Released > 0 && m.Hold != "" {
		a.fail("resident %s: released %s: %w", rid, m.Released, ErrReleased)
	}
	pay := r.Payout + m.VakantietoeslagPaid + m.Released
	if pay > 0 && m.Hold != "" {
		a.p.Held = append(a.p.Held, HeldPayout{ResidentID: rid, Amount: pay, Reason: m.Hold})
		return
	}
	if pay > 0 {
		a.residentPayment(m, pay)
	}
}

// creditorLines files m's applied deductions paid to a creditor as that creditor's lines.
func (a *assembler) creditorLines(m ResidentMonth) {
	rid := m.ResidentID
	for _, d := range m.Result.Deductions {
		if d.Applied < 0 {
			a.fail("resident %s: deduction %s: %w", rid, d.ID, ErrNegative)
			continue
		}
		toCreditor, err := paidToCreditor(d.Kind)
		if err != nil {
			a.fail("resident %s: deduction %s: %w", rid, d.ID, err)
			continue
		}
		if !toCreditor || d.Applied == 0 {
			continue
		}
		plan, ok := m.Plans[d.ID]
		if !ok {
			a.fail("resident %s: deduction %s (%s, %s applied): %w", rid, d.ID, d.Kind, d.Applied, ErrUnknownPlan)
			continue
		}
		if _, ok := a.creditors[plan.CreditorID]; !ok {
			a.fail("resident %s: deduction %s: creditor %q: %w", rid, d.ID, plan.CreditorID, ErrUnknownCreditor)
			continue
		}
		a.byCreditor[plan.CreditorID] = append(a.byCreditor[plan.CreditorID], CreditorLine{
			ResidentID: rid, DeductionID: d.ID, Kind: d.Kind,
			Resident: m.Name, Reference: plan.Reference, Amount: d.Applied,
		})
	}
}

// residentPayment adds the transfer of pay to m's resident.
func (a *assembler) residentPayment(m ResidentMonth, pay money.Cents) {
	rid := m.ResidentID
	if m.Name == "" {
		a.fail("resident %s: %w", rid, ErrNoName)
	}
	if _, err := iban.Parse(string(m.IBAN)); err != nil {
		a.fail("resident %s: %w", rid, ErrIBAN)
	}
	id := EndToEndID(a.runID, "R", rid)
	// What the transfer pays besides the month, so the resident sees why it is more.
	var with []string
	if m.VakantietoeslagPaid > 0 {
		with = append(with, "vakantiegeld")
	}
	if m.Released > 0 {
		with = append(with, "nabetaling")
	}
	text := "Bijstand " + MonthName(a.period) + " kenmerk " + id
	if len(with) > 0 {
		text = "Bijstand " + MonthName(a.period) + " met " + strings.Join(with, " en ") + " kenmerk " + id
	}
	a.p.Residents = append(a.p.Residents, ResidentPayment{ResidentID: rid, Transfer: sepa.Transfer{
		EndToEndID: id,
		Amount:     pay,
		Creditor:   sepa.Creditor{Name: m.Name, IBAN: m.IBAN},
		Remittance: remittance(text),
	}})
}

// creditorPayments adds one transfer per creditor with lines, in creditor order.
func (a *assembler) creditorPayments() {
	for _, id := range slices.Sorted(maps.Keys(a.byCreditor)) {
		lines, c := a.byCreditor[id], a.creditors[id]
		if len(lines) == 0 {
			continue // counted for a plan whose line was refused above, reported there
		}
		if !validPartyID(id) || c.ID != id {
			a.fail("creditor %q (info id %q): %w", id, c.ID, ErrInvalidID)
			continue
		}
		if c.Name == "" {
			a.fail("creditor %s: %w", c.ID, ErrNoName)
		}
		if _, err := iban.Parse(string(c.IBAN)); err != nil {
			a.fail("creditor %s: %w", c.ID, ErrIBAN)
		}
		// Stable: a resident's lines keep the order of their deductions.
		slices.SortStableFunc(lines, func(a, b CreditorLine) int { return cmp.Compare(a.ResidentID, b.ResidentID) })
		cp := CreditorPayment{CreditorID: c.ID, Lines: lines}
		total := sepa.SpecTotal(cp.Spec())
		if err := sepa.CheckSpec(cp.Spec(), total); err != nil {
			a.fail("creditor %s: %w", c.ID, err) // unreachable with positive lines; kept as the guard
		}
		e2e := EndToEndID(a.runID, "C", c.ID)
		cp.Transfer = sepa.Transfer{
			EndToEndID: e2e,
			Amount:     total,
			Creditor:   sepa.Creditor{Name: c.Name, IBAN: c.IBAN, BIC: c.BIC},
			Remittance: creditorRemittance(a.period, lines, e2e),
		}
		a.p.Creditors = append(a.p.Creditors, cp)
	}
}

// EndToEndID returns the id of a transfer of run to party ("R" resident, "C" creditor)
// with id: "PL" + the party letter + 32 hex digits of SHA-256(run, party, id), 35
// characters of the EPC set. Run and resident ids are UUIDs (36 characters each), so
// they cannot be written out; a hash of 128 bits keeps the id stable across retries and,
// in practice, unique (Reconcile checks it anyway). The same id is never reused by
// another run, because the run id is part of it.
func EndToEndID(runID, party, id string) string {
	h := sha256.Sum256([]byte(runID + "\x00" + party + "\x00" + id))
	return "PL" + party + hex.EncodeToString(h[:16])
}

// remittance transliterates and cuts text to the one line a transfer may carry.
func remittance(s string) string {
	return sepa.Cut(sepa.Transliterate(s), sepa.MaxRemittanceLen)
}

// creditorRemittance is what a creditor sees on its statement: with one line its own
// reference, so that it can book the payment without the specification; with more the
// count, and the specification carries the references. The kenmerk comes first, so a
// long reference is what the 140-character cut shortens.
func creditorRemittance(period bijstand.Period, lines []CreditorLine, e2e string) string {
	if len(lines) == 1 {
		return remittance("Bijstand " + MonthName(period) + " kenmerk " + e2e + " ref " + lines[0].Reference)
	}
	return remittance("Bijstand " + MonthName(period) + " kenmerk " + e2e + " " + strconv.Itoa(len(lines)) +
		" inhoudingen, zie specificatie")
}

var monthNames = [...]string{"januari", "februari", "maart", "april", "mei", "juni", "juli",
	"augustus", "september", "oktober", "november", "december"}

// MonthName returns the period in Dutch words, "maart 2026".
func MonthName(p bijstand.Period) string {
	if p.Month < 1 || p.Month > 12 {
		return p.String()
	}
	return monthNames[p.Month-1] + " " + strconv.Itoa(p.Year)
}
