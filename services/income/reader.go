package income

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/plein-nl/plein/platform/bijstand"
	"github.com/plein-nl/plein/platform/db"
	"github.com/plein-nl/plein/platform/tenant"
	"github.com/plein-nl/plein/services/income/internal/store"
)

// PayslipReader reads payslips for the settlement in bulk, each call in a unit of work
// of its own on the service's pool.
type PayslipReader struct{ app db.Beginner }

// NewPayslipReader returns the reader over the application pool (or a transaction).
func NewPayslipReader(app db.Beginner) *PayslipReader { return &PayslipReader{app: app} }

// Counting reads the payslips that count in period (the current version of each,
// paid in the period) of every resident of t whose id is in [first, last], by
// resident, in the order Payslips returns them. One query for a whole batch of the
// settlement; the selection is Payslips'.
func (r *PayslipReader) Counting(ctx context.Context, t tenant.ID, first, last string, period bijstand.Period) (map[string][]Payslip, error) {
	if !t.Valid() {
		return nil, fmt.Errorf("income: %w", tenant.ErrInvalidID)
	}
	var slips []Payslip
	err := db.InTenant(tenant.WithID(ctx, t), r.app, func(ctx context.Context, tx pgx.Tx) error {
		var err error
		slips, err = toDomainPayslips(store.CountingIn(ctx, tx, first, last, period.First(), period.Next().First()))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("income: payslips: %w", err)
	}
	out := map[string][]Payslip{}
	for _, p := range slips {
		out[p.ResidentID] = append(out[p.ResidentID], p)
	}
	return out, nil
}

// Compute is the month of a household with the given payslips and deductions: the one
// place a bijstand.Case is put together from Plein's data, for the portal's month as
// for the settlement. Like Month, it records nothing: a final settlement run records
// the shortfalls it could not pay (paymentplans' shortfall job).
func (s *IncomeService) Compute(t tenant.ID, period bijstand.Period, h bijstand.Household, slips []Payslip, deds []bijstand.Deduction) (Month, error) {
	return s.compute(t, period, h, slips, deds, nil)
}
