package paymentplans

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/plein-nl/plein/platform/bijstand"
	"github.com/plein-nl/plein/platform/db"
	"github.com/plein-nl/plein/platform/tenant"
	"github.com/plein-nl/plein/services/paymentplans/internal/store"
)

// InForce is a plan in force in a period, as the settlement needs it: the engine's
// deduction, and where the applied money goes.
type InForce struct {
	Deduction  bijstand.Deduction
	CreditorID string
	Reference  string
}

// InForceReader reads the plans in force for the settlement in bulk, each call in a
// unit of work of its own on the service's pool.
type InForceReader struct{ app db.Beginner }

// NewInForceReader returns the reader over the application pool (or a transaction).
func NewInForceReader(app db.Beginner) *InForceReader { return &InForceReader{app: app} }

// InForce reads the plans in force in period of every resident of t whose id is in
// [first, last], by resident, each resident's in the order Active returns them. One
// query for a whole batch of the settlement; the selection and order are Active's.
func (r *InForceReader) InForce(ctx context.Context, t tenant.ID, first, last string, period bijstand.Period) (map[string][]InForce, error) {
	if !t.Valid() {
		return nil, fmt.Errorf("paymentplans: %w", tenant.ErrInvalidID)
	}
	var rows []store.Plan
	err := db.InTenant(tenant.WithID(ctx, t), r.app, func(ctx context.Context, tx pgx.Tx) error {
		var err error
		rows, err = store.New(tx, t).ActiveIn(ctx, first, last, period.First())
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("paymentplans: %w", err)
	}
	out := map[string][]InForce{}
	for _, p := range toDomainPlans(rows, period) {
		out[p.ResidentID] = append(out[p.ResidentID], InForce{Deduction: toDeduction(p), CreditorID: p.CreditorID, Reference: p.Reference})
	}
	return out, nil
}
