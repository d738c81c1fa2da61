package income

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/plein-nl/plein/platform/bijstand"
	"github.com/plein-nl/plein/platform/tenant"
)

// PayslipsIn reads, in tx, the payslips that count in period (the current version of
// each, paid in the period) of every resident whose id is in [first, last], by
// resident, in the order Payslips returns them. One query for a whole batch of the
// settlement; the selection is payslipsIn's.
func PayslipsIn(ctx context.Context, tx pgx.Tx, first, last string, period bijstand.Period) (map[string][]Payslip, error) {
	rows, err := tx.Query(ctx, `
		SELECT `+payslipColumns+`
		FROM payslips
		WHERE tenant_id = current_tenant() AND resident_id BETWEEN $1 AND $2
		  AND superseded_by IS NULL AND (review IS NULL OR review = 'confirmed') AND pay_date >= $3 AND pay_date < $4
		ORDER BY resident_id, pay_date, created_at`, first, last, period.First(), period.Next().First())
	if err != nil {
		return nil, fmt.Errorf("income: payslips: %w", err)
	}
	slips, err := pgx.CollectRows(rows, scanPayslip)
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
// for the settlement. It records no shortfalls (Month does, on read; a settlement run
// reports them in its reconciliation).
func (s *IncomeService) Compute(t tenant.ID, period bijstand.Period, h bijstand.Household, slips []Payslip, deds []bijstand.Deduction) (Month, error) {
	return s.compute(t, period, h, slips, deds, nil)
}
