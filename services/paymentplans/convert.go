package paymentplans

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/plein-nl/plein/platform/bijstand"
	"github.com/plein-nl/plein/platform/money"
	"github.com/plein-nl/plein/platform/tenant"
	"github.com/plein-nl/plein/services/paymentplans/internal/store"
)

// unit is a unit of work in the service's terms: the store's rows converted to and
// from plans, the status derived in the current period now.
type unit struct {
	st     *store.Store
	tx     pgx.Tx // for what commits with the unit's writes: audit entries, messages, jobs
	tenant tenant.ID
	now    bijstand.Period
}

// dbPlan is a plan as read; stored is the status as stored.
type dbPlan struct {
	Plan
	stored Status
}

// get reads a plan; forUpdate locks its row.
func (u *unit) get(ctx context.Context, id string, forUpdate bool) (dbPlan, error) {
	r, err := u.st.Get(ctx, id, forUpdate)
	if err != nil {
		return dbPlan{}, err
	}
	return toDomainPlan(r, u.now), nil
}

func (u *unit) list(ctx context.Context, residentID string) ([]Plan, error) {
	rows, err := u.st.List(ctx, residentID)
	return toDomainPlans(rows, u.now), err
}

func (u *unit) residentExists(ctx context.Context, residentID string) (bool, error) {
	return u.st.ResidentExists(ctx, residentID)
}

// active reads the plans in force in period, in the order Active promises.
func (u *unit) active(ctx context.Context, residentID string, period bijstand.Period) ([]Plan, error) {
	rows, err := u.st.Active(ctx, residentID, period.First())
	return toDomainPlans(rows, u.now), err
}

// insert writes a new plan (stored status requested).
func (u *unit) insert(ctx context.Context, p Plan) error {
	return u.st.Insert(ctx, toDBPlan(p, StatusRequested))
}

// update writes the mutable fields of p, with the stored status, over its row at
// version p.Version-1.
func (u *unit) update(ctx context.Context, p Plan, stored Status) error {
	return u.st.Update(ctx, toDBPlan(p, stored))
}

// addEvent appends an event to a plan's history.
func (u *unit) addEvent(ctx context.Context, planID string, e Event, requestID string) error {
	return u.st.AddEvent(ctx, planID, store.Event{Seq: e.Seq, At: e.At, Actor: e.Actor, Role: e.Role,
		Action: string(e.Action), From: string(e.From), To: string(e.To), Reason: e.Reason}, requestID)
}

func (u *unit) events(ctx context.Context, planID string) ([]Event, error) {
	rows, err := u.st.Events(ctx, planID)
	if err != nil {
		return nil, err
	}
	out := make([]Event, len(rows))
	for i, e := range rows {
		out[i] = Event{Seq: e.Seq, At: e.At, Actor: e.Actor, Role: e.Role, Action: Action(e.Action),
			From: Status(e.From), To: Status(e.To), Reason: e.Reason}
	}
	return out, nil
}

// toDomainPlan is the converter from a row; the status is derived in period now.
func toDomainPlan(r store.Plan, now bijstand.Period) dbPlan {
	d := dbPlan{Plan: Plan{ID: r.ID, ResidentID: r.ResidentID, Kind: bijstand.DeductionKind(r.Kind), CreditorID: r.CreditorID,
		Reference: r.Reference, Amount: money.Cents(r.Amount), Priority: r.Priority, Start: bijstand.PeriodOf(r.Start),
		RequestedBy: r.RequestedBy, ApprovedAt: r.ApprovedAt, Version: r.Version, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt},
		stored: Status(r.Status)}
	if r.End != nil {
		e := bijstand.PeriodOf(*r.End)
		d.End = &e
	}
	if r.MandateGivenBy != nil {
		d.Mandate = &Mandate{GivenBy: MandateGiver(*r.MandateGivenBy), GivenAt: *r.MandateGivenAt, RevokedAt: r.MandateRevokedAt}
		if r.MandateRecordedBy != nil {
			d.Mandate.RecordedBy = *r.MandateRecordedBy
		}
	}
	if r.ApprovedBy != nil {
		d.ApprovedBy = *r.ApprovedBy
	}
	d.Status = derive(d.stored, d.Start, d.End, now)
	return d
}

// toDomainPlans converts rows; an empty list stays empty, not nil (the API answers []).
func toDomainPlans(rows []store.Plan, now bijstand.Period) []Plan {
	if rows == nil {
		return nil
	}
	out := make([]Plan, len(rows))
	for i, r := range rows {
		out[i] = toDomainPlan(r, now).Plan
	}
	return out
}

// toDBPlan is the converter to a row with the stored status.
func toDBPlan(p Plan, stored Status) store.Plan {
	r := store.Plan{ID: p.ID, ResidentID: p.ResidentID, Kind: string(p.Kind), CreditorID: p.CreditorID, Reference: p.Reference,
		Amount: int64(p.Amount), Priority: p.Priority, Start: p.Start.First(), Status: string(stored),
		RequestedBy: p.RequestedBy, ApprovedAt: p.ApprovedAt, Version: p.Version, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt}
	if p.End != nil {
		e := p.End.First()
		r.End = &e
	}
	if m := p.Mandate; m != nil {
		g, at, by := string(m.GivenBy), m.GivenAt, m.RecordedBy
		r.MandateGivenBy, r.MandateGivenAt, r.MandateRecordedBy, r.MandateRevokedAt = &g, &at, &by, m.RevokedAt
	}
	if p.ApprovedBy != "" {
		by := p.ApprovedBy
		r.ApprovedBy = &by
	}
	return r
}
