package debts

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/plein-nl/plein/platform/distribution"
	"github.com/plein-nl/plein/platform/money"
	"github.com/plein-nl/plein/platform/tenant"
)

// Installment is a run of equal monthly aflossingen: Amount a month for Months months,
// starting Offset months after the first month of the traject.
type Installment struct {
	Offset int
	Months int
	Amount money.Cents
}

// Schedule splits each offer over months monthly payments [policy]: every month gets
// the offer divided by the months, rounded down, and the r cents left over go one each
// to r consecutive months. The creditors take turns: the first creditor's extra cents
// fall on the first months, the next creditor's on the months after those (wrapping
// round), and so on. So each offer adds up to exactly what was offered, and no month
// asks more of the resident than the capacity: the months' totals differ by at most a
// cent, and when the offers add up to capacity × months every month is exactly the
// capacity (a cent more in the first months for every creditor would exceed it, eat
// into the beslagvrije voet and come back as a shortfall).
//
// docs/domain.md §4's pool of 100 × 18 over A 900, B 300, C 600: A 50,00 for 18 months; B 16,67
// for months 1–12 and 16,66 for 13–18; C 33,33 for months 1–12 and 33,34 for 13–18;
// every month 100,00.
func Schedule(offered []money.Cents, months int) [][]Installment {
	out := make([][]Installment, len(offered))
	if months <= 0 {
		return out
	}
	start := 0
	for i, o := range offered {
		if o <= 0 {
			continue
		}
		q, r := o/money.Cents(months), int(o%money.Cents(months))
		for m := range months {
			amount := q
			if (m-start+months)%months < r {
				amount++
			}
			if n := len(out[i]); n > 0 && out[i][n-1].Amount == amount {
				out[i][n-1].Months++
				continue
			}
			out[i] = append(out[i], Installment{Offset: m, Months: 1, Amount: amount})
		}
		// A run of 0 cents is no payment.
		out[i] = slices.DeleteFunc(out[i], func(in Installment) bool { return in.Amount == 0 })
		start = (start + r) % months
	}
	return out
}

func offeredOf(tr Traject) []money.Cents {
	out := make([]money.Cents, len(tr.Offers))
	for i, o := range tr.Offers {
		out[i] = o.Offered
	}
	return out
}

// addMonths returns the period ("YYYY-MM") n months after period.
func addMonths(period string, n int) string {
	p, err := time.Parse("2006-01", period)
	if err != nil {
		panic(fmt.Sprintf("debts: period %q: %v", period, err)) // stored periods are checked by the schema
	}
	return p.AddDate(0, n, 0).Format("2006-01")
}

func (s *service) StartTraject(ctx context.Context, t tenant.ID, residentID string, nt NewTraject) (Traject, error) {
	v := &validator{}
	if nt.CapacityCentsPerMonth < 0 || nt.CapacityCentsPerMonth > maxCapacity {
		v.add("capacity_cents_per_month", "must be an amount in cents from 0 to 10,000,000 (100,000.00 euro)",
			"Vul de aflossingscapaciteit per maand in: een bedrag van € 0 of meer.")
	}
	months := nt.Months
	if months == 0 {
		months = defaultMonths
	}
	if months < 1 || months > maxMonths {
		v.add("months", fmt.Sprintf("must be from 1 to %d (0 means %d)", maxMonths, defaultMonths),
			fmt.Sprintf("Vul een looptijd in van 1 tot en met %d maanden.", maxMonths))
	}
	if err := v.err(); err != nil {
		return Traject{}, err
	}
	if !validID(residentID) {
		return Traject{}, fmt.Errorf("debts: start traject: %w", ErrResidentNotFound)
	}
	now := s.cfg.Now().UTC()
	tr := Traject{ID: newID(), ResidentID: residentID, CapacityPerMonth: money.Cents(nt.CapacityCentsPerMonth),
		Months: months, PreferentFactor: s.cfg.Settings(t).PreferentFactor, Status: TrajectOffered, CreatedAt: now}
	if tr.PreferentFactor < 1 {
		tr.PreferentFactor = 2
	}
	err := s.in(ctx, t, func(ctx context.Context, tx pgx.Tx) error {
		rows, err := tx.Query(ctx, selectDebt+` WHERE resident_id = $1 AND status = 'open' AND balance_cents > 0
			ORDER BY created_at, id FOR UPDATE`, residentID)
		if err != nil {
			return err
		}
		open, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Debt, error) { return scanDebt(r) })
		if err != nil {
			return err
		}
		if len(open) == 0 {
			return fmt.Errorf("%w: the resident has no open debts to offer on", ErrConflict)
		}
		in := distribution.Input{CapacityPerMonth: tr.CapacityPerMonth, Months: months,
			PreferentFactor: big.NewRat(tr.PreferentFactor, 1)}
		for _, d := range open {
			in.Claims = append(in.Claims, distribution.Claim{ID: d.ID, Amount: d.Balance, Preferent: d.Preferent})
		}
		out, err := s.cfg.Distribute(in)
		if err != nil {
			return fmt.Errorf("distribute: %w", err)
		}
		offered, err := checkDistribution(in, out)
		if err != nil {
			return err
		}
		tr.Pool = out.Pool
		for _, d := range open {
			tr.Offers = append(tr.Offers, Offer{DebtID: d.ID, CreditorID: d.CreditorID, Reference: d.Reference,
				Claim: d.Balance, Preferent: d.Preferent, Offered: offered[d.ID], Status: OfferOffered, PlanIDs: []string{}})
		}
		if _, err := tx.Exec(ctx, `
			INSERT INTO trajecten (tenant_id, id, resident_id, capacity_cents_per_month, months, preferent_factor, pool_cents,
				status, created_at)
			VALUES (current_tenant(), $1, $2, $3, $4, $5, $6, 'offered', $7)`,
			tr.ID, residentID, tr.CapacityPerMonth, months, tr.PreferentFactor, tr.Pool, now); err != nil {
			var pgErr *pgconn.PgError
			if errors.As(err, &pgErr) && pgErr.ConstraintName == "trajecten_one_open" {
				return fmt.Errorf("%w: the resident already has an open traject", ErrConflict)
			}
			return mapError(err)
		}
		for i, o := range tr.Offers {
			if _, err := tx.Exec(ctx, `
				INSERT INTO traject_offers (tenant_id, traject_id, position, debt_id, creditor_id, reference, claim_cents,
					preferent, offered_cents)
				VALUES (current_tenant(), $1, $2, $3, $4, $5, $6, $7, $8)`,
				tr.ID, i, o.DebtID, o.CreditorID, o.Reference, o.Claim, o.Preferent, o.Offered); err != nil {
				return mapError(err)
			}
		}
		return nil
	})
	if err != nil {
		return Traject{}, fmt.Errorf("debts: start traject: %w", err)
	}
	return tr, nil
}

// errBadDistribution: the distribution broke its own contract (docs/domain.md §4). A bug in
// the distribution, never the caller's fault.
var errBadDistribution = errors.New("the distribution does not add up")

// checkDistribution checks the distribution's output against docs/domain.md §4 before it is
// offered to anyone: the pool is capacity × months; one offer per claim, none above its
// claim or below 0; and the offers add up to the pool, or to the claims when the pool
// covers them all.
func checkDistribution(in distribution.Input, out distribution.Output) (map[string]money.Cents, error) {
	var claims money.Cents
	amount := map[string]money.Cents{}
	for _, c := range in.Claims {
		amount[c.ID] = c.Amount
		claims += c.Amount
	}
	if want := in.CapacityPerMonth * money.Cents(in.Months); out.Pool != want {
		return nil, fmt.Errorf("%w: pool %d, want %d", errBadDistribution, out.Pool, want)
	}
	offered := map[string]money.Cents{}
	var sum money.Cents
	for _, o := range out.Offers {
		c, ok := amount[o.ID]
		if _, dup := offered[o.ID]; !ok || dup || o.Offered < 0 || o.Offered > c {
			return nil, fmt.Errorf("%w: offer for %q", errBadDistribution, o.ID)
		}
		offered[o.ID] = o.Offered
		sum += o.Offered
	}
	if want := min(out.Pool, claims); len(offered) != len(amount) || sum != want {
		return nil, fmt.Errorf("%w: %d offers summing to %d for %d claims, want %d",
			errBadDistribution, len(offered), sum, len(amount), want)
	}
	return offered, nil
}

const selectTraject = `
	SELECT id, resident_id, capacity_cents_per_month, months, preferent_factor, pool_cents, status,
	       coalesce(start_period, ''), created_at, decided_at
	FROM trajecten`

func readTraject(ctx context.Context, tx pgx.Tx, where string, args ...any) (Traject, error) {
	var tr Traject
	var status string
	err := tx.QueryRow(ctx, selectTraject+" "+where, args...).Scan(&tr.ID, &tr.ResidentID, &tr.CapacityPerMonth,
		&tr.Months, &tr.PreferentFactor, &tr.Pool, &status, &tr.StartPeriod, &tr.CreatedAt, &tr.DecidedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return Traject{}, ErrNotFound
	}
	if err != nil {
		return Traject{}, fmt.Errorf("read traject: %w", err)
	}
	tr.Status = TrajectStatus(status)
	rows, err := tx.Query(ctx, `
		SELECT debt_id, creditor_id, reference, claim_cents, preferent, offered_cents, status, decided_at, plan_ids
		FROM traject_offers WHERE traject_id = $1 ORDER BY position`, tr.ID)
	if err != nil {
		return Traject{}, fmt.Errorf("read offers: %w", err)
	}
	tr.Offers, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Offer, error) {
		var o Offer
		var st string
		err := r.Scan(&o.DebtID, &o.CreditorID, &o.Reference, &o.Claim, &o.Preferent, &o.Offered, &st, &o.DecidedAt, &o.PlanIDs)
		o.Status = OfferStatus(st)
		return o, err
	})
	if err != nil {
		return Traject{}, fmt.Errorf("read offers: %w", err)
	}
	return tr, nil
}

func (s *service) Traject(ctx context.Context, t tenant.ID, residentID, purpose string) (Traject, error) {
	return audited(ctx, s, t, residentID, purpose, "debt.traject.read", "traject", func(ctx context.Context, tx pgx.Tx) (Traject, error) {
		return readTraject(ctx, tx, "WHERE resident_id = $1 ORDER BY created_at DESC, id LIMIT 1", residentID)
	})
}

func (s *service) DecideOffer(ctx context.Context, t tenant.ID, residentID, creditorID string, accept bool) (Traject, error) {
	if !validID(residentID) {
		return Traject{}, fmt.Errorf("debts: decide offer: %w", ErrNotFound)
	}
	now := s.cfg.Now()
	want := OfferRejected
	if accept {
		want = OfferAccepted
	}
	var tr Traject
	err := s.in(ctx, t, func(ctx context.Context, tx pgx.Tx) error {
		var err error
		tr, err = readTraject(ctx, tx, "WHERE resident_id = $1 AND status IN ('offered', 'arranging') FOR UPDATE", residentID)
		if err != nil {
			return err
		}
		found, pending := false, 0
		for _, o := range tr.Offers {
			if o.CreditorID != creditorID {
				if o.Status == OfferOffered {
					pending++
				}
				continue
			}
			found = true
			if o.Status != OfferOffered && o.Status != want {
				return fmt.Errorf("%w: the creditor's offer was already %s", ErrConflict, o.Status)
			}
		}
		if !found {
			return fmt.Errorf("%w: no offer to this creditor in the open traject", ErrNotFound)
		}
		if _, err := tx.Exec(ctx, `UPDATE traject_offers SET status = $3, decided_at = $4
			WHERE traject_id = $1 AND creditor_id = $2 AND status = 'offered'`,
			tr.ID, creditorID, string(want), now.UTC()); err != nil {
			return err
		}
		switch {
		case tr.Status == TrajectArranging:
			return nil // already all accepted; this call resumes the arranging below
		case !accept:
			tr.Status = TrajectRejected
			_, err = tx.Exec(ctx, "UPDATE trajecten SET status = 'rejected', decided_at = $2 WHERE id = $1", tr.ID, now.UTC())
			return err
		case pending == 0:
			// Every creditor accepted: aflossing starts the month after [policy].
			y, m, _ := now.In(s.cfg.Location).Date()
			tr.Status, tr.StartPeriod = TrajectArranging, time.Date(y, m+1, 1, 0, 0, 0, 0, time.UTC).Format("2006-01")
			_, err = tx.Exec(ctx, "UPDATE trajecten SET status = 'arranging', start_period = $2, decided_at = $3 WHERE id = $1",
				tr.ID, tr.StartPeriod, now.UTC())
			return err
		}
		return nil
	})
	if err != nil {
		return Traject{}, fmt.Errorf("debts: decide offer: %w", err)
	}
	if tr.Status == TrajectArranging {
		if err := s.arrange(ctx, t, tr.ID); err != nil {
			return Traject{}, fmt.Errorf("debts: decide offer: %w", err)
		}
	}
	err = s.in(ctx, t, func(ctx context.Context, tx pgx.Tx) error {
		tr, err = readTraject(ctx, tx, "WHERE id = $1", tr.ID)
		return err
	})
	if err != nil {
		return Traject{}, fmt.Errorf("debts: decide offer: %w", err)
	}
	return tr, nil
}

// arrange makes the aflossing plans of an accepted traject, one per run of equal
// installments, recording each plan id as soon as it is made, so that a call that
// fails half-way resumes where it stopped. When every plan is made, the traject is
// agreed and its debts are in_regeling.
func (s *service) arrange(ctx context.Context, t tenant.ID, trajectID string) error {
	var tr Traject
	err := s.in(ctx, t, func(ctx context.Context, tx pgx.Tx) error {
		var err error
		tr, err = readTraject(ctx, tx, "WHERE id = $1", trajectID)
		return err
	})
	if err != nil {
		return err
	}
	if tr.Status != TrajectArranging {
		return nil
	}
	schedule := Schedule(offeredOf(tr), tr.Months)
	for k, o := range tr.Offers {
		for i, in := range schedule[k] {
			if i < len(o.PlanIDs) {
				continue // made before
			}
			id, err := s.cfg.Plans.EnsureAflossing(ctx, t, tr.ResidentID, o.CreditorID, o.Reference, in.Amount,
				addMonths(tr.StartPeriod, in.Offset), in.Months)
			if err != nil {
				return fmt.Errorf("aflossing plan for creditor %s: %w", o.CreditorID, err)
			}
			err = s.in(ctx, t, func(ctx context.Context, tx pgx.Tx) error {
				_, err := tx.Exec(ctx, `UPDATE traject_offers SET plan_ids = array_append(plan_ids, $3)
					WHERE traject_id = $1 AND debt_id = $2`, tr.ID, o.DebtID, id)
				return err
			})
			if err != nil {
				return fmt.Errorf("record aflossing plan %s: %w", id, err)
			}
		}
	}
	now := s.cfg.Now().UTC()
	return s.in(ctx, t, func(ctx context.Context, tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, "UPDATE trajecten SET status = 'agreed' WHERE id = $1 AND status = 'arranging'", tr.ID)
		if err != nil || tag.RowsAffected() == 0 {
			return err
		}
		_, err = tx.Exec(ctx, `
			UPDATE debts SET status = 'in_regeling', version = version + 1, updated_at = $2
			WHERE id IN (SELECT debt_id FROM traject_offers WHERE traject_id = $1)`, tr.ID, now)
		return err
	})
}
