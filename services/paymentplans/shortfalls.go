package paymentplans

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/plein-nl/plein/platform/bijstand"
	"github.com/plein-nl/plein/platform/money"
	"github.com/plein-nl/plein/platform/tenant"
)

// Shortfall is what a month could not pay of a plan: an early warning of arrears,
// shown to the resident and the consulent and signalled to schuldhulp.
type Shortfall struct {
	PlanID      string
	ResidentID  string
	CreditorID  string
	Kind        bijstand.DeductionKind
	Period      bijstand.Period
	Requested   money.Cents
	Applied     money.Cents
	Shortfall   money.Cents
	RecordedAt  time.Time
	SignalledAt *time.Time
}

// SignalSink takes new shortfalls for schuldhulp (implemented by services/debts,
// wired in the composition root). It is called after the shortfalls are stored;
// those it has not taken (an error) are offered again by the next RecordShortfalls
// of the same resident and period, so it must accept a shortfall it has seen
// (plan and period identify one).
type SignalSink interface {
	SignalShortfalls(ctx context.Context, t tenant.ID, shortfalls []Shortfall) error
}

const selectShortfall = `
	SELECT s.plan_id, s.resident_id, p.creditor_id, p.kind, s.period, s.requested_cents, s.applied_cents,
	       s.shortfall_cents, s.recorded_at, s.signalled_at
	FROM plan_shortfalls s JOIN plans p ON p.tenant_id = s.tenant_id AND p.id = s.plan_id`

func scanShortfall(r pgx.CollectableRow) (Shortfall, error) {
	var s Shortfall
	var kind string
	var period time.Time
	var req, app, short int64
	err := r.Scan(&s.PlanID, &s.ResidentID, &s.CreditorID, &kind, &period, &req, &app, &short, &s.RecordedAt, &s.SignalledAt)
	s.Kind, s.Period = bijstand.DeductionKind(kind), bijstand.PeriodOf(period)
	s.Requested, s.Applied, s.Shortfall = money.Cents(req), money.Cents(app), money.Cents(short)
	return s, err
}

func (s *service) RecordShortfalls(ctx context.Context, t tenant.ID, residentID string, period bijstand.Period,
	results []bijstand.DeductionResult) ([]Shortfall, error) {
	for i, r := range results {
		if r.Shortfall < 0 || r.Applied < 0 || r.Requested != r.Applied+r.Shortfall {
			return nil, &ValidationError{Problems: []FieldProblem{{fmt.Sprintf("results[%d]", i),
				"requested must equal applied + shortfall, none negative", "Deze uitkomst van de berekening klopt niet."}}}
		}
	}
	if !validID(residentID) {
		return nil, fmt.Errorf("paymentplans: shortfalls: %w", ErrResidentNotFound)
	}
	var fresh, pending []Shortfall
	now := s.cfg.Now().UTC()
	err := s.in(ctx, t, func(ctx context.Context, st *unit) error {
		var inserted []string
		for _, r := range results {
			if r.Shortfall == 0 || !validID(r.ID) {
				continue
			}
			// Only the resident's own plans; the month may hold other deductions.
			var planID string
			err := st.tx.QueryRow(ctx, `
				INSERT INTO plan_shortfalls (tenant_id, plan_id, period, resident_id, requested_cents, applied_cents,
					shortfall_cents, recorded_at)
				SELECT tenant_id, id, $3, resident_id, $4, $5, $6, $7 FROM plans
				WHERE tenant_id = $1 AND id = $2 AND resident_id = $8
				ON CONFLICT (tenant_id, plan_id, period) DO NOTHING
				RETURNING plan_id`,
				string(t), r.ID, period.First(), int64(r.Requested), int64(r.Applied), int64(r.Shortfall), now, residentID,
			).Scan(&planID)
			switch {
			case errors.Is(err, pgx.ErrNoRows):
			case err != nil:
				return fmt.Errorf("write shortfall: %w", err)
			default:
				inserted = append(inserted, planID)
			}
		}
		rows, err := st.tx.Query(ctx, selectShortfall+`
			WHERE s.tenant_id = $1 AND s.resident_id = $2 AND s.period = $3 ORDER BY s.plan_id`,
			string(t), residentID, period.First())
		if err != nil {
			return fmt.Errorf("read shortfalls: %w", err)
		}
		all, err := pgx.CollectRows(rows, scanShortfall)
		if err != nil {
			return fmt.Errorf("read shortfalls: %w", err)
		}
		for _, sf := range all {
			for _, id := range inserted {
				if sf.PlanID == id {
					fresh = append(fresh, sf)
				}
			}
			if sf.SignalledAt == nil {
				pending = append(pending, sf)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("paymentplans: shortfalls: %w", err)
	}
	if s.cfg.Sink == nil || len(pending) == 0 {
		return fresh, nil
	}
	if err := s.cfg.Sink.SignalShortfalls(ctx, t, pending); err != nil {
		return fresh, fmt.Errorf("paymentplans: signal shortfalls: %w", err)
	}
	err = s.in(ctx, t, func(ctx context.Context, st *unit) error {
		for _, sf := range pending {
			if _, err := st.tx.Exec(ctx, `
				UPDATE plan_shortfalls SET signalled_at = $4
				WHERE tenant_id = $1 AND plan_id = $2 AND period = $3 AND signalled_at IS NULL`,
				string(t), sf.PlanID, sf.Period.First(), s.cfg.Now().UTC()); err != nil {
				return fmt.Errorf("mark signalled: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return fresh, fmt.Errorf("paymentplans: shortfalls: %w", err)
	}
	return fresh, nil
}

func (s *service) Shortfalls(ctx context.Context, t tenant.ID, residentID string) ([]Shortfall, error) {
	if !validID(residentID) {
		return []Shortfall{}, nil
	}
	var out []Shortfall
	err := s.in(ctx, t, func(ctx context.Context, st *unit) error {
		var err error
		out, err = st.shortfalls(ctx, residentID)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("paymentplans: shortfalls: %w", err)
	}
	return out, nil
}

// shortfalls reads a resident's shortfalls, newest period first.
func (st *unit) shortfalls(ctx context.Context, residentID string) ([]Shortfall, error) {
	rows, err := st.tx.Query(ctx, selectShortfall+`
		WHERE s.tenant_id = $1 AND s.resident_id = $2 ORDER BY s.period DESC, p.kind, s.plan_id`, string(st.tenant), residentID)
	if err != nil {
		return nil, fmt.Errorf("read shortfalls: %w", err)
	}
	out, err := pgx.CollectRows(rows, scanShortfall)
	if err != nil {
		return nil, fmt.Errorf("read shortfalls: %w", err)
	}
	return out, nil
}
