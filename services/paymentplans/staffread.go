package paymentplans

import (
	"context"
	"fmt"

	"github.com/plein-nl/plein/platform/audit"
	"github.com/plein-nl/plein/platform/authz"
	"github.com/plein-nl/plein/platform/observe"
	"github.com/plein-nl/plein/platform/tenant"
)

// Audit actions and object of staff's reads: the object read is the resident, so
// that "who looked at my data" is one query on the resident's id.
const (
	auditActionPlanRead      = "paymentplan.read"
	auditActionShortfallRead = "shortfall.read"
	auditObjectResident      = "resident"
)

func (s *service) StaffList(ctx context.Context, t tenant.ID, residentID, purpose string) ([]Plan, error) {
	return staffRead(ctx, s, t, residentID, purpose, auditActionPlanRead, "list", func(ctx context.Context, st *unit) ([]Plan, error) {
		return st.list(ctx, residentID)
	})
}

// planEvents is a plan with its history, as StaffGet reads them together.
type planEvents struct {
	plan   Plan
	events []Event
}

func (s *service) StaffGet(ctx context.Context, t tenant.ID, residentID, planID, purpose string) (Plan, []Event, error) {
	got, err := staffRead(ctx, s, t, residentID, purpose, auditActionPlanRead, "get", func(ctx context.Context, st *unit) (planEvents, error) {
		if !validID(planID) {
			return planEvents{}, ErrNotFound
		}
		d, err := st.get(ctx, planID, false)
		if err != nil {
			return planEvents{}, err
		}
		if d.ResidentID != residentID {
			return planEvents{}, ErrNotFound // another resident's plan: nothing to learn here
		}
		evs, err := st.events(ctx, planID)
		return planEvents{plan: d.Plan, events: evs}, err
	})
	if err != nil {
		return Plan{}, nil, err
	}
	return got.plan, got.events, nil
}

func (s *service) StaffShortfalls(ctx context.Context, t tenant.ID, residentID, purpose string) ([]Shortfall, error) {
	return staffRead(ctx, s, t, residentID, purpose, auditActionShortfallRead, "shortfalls", func(ctx context.Context, st *unit) ([]Shortfall, error) {
		return st.shortfalls(ctx, residentID)
	})
}

// staffRead runs read of the resident's data for the principal in ctx and records,
// in the same transaction, who read it for which purpose: the data is not returned
// unless its audit entry commits with it. The purpose is checked first, so that a
// read without one learns nothing, not even whether the resident exists. An error
// comes wrapped with op, the method's name in messages.
func staffRead[T any](ctx context.Context, s *service, t tenant.ID, residentID, purpose, action, op string,
	read func(ctx context.Context, st *unit) (T, error)) (T, error) {
	var zero T
	purpose, err := checkPurpose(purpose)
	p := authz.PrincipalFrom(ctx)
	switch {
	case err != nil:
	case p.Subject == "" || len(p.Roles) == 0:
		err = authz.ErrUnauthenticated // there is no one to record as the reader
	case !validID(residentID):
		err = ErrResidentNotFound
	}
	if err != nil {
		return zero, fmt.Errorf("paymentplans: %s: %w", op, err)
	}
	return query(ctx, s, t, op, func(ctx context.Context, st *unit) (T, error) {
		ok, err := st.residentExists(ctx, residentID)
		if err != nil {
			return zero, err
		}
		if !ok {
			return zero, ErrResidentNotFound
		}
		out, err := read(ctx, st)
		if err != nil {
			return zero, err
		}
		return out, audit.Record(ctx, st.tx, audit.Entry{Actor: p.Subject, Role: p.RoleList(), Action: action,
			ObjectType: auditObjectResident, ObjectID: residentID, Purpose: purpose, RequestID: observe.RequestID(ctx)})
	})
}
