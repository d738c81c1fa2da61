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
type Authorizer = authz.Decider

type authorizing struct{ authz.Guard[Service] }

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
func NewAuthorizing(next Service, az Authorizer) Service {
	return &authorizing{authz.Guard[Service]{Next: next, Decider: az}}
}

func (a *authorizing) Debts(ctx context.Context, t tenant.ID, residentID, purpose string) ([]Debt, error) {
	if err := a.Check(ctx, t, authz.ObjectDebt, authz.ActionRead); err != nil {
		return nil, err
	}
	return a.Next.Debts(ctx, t, residentID, purpose)
}

func (a *authorizing) CreateDebt(ctx context.Context, t tenant.ID, residentID string, nd NewDebt) (Debt, error) {
	if err := a.Check(ctx, t, authz.ObjectDebt, authz.ActionWrite); err != nil {
		return Debt{}, err
	}
	return a.Next.CreateDebt(ctx, t, residentID, nd)
}

func (a *authorizing) UpdateDebt(ctx context.Context, t tenant.ID, residentID, debtID string, v int, ch DebtChanges) (Debt, error) {
	if err := a.Check(ctx, t, authz.ObjectDebt, authz.ActionWrite); err != nil {
		return Debt{}, err
	}
	return a.Next.UpdateDebt(ctx, t, residentID, debtID, v, ch)
}

func (a *authorizing) SubmitSignal(ctx context.Context, t tenant.ID, creditorID string, ns NewSignal) (Signal, bool, error) {
	p := authz.PrincipalFrom(ctx)
	if err := a.Decider.Authorize(ctx, p, t, authz.ObjectSignal, authz.ActionSubmit); err != nil {
		return Signal{}, false, err
	}
	if id, ok := strings.CutPrefix(p.Subject, CreditorSubjectPrefix); !ok || id != creditorID ||
		!slices.Contains(p.Roles, authz.RoleCreditor) {
		return Signal{}, false, fmt.Errorf("debts: %w: a creditor reports under its own name only", authz.ErrForbidden)
	}
	return a.Next.SubmitSignal(ctx, t, creditorID, ns)
}

func (a *authorizing) Queue(ctx context.Context, t tenant.ID, now time.Time) ([]QueueItem, error) {
	if err := a.Check(ctx, t, authz.ObjectSignal, authz.ActionRead); err != nil {
		return nil, err
	}
	return a.Next.Queue(ctx, t, now)
}

func (a *authorizing) RecordContact(ctx context.Context, t tenant.ID, itemID string, at time.Time, by string) error {
	if err := a.Check(ctx, t, authz.ObjectDebt, authz.ActionWrite); err != nil {
		return err
	}
	return a.Next.RecordContact(ctx, t, itemID, at, by)
}

func (a *authorizing) AcceptHelp(ctx context.Context, t tenant.ID, signalID string) (string, error) {
	if err := a.Check(ctx, t, authz.ObjectDebt, authz.ActionWrite); err != nil {
		return "", err
	}
	return a.Next.AcceptHelp(ctx, t, signalID)
}

func (a *authorizing) DeclineHelp(ctx context.Context, t tenant.ID, signalID string) error {
	if err := a.Check(ctx, t, authz.ObjectDebt, authz.ActionWrite); err != nil {
		return err
	}
	return a.Next.DeclineHelp(ctx, t, signalID)
}

func (a *authorizing) LinkSignal(ctx context.Context, t tenant.ID, signalID, residentID string) error {
	if err := a.Check(ctx, t, authz.ObjectDebt, authz.ActionWrite); err != nil {
		return err
	}
	return a.Next.LinkSignal(ctx, t, signalID, residentID)
}

func (a *authorizing) Request(ctx context.Context, t tenant.ID, nr NewRequest) (QueueItem, error) {
	if err := a.Check(ctx, t, authz.ObjectDebt, authz.ActionWrite); err != nil {
		return QueueItem{}, err
	}
	return a.Next.Request(ctx, t, nr)
}

func (a *authorizing) Shortfall(ctx context.Context, t tenant.ID, residentID, planID, creditorID, period string, shortfall money.Cents) error {
	return a.Next.Shortfall(ctx, t, residentID, planID, creditorID, period, shortfall)
}

func (a *authorizing) SavePlan(ctx context.Context, t tenant.ID, residentID string, np NewPlan) (Plan, error) {
	if err := a.Check(ctx, t, authz.ObjectDebt, authz.ActionWrite); err != nil {
		return Plan{}, err
	}
	return a.Next.SavePlan(ctx, t, residentID, np)
}

func (a *authorizing) Plan(ctx context.Context, t tenant.ID, residentID, purpose string) (Plan, error) {
	if err := a.Check(ctx, t, authz.ObjectDebt, authz.ActionRead); err != nil {
		return Plan{}, err
	}
	return a.Next.Plan(ctx, t, residentID, purpose)
}

func (a *authorizing) StartTraject(ctx context.Context, t tenant.ID, residentID string, nt NewTraject) (Traject, error) {
	if err := a.Check(ctx, t, authz.ObjectDebt, authz.ActionWrite); err != nil {
		return Traject{}, err
	}
	return a.Next.StartTraject(ctx, t, residentID, nt)
}

func (a *authorizing) Traject(ctx context.Context, t tenant.ID, residentID, purpose string) (Traject, error) {
	if err := a.Check(ctx, t, authz.ObjectDebt, authz.ActionRead); err != nil {
		return Traject{}, err
	}
	return a.Next.Traject(ctx, t, residentID, purpose)
}

func (a *authorizing) DecideOffer(ctx context.Context, t tenant.ID, residentID, creditorID string, accept bool) (Traject, error) {
	if err := a.Check(ctx, t, authz.ObjectDebt, authz.ActionWrite); err != nil {
		return Traject{}, err
	}
	return a.Next.DecideOffer(ctx, t, residentID, creditorID, accept)
}

func (a *authorizing) ForResident(ctx context.Context, t tenant.ID, residentID string) (Overview, error) {
	return a.Next.ForResident(ctx, t, residentID)
}
