package debts

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/plein-nl/plein/platform/authz"
	"github.com/plein-nl/plein/platform/money"
	"github.com/plein-nl/plein/platform/tenant"
)

// Overview is what the portal shows a resident about their debts: the debts, what is
// being arranged, and the next step, in plain Dutch (B1).
type Overview struct {
	Debts []OverviewDebt
	// Total is what is still owed on the debts that are open, disputed or in a regeling.
	Total money.Cents
	// Arranging says, one sentence each, what the gemeente is arranging.
	Arranging []string
	// NextStep says what happens next and whether the resident must do anything.
	NextStep string
}

// OverviewDebt is one debt as the resident sees it.
type OverviewDebt struct {
	Creditor  string // the creditor's name
	Reference string
	Claim     money.Cents
	Balance   money.Cents
	Preferent bool
	Status    DebtStatus
	StatusNL  string
}

var debtStatusNL = map[DebtStatus]string{
	DebtOpen:       "Nog niet betaald",
	DebtInRegeling: "In de schuldregeling",
	DebtPaid:       "Betaald",
	DebtDisputed:   "U bent het niet eens met deze schuld",
	DebtWrittenOff: "Kwijtgescholden: u hoeft dit niet meer te betalen",
}

func (s *service) ForResident(ctx context.Context, t tenant.ID, residentID string) (Overview, error) {
	if err := authz.OwnData(ctx, t, residentID); err != nil {
		return Overview{}, fmt.Errorf("debts: overview: %w", err)
	}
	var (
		debts     []Debt
		tr        *Traject
		plan      *Plan
		requests  []time.Time // deadlines of requests waiting for a first contact
		signalled bool
	)
	err := s.in(ctx, t, func(ctx context.Context, tx pgx.Tx) error {
		var err error
		if debts, err = debtsOf(ctx, tx, residentID); err != nil {
			return err
		}
		switch got, err := readTraject(ctx, tx, "WHERE resident_id = $1 ORDER BY created_at DESC, id LIMIT 1", residentID); {
		case err == nil:
			tr = &got
		case !errors.Is(err, ErrNotFound):
			return err
		}
		switch got, err := scanPlan(tx.QueryRow(ctx, selectPlan+" WHERE resident_id = $1", residentID)); {
		case err == nil:
			plan = &got
		case !errors.Is(err, ErrNotFound):
			return err
		}
		rows, err := tx.Query(ctx, `SELECT deadline FROM schuldhulp_requests
			WHERE resident_id = $1 AND status = 'open' ORDER BY deadline`, residentID)
		if err != nil {
			return err
		}
		if requests, err = pgx.CollectRows(rows, pgx.RowTo[time.Time]); err != nil {
			return err
		}
		return tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM signals WHERE resident_id = $1 AND status IN ('new', 'contacted'))`,
			residentID).Scan(&signalled)
	})
	if err != nil {
		return Overview{}, fmt.Errorf("debts: overview: %w", err)
	}

	var o Overview
	names := map[string]string{}
	for _, d := range debts {
		name, ok := names[d.CreditorID]
		if !ok {
			name = d.CreditorID
			if n, err := s.cfg.Creditors.CreditorName(ctx, t, d.CreditorID); err == nil && n != "" {
				name = n
			}
			names[d.CreditorID] = name
		}
		o.Debts = append(o.Debts, OverviewDebt{Creditor: name, Reference: d.Reference, Claim: d.Claim, Balance: d.Balance,
			Preferent: d.Preferent, Status: d.Status, StatusNL: debtStatusNL[d.Status]})
		if d.Status == DebtOpen || d.Status == DebtDisputed || d.Status == DebtInRegeling {
			o.Total += d.Balance
		}
	}
	if len(requests) > 0 {
		o.Arranging = append(o.Arranging, "U hebt zich aangemeld voor hulp bij schulden.")
	}
	if signalled {
		o.Arranging = append(o.Arranging, "Een schuldeiser heeft ons laten weten dat een rekening niet is betaald. Wij bieden u hulp aan.")
	}
	if plan != nil {
		if plan.Status == "decided" {
			o.Arranging = append(o.Arranging, "Het plan van aanpak is klaar.")
		} else {
			o.Arranging = append(o.Arranging, fmt.Sprintf("Uw schuldhulpverlener maakt een plan van aanpak. Dat is uiterlijk %s klaar.",
				dutchDate(plan.Deadline)))
		}
	}
	if tr != nil {
		o.Arranging = append(o.Arranging, trajectNL(*tr))
	}
	o.NextStep = nextStepNL(o, requests, signalled, tr)
	return o, nil
}

func trajectNL(tr Traject) string {
	switch tr.Status {
	case TrajectOffered:
		return "Wij hebben uw schuldeisers een voorstel gedaan voor een schuldregeling. We wachten op hun antwoord."
	case TrajectArranging:
		return "Al uw schuldeisers zijn akkoord met de schuldregeling. We regelen nu de betalingen."
	case TrajectAgreed:
		var first money.Cents
		for _, runs := range Schedule(offeredOf(tr), tr.Months) {
			if len(runs) > 0 && runs[0].Offset == 0 {
				first += runs[0].Amount
			}
		}
		start, _ := time.Parse("2006-01", tr.StartPeriod)
		return fmt.Sprintf("U hebt een schuldregeling. Vanaf %s betaalt de gemeente %d maanden lang elke maand %s voor u aan uw schuldeisers.",
			dutchMonth(start), tr.Months, first)
	default:
		return "Niet alle schuldeisers gingen akkoord met het voorstel voor een schuldregeling."
	}
}

func nextStepNL(o Overview, requests []time.Time, signalled bool, tr *Traject) string {
	switch {
	case len(requests) > 0:
		return fmt.Sprintf("Wij nemen uiterlijk %s contact met u op. U hoeft niets te doen.", dutchDate(requests[0]))
	case signalled:
		return "Wij nemen contact met u op om hulp aan te bieden. U mag ook zelf bellen met de gemeente."
	case tr != nil && tr.Status == TrajectOffered:
		return "Wacht op het antwoord van uw schuldeisers. Wij laten het u weten."
	case tr != nil && tr.Status == TrajectRejected:
		return "Uw schuldhulpverlener bespreekt met u wat nu kan."
	case tr != nil && (tr.Status == TrajectAgreed || tr.Status == TrajectArranging):
		return "Betaal de schuldeisers in de regeling niet zelf. Krijgt u een nieuwe rekening die u niet kunt betalen? Meld het bij uw schuldhulpverlener."
	case o.Total > 0:
		return "Lukt het niet om deze schulden te betalen? Meld u aan voor schuldhulp bij de gemeente. Dat is gratis."
	}
	return "Wij kennen geen schulden die u nog moet betalen. U hoeft niets te doen."
}

func dutchDate(d time.Time) string {
	return fmt.Sprintf("%d %s %d", d.Day(), dutchMonths[d.Month()-1], d.Year())
}
