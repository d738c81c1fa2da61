package paymentplans

import (
	"context"
	"fmt"

	"github.com/plein-nl/plein/platform/bijstand"
	"github.com/plein-nl/plein/platform/money"
	"github.com/plein-nl/plein/platform/tenant"
)

// NamedDeductions gives the plans in force as the engine's deductions named after
// their creditor (income's Deductions), so that the month's explanation says
// "Zilveren Kruis", not a plan id.
type NamedDeductions struct {
	Plans     Service
	Creditors Creditors
}

// Active is Service.Active with each deduction labelled with its creditor's name (a
// creditor it cannot read keeps the label it had).
func (n NamedDeductions) Active(ctx context.Context, t tenant.ID, residentID string, period bijstand.Period) ([]bijstand.Deduction, error) {
	ds, err := n.Plans.Active(ctx, t, residentID, period)
	if err != nil || len(ds) == 0 {
		return ds, err
	}
	plans, err := n.Plans.List(ctx, t, residentID)
	if err != nil {
		return nil, err
	}
	creditorOf := make(map[string]string, len(plans))
	for _, p := range plans {
		creditorOf[p.ID] = p.CreditorID
	}
	for i := range ds {
		if c, err := n.Creditors.Get(ctx, t, creditorOf[ds[i].ID]); err == nil {
			ds[i].Label = c.DisplayName()
		}
	}
	return ds, nil
}

// Households gives the engine's input of a resident's case (services/residents'
// Lookup). An unknown resident is an error wrapping ErrResidentNotFound.
type Households interface {
	Household(ctx context.Context, t tenant.ID, residentID string) (bijstand.Household, error)
}

// HouseholdNorms is the Norms of the resident's own household: the engine computes
// the month of her case with no income, since the norm does not depend on income.
type HouseholdNorms struct {
	Households Households
	Calc       *bijstand.Calculator
}

// Norm is the bijstand norm of the resident's household in period.
func (n HouseholdNorms) Norm(ctx context.Context, t tenant.ID, residentID string, period bijstand.Period) (money.Cents, error) {
	h, err := n.Households.Household(ctx, t, residentID)
	if err != nil {
		return 0, err
	}
	r, _, err := n.Calc.Month(bijstand.Case{Period: period, Household: h})
	if err != nil {
		return 0, fmt.Errorf("norm of %s: %w", period, err)
	}
	return r.Norm, nil
}
