package paymentplans

import (
	"context"
	"fmt"
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

// SignalSink takes new shortfalls for schuldhulp (implemented by services/debts,
// wired in the composition root). It is called after the shortfalls are stored;
// those it has not taken (an error) are offered again by the next RecordShortfalls
// of the same resident and period, so it must accept a shortfall it has seen
// (plan and period identify one).
type SignalSink interface {
	SignalShortfalls(ctx context.Context, t tenant.ID, shortfalls []Shortfall) error
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
	for i, r := range results {
		if r.Shortfall < 0 || r.Applied < 0 || r.Requested != r.Applied+r.Shortfall {
			return nil, httpapi.Invalid(fmt.Sprintf("results[%d]", i),
				"requested must equal applied + shortfall, none negative", "Deze uitkomst van de berekening klopt niet.", ErrInvalid)
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
			ok, err := st.st.InsertShortfall(ctx, store.Shortfall{PlanID: r.ID, ResidentID: residentID, Period: period.First(),
				Requested: int64(r.Requested), Applied: int64(r.Applied), Shortfall: int64(r.Shortfall), RecordedAt: now})
			if err != nil {
				return err
			}
			if ok {
				inserted = append(inserted, r.ID)
			}
		}
		rows, err := st.st.ShortfallsIn(ctx, residentID, period.First())
		if err != nil {
			return err
		}
		all := toDomainShortfalls(rows)
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
			if err := st.st.MarkSignalled(ctx, sf.PlanID, sf.Period.First(), s.cfg.Now().UTC()); err != nil {
				return err
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
func (u *unit) shortfalls(ctx context.Context, residentID string) ([]Shortfall, error) {
	rows, err := u.st.Shortfalls(ctx, residentID)
	return toDomainShortfalls(rows), err
}
