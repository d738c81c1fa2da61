package paymentplans

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/plein-nl/plein/platform/bijstand"
	"github.com/plein-nl/plein/platform/httpapi"
	"github.com/plein-nl/plein/platform/money"
	"github.com/plein-nl/plein/platform/tenant"
	"github.com/plein-nl/plein/services/paymentplans/internal/store"
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

// Signals raises a schuldhulp signal for a shortfall. It is declared here, where it
// is used, and implemented by services/debts (debts.Service.Shortfall); the shortfall
// job calls it. It must accept a shortfall it has seen (plan and period identify one):
// a job retried after the signal was raised offers it again.
type Signals interface {
	Shortfall(ctx context.Context, t tenant.ID, residentID, planID, creditorID, period string, shortfall money.Cents) error
}

// toDomainShortfall is the converter from a row.
func toDomainShortfall(r store.Shortfall) Shortfall {
	return Shortfall{PlanID: r.PlanID, ResidentID: r.ResidentID, CreditorID: r.CreditorID, Kind: bijstand.DeductionKind(r.Kind),
		Period: bijstand.PeriodOf(r.Period), Requested: money.Cents(r.Requested), Applied: money.Cents(r.Applied),
		Shortfall: money.Cents(r.Shortfall), RecordedAt: r.RecordedAt, SignalledAt: r.SignalledAt}
}

func toDomainShortfalls(rows []store.Shortfall) []Shortfall {
	if rows == nil {
		return nil
	}
	out := make([]Shortfall, len(rows))
	for i, r := range rows {
		out[i] = toDomainShortfall(r)
	}
	return out
}

func (s *service) RecordShortfalls(ctx context.Context, t tenant.ID, residentID string, period bijstand.Period,
	results []bijstand.DeductionResult) ([]Shortfall, error) {
	if err := checkResults(results); err != nil {
		return nil, err
	}
	if !validID(residentID) {
		return nil, fmt.Errorf("paymentplans: shortfalls: %w", ErrResidentNotFound)
	}
	return query(ctx, s, t, "shortfalls", func(ctx context.Context, st *unit) ([]Shortfall, error) {
		fresh, _, err := st.recordShortfalls(ctx, residentID, period, results, s.cfg.Now().UTC())
		return fresh, err
	})
}

// checkResults refuses a computed month whose deductions do not add up.
func checkResults(results []bijstand.DeductionResult) error {
	for i, r := range results {
		if r.Shortfall < 0 || r.Applied < 0 || r.Requested != r.Applied+r.Shortfall {
			return httpapi.Invalid(fmt.Sprintf("results[%d]", i),
				"requested must equal applied + shortfall, none negative", "Deze uitkomst van de berekening klopt niet.", ErrInvalid)
		}
	}
	return nil
}

// recordShortfalls stores the shortfalls of results at now, each plan and period once
// (a stored one is kept as it is), and returns the new ones and the resident's
// shortfalls of period not yet signalled.
func (u *unit) recordShortfalls(ctx context.Context, residentID string, period bijstand.Period,
	results []bijstand.DeductionResult, now time.Time) (fresh, pending []Shortfall, err error) {
	var inserted []string
	for _, r := range results {
		if r.Shortfall == 0 || !validID(r.ID) {
			continue
		}
		// Only the resident's own plans; the month may hold other deductions.
		ok, err := u.st.InsertShortfall(ctx, store.Shortfall{PlanID: r.ID, ResidentID: residentID, Period: period.First(),
			Requested: int64(r.Requested), Applied: int64(r.Applied), Shortfall: int64(r.Shortfall), RecordedAt: now})
		if err != nil {
			return nil, nil, err
		}
		if ok {
			inserted = append(inserted, r.ID)
		}
	}
	rows, err := u.st.ShortfallsIn(ctx, residentID, period.First())
	if err != nil {
		return nil, nil, err
	}
	for _, sf := range toDomainShortfalls(rows) {
		if slices.Contains(inserted, sf.PlanID) {
			fresh = append(fresh, sf)
		}
		if sf.SignalledAt == nil {
			pending = append(pending, sf)
		}
	}
	return fresh, pending, nil
}

func (s *service) Shortfalls(ctx context.Context, t tenant.ID, residentID string) ([]Shortfall, error) {
	if !validID(residentID) {
		return []Shortfall{}, nil
	}
	return query(ctx, s, t, "shortfalls", func(ctx context.Context, st *unit) ([]Shortfall, error) {
		return st.shortfalls(ctx, residentID)
	})
}

// shortfalls reads a resident's shortfalls, newest period first.
func (u *unit) shortfalls(ctx context.Context, residentID string) ([]Shortfall, error) {
	rows, err := u.st.Shortfalls(ctx, residentID)
	return toDomainShortfalls(rows), err
}
