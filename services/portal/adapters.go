package portal

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/plein-nl/plein/platform/authz"
	"github.com/plein-nl/plein/platform/bijstand"
	"github.com/plein-nl/plein/platform/httpapi"
	"github.com/plein-nl/plein/platform/tenant"
	"github.com/plein-nl/plein/services/creditors"
	"github.com/plein-nl/plein/services/debts"
	"github.com/plein-nl/plein/services/income"
	"github.com/plein-nl/plein/services/paymentplans"
	"github.com/plein-nl/plein/services/settlement"
)

// The adapters from the services to the interfaces the portal owns. They convert the
// services' types to the portal's views and their errors to the portal's; what a
// resident may do is decided by the services (paymentplans.Plan.StoppableByResident,
// the authorizing services), never here.

// residentPrincipal is the principal of a resident the portal has authenticated.
func residentPrincipal(ctx context.Context, t tenant.ID, residentID string) (context.Context, authz.Principal) {
	p := authz.Principal{Subject: "resident:" + residentID, Tenant: t, Roles: []authz.Role{authz.RoleResident}, ResidentID: residentID}
	return authz.WithPrincipal(ctx, p), p
}

// PaymentsAdapter is the portal's Payments (Mijn betalingen) over the payment plans,
// the creditor register and the income service (for the next pay date).
type PaymentsAdapter struct {
	plans     paymentplans.Service
	creditors creditors.Service
	income    income.Service
	now       func() time.Time
}

// NewPaymentsAdapter returns the Payments of plans (an authorizing service: the
// resident's principal is checked), creditors and income, with the clock now.
func NewPaymentsAdapter(plans paymentplans.Service, creditors creditors.Service, income income.Service, now func() time.Time) PaymentsAdapter {
	return PaymentsAdapter{plans: plans, creditors: creditors, income: income, now: now}
}

// Plans returns the resident's plans as the portal shows them.
func (p PaymentsAdapter) Plans(ctx context.Context, t tenant.ID, residentID string) ([]PaymentPlan, error) {
	ctx, _ = residentPrincipal(ctx, t, residentID)
	list, err := p.plans.List(ctx, t, residentID)
	if err != nil {
		return nil, err
	}
	out := make([]PaymentPlan, 0, len(list))
	nextPeriod := bijstand.PeriodOf(p.now()).Next()
	var nextPay time.Time
	for _, pl := range list {
		c, _ := p.creditors.Get(ctx, t, pl.CreditorID)
		v := PaymentPlan{ID: pl.ID, CreditorName: c.DisplayName(), CreditorKind: string(c.Kind), ReferenceLabel: c.Reference.Name,
			Reference: pl.Reference, Kind: string(pl.Kind), Amount: pl.Amount, Status: string(pl.Status), Start: pl.Start.String(),
			PaperMandate: pl.Mandate != nil && pl.Mandate.GivenBy == paymentplans.MandatePaper,
			Stoppable:    pl.StoppableByResident(residentID)}
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

// Creditors returns the tenant's creditors as the portal offers them.
func (p PaymentsAdapter) Creditors(ctx context.Context, t tenant.ID) ([]CreditorOption, error) {
	list, err := p.creditors.List(ctx, t)
	if err != nil {
		return nil, err
	}
	out := make([]CreditorOption, 0, len(list))
	for _, c := range list {
		out = append(out, CreditorOption{ID: c.ID, Name: c.DisplayName(), Kind: string(c.Kind), ReferenceLabel: c.Reference.Name,
			ReferenceHint: c.Reference.Hint, ReferenceHintEN: c.Reference.HintEN})
	}
	return out, nil
}

// Request asks for an on_behalf plan of the resident's own; the service's field
// problems become the form's, named after the form's fields.
func (p PaymentsAdapter) Request(ctx context.Context, t tenant.ID, residentID string, r PaymentRequest) (PaymentPlan, error) {
	ctx, who := residentPrincipal(ctx, t, residentID)
	pl, err := p.plans.Request(ctx, t, residentID, paymentplans.NewPlan{Kind: string(bijstand.DeductOnBehalf), CreditorID: r.CreditorID,
		Reference: r.Reference, AmountCents: int64(r.Amount), Priority: paymentplans.PriorityResident, StartPeriod: r.Start},
		paymentplans.ActorOf(who))
	var ve *httpapi.ValidationError
	if errors.As(err, &ve) {
		fe := &PaymentFieldErrors{}
		for _, pr := range ve.Fields {
			field := strings.TrimSuffix(strings.TrimSuffix(pr.Field, "_id"), "_cents")
			if field == "start_period" {
				field = "start"
			}
			fe.Fields = append(fe.Fields, PaymentFieldError{Field: field, NL: pr.NL, EN: pr.EN})
		}
		return PaymentPlan{}, fe
	}
	if err != nil {
		return PaymentPlan{}, err
	}
	return PaymentPlan{ID: pl.ID, Kind: string(pl.Kind), Amount: pl.Amount, Status: string(pl.Status), Start: pl.Start.String()}, nil
}

// Stop stops a plan as the resident; the service's refusals become the portal's.
func (p PaymentsAdapter) Stop(ctx context.Context, t tenant.ID, residentID, planID string) error {
	ctx, who := residentPrincipal(ctx, t, residentID)
	_, err := p.plans.Stop(ctx, t, planID, paymentplans.ActorOf(who))
	switch {
	case errors.Is(err, authz.ErrForbidden), errors.Is(err, paymentplans.ErrNotFound):
		return fmt.Errorf("%w: %w", ErrNotYours, err)
	case errors.Is(err, paymentplans.ErrState):
		return fmt.Errorf("%w: %w", ErrNotStoppable, err)
	}
	return err
}

// DebtsAdapter is the portal's Debts (Mijn schulden) over the debts service, the
// payment plans' shortfalls and the creditor register.
type DebtsAdapter struct {
	debts     debts.Service
	plans     paymentplans.Service
	creditors creditors.Service
}

// NewDebtsAdapter returns the Debts of debts (ForResident checks the resident's
// principal), plans and creditors.
func NewDebtsAdapter(debts debts.Service, plans paymentplans.Service, creditors creditors.Service) DebtsAdapter {
	return DebtsAdapter{debts: debts, plans: plans, creditors: creditors}
}

// Overview returns the resident's debts and the payments that could not be made.
func (p DebtsAdapter) Overview(ctx context.Context, t tenant.ID, residentID string) (DebtOverview, error) {
	ctx, _ = residentPrincipal(ctx, t, residentID)
	o, err := p.debts.ForResident(ctx, t, residentID)
	if err != nil {
		return DebtOverview{}, err
	}
	out := DebtOverview{Arranging: o.Arranging, NextStep: o.NextStep}
	for _, d := range o.Debts {
		out.Debts = append(out.Debts, DebtView{CreditorName: d.Creditor, Claim: d.Claim, Balance: d.Balance,
			Status: string(d.Status), Preferent: d.Preferent})
	}
	sfs, err := p.plans.Shortfalls(ctx, t, residentID)
	if err != nil {
		return DebtOverview{}, err
	}
	for _, sf := range sfs {
		c, _ := p.creditors.Get(ctx, t, sf.CreditorID)
		name := c.DisplayName()
		if name == "" {
			name = sf.CreditorID
		}
		out.Shortfalls = append(out.Shortfalls, ShortfallView{CreditorName: name, CreditorKind: string(c.Kind), Period: sf.Period.String(), Shortfall: sf.Shortfall})
	}
	return out, nil
}

// StatementsAdapter is the portal's Statements (Mijn specificaties) over the
// settlement's statement reader (only final runs, only the resident asked for) and
// the creditor register (for the names of the creditors paid).
type StatementsAdapter struct {
	reader    *settlement.StatementReader
	creditors creditors.Service
}

// NewStatementsAdapter returns the Statements of reader and creditors.
func NewStatementsAdapter(reader *settlement.StatementReader, creditors creditors.Service) StatementsAdapter {
	return StatementsAdapter{reader: reader, creditors: creditors}
}

// Months lists the resident's settled months, newest first.
func (a StatementsAdapter) Months(ctx context.Context, t tenant.ID, residentID string) ([]bijstand.Period, error) {
	return a.reader.Months(ctx, t, residentID)
}

// Month returns a settled month of the resident as the portal shows it.
func (a StatementsAdapter) Month(ctx context.Context, t tenant.ID, residentID string, period bijstand.Period) (Statement, error) {
	st, err := a.reader.Month(ctx, t, residentID, period)
	if errors.Is(err, settlement.ErrNotFound) {
		return Statement{}, fmt.Errorf("%w: %w", ErrNoStatement, err)
	}
	if err != nil {
		return Statement{}, err
	}
	out := Statement{Period: st.Period, Bijstand: st.Bijstand, Reserve: st.Reserve, Applied: st.Applied, Payout: st.Payout,
		Shortfall: st.Shortfall, Vakantietoeslag: st.Vakantietoeslag, Released: st.Released, Uncomputed: st.Uncomputed != "",
		Result: st.Result, Verified: st.Verified, LawFile: st.LawFile, EngineVersion: st.EngineVersion,
		ConfigVersion: st.ConfigVersion, InputsSHA256: st.InputsSHA256}
	if st.PayDate != nil {
		out.PayDate = *st.PayDate
	}
	switch {
	case st.Hold == "":
	case st.Hold == settlement.HoldInvalidIBAN:
		out.Hold = HoldIBAN
	default:
		out.Hold = HoldOther
	}
	ctx, _ = residentPrincipal(ctx, t, residentID)
	for _, d := range st.Deductions {
		name := d.Label
		if d.CreditorID != "" {
			if c, err := a.creditors.Get(ctx, t, d.CreditorID); err == nil && c.DisplayName() != "" {
				name = c.DisplayName()
			} else if name == "" {
				name = d.CreditorID
			}
		}
		if name == "" {
			name = d.Kind
		}
		out.Deductions = append(out.Deductions, StatementDeduction{CreditorName: name, Reference: d.Reference,
			Applied: d.Applied, Shortfall: d.Shortfall})
	}
	for _, w := range st.Wages {
		out.Wages = append(out.Wages, StatementWage{Employer: w.Employer, Gross: w.Gross, Net: w.Net})
	}
	return out, nil
}
