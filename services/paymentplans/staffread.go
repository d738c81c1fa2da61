package paymentplans

import (
	"context"
	"fmt"
	"strings"

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
	var out []Plan
	err := s.staffRead(ctx, t, residentID, purpose, auditActionPlanRead, func(ctx context.Context, st *unit) error {
		var err error
		out, err = st.list(ctx, residentID)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("paymentplans: list: %w", err)
	}
	return out, nil
}

func (s *service) StaffGet(ctx context.Context, t tenant.ID, residentID, planID, purpose string) (Plan, []Event, error) {
	var (
		p   Plan
		evs []Event
	)
	err := s.staffRead(ctx, t, residentID, purpose, auditActionPlanRead, func(ctx context.Context, st *unit) error {
		if !validID(planID) {
			return ErrNotFound
		}
		d, err := st.get(ctx, planID, false)
		if err != nil {
			return err
		}
		if d.ResidentID != residentID {
			return ErrNotFound // another resident's plan: nothing to learn here
		}
		p = d.Plan
		evs, err = st.events(ctx, planID)
		return err
	})
	if err != nil {
		return Plan{}, nil, fmt.Errorf("paymentplans: get: %w", err)
	}
	return p, evs, nil
}

func (s *service) StaffShortfalls(ctx context.Context, t tenant.ID, residentID, purpose string) ([]Shortfall, error) {
	var out []Shortfall
	err := s.staffRead(ctx, t, residentID, purpose, auditActionShortfallRead, func(ctx context.Context, st *unit) error {
		var err error
		out, err = st.shortfalls(ctx, residentID)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("paymentplans: shortfalls: %w", err)
	}
	return out, nil
}

// staffRead runs read of the resident's data for the principal in ctx and records,
// in the same transaction, who read it for which purpose: the data is not returned
// unless its audit entry commits with it. The purpose is checked first, so that a
// read without one learns nothing, not even whether the resident exists.
func (s *service) staffRead(ctx context.Context, t tenant.ID, residentID, purpose, action string,
	read func(ctx context.Context, st *unit) error) error {
	purpose, err := checkPurpose(purpose)
	if err != nil {
		return err
	}
	p := authz.PrincipalFrom(ctx)
	if p.Subject == "" || len(p.Roles) == 0 {
		return authz.ErrUnauthenticated // there is no one to record as the reader
	}
	if !validID(residentID) {
		return ErrResidentNotFound
	}
	return s.in(ctx, t, func(ctx context.Context, st *unit) error {
		ok, err := st.residentExists(ctx, residentID)
		if err != nil {
			return err
		}
		if !ok {
			return ErrResidentNotFound
		}
		if err := read(ctx, st); err != nil {
			return err
		}
		return audit.Record(ctx, st.tx, audit.Entry{Actor: p.Subject, Role: roles(p.Roles), Action: action,
			ObjectType: auditObjectResident, ObjectID: residentID, Purpose: purpose, RequestID: observe.RequestID(ctx)})
	})
}

// roles is the audit log's role of a principal: all it holds, comma-separated.
func roles(rs []authz.Role) string {
	s := make([]string, len(rs))
	for i, r := range rs {
		s[i] = string(r)
	}
	return strings.Join(s, ",")
}
