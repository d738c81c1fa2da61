package debts

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/plein-nl/plein/platform/authz"
	"github.com/plein-nl/plein/platform/money"
	"github.com/plein-nl/plein/platform/tenant"
)

// Authorizer decides; satisfied by *authz.Authorizer.
type Authorizer interface {
	Authorize(ctx context.Context, p authz.Principal, target tenant.ID, obj authz.Object, act authz.Action) error
}

type authorizing struct {
	next Service
	az   Authorizer
}

// NewAuthorizing wraps a Service so that every API call is authorized for the principal
// in the context in the target tenant, deny by default:
//   - reads of debts, plans and trajecten need debt:read; the work queue signal:read;
//   - every change by staff (debts, contacts, offers of help, aanmeldingen, plans,
//     trajecten) needs debt:write;
//   - SubmitSignal needs signal:submit, and a creditor principal whose Subject is
//     "creditor:<creditorID>": a creditor reports only under its own name.
//
// Shortfall (the payment plans service's call) and ForResident (which checks "own data
// only" itself) are passed through.
func NewAuthorizing(next Service, az Authorizer) Service { return &authorizing{next: next, az: az} }

func (a *authorizing) check(ctx context.Context, t tenant.ID, obj authz.Object, act authz.Action) error {
	return a.az.Authorize(ctx, authz.PrincipalFrom(ctx), t, obj, act)
}

func (a *authorizing) Debts(ctx context.Context, t tenant.ID, residentID, purpose string) ([]Debt, error) {
	if err := a.check(ctx, t, authz.ObjectDebt, authz.ActionRead); err != nil {
		return nil, err
	}
	return a.next.Debts(ctx, t, residentID, purpose)
}

func (a *authorizing) CreateDebt(ctx context.Context, t tenant.ID, residentID string, nd NewDebt) (Debt, error) {
	if err := a.check(ctx, t, authz.ObjectDebt, authz.ActionWrite); err != nil {
		return Debt{}, err
	}
	return a.next.CreateDebt(ctx, t, residentID, nd)
}

func (a *authorizing) UpdateDebt(ctx context.Context, t tenant.ID, residentID, debtID string, v int, ch DebtChanges) (Debt, error) {
	if err := a.check(ctx, t, authz.ObjectDebt, authz.ActionWrite); err != nil {
		return Debt{}, err
	}
	return a.next.UpdateDebt(ctx, t, residentID, debtID, v, ch)
}

func (a *authorizing) SubmitSignal(ctx context.Context, t tenant.ID, creditorID string, ns NewSignal) (Signal, bool, error) {
	p := authz.PrincipalFrom(ctx)
	if err := a.az.Authorize(ctx, p, t, authz.ObjectSignal, authz.ActionSubmit); err != nil {
		return Signal{}, false, err
	}
	if id, ok := strings.CutPrefix(p.Subject, CreditorSubjectPrefix); !ok || id != creditorID ||
		!slices.Contains(p.Roles, authz.RoleCreditor) {
		return Signal{}, false, fmt.Errorf("debts: %w: a creditor reports under its own name only", authz.ErrForbidden)
	}
	return a.next.SubmitSignal(ctx, t, creditorID, ns)
}

func (a *authorizing) Queue(ctx context.Context, t tenant.ID, now time.Time) ([]QueueItem, error) {
	if err := a.check(ctx, t, authz.ObjectSignal, authz.ActionRead); err != nil {
		return nil, err
	}
	return a.next.Queue(ctx, t, now)
}

func (a *authorizing) RecordContact(ctx context.Context, t tenant.ID, itemID string, at time.Time, by string) error {
	if err := a.check(ctx, t, authz.ObjectDebt, authz.ActionWrite); err != nil {
		return err
	}
	return a.next.RecordContact(ctx, t, itemID, at, by)
}

func (a *authorizing) AcceptHelp(ctx context.Context, t tenant.ID, signalID string) (string, error) {
	if err := a.check(ctx, t, authz.ObjectDebt, authz.ActionWrite); err != nil {
		return "", err
	}
	return a.next.AcceptHelp(ctx, t, signalID)
}

func (a *authorizing) DeclineHelp(ctx context.Context, t tenant.ID, signalID string) error {
	if err := a.check(ctx, t, authz.ObjectDebt, authz.ActionWrite); err != nil {
		return err
	}
	return a.next.DeclineHelp(ctx, t, signalID)
}

func (a *authorizing) LinkSignal(ctx context.Context, t tenant.ID, signalID, residentID string) error {
	if err := a.check(ctx, t, authz.ObjectDebt, authz.ActionWrite); err != nil {
		return err
	}
	return a.next.LinkSignal(ctx, t, signalID, residentID)
}

func (a *authorizing) Request(ctx context.Context, t tenant.ID, nr NewRequest) (QueueItem, error) {
	if err := a.check(ctx, t, authz.ObjectDebt, authz.ActionWrite); err != nil {
		return QueueItem{}, err
	}
	return a.next.Request(ctx, t, nr)
}

func (a *authorizing) Shortfall(ctx context.Context, t tenant.ID, residentID, planID, creditorID, period string, shortfall money.Cents) error {
	return a.next.Shortfall(ctx, t, residentID, planID, creditorID, period, shortfall)
}

func (a *authorizing) SavePlan(ctx context.Context, t tenant.ID, residentID string, np NewPlan) (Plan, error) {
	if err := a.check(ctx, t, authz.ObjectDebt, authz.ActionWrite); err != nil {
		return Plan{}, err
	}
	return a.next.SavePlan(ctx, t, residentID, np)
}

func (a *authorizing) Plan(ctx context.Context, t tenant.ID, residentID, purpose string) (Plan, error) {
	if err := a.check(ctx, t, authz.ObjectDebt, authz.ActionRead); err != nil {
		return Plan{}, err
	}
	return a.next.Plan(ctx, t, residentID, purpose)
}

func (a *authorizing) StartTraject(ctx context.Context, t tenant.ID, residentID string, nt NewTraject) (Traject, error) {
	if err := a.check(ctx, t, authz.ObjectDebt, authz.ActionWrite); err != nil {
		return Traject{}, err
	}
	return a.next.StartTraject(ctx, t, residentID, nt)
}

func (a *authorizing) Traject(ctx context.Context, t tenant.ID, residentID, purpose string) (Traject, error) {
	if err := a.check(ctx, t, authz.ObjectDebt, authz.ActionRead); err != nil {
		return Traject{}, err
	}
	return a.next.Traject(ctx, t, residentID, purpose)
}

func (a *authorizing) DecideOffer(ctx context.Context, t tenant.ID, residentID, creditorID string, accept bool) (Traject, error) {
	if err := a.check(ctx, t, authz.ObjectDebt, authz.ActionWrite); err != nil {
		return Traject{}, err
	}
	return a.next.DecideOffer(ctx, t, residentID, creditorID, accept)
}

func (a *authorizing) ForResident(ctx context.Context, t tenant.ID, residentID string) (Overview, error) {
	return a.next.ForResident(ctx, t, residentID)
}
