// Package store is the payment plans service's SQL: plans and their events as the
// database holds them, read and written in a unit of work whose transaction has the
// tenant set. The service converts between these rows and its domain types, and
// derives a plan's status from the stored one.
package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/plein-nl/plein/platform/tenant"
)

// Errors the store finds in the database; the service declares them as its own
// sentinels (paymentplans.ErrNotFound is ErrNotFound).
var (
	ErrNotFound         = errors.New("payment plan not found")
	ErrResidentNotFound = errors.New("resident not found")
	ErrVersionConflict  = errors.New("payment plan was changed by someone else (version conflict)")
)

// Plan is a row of plans. Status is the status as stored; the service derives the
// one it shows.
type Plan struct {
	ID, ResidentID, Kind, CreditorID, Reference string
	Amount                                      int64
	Priority                                    int
	Start                                       time.Time  // the first day of the first period
	End                                         *time.Time // the first day of the last period; nil: until stopped
	Status                                      string
	MandateGivenBy                              *string // nil: no mandate (the other mandate columns with it)
	MandateGivenAt                              *time.Time
	MandateRecordedBy                           *string
	MandateRevokedAt                            *time.Time
	RequestedBy                                 string
	ApprovedBy                                  *string
	ApprovedAt                                  *time.Time
	Version                                     int
	CreatedAt, UpdatedAt                        time.Time
}

// Event is a row of plan_events; From is "" for the request.
type Event struct {
	Seq                                   int
	At                                    time.Time
	Actor, Role, Action, From, To, Reason string
}

// Store runs the SQL of one unit of work: tx has the tenant set.
type Store struct {
	tx     pgx.Tx
	tenant tenant.ID
}

// New returns the store of a unit of work of t.
func New(tx pgx.Tx, t tenant.ID) *Store { return &Store{tx: tx, tenant: t} }

const selectPlan = `
	SELECT id, resident_id, kind, creditor_id, reference, amount_cents, priority, start_period, end_period, status,
	       mandate_given_by, mandate_given_at, mandate_recorded_by, mandate_revoked_at,
	       requested_by, approved_by, approved_at, version, created_at, updated_at
	FROM plans`

func scan(row pgx.Row) (Plan, error) {
	var p Plan
	err := row.Scan(&p.ID, &p.ResidentID, &p.Kind, &p.CreditorID, &p.Reference, &p.Amount, &p.Priority, &p.Start, &p.End,
		&p.Status, &p.MandateGivenBy, &p.MandateGivenAt, &p.MandateRecordedBy, &p.MandateRevokedAt, &p.RequestedBy,
		&p.ApprovedBy, &p.ApprovedAt, &p.Version, &p.CreatedAt, &p.UpdatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return Plan{}, ErrNotFound
	}
	if err != nil {
		return Plan{}, fmt.Errorf("read plan: %w", err)
	}
	return p, nil
}

func collect(rows pgx.Rows) ([]Plan, error) {
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Plan, error) { return scan(r) })
}

// Get reads a plan; forUpdate locks its row.
func (st *Store) Get(ctx context.Context, id string, forUpdate bool) (Plan, error) {
	q := selectPlan + " WHERE tenant_id = $1 AND id = $2"
	if forUpdate {
		q += " FOR UPDATE"
	}
	return scan(st.tx.QueryRow(ctx, q, string(st.tenant), id))
}

// List reads a resident's plans, newest start first.
func (st *Store) List(ctx context.Context, residentID string) ([]Plan, error) {
	rows, err := st.tx.Query(ctx, selectPlan+`
		WHERE tenant_id = $1 AND resident_id = $2 ORDER BY start_period DESC, created_at DESC, id`,
		string(st.tenant), residentID)
	if err != nil {
		return nil, fmt.Errorf("list plans: %w", err)
	}
	return collect(rows)
}

// ResidentExists reports whether the resident is in the tenant. The plans' foreign
// key ties them to residents in the database already; this reads the same key, in
// the transaction of a staff read, so that an unknown resident is not found rather
// than a resident without plans.
func (st *Store) ResidentExists(ctx context.Context, residentID string) (bool, error) {
	var ok bool
	err := st.tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM residents WHERE tenant_id = $1 AND id = $2)`,
		string(st.tenant), residentID).Scan(&ok)
	if err != nil {
		return false, fmt.Errorf("read resident: %w", err)
	}
	return ok, nil
}

// inForce selects the plans in force in the period $3: approved, and the period within
// their start and end. The one definition, for a resident's month and a settlement batch.
const inForce = `approved_at IS NOT NULL AND status IN ('approved', 'active', 'ended')
		  AND start_period <= $3 AND (end_period IS NULL OR end_period >= $3)`

// deductionOrder is the order Active promises: docs/domain.md §3's kinds, then priority.
const deductionOrder = `array_position(ARRAY['on_behalf', 'verrekening', 'beslag', 'aflossing'], kind),
		         priority, start_period, created_at, id`

// Active reads a resident's plans in force in the period that starts on period, in
// the order of the engine's deductions.
func (st *Store) Active(ctx context.Context, residentID string, period time.Time) ([]Plan, error) {
	rows, err := st.tx.Query(ctx, selectPlan+`
		WHERE tenant_id = $1 AND resident_id = $2 AND `+inForce+`
		ORDER BY `+deductionOrder,
		string(st.tenant), residentID, period)
	if err != nil {
		return nil, fmt.Errorf("active plans: %w", err)
	}
	return collect(rows)
}

// ActiveIn reads the plans in force in the period that starts on period of every
// resident whose id is in [first, last], by resident and then in Active's order: one
// query for a whole batch of the settlement, planned for its own parameters.
func (st *Store) ActiveIn(ctx context.Context, first, last string, period time.Time) ([]Plan, error) {
	if _, err := st.tx.Exec(ctx, `SET LOCAL plan_cache_mode = force_custom_plan`); err != nil {
		return nil, fmt.Errorf("plan mode: %w", err)
	}
	rows, err := st.tx.Query(ctx, selectPlan+`
		WHERE tenant_id = $1 AND resident_id BETWEEN $2 AND $4 AND `+inForce+`
		ORDER BY resident_id, `+deductionOrder,
		string(st.tenant), first, period, last)
	if err != nil {
		return nil, fmt.Errorf("in force: %w", err)
	}
	return collect(rows)
}

// Insert writes a new plan.
func (st *Store) Insert(ctx context.Context, p Plan) error {
	_, err := st.tx.Exec(ctx, `
		INSERT INTO plans (tenant_id, id, resident_id, kind, creditor_id, reference, amount_cents, priority,
			start_period, end_period, status, mandate_given_by, mandate_given_at, mandate_recorded_by,
			requested_by, version, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, 1, $16, $16)`,
		string(st.tenant), p.ID, p.ResidentID, p.Kind, p.CreditorID, p.Reference, p.Amount, p.Priority,
		p.Start, p.End, p.Status, p.MandateGivenBy, p.MandateGivenAt, p.MandateRecordedBy, p.RequestedBy, p.CreatedAt)
	if err != nil {
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.Code == "23503" && pgErr.ConstraintName == "plans_tenant_id_resident_id_fkey" {
			return ErrResidentNotFound
		}
		return fmt.Errorf("write plan: %w", err)
	}
	return nil
}

// Update writes the mutable fields of p over its row at version p.Version-1.
func (st *Store) Update(ctx context.Context, p Plan) error {
	tag, err := st.tx.Exec(ctx, `
		UPDATE plans SET reference = $3, amount_cents = $4, priority = $5, start_period = $6, end_period = $7,
			status = $8, mandate_revoked_at = $9, approved_by = $10, approved_at = $11, version = $12, updated_at = $13
		WHERE tenant_id = $1 AND id = $2 AND version = $14`,
		string(st.tenant), p.ID, p.Reference, p.Amount, p.Priority, p.Start, p.End,
		p.Status, p.MandateRevokedAt, p.ApprovedBy, p.ApprovedAt, p.Version, p.UpdatedAt, p.Version-1)
	if err != nil {
		return fmt.Errorf("write plan: %w", err)
	}
	if tag.RowsAffected() != 1 {
		return ErrVersionConflict // the row is locked: only a bug gets here
	}
	return nil
}

// AddEvent appends an event to a plan's history.
func (st *Store) AddEvent(ctx context.Context, planID string, e Event, requestID string) error {
	var from *string
	if e.From != "" {
		from = &e.From
	}
	_, err := st.tx.Exec(ctx, `
		INSERT INTO plan_events (tenant_id, plan_id, seq, at, actor, role, action, from_status, to_status, reason, request_id)
		VALUES ($1, $2, (SELECT COALESCE(max(seq), 0) + 1 FROM plan_events WHERE tenant_id = $1 AND plan_id = $2),
			$3, $4, $5, $6, $7, $8, $9, $10)`,
		string(st.tenant), planID, e.At, e.Actor, e.Role, e.Action, from, e.To, e.Reason, requestID)
	if err != nil {
		return fmt.Errorf("write plan event: %w", err)
	}
	return nil
}

// Events reads a plan's history in order.
func (st *Store) Events(ctx context.Context, planID string) ([]Event, error) {
	rows, err := st.tx.Query(ctx, `
		SELECT seq, at, actor, role, action, COALESCE(from_status, ''), to_status, reason
		FROM plan_events WHERE tenant_id = $1 AND plan_id = $2 ORDER BY seq`, string(st.tenant), planID)
	if err != nil {
		return nil, fmt.Errorf("read plan events: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Event, error) {
		var e Event
		err := r.Scan(&e.Seq, &e.At, &e.Actor, &e.Role, &e.Action, &e.From, &e.To, &e.Reason)
		return e, err
	})
}
