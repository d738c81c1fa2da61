package main

import (
	"context"

	"github.com/plein-nl/plein/platform/bijstand"
	"github.com/plein-nl/plein/platform/tenant"
	"github.com/plein-nl/plein/services/debts"
	"github.com/plein-nl/plein/services/paymentplans"
)

// The two adapters left between services: a month's shortfalls, recorded by the
// payment plans and signalled to schuldhulp. Every other crossing is a reader the
// providing service exports for the interface the using service declares.

// shortfallSignals tells schuldhulp of payments that could not be made.
type shortfallSignals struct{ debts *debts.Service }

func (s shortfallSignals) SignalShortfalls(ctx context.Context, t tenant.ID, list []paymentplans.Shortfall) error {
	for _, sf := range list {
		if err := (*s.debts).Shortfall(ctx, t, sf.ResidentID, sf.PlanID, sf.CreditorID, sf.Period.String(), sf.Shortfall); err != nil {
			return err
		}
	}
	return nil
}

// planShortfalls records a month's shortfalls for the income service.
type planShortfalls struct{ plans paymentplans.Service }

func (p planShortfalls) RecordShortfalls(ctx context.Context, t tenant.ID, residentID string, period bijstand.Period, results []bijstand.DeductionResult) error {
	_, err := p.plans.RecordShortfalls(ctx, t, residentID, period, results)
	return err
}

// schuldregeling is the system actor of an agreed schuldregeling's aflossing plans,
// which plein seed records its aflossingen as (cmd_seed.go).
var schuldregeling = paymentplans.Schuldregeling
