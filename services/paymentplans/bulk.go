package paymentplans

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/plein-nl/plein/platform/bijstand"
	"github.com/plein-nl/plein/platform/tenant"
)

// InForce is a plan in force in a period, as the settlement needs it: the engine's
// deduction, and where the applied money goes.
type InForce struct {
	Deduction  bijstand.Deduction
	CreditorID string
	Reference  string
}

// ActiveIn reads, in tx, the plans in force in period of every resident whose id is
// in [first, last], by resident, each resident's in the order Active returns them. One
// query for a whole batch of the settlement; the selection and order are Active's.
func ActiveIn(ctx context.Context, tx pgx.Tx, t tenant.ID, first, last string, period bijstand.Period) (map[string][]InForce, error) {
	rows, err := tx.Query(ctx, selectPlan+`
		WHERE tenant_id = $1 AND resident_id BETWEEN $2 AND $4 AND `+inForce+`
		ORDER BY resident_id, `+deductionOrder,
		string(t), first, period.First(), last)
	if err != nil {
		return nil, fmt.Errorf("paymentplans: in force: %w", err)
	}
	st := &store{tenant: t, now: period}
	plans, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Plan, error) {
		d, err := st.scan(r)
		return d.Plan, err
	})
	if err != nil {
		return nil, fmt.Errorf("paymentplans: in force: %w", err)
	}
	out := map[string][]InForce{}
	for _, p := range plans {
		out[p.ResidentID] = append(out[p.ResidentID], InForce{Deduction: toDeduction(p), CreditorID: p.CreditorID, Reference: p.Reference})
	}
	return out, nil
}
