package main

import (
	"context"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/plein-nl/plein/platform/bijstand"
	"github.com/plein-nl/plein/platform/iban"
	"github.com/plein-nl/plein/platform/jobs"
	"github.com/plein-nl/plein/platform/law"
	"github.com/plein-nl/plein/platform/money"
	"github.com/plein-nl/plein/platform/sepa"
	"github.com/plein-nl/plein/platform/tenant"
	"github.com/plein-nl/plein/services/creditors"
	"github.com/plein-nl/plein/services/income"
	"github.com/plein-nl/plein/services/paymentplans"
	"github.com/plein-nl/plein/services/residents"
	"github.com/plein-nl/plein/services/settlement"
	"github.com/plein-nl/plein/services/tenancy"
)

// settlementDeps are what the settlement service is built from.
type settlementDeps struct {
	pool    *pgxpool.Pool
	dir     *tenancy.Directory
	reg     prometheus.Registerer // nil: no metrics
	jobs    *jobs.Client          // inserts the first job of a run and the approval's
	now     func() time.Time
	batch   int // residents per batch; 0 for the default
	fileMax int // transfers per SEPA file; 0 for the default
}

// newSettlement wires the settlement service: its caseload is read through the
// residents, income and payment plans services' own bulk readers and computed by the
// income service's Compute — the one engine, no second implementation.
func newSettlement(d settlementDeps) (*settlement.Service, error) {
	book, err := law.Load()
	if err != nil {
		return nil, err
	}
	if d.now == nil {
		d.now = time.Now
	}
	inc := income.NewService(income.Config{App: d.pool, Calculator: bijstand.NewCalculator(book), Now: d.now,
		Settings: incomeSettings(d.dir)})
	var m *settlement.Metrics
	if d.reg != nil {
		if m, err = settlement.NewMetrics(d.reg); err != nil {
			return nil, err
		}
	}
	return settlement.NewService(settlement.Config{
		App: d.pool, Jobs: d.jobs, Metrics: m, Now: d.now, BatchSize: d.batch, FileSize: d.fileMax,
		Caseload: caseload{income: inc, creditors: creditors.NewService(d.pool, nil, d.now)},
		Tenants:  settlementTenants{d.dir},
	}), nil
}

// incomeSettings are a tenant's settings a month depends on, from its configuration.
func incomeSettings(dir *tenancy.Directory) func(t tenant.ID) income.Settings {
	return func(t tenant.ID) income.Settings {
		tt, ok := dir.ByID(t)
		if !ok {
			return income.Settings{PayDay: tenancy.DefaultPayDay}
		}
		st := tt.Config.Settlement
		return income.Settings{PayDay: st.PayDayOrDefault(), MinCashPayout: money.Cents(st.MinCashPayoutCents)}
	}
}

// caseload is settlement.Caseload over the services that own the data.
type caseload struct {
	income    *income.IncomeService
	creditors creditors.Service
}

func (c caseload) ResidentIDs(ctx context.Context, tx pgx.Tx) ([]string, error) {
	return residents.IDsIn(ctx, tx)
}

func (c caseload) Months(ctx context.Context, tx pgx.Tx, t tenant.ID, period bijstand.Period, first, last string) ([]settlement.ResidentMonth, error) {
	payees, err := residents.PayeesIn(ctx, tx, first, last)
	if err != nil {
		return nil, err
	}
	slips, err := income.PayslipsIn(ctx, tx, first, last, period)
	if err != nil {
		return nil, err
	}
	plans, err := paymentplans.ActiveIn(ctx, tx, t, first, last, period)
	if err != nil {
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
		if err != nil {
			return nil, &settlement.ComputeError{ResidentID: p.ID, Err: err}
		}
		out = append(out, settlement.ResidentMonth{ResidentID: p.ID, Name: p.Name, IBAN: p.IBAN, Result: m.Result, Plans: refs})
	}
	return out, nil
}

func (c caseload) Creditors(ctx context.Context, t tenant.ID) (map[string]settlement.CreditorInfo, error) {
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

// settlementTenants is settlement.Tenants over the tenant directory.
type settlementTenants struct{ dir *tenancy.Directory }

func (s settlementTenants) Settings(t tenant.ID) (settlement.Settings, bool) {
	tt, ok := s.dir.ByID(t)
	if !ok {
		return settlement.Settings{}, false
	}
	c := tt.Config
	st := c.Settlement
	return settlement.Settings{
		Status: tt.Status,
		Debtor: sepa.Debtor{Name: c.Bank.AccountName, IBAN: iban.IBAN(c.Bank.IBAN), BIC: c.Bank.BIC,
			Town: strings.TrimPrefix(c.Name, "Gemeente "), Country: "NL"},
		PayDay:               st.PayDayOrDefault(),
		LeadDays:             st.RunLeadDaysOrDefault(),
		VakantietoeslagMonth: st.VakantietoeslagMonthOrDefault(),
		SEPAVersion:          sepa.Version(st.SEPAVersionOrDefault()),
	}, true
}

func (s settlementTenants) All() []tenant.ID {
	var out []tenant.ID
	for _, t := range s.dir.All() {
		out = append(out, t.Config.ID)
	}
	return out
}

func (s settlementTenants) Active() []tenant.ID {
	var out []tenant.ID
	for _, t := range s.dir.All() {
		if t.Status == "active" {
			out = append(out, t.Config.ID)
		}
	}
	return out
}
