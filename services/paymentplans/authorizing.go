package paymentplans

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/plein-nl/plein/platform/authz"
	"github.com/plein-nl/plein/platform/bijstand"
	"github.com/plein-nl/plein/platform/tenant"
)

// Authorizer decides; satisfied by *authz.Authorizer.
type Authorizer = authz.Decider

type authorizing struct{ authz.Guard[Service] }

// NewAuthorizing wraps a Service so that every call is authorized for the principal
// in the context, deny by default, for staff and for residents alike:
//
//   - staff: paymentplan:write to Request, Stop and Change (consulent,
//     schuldhulpverlener), paymentplan:approve to Approve and Reject (consulent),
//     paymentplan:read to read and Export; StaffList, StaffGet and StaffShortfalls
//     ask paymentplan:read of everyone, so a resident (who holds none) is refused;
//   - a resident (the portal): self:write to Request and Stop and self:read to read,
//     only for their own resident id (authz.Principal.IsSelf) — the service then
//     allows on_behalf plans only, and only their own; no Change, Approve or Export.
//
// The Actor of an act must be the principal itself, in a role it holds. Active and
// RecordShortfalls are passed through: they are the system's own use in the month
// calculation and the settlement, not a person's.
func NewAuthorizing(next Service, az Authorizer) Service {
	return &authorizing{authz.Guard[Service]{Next: next, Decider: az}}
}

func (a *authorizing) staff(ctx context.Context, t tenant.ID, act authz.Action) error {
	return a.Check(ctx, t, authz.ObjectPaymentPlan, act)
}

// self authorizes a resident principal for its own residentID.
func (a *authorizing) self(ctx context.Context, t tenant.ID, residentID string, act authz.Action) error {
	p := authz.PrincipalFrom(ctx)
	if err := a.Decider.Authorize(ctx, p, t, authz.ObjectSelf, act); err != nil {
		return err
	}
	if p.Tenant != t || !p.IsSelf(residentID) {
		return fmt.Errorf("paymentplans: own data only: %w", authz.ErrForbidden)
	}
	return nil
}

func isResident(p authz.Principal) bool { return slices.Contains(p.Roles, authz.RoleResident) }

// actor checks that by is the principal in ctx, in a role it holds.
func actor(ctx context.Context, by Actor) error {
	p := authz.PrincipalFrom(ctx)
	if p.Subject == "" {
		return fmt.Errorf("paymentplans: %w", authz.ErrUnauthenticated)
	}
	if by.Subject != p.Subject || !slices.Contains(p.Roles, by.Role) ||
		(by.Role == authz.RoleResident && by.ResidentID != p.ResidentID) {
		return fmt.Errorf("paymentplans: the actor is not the authenticated principal: %w", authz.ErrForbidden)
	}
	return nil
}

// write authorizes an act of by: a resident's own, or staff's.
func (a *authorizing) write(ctx context.Context, t tenant.ID, by Actor, staffAct authz.Action) error {
	if err := actor(ctx, by); err != nil {
		return err
	}
	if by.Role == authz.RoleResident {
		return a.self(ctx, t, by.ResidentID, authz.ActionWrite)
	}
	return a.staff(ctx, t, staffAct)
}

// read authorizes a read about residentID.
func (a *authorizing) read(ctx context.Context, t tenant.ID, residentID string) error {
	if p := authz.PrincipalFrom(ctx); isResident(p) && p.Subject != "" {
		return a.self(ctx, t, residentID, authz.ActionRead)
	}
	return a.staff(ctx, t, authz.ActionRead)
}

func (a *authorizing) Request(ctx context.Context, t tenant.ID, residentID string, np NewPlan, by Actor) (Plan, error) {
	if err := a.write(ctx, t, by, authz.ActionWrite); err != nil {
		return Plan{}, err
	}
	return a.Next.Request(ctx, t, residentID, np, by)
}

func (a *authorizing) Approve(ctx context.Context, t tenant.ID, planID string, by Actor) (Plan, error) {
	if err := actor(ctx, by); err != nil {
		return Plan{}, err
	}
	if err := a.staff(ctx, t, authz.ActionApprove); err != nil {
		return Plan{}, err
	}
	return a.Next.Approve(ctx, t, planID, by)
}

func (a *authorizing) Reject(ctx context.Context, t tenant.ID, planID, reason string, by Actor) (Plan, error) {
	if err := actor(ctx, by); err != nil {
		return Plan{}, err
	}
	if err := a.staff(ctx, t, authz.ActionApprove); err != nil {
		return Plan{}, err
	}
	return a.Next.Reject(ctx, t, planID, reason, by)
}

// Stop lets the service check that a resident's plan is their own: it knows the record.
func (a *authorizing) Stop(ctx context.Context, t tenant.ID, planID string, by Actor) (Plan, error) {
	if err := a.write(ctx, t, by, authz.ActionWrite); err != nil {
		return Plan{}, err
	}
	return a.Next.Stop(ctx, t, planID, by)
}

func (a *authorizing) Change(ctx context.Context, t tenant.ID, planID string, expectedVersion int, ch Changes, by Actor) (Plan, error) {
	if err := actor(ctx, by); err != nil {
		return Plan{}, err
	}
	if err := a.staff(ctx, t, authz.ActionWrite); err != nil {
		return Plan{}, err
	}
	return a.Next.Change(ctx, t, planID, expectedVersion, ch, by)
}

func (a *authorizing) Get(ctx context.Context, t tenant.ID, planID string) (Plan, error) {
	p := authz.PrincipalFrom(ctx)
	if !isResident(p) {
		if err := a.staff(ctx, t, authz.ActionRead); err != nil {
			return Plan{}, err
		}
		return a.Next.Get(ctx, t, planID)
	}
	pl, err := a.Next.Get(ctx, t, planID)
	if err != nil {
		return Plan{}, err
	}
	if err := a.self(ctx, t, pl.ResidentID, authz.ActionRead); err != nil {
		return Plan{}, err
	}
	return pl, nil
}

func (a *authorizing) Events(ctx context.Context, t tenant.ID, planID string) ([]Event, error) {
	if _, err := a.Get(ctx, t, planID); err != nil {
		return nil, err
	}
	return a.Next.Events(ctx, t, planID)
}

func (a *authorizing) List(ctx context.Context, t tenant.ID, residentID string) ([]Plan, error) {
	if err := a.read(ctx, t, residentID); err != nil {
		return nil, err
	}
	return a.Next.List(ctx, t, residentID)
}

func (a *authorizing) Shortfalls(ctx context.Context, t tenant.ID, residentID string) ([]Shortfall, error) {
	if err := a.read(ctx, t, residentID); err != nil {
		return nil, err
	}
	return a.Next.Shortfalls(ctx, t, residentID)
}

func (a *authorizing) Export(ctx context.Context, t tenant.ID, creditorID string, since time.Time) ([]Message, error) {
	if err := a.staff(ctx, t, authz.ActionRead); err != nil {
		return nil, err
	}
	return a.Next.Export(ctx, t, creditorID, since)
}

func (a *authorizing) Active(ctx context.Context, t tenant.ID, residentID string, period bijstand.Period) ([]bijstand.Deduction, error) {
	return a.Next.Active(ctx, t, residentID, period)
}

func (a *authorizing) RecordShortfalls(ctx context.Context, t tenant.ID, residentID string, period bijstand.Period,
	results []bijstand.DeductionResult) ([]Shortfall, error) {
	return a.Next.RecordShortfalls(ctx, t, residentID, period, results)
}

func (a *authorizing) StaffList(ctx context.Context, t tenant.ID, residentID, purpose string) ([]Plan, error) {
	if err := a.staff(ctx, t, authz.ActionRead); err != nil {
		return nil, err
	}
	return a.Next.StaffList(ctx, t, residentID, purpose)
}

func (a *authorizing) StaffGet(ctx context.Context, t tenant.ID, residentID, planID, purpose string) (Plan, []Event, error) {
	if err := a.staff(ctx, t, authz.ActionRead); err != nil {
		return Plan{}, nil, err
	}
	return a.Next.StaffGet(ctx, t, residentID, planID, purpose)
}

func (a *authorizing) StaffShortfalls(ctx context.Context, t tenant.ID, residentID, purpose string) ([]Shortfall, error) {
	if err := a.staff(ctx, t, authz.ActionRead); err != nil {
		return nil, err
	}
	return a.Next.StaffShortfalls(ctx, t, residentID, purpose)
}
