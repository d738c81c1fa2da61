package synth

import (
	"github.com/plein-nl/plein/platform/bijstand"
	"github.com/plein-nl/plein/platform/money"
	"github.com/plein-nl/plein/services/residents"
)

// The caseload of Seed [policy for demos]: shares of the residents, exact (rounded).
const (
	sharePrevPayslip = 0.50 // of those working: also one paid the month before
	shareZorgpremie  = 0.70
	shareRent        = 0.35
	shareVerrekening = 0.08
	shareAflossing   = 0.05
	// demoRentMax is the top of a single's net rent, in euros.
	demoRentMax = 700
)

// demo draws the caseload of Seed: n residents in the household mix; 40 % with a
// payslip paid in period (and half of those one paid the month before); zorgpremie and
// rent paid on behalf, some verrekening and aflossing, all from planStart.
func (d *draw) demo(n int, period, planStart bijstand.Period) ([]Person, error) {
	kinds := d.kinds(n)
	work, zorg, rent := d.quota(n, shareWork), d.quota(n, shareZorgpremie), d.quota(n, shareRent)
	verr, afl := d.quota(n, shareVerrekening), d.quota(n, shareAflossing)
	out := make([]Person, n)
	for i := range out {
		p := &out[i]
		age, err := d.household(p, kinds[i])
		if err != nil {
			return nil, err
		}
		if work[i] {
			d.demoWork(p, period)
		}
		// In this order: the draws follow it.
		for _, pl := range []struct {
			on   bool
			draw func() (Plan, error)
		}{
			{rent[i], func() (Plan, error) {
				c, amount := d.rent(p.Kind, age, demoRentMax)
				return d.plan(Huur, c, amount, planStart, 0)
			}},
			{zorg[i], func() (Plan, error) { return d.plan(Zorgpremie, d.zorg(), d.premie(), planStart, 0) }},
			// A terugvordering of the gemeente, repaid over 6 to 24 months.
			{verr[i], func() (Plan, error) {
				return d.plan(Verrekening, d.cr.claims, money.Cents(d.between(2500, 7000)), planStart, d.between(6, 24))
			}},
			// One creditor's share of an agreed schuldregeling.
			{afl[i], func() (Plan, error) {
				return d.plan(Aflossing, d.pick(d.cr.aflossing), money.Cents(d.between(2000, 6000)), planStart, aflossingMonths)
			}},
		} {
			if !pl.on {
				continue
			}
			plan, err := pl.draw()
			if err != nil {
				return nil, err
			}
			p.Plans = append(p.Plans, plan)
		}
	}
	return out, nil
}

// demoWork adds a payslip of a part-time job paid in period, and for half of the
// workers one paid the month before: a net wage of 300 to 1,400 a month.
func (d *draw) demoWork(p *Person, period bijstand.Period) {
	applicant := d.worker(p)
	employer, wage := d.job()
	net := int64(d.between(30000, 140000))
	p.Payslips = append(p.Payslips, d.payslip(applicant, employer, wage, net, period))
	if d.rng.Float64() < sharePrevPayslip {
		prevNet := max(30000, min(140000, net*int64(d.between(85, 115))/100))
		p.Payslips = append(p.Payslips, d.payslip(applicant, employer, wage, prevNet, period.Prev()))
	}
}

// DemoResident is the example resident `plein dev` makes in every gemeente, so that
// the local test login has someone to be. The BSN is a test number (it passes the
// 11-proef and is one of the numbers published for testing), the IBAN the standard
// example.
func DemoResident() residents.NewResident {
	return residents.NewResident{Name: "Sam de Vries (voorbeeld)", BirthDate: "1990-05-01", BSN: "999993653",
		IBAN: "NL91ABNA0417164300", Kind: "single"}
}
