package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/plein-nl/plein/platform/authz"
	"github.com/plein-nl/plein/platform/bijstand"
	"github.com/plein-nl/plein/platform/bsn"
	"github.com/plein-nl/plein/platform/httpapi"
	"github.com/plein-nl/plein/platform/money"
	"github.com/plein-nl/plein/platform/tenant"
	"github.com/plein-nl/plein/services/creditors"
	"github.com/plein-nl/plein/services/debts"
	"github.com/plein-nl/plein/services/income"
	"github.com/plein-nl/plein/services/paymentplans"
	"github.com/plein-nl/plein/services/portal"
	"github.com/plein-nl/plein/services/residents"
)

// The adapters between services live here, in the composition root: each service
// declares the small interface it needs, and this file fills it with another service,
// mapping errors at the crossing. No service imports another's internals.

// residentPrincipal is the principal of a resident the portal has authenticated.
func residentPrincipal(ctx context.Context, t tenant.ID, residentID string) context.Context {
	return authz.WithPrincipal(ctx, authz.Principal{Subject: "resident:" + residentID, Tenant: t,
		Roles: []authz.Role{authz.RoleResident}, ResidentID: residentID})
}

// debtsFinder finds the case of a BSN for a creditor's signal: a match that reads no
// case data and does the same work for a known and an unknown BSN (the signal, which
// records the match, is audited by the debts service).
type debtsFinder struct{ s residents.Service }

func (f debtsFinder) FindResidentID(ctx context.Context, t tenant.ID, bsnString, _ string) (string, int, error) {
	b, err := bsn.Parse(bsnString)
	if err != nil {
		return "", 0, err
	}
	id, applicant, err := f.s.MatchBSN(ctx, t, b)
	if errors.Is(err, residents.ErrNotFound) {
		return "", 0, fmt.Errorf("%w: %w", debts.ErrResidentNotFound, err)
	}
	return id, applicant, err
}

// creditorNames gives debts the creditor register's names.
type creditorNames struct{ s creditors.Service }

func (c creditorNames) CreditorName(ctx context.Context, t tenant.ID, id string) (string, error) {
	cr, err := c.s.Get(ctx, t, id)
	if errors.Is(err, creditors.ErrNotFound) {
		return "", fmt.Errorf("%w: %w", debts.ErrUnknownCreditor, err)
	}
	if err != nil {
		return "", err
	}
	return cr.DisplayName(), nil
}

// aflossingPlans turns the accepted offers of a minnelijk traject into approved
// aflossing payment plans. It is idempotent: a plan for the same resident, creditor,
// reference and start month is found, not made twice.
type aflossingPlans struct{ plans *paymentplans.Service }

// schuldregeling is the system actor that records the plans of an agreed schuldregeling.
var schuldregeling = paymentplans.Actor{Subject: "system:schuldregeling", Role: authz.RoleConsulent}

func (a aflossingPlans) CreateAflossing(ctx context.Context, t tenant.ID, residentID, creditorID, reference string,
	amountPerMonth money.Cents, startPeriod string, months int) (string, error) {
	svc := *a.plans
	start, err := bijstand.ParsePeriod(startPeriod)
	if err != nil {
		return "", err
	}
	existing, err := svc.List(ctx, t, residentID)
	if err != nil {
		return "", err
	}
	for _, p := range existing {
		if p.Kind == bijstand.DeductAflossing && p.CreditorID == creditorID && p.Start == start &&
			p.Reference == creditors.NormalizeReference(reference) && p.Amount == amountPerMonth {
			return p.ID, nil
		}
	}
	end := start
	for i := 1; i < months; i++ {
		end = end.Next()
	}
	p, err := svc.Request(ctx, t, residentID, paymentplans.NewPlan{Kind: string(bijstand.DeductAflossing), CreditorID: creditorID,
		Reference: reference, AmountCents: int64(amountPerMonth), Priority: 50, StartPeriod: start.String(), EndPeriod: end.String()}, schuldregeling)
	if err != nil {
		return "", err
	}
	if _, err := svc.Approve(ctx, t, p.ID, schuldregeling); err != nil {
		return "", err
	}
	return p.ID, nil
}

// shortfallSignals tells schuldhulp of payments that could not be made.
type shortfallSignals struct{ debts *debts.Service }

func (s shortfallSignals) SignalShortfalls(ctx context.Context, t tenant.ID, list []paymentplans.Shortfall) error {
	for _, sf := range list {
		if err := (*s.debts).Shortfall(ctx, t, sf.ResidentID, sf.PlanID, sf.CreditorID, sf.Period.String(), sf.Shortfall); err != nil {
			return err
		}
	}
	return nil
}

// planShortfalls records a month's shortfalls for the income service.
type planShortfalls struct{ plans paymentplans.Service }

func (p planShortfalls) RecordShortfalls(ctx context.Context, t tenant.ID, residentID string, period bijstand.Period, results []bijstand.DeductionResult) error {
	_, err := p.plans.RecordShortfalls(ctx, t, residentID, period, results)
	return err
}

// portalPayments is the portal's Mijn betalingen: payment plans and creditors.
type portalPayments struct {
	plans     paymentplans.Service // authorizing: the resident principal is checked
	creditors creditors.Service
	income    income.Service
	now       func() time.Time
}

func (p portalPayments) Plans(ctx context.Context, t tenant.ID, residentID string) ([]portal.PaymentPlan, error) {
	ctx = residentPrincipal(ctx, t, residentID)
	list, err := p.plans.List(ctx, t, residentID)
	if err != nil {
		return nil, err
	}
	out := make([]portal.PaymentPlan, 0, len(list))
	nextPeriod := bijstand.PeriodOf(p.now()).Next()
	var nextPay time.Time
	for _, pl := range list {
		c, _ := p.creditors.Get(ctx, t, pl.CreditorID)
		v := portal.PaymentPlan{ID: pl.ID, CreditorName: c.DisplayName(), CreditorKind: string(c.Kind), ReferenceLabel: c.Reference.Name,
			Reference: pl.Reference, Kind: string(pl.Kind), Amount: pl.Amount, Status: string(pl.Status), Start: pl.Start.String(),
			PaperMandate: pl.Mandate != nil && pl.Mandate.GivenBy == paymentplans.MandatePaper,
			Stoppable:    pl.Kind == bijstand.DeductOnBehalf && pl.Status != paymentplans.StatusEnded && pl.Status != paymentplans.StatusRejected}
		if v.CreditorName == "" {
			v.CreditorName = pl.CreditorID
		}
		if pl.End != nil {
			v.End = pl.End.String()
		}
		if pl.InForce(nextPeriod) {
			if nextPay.IsZero() {
				if m, err := p.income.Month(ctx, t, residentID, nextPeriod); err == nil {
					nextPay = m.PayDate
				}
			}
			v.NextDate = nextPay
		}
		out = append(out, v)
	}
	return out, nil
}

func (p portalPayments) Creditors(ctx context.Context, t tenant.ID) ([]portal.CreditorOption, error) {
	list, err := p.creditors.List(ctx, t)
	if err != nil {
		return nil, err
	}
	out := make([]portal.CreditorOption, 0, len(list))
	for _, c := range list {
		out = append(out, portal.CreditorOption{ID: c.ID, Name: c.DisplayName(), Kind: string(c.Kind), ReferenceLabel: c.Reference.Name,
			ReferenceHint: c.Reference.Hint, ReferenceHintEN: c.Reference.HintEN})
	}
	return out, nil
}

func (p portalPayments) Request(ctx context.Context, t tenant.ID, residentID string, r portal.PaymentRequest) (portal.PaymentPlan, error) {
	ctx = residentPrincipal(ctx, t, residentID)
	pl, err := p.plans.Request(ctx, t, residentID, paymentplans.NewPlan{Kind: string(bijstand.DeductOnBehalf), CreditorID: r.CreditorID,
		Reference: r.Reference, AmountCents: int64(r.Amount), Priority: 10, StartPeriod: r.Start},
		paymentplans.Actor{Subject: "resident:" + residentID, Role: authz.RoleResident, ResidentID: residentID})
	var ve *httpapi.ValidationError
	if errors.As(err, &ve) {
		fe := &portal.PaymentFieldErrors{}
		for _, pr := range ve.Fields {
			field := strings.TrimSuffix(strings.TrimSuffix(pr.Field, "_id"), "_cents")
			if field == "start_period" {
				field = "start"
			}
			fe.Fields = append(fe.Fields, portal.PaymentFieldError{Field: field, NL: pr.NL, EN: pr.EN})
		}
		return portal.PaymentPlan{}, fe
	}
	if err != nil {
		return portal.PaymentPlan{}, err
	}
	return portal.PaymentPlan{ID: pl.ID, Kind: string(pl.Kind), Amount: pl.Amount, Status: string(pl.Status), Start: pl.Start.String()}, nil
}

func (p portalPayments) Stop(ctx context.Context, t tenant.ID, residentID, planID string) error {
	ctx = residentPrincipal(ctx, t, residentID)
	_, err := p.plans.Stop(ctx, t, planID, paymentplans.Actor{Subject: "resident:" + residentID, Role: authz.RoleResident, ResidentID: residentID})
	switch {
	case errors.Is(err, authz.ErrForbidden), errors.Is(err, paymentplans.ErrNotFound):
		return fmt.Errorf("%w: %w", portal.ErrNotYours, err)
	case errors.Is(err, paymentplans.ErrState):
		return fmt.Errorf("%w: %w", portal.ErrNotStoppable, err)
	}
	return err
}

// portalDebts is the portal's Mijn schulden.
type portalDebts struct {
	debts     debts.Service
	plans     paymentplans.Service
	creditors creditors.Service
}

func (p portalDebts) Overview(ctx context.Context, t tenant.ID, residentID string) (portal.DebtOverview, error) {
	ctx = residentPrincipal(ctx, t, residentID)
	o, err := p.debts.ForResident(ctx, t, residentID)
	if err != nil {
		return portal.DebtOverview{}, err
	}
	out := portal.DebtOverview{Arranging: o.Arranging, NextStep: o.NextStep}
	for _, d := range o.Debts {
		out.Debts = append(out.Debts, portal.DebtView{CreditorName: d.Creditor, Claim: d.Claim, Balance: d.Balance,
			Status: string(d.Status), Preferent: d.Preferent})
	}
	sfs, err := p.plans.Shortfalls(ctx, t, residentID)
	if err != nil {
		return portal.DebtOverview{}, err
	}
	for _, sf := range sfs {
		c, _ := p.creditors.Get(ctx, t, sf.CreditorID)
		name := c.DisplayName()
		if name == "" {
			name = sf.CreditorID
		}
		out.Shortfalls = append(out.Shortfalls, portal.ShortfallView{CreditorName: name, CreditorKind: string(c.Kind), Period: sf.Period.String(), Shortfall: sf.Shortfall})
	}
	return out, nil
}

// namedDeductions gives the payment plans in force as deductions named after their
// creditor, so that the month's explanation says "Zilveren Kruis", not a plan id.
type namedDeductions struct {
	plans     paymentplans.Service
	creditors creditors.Service
}

func (n namedDeductions) Active(ctx context.Context, t tenant.ID, residentID string, period bijstand.Period) ([]bijstand.Deduction, error) {
	ds, err := n.plans.Active(ctx, t, residentID, period)
	if err != nil || len(ds) == 0 {
		return ds, err
	}
	plans, err := n.plans.List(ctx, t, residentID)
	if err != nil {
		return nil, err
	}
	creditorOf := make(map[string]string, len(plans))
	for _, p := range plans {
		creditorOf[p.ID] = p.CreditorID
	}
	for i := range ds {
		if c, err := n.creditors.Get(ctx, t, creditorOf[ds[i].ID]); err == nil {
			ds[i].Label = c.DisplayName()
		}
	}
	return ds, nil
}

// residentNorms gives payment plans the norm of a resident's own household, which
// caps a plan's amount: the engine computes it from the resident's case with no
// income (the norm does not depend on income).
type residentNorms struct {
	residents residents.Service
	calc      *bijstand.Calculator
}

func (n residentNorms) Norm(ctx context.Context, t tenant.ID, residentID string, period bijstand.Period) (money.Cents, error) {
	h, err := n.residents.Household(ctx, t, residentID)
	if errors.Is(err, residents.ErrNotFound) {
		return 0, fmt.Errorf("%w: %w", paymentplans.ErrResidentNotFound, err)
	}
	if err != nil {
		return 0, err
	}
	r, _, err := n.calc.Month(bijstand.Case{Period: period, Household: h})
	if err != nil {
		return 0, fmt.Errorf("norm of %s: %w", period, err)
	}
	return r.Norm, nil
}

// matcherOf finds the case of a BSN for an employer's payslip, mapping the residents
// service's not-found error to income's.
type matcherOf struct{ s residents.Service }

func (m matcherOf) MatchBSN(ctx context.Context, t tenant.ID, b bsn.BSN) (string, int, error) {
	id, applicant, err := m.s.MatchBSN(ctx, t, b)
	if errors.Is(err, residents.ErrNotFound) {
		return "", 0, fmt.Errorf("%w: %w", income.ErrNotFound, err)
	}
	return id, applicant, err
}
