// Package caseload is a resident's month from Plein's data, for the settlement: the
// residents, their payslips and the payment plans in force, each read in bulk through
// the small reader the owning service exports, computed by the income service's one
// engine. It is the settlement's Caseload and Tenants over the services and the tenant
// directory; it owns no tables and writes nothing.
package caseload

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"golang.org/x/sync/errgroup"

	"github.com/plein-nl/plein/platform/bijstand"
	"github.com/plein-nl/plein/platform/law"
	"github.com/plein-nl/plein/platform/money"
	"github.com/plein-nl/plein/platform/tenant"
	"github.com/plein-nl/plein/services/creditors"
	"github.com/plein-nl/plein/services/income"
	"github.com/plein-nl/plein/services/paymentplans"
	"github.com/plein-nl/plein/services/residents"
	"github.com/plein-nl/plein/services/settlement"
	"github.com/plein-nl/plein/services/tenancy"
)

// Caseload is settlement.Caseload over the services that own the data. Each read is a
// unit of work of the owning service's own: a batch reads its residents, payslips and
// plans in three snapshots, before the run's transaction that writes the batch. A
// change between the snapshots (a payslip handed in at that moment) counts in this
// month or in the next, as it would a second earlier or later.
type Caseload struct {
	payees    *residents.PayeeReader
	payslips  *income.PayslipReader
	plans     *paymentplans.InForceReader
	income    *income.IncomeService
	creditors creditors.Service
}

var _ settlement.Caseload = (*Caseload)(nil)

// New returns the caseload over the application pool, with the tenants' settings from
// dir and the clock now (nil: time.Now).
func New(app *pgxpool.Pool, dir *tenancy.Directory, now func() time.Time) (*Caseload, error) {
	book, err := law.Load()
	if err != nil {
		return nil, err
	}
	if now == nil {
		now = time.Now
	}
	inc := income.NewService(income.Config{App: app, Calculator: bijstand.NewCalculator(book), Now: now,
		Settings: IncomeSettings(dir)})
	return &Caseload{
		payees:    residents.NewPayeeReader(app),
		payslips:  income.NewPayslipReader(app),
		plans:     paymentplans.NewInForceReader(app),
		income:    inc,
		creditors: creditors.NewService(app, nil, now),
	}, nil
}

// ResidentIDs lists t's residents in id order.
func (c *Caseload) ResidentIDs(ctx context.Context, t tenant.ID) ([]string, error) {
	return c.payees.IDs(ctx, t)
}

// Months computes the month of every resident of t with first ≤ id ≤ last, in id
// order: one bulk read per service, at the same time, then the engine per resident.
// A month the engine refuses (bad data, a law value missing for the period) comes
// back with Uncomputed set and no amounts, so that the run goes on for the others; an
// error is a read that failed (the database, a cancelled context), and is retried.
func (c *Caseload) Months(ctx context.Context, t tenant.ID, period bijstand.Period, first, last string) ([]settlement.ResidentMonth, error) {
	var (
		payees []residents.Payee
		slips  map[string][]income.Payslip
		plans  map[string][]paymentplans.InForce
	)
	// Three units of work that do not depend on each other, each on a connection of its
	// own while it runs: a batch waits for the slowest, not for the sum.
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() (err error) { payees, err = c.payees.Payees(gctx, t, first, last, period); return err })
	g.Go(func() (err error) { slips, err = c.payslips.Counting(gctx, t, first, last, period); return err })
	g.Go(func() (err error) { plans, err = c.plans.InForce(gctx, t, first, last, period); return err })
	if err := g.Wait(); err != nil {
		return nil, err
	}
	out := make([]settlement.ResidentMonth, 0, len(payees))
	for _, p := range payees {
		inForce := plans[p.ID]
		deds := make([]bijstand.Deduction, len(inForce))
		refs := make(map[string]settlement.PlanRef, len(inForce))
		for i, f := range inForce {
			deds[i] = f.Deduction
			refs[f.Deduction.ID] = settlement.PlanRef{CreditorID: f.CreditorID, Reference: f.Reference}
		}
		m, err := c.income.Compute(t, period, p.Household, slips[p.ID], deds)
		if err != nil && !residentsOwn(err) {
			return nil, &settlement.ComputeError{ResidentID: p.ID, Err: err}
		}
		rc := receipt(m, slips[p.ID])
		if err != nil {
			// The engine is pure: what it refuses now it refuses on every retry.
			out = append(out, settlement.ResidentMonth{ResidentID: p.ID, Name: p.Name, IBAN: p.IBAN,
				Result: bijstand.Result{Period: period}, Uncomputed: settlement.UncomputedReason(err), Receipt: rc})
			continue
		}
		out = append(out, settlement.ResidentMonth{ResidentID: p.ID, Name: p.Name, IBAN: p.IBAN, Result: m.Result, Plans: refs, Receipt: rc})
	}
	return out, nil
}

// receipt is what month m was computed from and with; the wages are those of slips,
// the payslips that gave the case its incomes, in the same order.
func receipt(m income.Month, slips []income.Payslip) *settlement.Receipt {
	r := &settlement.Receipt{Case: m.Case, LawFile: m.LawFile, ConfigVersion: m.ConfigVersion,
		EngineVersion: bijstand.EngineVersion, Wages: make([]settlement.Wage, len(slips))}
	for i, p := range slips {
		r.Wages[i] = settlement.Wage{Employer: p.Employer, Gross: p.Gross, Net: p.Net}
	}
	return r
}

// residentsOwn tells whether the engine refused a month for the resident's own data (a
// household, an income, a deduction it cannot compute), which a consulent fixes while
// the run goes on for the others. The law data (no parameters for the period, a value
// not published: law.ErrNotPublished) and the gemeente's settings refuse every month
// alike; they are not a resident's.
func residentsOwn(err error) bool {
	var in *bijstand.InputError
	if !errors.As(err, &in) {
		return false
	}
	switch in.Field {
	case "period", "min_cash_payout_cents":
		return false
	}
	return !errors.Is(err, law.ErrNotPublished)
}

// Creditors returns every creditor a plan of t may name: the catalogue's and t's own.
func (c *Caseload) Creditors(ctx context.Context, t tenant.ID) (map[string]settlement.CreditorInfo, error) {
	cs, err := c.creditors.List(ctx, t)
	if err != nil {
		return nil, err
	}
	out := make(map[string]settlement.CreditorInfo, len(cs))
	for _, cr := range cs {
		out[cr.ID] = settlement.CreditorInfo{ID: cr.ID, Name: cr.Name, IBAN: cr.IBAN}
	}
	return out, nil
}

// IncomeSettings are a tenant's settings a month depends on, from its configuration in
// dir; an unknown tenant gets the default pay day.
func IncomeSettings(dir *tenancy.Directory) func(t tenant.ID) income.Settings {
	return func(t tenant.ID) income.Settings {
		tt, ok := dir.ByID(t)
		if !ok {
			return income.Settings{PayDay: tenancy.DefaultPayDay}
		}
		st := tt.Config.Settlement
		return income.Settings{PayDay: st.PayDayOrDefault(), MinCashPayout: money.Cents(st.MinCashPayoutCents), ConfigVersion: tt.Version}
	}
}
