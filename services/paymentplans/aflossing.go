package paymentplans

import (
	"context"

	"github.com/plein-nl/plein/platform/authz"
	"github.com/plein-nl/plein/platform/bijstand"
	"github.com/plein-nl/plein/platform/money"
	"github.com/plein-nl/plein/platform/tenant"
	"github.com/plein-nl/plein/services/creditors"
)

// The priorities the system gives plans it asks for itself (Plan.Priority: 1 is paid
// first among plans of the same kind).
const (
	// PriorityResident is the priority of a resident's own request in the portal.
	PriorityResident = 10
	// PriorityAflossing is the priority of an aflossing plan of an agreed
	// schuldregeling.
	PriorityAflossing = 50
)

// Schuldregeling is the system actor that records and approves the aflossing plans
// of an agreed schuldregeling: the consulent's approval was the traject's agreement.
var Schuldregeling = Actor{Subject: "system:schuldregeling", Role: authz.RoleConsulent}

// Aflossings turns the accepted offers of a minnelijk traject into approved aflossing
// plans (debts' Plans).
type Aflossings struct{ Plans Service }

// EnsureAflossing makes sure an approved aflossing plan pays amountPerMonth to the
// creditor for months months from startPeriod ("YYYY-MM"), and returns its id. It is
// idempotent: a plan of the resident with the same creditor, reference, start month
// and amount is found, not made twice, so that a traject resumed after a failure
// makes each plan once.
func (a Aflossings) EnsureAflossing(ctx context.Context, t tenant.ID, residentID, creditorID, reference string,
	amountPerMonth money.Cents, startPeriod string, months int) (string, error) {
	start, err := bijstand.ParsePeriod(startPeriod)
	if err != nil {
		return "", err
	}
	existing, err := a.Plans.List(ctx, t, residentID)
	if err != nil {
		return "", err
	}
	for _, p := range existing {
		if p.Kind == bijstand.DeductAflossing && p.CreditorID == creditorID && p.Start == start &&
			p.Reference == creditors.NormalizeReference(reference) && p.Amount == amountPerMonth {
			return p.ID, nil
		}
	}
	end := start
	for i := 1; i < months; i++ {
		end = end.Next()
	}
	p, err := a.Plans.Request(ctx, t, residentID, NewPlan{Kind: string(bijstand.DeductAflossing), CreditorID: creditorID,
		Reference: reference, AmountCents: int64(amountPerMonth), Priority: PriorityAflossing,
		StartPeriod: start.String(), EndPeriod: end.String()}, Schuldregeling)
	if err != nil {
		return "", err
	}
	if _, err := a.Plans.Approve(ctx, t, p.ID, Schuldregeling); err != nil {
		return "", err
	}
	return p.ID, nil
}
