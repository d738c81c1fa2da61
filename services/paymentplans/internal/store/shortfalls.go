package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Shortfall is a row of plan_shortfalls with its plan's creditor and kind.
type Shortfall struct {
	PlanID, ResidentID, CreditorID, Kind string
	Period                               time.Time // the first day of the period
	Requested, Applied, Shortfall        int64
	RecordedAt                           time.Time
	SignalledAt                          *time.Time
}

const selectShortfall = `
	SELECT s.plan_id, s.resident_id, p.creditor_id, p.kind, s.period, s.requested_cents, s.applied_cents,
	       s.shortfall_cents, s.recorded_at, s.signalled_at
	FROM plan_shortfalls s JOIN plans p ON p.tenant_id = s.tenant_id AND p.id = s.plan_id`

func collectShortfalls(rows pgx.Rows, err error) ([]Shortfall, error) {
	if err != nil {
		return nil, fmt.Errorf("read shortfalls: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Shortfall, error) {
		var s Shortfall
		err := r.Scan(&s.PlanID, &s.ResidentID, &s.CreditorID, &s.Kind, &s.Period, &s.Requested, &s.Applied, &s.Shortfall,
			&s.RecordedAt, &s.SignalledAt)
		return s, err
	})
	if err != nil {
		return nil, fmt.Errorf("read shortfalls: %w", err)
	}
	return out, nil
}

// InsertShortfall records s (its Period, amounts and RecordedAt) of plan s.PlanID when
// that is a plan of resident s.ResidentID; inserted is false when it is not, or when
// the plan's shortfall of the period was recorded already.
func (st *Store) InsertShortfall(ctx context.Context, s Shortfall) (inserted bool, err error) {
	var planID string
	err = st.tx.QueryRow(ctx, `
		INSERT INTO plan_shortfalls (tenant_id, plan_id, period, resident_id, requested_cents, applied_cents,
			shortfall_cents, recorded_at)
		SELECT tenant_id, id, $3, resident_id, $4, $5, $6, $7 FROM plans
		WHERE tenant_id = $1 AND id = $2 AND resident_id = $8
		ON CONFLICT (tenant_id, plan_id, period) DO NOTHING
		RETURNING plan_id`,
		string(st.tenant), s.PlanID, s.Period, s.Requested, s.Applied, s.Shortfall, s.RecordedAt, s.ResidentID,
	).Scan(&planID)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("write shortfall: %w", err)
	}
	return true, nil
}

// ShortfallsIn reads a resident's shortfalls of the period starting on period, by plan.
func (st *Store) ShortfallsIn(ctx context.Context, residentID string, period time.Time) ([]Shortfall, error) {
	return collectShortfalls(st.tx.Query(ctx, selectShortfall+`
		WHERE s.tenant_id = $1 AND s.resident_id = $2 AND s.period = $3 ORDER BY s.plan_id`,
		string(st.tenant), residentID, period))
}

// Shortfalls reads a resident's shortfalls, newest period first.
func (st *Store) Shortfalls(ctx context.Context, residentID string) ([]Shortfall, error) {
	return collectShortfalls(st.tx.Query(ctx, selectShortfall+`
		WHERE s.tenant_id = $1 AND s.resident_id = $2 ORDER BY s.period DESC, p.kind, s.plan_id`, string(st.tenant), residentID))
}

// MarkSignalled records that a shortfall was signalled at at, unless it was already.
func (st *Store) MarkSignalled(ctx context.Context, planID string, period, at time.Time) error {
	if _, err := st.tx.Exec(ctx, `
		UPDATE plan_shortfalls SET signalled_at = $4
		WHERE tenant_id = $1 AND plan_id = $2 AND period = $3 AND signalled_at IS NULL`,
		string(st.tenant), planID, period, at); err != nil {
		return fmt.Errorf("mark signalled: %w", err)
	}
	return nil
}
