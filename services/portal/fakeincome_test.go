package portal_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/plein-nl/plein/platform/bijstand"
	"github.com/plein-nl/plein/platform/httpapi"
	"github.com/plein-nl/plein/platform/law"
	"github.com/plein-nl/plein/platform/money"
	"github.com/plein-nl/plein/platform/tenant"
	"github.com/plein-nl/plein/services/income"
)

// fakeIncome is an in-memory income.Service for the portal's tests: what the pages
// show is the point here, not the database. It computes with the real engine, so
// the amounts and the explanation are the ones the settlement gives.
type fakeIncome struct {
	calc *bijstand.Calculator
	now  func() time.Time

	mu         sync.Mutex
	households map[string]bijstand.Household // by tenant/resident; missing is ErrNotFound
	deductions map[string][]bijstand.Deduction
	payslips   map[string][]income.Payslip
	consents   map[string][]income.Consent
	employers  map[tenant.ID][]income.Employer
}

// The residents the fake knows, one per gemeente of the tests.
const (
	zwolleResident   = "res-zwolle-1"
	enschedeResident = "res-enschede-1"
	// rejectedEmployer makes SubmitPayslip answer with a ValidationError, as the
	// real service does for what only it can judge.
	rejectedEmployer = "Geweigerd BV"
)

func newFakeIncome(now func() time.Time) *fakeIncome {
	single := bijstand.Household{Kind: bijstand.KindSingle, Applicants: []bijstand.Applicant{{BirthDate: time.Date(1990, 5, 1, 0, 0, 0, 0, time.UTC)}}}
	return &fakeIncome{
		calc: bijstand.NewCalculator(law.MustLoad()),
		now:  now,
		households: map[string]bijstand.Household{
			"zwolle/" + zwolleResident:     single,
			"enschede/" + enschedeResident: single,
		},
		deductions: map[string][]bijstand.Deduction{
			"zwolle/" + zwolleResident: {{ID: "Zorgverzekeraar Zwolle", Kind: bijstand.DeductOnBehalf, Amount: 15000}},
		},
		payslips: map[string][]income.Payslip{},
		consents: map[string][]income.Consent{},
		employers: map[tenant.ID][]income.Employer{
			"zwolle":   {{ID: "bakkerij", Name: "Bakkerij De Korenschoof"}, {ID: "thuiszorg", Name: "Thuiszorg IJsselland"}},
			"enschede": {{ID: "twentse", Name: "Twentse Schoonmaak BV"}},
		},
	}
}

func key(t tenant.ID, id string) string { return string(t) + "/" + id }

func (f *fakeIncome) household(t tenant.ID, id string) (bijstand.Household, error) {
	h, ok := f.households[key(t, id)]
	if !ok {
		return h, income.ErrNotFound
	}
	return h, nil
}

func (f *fakeIncome) SubmitPayslip(_ context.Context, t tenant.ID, residentID string, p income.NewPayslip, src income.Source) (income.Payslip, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, err := f.household(t, residentID); err != nil {
		return income.Payslip{}, err
	}
	if strings.EqualFold(p.Employer, rejectedEmployer) {
		return income.Payslip{}, &httpapi.ValidationError{Sentinels: []error{income.ErrInvalid}, Fields: []httpapi.FieldError{
			{Field: "employer", EN: "this employer is not known", NL: "Deze werkgever kennen wij niet."},
			{Field: "net_cents", EN: "the net wage is too high", NL: "Het nettoloon is te hoog."},
		}}
	}
	ps := income.Payslip{ID: "ps-" + p.PayDate.Format("20060102"), ResidentID: residentID, Employer: p.Employer,
		PeriodStart: p.PeriodStart, PeriodEnd: p.PeriodEnd, Gross: p.Gross, Net: p.Net, HoursCenti: p.HoursCenti,
		PayDate: p.PayDate, Source: src, HasPDF: len(p.PDF) > 0, CreatedAt: f.now()}
	f.payslips[key(t, residentID)] = append(f.payslips[key(t, residentID)], ps)
	return ps, nil
}

func (f *fakeIncome) Payslips(_ context.Context, t tenant.ID, residentID string, period bijstand.Period) ([]income.Payslip, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.payslipsIn(t, residentID, period), nil
}

func (f *fakeIncome) payslipsIn(t tenant.ID, residentID string, period bijstand.Period) []income.Payslip {
	var out []income.Payslip
	for _, p := range f.payslips[key(t, residentID)] {
		if bijstand.PeriodOf(p.PayDate) == period {
			out = append(out, p)
		}
	}
	return out
}

func (f *fakeIncome) compute(t tenant.ID, residentID string, period bijstand.Period, planned *income.WhatIf) (income.Month, error) {
	h, err := f.household(t, residentID)
	if err != nil {
		return income.Month{}, err
	}
	slips := f.payslipsIn(t, residentID, period)
	c := bijstand.Case{Period: period, Household: h, Deductions: f.deductions[key(t, residentID)]}
	if planned != nil {
		net := planned.Net
		if net == 0 {
			net = money.MulDivHalfUp(planned.HourlyWage, planned.HoursPerWeekCenti*13, 300)
		}
		c.Income = append(c.Income, bijstand.Income{Source: bijstand.SourceWork, Net: net})
	} else {
		for _, p := range slips {
			c.Income = append(c.Income, bijstand.Income{Source: bijstand.SourceWork, Net: p.Net})
		}
	}
	r, _, err := f.calc.Month(c)
	if err != nil {
		return income.Month{}, err
	}
	return income.Month{Period: period, Result: r, Payslips: slips, PayDate: time.Date(period.Year, period.Month, 25, 0, 0, 0, 0, time.UTC)}, nil
}

func (f *fakeIncome) Month(_ context.Context, t tenant.ID, residentID string, period bijstand.Period) (income.Month, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.compute(t, residentID, period, nil)
}

func (f *fakeIncome) WhatIf(_ context.Context, t tenant.ID, residentID string, period bijstand.Period, w income.WhatIf) (income.Month, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.compute(t, residentID, period, &w)
}

func (f *fakeIncome) Employers(_ context.Context, t tenant.ID) ([]income.Employer, error) {
	return slices.Clone(f.employers[t]), nil
}

func (f *fakeIncome) Consents(_ context.Context, t tenant.ID, residentID string) ([]income.Consent, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.consents[key(t, residentID)]), nil
}

func (f *fakeIncome) employer(t tenant.ID, id string) (income.Employer, bool) {
	i := slices.IndexFunc(f.employers[t], func(e income.Employer) bool { return e.ID == id })
	if i < 0 {
		return income.Employer{}, false
	}
	return f.employers[t][i], true
}

func (f *fakeIncome) GrantConsent(_ context.Context, t tenant.ID, residentID, employerID string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	e, ok := f.employer(t, employerID)
	if !ok {
		return income.ErrUnknownJob
	}
	k := key(t, residentID)
	f.consents[k] = append([]income.Consent{{EmployerID: e.ID, EmployerName: e.Name, GrantedAt: f.now()}}, f.consents[k]...)
	return nil
}

func (f *fakeIncome) RevokeConsent(_ context.Context, t tenant.ID, residentID, employerID string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, c := range f.consents[key(t, residentID)] {
		if c.EmployerID == employerID && c.RevokedAt == nil {
			now := f.now()
			f.consents[key(t, residentID)][i].RevokedAt = &now
			return nil
		}
	}
	return income.ErrNoConsent
}

func (f *fakeIncome) SubmitFromEmployer(context.Context, tenant.ID, string, string, income.NewPayslip) (income.Payslip, error) {
	return income.Payslip{}, income.ErrNoConsent
}

// ReviewPayslip and AllPayslips are staff acts the portal never calls.
func (f *fakeIncome) ReviewPayslip(context.Context, tenant.ID, string, string, bool, string, string) (income.Payslip, error) {
	return income.Payslip{}, errors.New("fakeIncome: ReviewPayslip is not the portal's")
}

func (f *fakeIncome) AllPayslips(context.Context, tenant.ID, string, bijstand.Period) ([]income.Payslip, error) {
	return nil, errors.New("fakeIncome: AllPayslips is not the portal's")
}
