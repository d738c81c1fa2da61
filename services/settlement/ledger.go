package settlement

import (
	"cmp"
	"errors"
	"fmt"
	"slices"

	"github.com/plein-nl/plein/platform/bijstand"
	"github.com/plein-nl/plein/platform/ledger"
	"github.com/plein-nl/plein/platform/money"
)

// Source returns the ledger source of every entry of run, for reconciliation.
func Source(runID string) string { return "settlement:" + runID }

// EntryKey returns the idempotency key of a resident's settlement entry of run.
func EntryKey(runID, residentID string) string { return "settlement:" + runID + ":" + residentID }

// Entries returns, per resident with bijstand > 0, the one balanced entry that books the
// month, keyed EntryKey(runID, resident) and dated period.First():
//
//	debit  bijstand_expense          bijstand (the bijstand granted, in full)
//	credit vakantietoeslag_reserve   the reserve (owed to the resident, paid in May)
//	credit creditor:<id>             applied on_behalf, beslag, aflossing (owed to the creditor)
//	credit gemeente_claims           applied verrekening
//	credit resident:<id>             the payout (owed to the resident)
//	debit  vakantietoeslag_reserve   the reserve paid out this run, if any
//	credit resident:<id>             the same (owed to the resident)
//
// Verrekening is not a reduction of the expense: the resident is granted the full
// bijstand, and part of it pays off a claim the gemeente already holds on the resident
// (terugvordering, a bijstand loan), booked as an asset when it arose. Crediting
// gemeente_claims lowers that claim by what was collected; the expense stays what was
// granted, as the Rijk's accounting of the bijstand (the gebundelde uitkering) requires.
//
// Lines on one account are merged and lines of 0 left out. A resident with bijstand 0
// gets no entry, nor does a month not computed (ResidentMonth.Uncomputed). A result that does not balance (bijstand ≠ reserve + applied + payout),
// or an applied creditor deduction without a plan, is an error naming the resident:
// no entry is ever posted unbalanced or with money on an unknown account.
func Entries(period bijstand.Period, runID string, months []ResidentMonth) ([]ledger.Entry, error) {
	if runID == "" {
		return nil, fmt.Errorf("settlement: entries: %w", ErrRunID)
	}
	var errs []error
	out := make([]ledger.Entry, 0, len(months))
	seen := make(map[string]bool, len(months))
	for _, m := range months {
		rid := m.ResidentID
		if !validPartyID(rid) {
			errs = append(errs, fmt.Errorf("resident %q: %w", rid, ErrInvalidID))
			continue
		}
		if seen[rid] {
			errs = append(errs, fmt.Errorf("resident %s: %w", rid, ErrDuplicateResident))
			continue
		}
		seen[rid] = true
		if m.Uncomputed != "" {
			continue // nothing was computed, so nothing is booked
		}
		e, ok, err := residentEntry(period, runID, m)
		if err != nil {
			errs = append(errs, fmt.Errorf("resident %s: %w", rid, err))
			continue
		}
		if ok {
			out = append(out, e)
		}
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("settlement: entries %s: %w", period, errors.Join(errs...))
	}
	slices.SortFunc(out, func(a, b ledger.Entry) int { return cmp.Compare(a.IdempotencyKey, b.IdempotencyKey) })
	return out, nil
}

func residentEntry(period bijstand.Period, runID string, m ResidentMonth) (ledger.Entry, bool, error) {
	r := m.Result
	if r.Period != period {
		return ledger.Entry{}, false, fmt.Errorf("%w: %s", ErrPeriodMismatch, r.Period)
	}
	if r.Bijstand == 0 && r.VakantietoeslagReserve == 0 && r.Payout == 0 && applied(r) == 0 && m.VakantietoeslagPaid == 0 {
		return ledger.Entry{}, false, nil
	}
	if m.VakantietoeslagPaid < 0 {
		return ledger.Entry{}, false, fmt.Errorf("vakantietoeslag paid: %w", ErrNegative)
	}
	amounts := map[string]money.Cents{
		ledger.BijstandExpense: r.Bijstand,
		// The month's reserve in, what is paid out of it out: the reserve account holds
		// what is owed and not yet paid.
		ledger.VakantietoeslagReserve:        m.VakantietoeslagPaid - r.VakantietoeslagReserve,
		ledger.ResidentAccount(m.ResidentID): -(r.Payout + m.VakantietoeslagPaid),
	}
	for _, d := range r.Deductions {
		if d.Applied < 0 {
			return ledger.Entry{}, false, fmt.Errorf("deduction %s: %w", d.ID, ErrNegative)
		}
		if d.Applied == 0 {
			continue
		}
		toCreditor, err := paidToCreditor(d.Kind)
		if err != nil {
			return ledger.Entry{}, false, fmt.Errorf("deduction %s: %w", d.ID, err)
		}
		if !toCreditor {
			amounts[ledger.GemeenteClaims] -= d.Applied
			continue
		}
		plan, ok := m.Plans[d.ID]
		if !ok || !validPartyID(plan.CreditorID) {
			return ledger.Entry{}, false, fmt.Errorf("deduction %s (%s applied): %w", d.ID, d.Applied, ErrUnknownPlan)
		}
		amounts[ledger.CreditorAccount(plan.CreditorID)] -= d.Applied
	}
	var sum money.Cents
	lines := make([]ledger.Line, 0, len(amounts))
	for acct, a := range amounts {
		sum += a
		if a != 0 {
			lines = append(lines, ledger.Line{Account: acct, Amount: a})
		}
	}
	if sum != 0 {
		return ledger.Entry{}, false, fmt.Errorf("%w: off by %s", ErrUnbalanced, sum)
	}
	// Debits first, then credits, each by account: a stable order to read and compare.
	slices.SortFunc(lines, func(a, b ledger.Line) int {
		return cmp.Or(cmp.Compare(credit(a), credit(b)), cmp.Compare(a.Account, b.Account))
	})
	return ledger.Entry{
		IdempotencyKey: EntryKey(runID, m.ResidentID),
		BookedOn:       period.First(),
		Description:    "Bijstand " + MonthName(period),
		Source:         Source(runID),
		Lines:          lines,
	}, true, nil
}

func credit(l ledger.Line) int {
	if l.Amount < 0 {
		return 1
	}
	return 0
}

func applied(r bijstand.Result) money.Cents {
	var t money.Cents
	for _, d := range r.Deductions {
		t += d.Applied
	}
	return t
}

// PaymentEntries returns the entries that book the transfers of p when the SEPA file is
// executed: per transfer, debit what was payable to the resident or creditor and credit
// the bank. Keys are "settlement:<run>:payment:resident:<id>" and
// "settlement:<run>:payment:creditor:<id>", distinct from the month entries because ids
// hold no ':'. They are dated p.Period.First(); a caller that books on the execution date
// sets BookedOn itself, the same on every retry.
func PaymentEntries(runID string, p Payments) []ledger.Entry {
	out := make([]ledger.Entry, 0, len(p.Residents)+len(p.Creditors))
	pay := func(kind, id, account, desc string, amount money.Cents) {
		out = append(out, ledger.Entry{
			IdempotencyKey: "settlement:" + runID + ":payment:" + kind + ":" + id,
			BookedOn:       p.Period.First(),
			Description:    desc,
			Source:         Source(runID),
			Lines: []ledger.Line{
				{Account: account, Amount: amount},
				{Account: ledger.Bank, Amount: -amount},
			},
		})
	}
	for _, r := range p.Residents {
		pay("resident", r.ResidentID, ledger.ResidentAccount(r.ResidentID),
			"Betaling bijstand "+MonthName(p.Period), r.Transfer.Amount)
	}
	for _, c := range p.Creditors {
		pay("creditor", c.CreditorID, ledger.CreditorAccount(c.CreditorID),
			"Betaling inhoudingen bijstand "+MonthName(p.Period), c.Transfer.Amount)
	}
	return out
}

// MonthEntries books the months in compound entries of at most size residents each
// (in resident id order), keyed "settlement:<run>:month:<n>" and dated period.First():
// per entry one line per resident account (what the resident is owed: payout and
// vakantietoeslag paid) and one per other account, the sum of the residents' lines on
// it (Entries gives each resident's). The ledger holds the amounts owed per resident
// and the totals per account; the run's items (settlement_items) are the sub-ledger
// that gives each resident's split, and the reconciliation ties the two.
//
// Compounding is what keeps a run of half a million residents to about two ledger
// lines per resident instead of seven.
func MonthEntries(period bijstand.Period, runID string, months []ResidentMonth, size int) ([]ledger.Entry, error) {
	per, err := Entries(period, runID, months)
	if err != nil {
		return nil, err
	}
	if size < 1 {
		size = 1
	}
	var out []ledger.Entry
	for i := 0; i < len(per); i += size {
		chunk := per[i:min(i+size, len(per))]
		sum := map[string]money.Cents{}
		for _, e := range chunk {
			for _, l := range e.Lines {
				sum[l.Account] += l.Amount
			}
		}
		lines := make([]ledger.Line, 0, len(sum))
		for acct, a := range sum {
			if a != 0 {
				lines = append(lines, ledger.Line{Account: acct, Amount: a})
			}
		}
		if len(lines) < 2 {
			continue // residents whose amounts cancel out: nothing to book
		}
		slices.SortFunc(lines, func(a, b ledger.Line) int {
			return cmp.Or(cmp.Compare(credit(a), credit(b)), cmp.Compare(a.Account, b.Account))
		})
		n := len(out) + 1
		out = append(out, ledger.Entry{
			IdempotencyKey: fmt.Sprintf("settlement:%s:month:%d", runID, n),
			BookedOn:       period.First(),
			Description:    fmt.Sprintf("Bijstand %s, deel %d (%d bewoners)", MonthName(period), n, len(chunk)),
			Source:         Source(runID),
			Lines:          lines,
		})
	}
	return out, nil
}
