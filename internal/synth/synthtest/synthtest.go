// Package synthtest wires, on a test database, the services a synthetic caseload is
// written through and read back from, as services/plein wires them (a recording sink
// stands in for the debts service): for the tests of internal/synth and of the
// settlement benchmark's loader.
package synthtest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/plein-nl/plein/platform/bijstand"
	"github.com/plein-nl/plein/platform/bsn"
	"github.com/plein-nl/plein/platform/law"
	"github.com/plein-nl/plein/platform/money"
	"github.com/plein-nl/plein/platform/tenant"
	"github.com/plein-nl/plein/services/creditors"
	"github.com/plein-nl/plein/services/income"
	"github.com/plein-nl/plein/services/paymentplans"
	"github.com/plein-nl/plein/services/residents"
)

// Services are the services of one database, undecorated (no authorization).
type Services struct {
	Residents residents.Service
	Income    income.Service
	Plans     paymentplans.Service
	Creditors creditors.Service
	// Shortfalls are the deductions that did not fit, as the plans signal them.
	Shortfalls *Shortfalls
}

// New wires the services over app, a pool of plein_app, with the clock now.
func New(t testing.TB, app *pgxpool.Pool, sealer *bsn.Sealer, now func() time.Time) *Services {
	t.Helper()
	book, err := law.Load()
	if err != nil {
		t.Fatal(err)
	}
	calc := bijstand.NewCalculator(book)
	s := &Services{Shortfalls: &Shortfalls{}}
	s.Residents = residents.NewService(app, sealer, now)
	inc := income.NewService(income.Config{App: app, Households: s.Residents, Calculator: calc, Now: now})
	s.Creditors = creditors.NewService(app, nil, now)
	s.Plans = paymentplans.NewService(paymentplans.Config{App: app, Creditors: s.Creditors, Law: book,
		Sink: s.Shortfalls, Norms: residentNorms{s.Residents, calc}, Now: now})
	inc.SetPlans(s.Plans, planShortfalls{s.Plans})
	s.Income = inc
	return s
}

// residentNorms and planShortfalls are services/plein's adapters of the same names.
type residentNorms struct {
	residents residents.Service
	calc      *bijstand.Calculator
}

func (n residentNorms) Norm(ctx context.Context, t tenant.ID, residentID string, period bijstand.Period) (money.Cents, error) {
	h, err := n.residents.Household(ctx, t, residentID)
	if err != nil {
		return 0, err
	}
	r, _, err := n.calc.Month(bijstand.Case{Period: period, Household: h})
	return r.Norm, err
}

type planShortfalls struct{ plans paymentplans.Service }

func (p planShortfalls) RecordShortfalls(ctx context.Context, t tenant.ID, residentID string, period bijstand.Period, results []bijstand.DeductionResult) error {
	_, err := p.plans.RecordShortfalls(ctx, t, residentID, period, results)
	return err
}

// Shortfalls records the shortfalls signalled.
type Shortfalls struct {
	mu   sync.Mutex
	list []paymentplans.Shortfall
}

// SignalShortfalls records list.
func (s *Shortfalls) SignalShortfalls(_ context.Context, _ tenant.ID, list []paymentplans.Shortfall) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.list = append(s.list, list...)
	return nil
}

// Len is how many shortfalls were signalled.
func (s *Shortfalls) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.list)
}
