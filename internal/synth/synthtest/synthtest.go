// Package synthtest wires, on a test database, the services a synthetic caseload is
// written through and read back from, as services/plein wires them: for the tests of internal/synth and of the
// settlement benchmark's loader.
package synthtest

import (
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/plein-nl/plein/platform/bijstand"
	"github.com/plein-nl/plein/platform/law"
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
}

// New wires the services over app, a pool of plein_app, with the clock now.
func New(t testing.TB, app *pgxpool.Pool, keys residents.Keyring, now func() time.Time) *Services {
	t.Helper()
	book, err := law.Load()
	if err != nil {
		t.Fatal(err)
	}
	calc := bijstand.NewCalculator(book)
	s := &Services{}
	s.Residents = residents.NewService(app, keys, now)
	s.Creditors = creditors.NewService(app, nil, now)
	s.Plans = paymentplans.NewService(paymentplans.Config{App: app, Creditors: s.Creditors, Law: book,
		Norms: paymentplans.HouseholdNorms{Households: s.Residents, Calc: calc}, Now: now})
	s.Income = income.NewService(income.Config{App: app, Households: s.Residents, Calculator: calc, Now: now, Deductions: s.Plans})
	return s
}
