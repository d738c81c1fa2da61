package settlement

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/plein-nl/plein/platform/bijstand"
	"github.com/plein-nl/plein/platform/money"
	"github.com/plein-nl/plein/platform/sepa"
)

// ErrNotReconciled is returned by Reconcile, with the report, when a run does not
// reconcile; such a run must not become final.
var ErrNotReconciled = errors.New("settlement: run does not reconcile")

// Report is the reconciliation of a run: the totals, and whether every cent is
// accounted for. Amounts are integer cents, as everywhere in Plein's JSON. Residents
// counts the residents whose month was computed: every total is theirs.
type Report struct {
	Period                      string      `json:"period"`
	RunID                       string      `json:"run_id"`
	Residents                   int         `json:"residents"`
	BijstandCents               money.Cents `json:"bijstand_cents"`
	VakantietoeslagReserveCents money.Cents `json:"vakantietoeslag_reserve_cents"`
	DeductionsAppliedCents      money.Cents `json:"deductions_applied_cents"`
	// DeductionsByKindCents has all four kinds, 0 included, so the JSON is the same shape
	// every month.
	DeductionsByKindCents map[bijstand.DeductionKind]money.Cents `json:"deductions_by_kind_cents"`
	PayoutCents           money.Cents                            `json:"payout_cents"`
	// VakantietoeslagPaidCents is the reserve paid out this run, on top of the payouts.
	VakantietoeslagPaidCents money.Cents `json:"vakantietoeslag_paid_cents"`
	// HeldResidents and HeldPayoutCents are the payouts held back (no valid bank
	// account): booked as owed to the resident, not in the SEPA files.
	HeldResidents   int         `json:"held_residents"`
	HeldPayoutCents money.Cents `json:"held_payout_cents"`
	// ReleasedResidents and ReleasedPayoutCents are the payouts held in earlier runs and paid
	// with this one (ResidentMonth.Released), on top of this month's payouts.
	ReleasedResidents   int         `json:"released_residents"`
	ReleasedPayoutCents money.Cents `json:"released_payout_cents"`
	ShortfallsCents     money.Cents `json:"shortfalls_cents"`
	// UncomputedResidents and Uncomputed (by resident id, [] when none) are the
	// residents whose month could not be computed: paid, booked and counted nothing,
	// each with why, for the consulent to fix and the second person to see.
	UncomputedResidents int                  `json:"uncomputed_residents"`
	Uncomputed          []UncomputedResident `json:"uncomputed"`
	// ResidentPayments and CreditorPayments are what the transfers pay.
	ResidentPayments      int         `json:"resident_payments"`
	ResidentPaymentsCents money.Cents `json:"resident_payments_cents"`
	CreditorPayments      int         `json:"creditor_payments"`
	CreditorPaymentsCents money.Cents `json:"creditor_payments_cents"`
	// SEPATransactions and SEPAControlSumCents are what the written files declare (the
	// summaries passed in), or what the payments will declare when none are passed.
	SEPATransactions    int         `json:"sepa_transactions"`
	SEPAControlSumCents money.Cents `json:"sepa_control_sum_cents"`
	OK                  bool        `json:"ok"`
	Problems            []string    `json:"problems"`
	// Law is the law data the month was computed with, stale or not, and who
	// acknowledged stale data for a final run: what the staff console shows. Set by a
	// run's close step; zero in a report of Reconcile alone or stored before it was.
	Law LawData `json:"law"`
}

// Reconcile checks the payments p of a run against the residents' months and, when
// given, against the summaries sepa.Write returned for the run's files:
//
//   - per resident and in total, to the cent: bijstand = reserve + deductions applied +
//     payout, and per deduction requested = applied + shortfall;
//   - each resident with a payout has exactly one transfer of that payout (plus what it
//     releases of payouts held before) or is held (p.Held) for exactly that payout, and
//     no one else has either; a release is never negative nor on a payout held again;
//   - each creditor's transfer is the sum of the applied on_behalf, beslag and aflossing
//     deductions whose plans name it, and its specification adds up to it;
//   - EndToEndIDs are unique;
//   - the SEPA control sum = payouts + vakantietoeslag paid + released − held payouts +
//     creditor transfers, and the number of
//     transactions is the number of transfers;
//   - each resident appears once: computed, or listed as not computed with no amount
//     (ResidentMonth.Uncomputed), which the checks above leave out.
//
// It reports every problem it finds. When there is one, Report.OK is false and the error
// is ErrNotReconciled; the report is returned either way, for the operator to read.
func Reconcile(months []ResidentMonth, p Payments, summaries ...sepa.Summary) (Report, error) {
	return reconcile(-1, months, p, summaries)
}

// reconcile is Reconcile of a run that planned planned residents (-1: not checked):
// each of them must be there, computed or not, exactly once.
func reconcile(planned int, months []ResidentMonth, p Payments, summaries []sepa.Summary) (Report, error) {
	c := &reconciler{
		rep: Report{
			Period: p.Period.String(),
			RunID:  p.RunID,
			DeductionsByKindCents: map[bijstand.DeductionKind]money.Cents{
				bijstand.DeductOnBehalf: 0, bijstand.DeductVerrekening: 0,
				bijstand.DeductBeslag: 0, bijstand.DeductAflossing: 0,
			},
			Uncomputed: []UncomputedResident{},
			Problems:   []string{},
		},
		p:          p,
		payout:     make(map[string]money.Cents, len(months)),
		toCreditor: map[string]money.Cents{},
		e2e:        make(map[string]bool, len(p.Residents)+len(p.Creditors)),
		held:       map[string]bool{},
	}
	c.months(months)
	if n := c.rep.Residents + c.rep.UncomputedResidents; planned >= 0 && n != planned {
		c.problem("the run planned %d residents and has %d: %d computed, %d not computed",
			planned, n, c.rep.Residents, c.rep.UncomputedResidents)
	}
	c.heldPayouts()
	c.residentPayments()
	c.creditorPayments()
	c.sepaTotals(summaries)
	return c.result()
}

// reconciler is the state of one Reconcile: the report so far and what the months
// expect to be paid.
type reconciler struct {
	rep              Report
	p                Payments
	payout           map[string]money.Cents // resident → expected transfer
	toCreditor       map[string]money.Cents // creditor → expected transfer
	creditorExpected money.Cents
	verrekening      money.Cents
	e2e              map[string]bool // EndToEndIDs seen
	held             map[string]bool // residents held
}

func (c *reconciler) problem(format string, a ...any) {
	c.rep.Problems = append(c.rep.Problems, fmt.Sprintf(format, a...))
}

// months adds up the residents' months and checks each adds up.
func (c *reconciler) months(months []ResidentMonth) {
	seen := make(map[string]bool, len(months))
	for _, m := range months {
		rid, r := m.ResidentID, m.Result
		if seen[rid] {
			c.problem("resident %s appears more than once", rid)
			continue
		}
		seen[rid] = true
		if m.Uncomputed != "" {
			c.uncomputed(m)
			continue
		}
		c.rep.Residents++
		if r.Period != c.p.Period {
			c.problem("resident %s: result is for %s, run for %s", rid, r.Period, c.p.Period)
		}
		c.rep.BijstandCents += r.Bijstand
		c.rep.VakantietoeslagReserveCents += r.VakantietoeslagReserve
		c.rep.PayoutCents += r.Payout
		ded := c.deductions(m)
		c.rep.DeductionsAppliedCents += ded
		if got := r.VakantietoeslagReserve + ded + r.Payout; got != r.Bijstand {
			c.problem("resident %s: bijstand %s ≠ reserve %s + deductions %s + payout %s (off by %s)",
				rid, r.Bijstand, r.VakantietoeslagReserve, ded, r.Payout, r.Bijstand-got)
		}
		if r.Payout < 0 {
			c.problem("resident %s: negative payout %s", rid, r.Payout)
		}
		if m.VakantietoeslagPaid < 0 {
			c.problem("resident %s: negative vakantietoeslag paid %s", rid, m.VakantietoeslagPaid)
		}
		c.rep.VakantietoeslagPaidCents += m.VakantietoeslagPaid
		c.released(m)
		if pay := r.Payout + m.VakantietoeslagPaid + m.Released; pay > 0 {
			c.payout[rid] = pay
		}
	}
	if got := c.rep.VakantietoeslagReserveCents + c.rep.DeductionsAppliedCents + c.rep.PayoutCents; got != c.rep.BijstandCents {
		c.problem("total: bijstand %s ≠ reserve + deductions + payout %s", c.rep.BijstandCents, got)
	}
}

// released adds what m releases of payouts held before, and checks it can.
func (c *reconciler) released(m ResidentMonth) {
	switch {
	case m.Released < 0:
		c.problem("resident %s: negative release %s", m.ResidentID, m.Released)
	case m.Released > 0 && m.Hold != "":
		c.problem("resident %s: releases %s while held again", m.ResidentID, m.Released)
	case m.Released > 0:
		c.rep.ReleasedResidents++
		c.rep.ReleasedPayoutCents += m.Released
	}
}

// uncomputed lists m, a month not computed, and checks that it carries no money.
func (c *reconciler) uncomputed(m ResidentMonth) {
	c.rep.UncomputedResidents++
	c.rep.Uncomputed = append(c.rep.Uncomputed, UncomputedResident{ResidentID: m.ResidentID, Reason: m.Uncomputed})
	r := m.Result
	if r.Bijstand != 0 || r.VakantietoeslagReserve != 0 || r.Payout != 0 || len(r.Deductions) != 0 ||
		m.VakantietoeslagPaid != 0 || m.Released != 0 || m.Hold != "" {
		c.problem("resident %s: not computed, yet has amounts, deductions, a release or a hold", m.ResidentID)
	}
}

// deductions checks m's deductions, adds what each creditor is to be paid, and returns
// the sum applied.
func (c *reconciler) deductions(m ResidentMonth) money.Cents {
	rid := m.ResidentID
	var ded money.Cents
	for _, d := range m.Result.Deductions {
		ded += d.Applied
		c.rep.DeductionsByKindCents[d.Kind] += d.Applied
		c.rep.ShortfallsCents += d.Shortfall
		if d.Applied < 0 || d.Shortfall < 0 || d.Applied+d.Shortfall != d.Requested {
			c.problem("resident %s: deduction %s: requested %s is not applied %s + shortfall %s",
				rid, d.ID, d.Requested, d.Applied, d.Shortfall)
		}
		toC, err := paidToCreditor(d.Kind)
		switch {
		case err != nil:
			c.problem("resident %s: deduction %s: %v", rid, d.ID, err)
		case d.Applied == 0:
		case !toC:
			c.verrekening += d.Applied
		default:
			plan, ok := m.Plans[d.ID]
			if !ok {
				c.problem("resident %s: deduction %s: %s applied without a payment plan", rid, d.ID, d.Applied)
				continue
			}
			c.toCreditor[plan.CreditorID] += d.Applied
			c.creditorExpected += d.Applied
		}
	}
	return ded
}

func (c *reconciler) checkID(who, id string) {
	if c.e2e[id] {
		c.problem("%s: EndToEndID %s used twice", who, id)
	}
	c.e2e[id] = true
}

// heldPayouts checks the held payouts: each once, each exactly a resident's payout.
func (c *reconciler) heldPayouts() {
	for _, h := range c.p.Held {
		switch want, ok := c.payout[h.ResidentID]; {
		case c.held[h.ResidentID]:
			c.problem("resident %s: held twice", h.ResidentID)
		case !ok:
			c.problem("resident %s: held %s without a payout", h.ResidentID, h.Amount)
		case h.Amount != want:
			c.problem("resident %s: held %s ≠ payout %s", h.ResidentID, h.Amount, want)
		}
		c.held[h.ResidentID] = true
		c.rep.HeldResidents++
		c.rep.HeldPayoutCents += h.Amount
	}
}

// residentPayments checks the transfers to residents against their payouts.
func (c *reconciler) residentPayments() {
	paid := make(map[string]bool, len(c.p.Residents))
	for _, rp := range c.p.Residents {
		rid, amt := rp.ResidentID, rp.Transfer.Amount
		c.checkID("resident "+rid, rp.Transfer.EndToEndID)
		c.rep.ResidentPayments++
		c.rep.ResidentPaymentsCents += amt
		switch want, ok := c.payout[rid]; {
		case paid[rid]:
			c.problem("resident %s: paid twice", rid)
		case c.held[rid]:
			c.problem("resident %s: paid and held", rid)
		case !ok:
			c.problem("resident %s: transfer of %s without a payout", rid, amt)
		case amt != want:
			c.problem("resident %s: transfer %s ≠ payout %s", rid, amt, want)
		}
		paid[rid] = true
	}
	for _, rid := range slices.Sorted(maps.Keys(c.payout)) {
		if !paid[rid] && !c.held[rid] {
			c.problem("resident %s: payout %s has no transfer", rid, c.payout[rid])
		}
	}
}

// creditorPayments checks the transfers to creditors against the applied deductions.
func (c *reconciler) creditorPayments() {
	paidC := map[string]bool{}
	for _, cp := range c.p.Creditors {
		cid, amt := cp.CreditorID, cp.Transfer.Amount
		c.checkID("creditor "+cid, cp.Transfer.EndToEndID)
		c.rep.CreditorPayments++
		c.rep.CreditorPaymentsCents += amt
		switch want, ok := c.toCreditor[cid]; {
		case paidC[cid]:
			c.problem("creditor %s: more than one transfer", cid)
		case !ok:
			c.problem("creditor %s: transfer of %s without applied deductions", cid, amt)
		case amt != want:
			c.problem("creditor %s: transfer %s ≠ applied deductions %s", cid, amt, want)
		}
		paidC[cid] = true
		if err := sepa.CheckSpec(cp.Spec(), amt); err != nil {
			c.problem("creditor %s: specification: %v", cid, err)
		}
	}
	for _, cid := range slices.Sorted(maps.Keys(c.toCreditor)) {
		if !paidC[cid] {
			c.problem("creditor %s: applied deductions %s have no transfer", cid, c.toCreditor[cid])
		}
	}
	if want := c.rep.DeductionsAppliedCents - c.verrekening; c.creditorExpected != want {
		// Only reachable through a deduction of unknown kind, reported above; kept so the
		// split of deductions is checked as a whole too.
		c.problem("deductions to creditors %s ≠ applied %s − verrekening %s", c.creditorExpected, c.rep.DeductionsAppliedCents, c.verrekening)
	}
}

// sepaTotals checks the SEPA files' totals against the payments.
func (c *reconciler) sepaTotals(summaries []sepa.Summary) {
	rep := &c.rep
	rep.SEPATransactions = rep.ResidentPayments + rep.CreditorPayments
	rep.SEPAControlSumCents = rep.ResidentPaymentsCents + rep.CreditorPaymentsCents
	if len(summaries) > 0 {
		var n int
		var sum money.Cents
		for _, s := range summaries {
			n += s.NbOfTxs
			sum += s.CtrlSum
		}
		if n != rep.SEPATransactions {
			c.problem("SEPA files: %d transactions, payments have %d", n, rep.SEPATransactions)
		}
		rep.SEPATransactions, rep.SEPAControlSumCents = n, sum
	}
	if want := rep.PayoutCents + rep.VakantietoeslagPaidCents + rep.ReleasedPayoutCents - rep.HeldPayoutCents + c.creditorExpected; rep.SEPAControlSumCents != want {
		c.problem("SEPA control sum %s ≠ payouts %s + vakantietoeslag %s + released %s − held %s + creditor deductions %s",
			rep.SEPAControlSumCents, rep.PayoutCents, rep.VakantietoeslagPaidCents, rep.ReleasedPayoutCents, rep.HeldPayoutCents, c.creditorExpected)
	}
}

// result is the report, and ErrNotReconciled naming the first problems if any.
func (c *reconciler) result() (Report, error) {
	rep := c.rep
	slices.SortFunc(rep.Uncomputed, func(a, b UncomputedResident) int { return strings.Compare(a.ResidentID, b.ResidentID) })
	rep.OK = len(rep.Problems) == 0
	if !rep.OK {
		// The error names the first problems; the report holds them all.
		shown := rep.Problems[:min(len(rep.Problems), 5)]
		more := ""
		if n := len(rep.Problems) - len(shown); n > 0 {
			more = fmt.Sprintf("; and %d more", n)
		}
		return rep, fmt.Errorf("%w: %s%s", ErrNotReconciled, strings.Join(shown, "; "), more)
	}
	return rep, nil
}
