package paymentplans

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/plein-nl/plein/platform/bijstand"
	"github.com/plein-nl/plein/platform/money"
	"github.com/plein-nl/plein/platform/tenant"
)

// store runs the SQL of one unit of work, in a transaction with the tenant set.
type store struct {
	tx     pgx.Tx
	tenant tenant.ID
	now    bijstand.Period // the current period, for the derived status
}

const selectPlan = `
	SELECT id, resident_id, kind, creditor_id, reference, amount_cents, priority, start_period, end_period, status,
	       mandate_given_by, mandate_given_at, mandate_recorded_by, mandate_revoked_at,
	       requested_by, approved_by, approved_at, version, created_at, updated_at
	FROM plans`

// dbPlan is a row of plans as scanned; stored is the status as stored.
type dbPlan struct {
	Plan
	stored Status
}

func (st *store) scan(row pgx.Row) (dbPlan, error) {
	var (
		d                               dbPlan
		kind, status                    string
		start                           time.Time
		end                             *time.Time
		givenBy, recordedBy, approvedBy *string
		givenAt, revokedAt              *time.Time
		amount                          int64
	)
	err := row.Scan(&d.ID, &d.ResidentID, &kind, &d.CreditorID, &d.Reference, &amount, &d.Priority, &start, &end, &status,
		&givenBy, &givenAt, &recordedBy, &revokedAt, &d.RequestedBy, &approvedBy, &d.ApprovedAt, &d.Version,
		&d.CreatedAt, &d.UpdatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return dbPlan{}, ErrNotFound
	}
	if err != nil {
		return dbPlan{}, fmt.Errorf("read plan: %w", err)
	}
	d.Kind, d.Amount, d.stored = bijstand.DeductionKind(kind), money.Cents(amount), Status(status)
	d.Start = bijstand.PeriodOf(start)
	if end != nil {
		e := bijstand.PeriodOf(*end)
		d.End = &e
	}
	if givenBy != nil {
		d.Mandate = &Mandate{GivenBy: MandateGiver(*givenBy), GivenAt: *givenAt, RevokedAt: revokedAt}
		if recordedBy != nil {
			d.Mandate.RecordedBy = *recordedBy
		}
	}
	if approvedBy != nil {
		d.ApprovedBy = *approvedBy
	}
	d.Status = derive(d.stored, d.Start, d.End, st.now)
	return d, nil
}

// get reads a plan; forUpdate locks its row.
func (st *store) get(ctx context.Context, id string, forUpdate bool) (dbPlan, error) {
	q := selectPlan + " WHERE tenant_id = $1 AND id = $2"
	if forUpdate {
		q += " FOR UPDATE"
	}
	return st.scan(st.tx.QueryRow(ctx, q, string(st.tenant), id))
}

func (st *store) list(ctx context.Context, residentID string) ([]Plan, error) {
	rows, err := st.tx.Query(ctx, selectPlan+`
		WHERE tenant_id = $1 AND resident_id = $2 ORDER BY start_period DESC, created_at DESC, id`,
		string(st.tenant), residentID)
	if err != nil {
		return nil, fmt.Errorf("list plans: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Plan, error) {
		d, err := st.scan(r)
		return d.Plan, err
	})
}

// residentExists reports whether the resident is in the tenant. The plans' foreign
// key ties them to residents in the database already; this reads the same key, in
// the transaction of a staff read, so that an unknown resident is not found rather
// than a resident without plans.
func (st *store) residentExists(ctx context.Context, residentID string) (bool, error) {
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

// active reads the plans in force in period, in the order Active promises.
func (st *store) active(ctx context.Context, residentID string, period bijstand.Period) ([]Plan, error) {
	rows, err := st.tx.Query(ctx, selectPlan+`
		WHERE tenant_id = $1 AND resident_id = $2 AND `+inForce+`
		ORDER BY `+deductionOrder,
		string(st.tenant), residentID, period.First())
	if err != nil {
		return nil, fmt.Errorf("active plans: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Plan, error) {
		d, err := st.scan(r)
		return d.Plan, err
	})
}

// insert writes a new plan (stored status requested).
func (st *store) insert(ctx context.Context, p Plan) error {
	var givenBy, recordedBy *string
	var givenAt *time.Time
	if m := p.Mandate; m != nil {
		g := string(m.GivenBy)
		givenBy, givenAt, recordedBy = &g, &m.GivenAt, &m.RecordedBy
	}
	_, err := st.tx.Exec(ctx, `
		INSERT INTO plans (tenant_id, id, resident_id, kind, creditor_id, reference, amount_cents, priority,
			start_period, end_period, status, mandate_given_by, mandate_given_at, mandate_recorded_by,
			requested_by, version, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, 1, $16, $16)`,
		string(st.tenant), p.ID, p.ResidentID, string(p.Kind), p.CreditorID, p.Reference, int64(p.Amount), p.Priority,
		p.Start.First(), periodArg(p.End), string(StatusRequested), givenBy, givenAt, recordedBy, p.RequestedBy, p.CreatedAt)
	if err != nil {
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.Code == "23503" && pgErr.ConstraintName == "plans_tenant_id_resident_id_fkey" {
			return ErrResidentNotFound
		}
		return fmt.Errorf("write plan: %w", err)
	}
	return nil
}

// update writes the mutable fields of p over its row at version p.Version-1.
func (st *store) update(ctx context.Context, p Plan, stored Status) error {
	var revokedAt *time.Time
	if p.Mandate != nil {
		revokedAt = p.Mandate.RevokedAt
	}
	var approvedBy *string
	if p.ApprovedBy != "" {
		approvedBy = &p.ApprovedBy
	}
	tag, err := st.tx.Exec(ctx, `
		UPDATE plans SET reference = $3, amount_cents = $4, priority = $5, start_period = $6, end_period = $7,
			status = $8, mandate_revoked_at = $9, approved_by = $10, approved_at = $11, version = $12, updated_at = $13
		WHERE tenant_id = $1 AND id = $2 AND version = $14`,
		string(st.tenant), p.ID, p.Reference, int64(p.Amount), p.Priority, p.Start.First(), periodArg(p.End),
		string(stored), revokedAt, approvedBy, p.ApprovedAt, p.Version, p.UpdatedAt, p.Version-1)
	if err != nil {
		return fmt.Errorf("write plan: %w", err)
	}
	if tag.RowsAffected() != 1 {
		return ErrVersionConflict // the row is locked: only a bug gets here
	}
	return nil
}

func periodArg(p *bijstand.Period) *time.Time {
	if p == nil {
		return nil
	}
	t := p.First()
	return &t
}

// addEvent appends an event to a plan's history.
func (st *store) addEvent(ctx context.Context, planID string, e Event, requestID string) error {
	var from *string
	if e.From != "" {
		f := string(e.From)
		from = &f
	}
	_, err := st.tx.Exec(ctx, `
		INSERT INTO plan_events (tenant_id, plan_id, seq, at, actor, role, action, from_status, to_status, reason, request_id)
		VALUES ($1, $2, (SELECT COALESCE(max(seq), 0) + 1 FROM plan_events WHERE tenant_id = $1 AND plan_id = $2),
			$3, $4, $5, $6, $7, $8, $9, $10)`,
		string(st.tenant), planID, e.At, e.Actor, e.Role, string(e.Action), from, string(e.To), e.Reason, requestID)
	if err != nil {
		return fmt.Errorf("write plan event: %w", err)
	}
	return nil
}

func (st *store) events(ctx context.Context, planID string) ([]Event, error) {
	rows, err := st.tx.Query(ctx, `
		SELECT seq, at, actor, role, action, COALESCE(from_status, ''), to_status, reason
		FROM plan_events WHERE tenant_id = $1 AND plan_id = $2 ORDER BY seq`, string(st.tenant), planID)
	if err != nil {
		return nil, fmt.Errorf("read plan events: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Event, error) {
		var e Event
		var action, from, to string
		err := r.Scan(&e.Seq, &e.At, &e.Actor, &e.Role, &action, &from, &to, &e.Reason)
		e.Action, e.From, e.To = Action(action), Status(from), Status(to)
		return e, err
	})
}
