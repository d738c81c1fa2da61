package synth

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"math/rand/v2"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/plein-nl/plein/platform/bijstand"
	"github.com/plein-nl/plein/platform/law"
	"github.com/plein-nl/plein/platform/tenant"
	"github.com/plein-nl/plein/services/income"
	"github.com/plein-nl/plein/services/paymentplans"
	"github.com/plein-nl/plein/services/residents"
	"github.com/plein-nl/plein/services/tenancy"
)

// Limits and defaults of Seed.
const (
	// MaxResidents is the most residents one Seed makes.
	MaxResidents = 100000
	// DefaultWorkers residents are made at the same time unless Options say otherwise.
	DefaultWorkers = 8
	// bsnRetries bounds the search for a free BSN after a duplicate.
	bsnRetries = 50
)

// Options are the inputs of Seed: the flags of `plein seed`.
type Options struct {
	Tenant tenant.ID
	// Gemeente is the tenant's name, in the name of its own creditor (terugvordering).
	Gemeente  string
	Residents int
	// Period is the month of the payslips and of the plans' start; a past month's
	// plans start in the current one, since a plan never starts in the past.
	Period bijstand.Period
	Seed   uint64
	// Workers residents are made at the same time, each call its own transaction;
	// 0 is DefaultWorkers.
	Workers  int
	Now      func() time.Time // the services' clock; nil is time.Now
	Progress io.Writer        // progress lines; nil for none
}

// OptionError is an option Seed refuses, such as a period without bijstand norms.
type OptionError struct {
	Option  string // residents, period …
	Problem string // what is wrong with it
}

// Error says which option and what is wrong with it.
func (e *OptionError) Error() string { return e.Option + " " + e.Problem }

func (o Options) withDefaults() Options {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Workers == 0 {
		o.Workers = DefaultWorkers
	}
	return o
}

// Check validates the options that need no database: an *OptionError, or the law's
// error when it does not load.
func (o Options) Check() error {
	o = o.withDefaults()
	if !o.Tenant.Valid() {
		return &OptionError{"tenant", "is required (an applied tenant id, such as zwolle)"}
	}
	if o.Residents < 1 || o.Residents > MaxResidents {
		return &OptionError{"residents", fmt.Sprintf("must be 1 to %d, not %d", MaxResidents, o.Residents)}
	}
	if o.Workers < 1 || o.Workers > 64 {
		return &OptionError{"workers", fmt.Sprintf("must be 1 to 64, not %d", o.Workers)}
	}
	// A payslip may be handed in at most a month ahead, so the period is at most next
	// month; before the oldest law file there is no norm to compute a month with.
	if next := bijstand.PeriodOf(o.Now()).Next(); o.Period.First().After(next.First()) {
		return &OptionError{"period", fmt.Sprintf("%s is too far ahead: at most %s", o.Period, next)}
	}
	book, err := law.Load()
	if err != nil {
		return err
	}
	if _, err := book.At(o.Period.First()); err != nil {
		return &OptionError{"period", fmt.Sprintf("%s: no bijstand norms are known for that month", o.Period)}
	}
	return nil
}

// Services are the services Seed makes the caseload through.
type Services struct {
	Residents interface {
		Create(ctx context.Context, t tenant.ID, nr residents.NewResident) (residents.Resident, error)
	}
	Income interface {
		SubmitPayslip(ctx context.Context, t tenant.ID, residentID string, p income.NewPayslip, src income.Source) (income.Payslip, error)
	}
	Plans interface {
		Request(ctx context.Context, t tenant.ID, residentID string, np paymentplans.NewPlan, by paymentplans.Actor) (paymentplans.Plan, error)
		Approve(ctx context.Context, t tenant.ID, planID string, by paymentplans.Actor) (paymentplans.Plan, error)
	}
	Creditors CreditorRegister
}

// Tenants finds a tenant's configuration in force (tenancy.Directory).
type Tenants interface {
	ByID(id tenant.ID) (*tenancy.Tenant, bool)
}

// SeedTenant is Seed in o.Tenant of dir, named as its configuration names it: only an
// active or onboarding tenant is seeded.
func SeedTenant(ctx context.Context, s Services, dir Tenants, o Options) (Report, error) {
	if err := o.Check(); err != nil {
		return Report{}, err
	}
	tt, ok := dir.ByID(o.Tenant)
	if !ok {
		return Report{}, fmt.Errorf("tenant %q has no applied config: apply it first (plein tenant apply -f FILE)", o.Tenant)
	}
	if tt.Status != tenancy.StatusActive && tt.Status != tenancy.StatusOnboarding {
		return Report{}, fmt.Errorf("tenant %q is %s: only an active or onboarding tenant is seeded", o.Tenant, tt.Status)
	}
	o.Gemeente = tt.Config.Name
	return Seed(ctx, s, o)
}

// Seed makes o.Residents residents in o.Tenant with their payslips and approved plans,
// o.Workers at a time, and the tenant's creditors of the plans when missing: the
// woningcorporaties and the gemeente's own. The tenant must exist.
func Seed(ctx context.Context, s Services, o Options) (Report, error) {
	start := time.Now()
	o = o.withDefaults()
	if err := o.Check(); err != nil {
		return Report{}, err
	}
	rep := Report{Tenant: o.Tenant, Seed: o.Seed, Period: o.Period, PlanStart: o.Period}
	if cur := bijstand.PeriodOf(o.Now()); o.Period.First().Before(cur.First()) {
		rep.PlanStart = cur
	}
	cr, err := findCreditors(ctx, s.Creditors, o.Tenant)
	if err != nil {
		return Report{}, err
	}
	if err := cr.addClaims(ctx, s.Creditors, o.Tenant, o.Gemeente); err != nil {
		return Report{}, err
	}
	rep.Creditors = cr.made

	bsns := &seedBSNs{used: map[uint32]bool{}}
	people, err := newSeedDraw(o, cr, bsns).demo(o.Residents, o.Period, rep.PlanStart)
	if err != nil {
		return Report{}, err
	}
	if rep.IDs, rep.BSNBumps, err = s.make(ctx, o, people, bsns, start); err != nil {
		return Report{}, err
	}
	rep.count(people)
	rep.Took = time.Since(start)
	return rep, nil
}

// newSeedDraw is the draw of Seed: one stream keyed by the seed and the tenant; ages
// are taken on the period's first day, or today if that is earlier.
func newSeedDraw(o Options, cr *creditorSet, bsns *seedBSNs) *draw {
	h := fnv.New64a()
	h.Write([]byte(o.Tenant))
	y, m, dd := o.Now().Date()
	today := time.Date(y, m, dd, 0, 0, 0, 0, time.UTC)
	ref := o.Period.First()
	if today.Before(ref) {
		ref = today
	}
	// The income service takes pay dates at most 31 days ahead.
	return &draw{rng: rand.New(rand.NewPCG(o.Seed, h.Sum64())), ref: ref, today: today, payBy: today.AddDate(0, 0, 31),
		bsns: bsns, cr: cr}
}

// make makes people, o.Workers at a time, and returns their ids and how many times
// their BSNs were found taken.
func (s Services) make(ctx context.Context, o Options, people []Person, bsns *seedBSNs, start time.Time) ([]string, int, error) {
	ids, bumps := make([]string, len(people)), make([]int, len(people))
	var done atomic.Int64
	step := int64(max(1000, len(people)/10))
	eg, gctx := errgroup.WithContext(ctx)
	eg.SetLimit(o.Workers)
	for i := range people {
		if gctx.Err() != nil {
			break
		}
		eg.Go(func() error {
			id, b, err := s.makeOne(gctx, o.Tenant, &people[i], bsns)
			if err != nil {
				return fmt.Errorf("resident %d of %d: %w", i+1, len(people), err)
			}
			ids[i], bumps[i] = id, b
			if d := done.Add(1); o.Progress != nil && len(people) >= 2000 && d%step == 0 {
				fmt.Fprintf(o.Progress, "plein seed: %d/%d residents (%.1f s)\n", d, len(people), time.Since(start).Seconds())
			}
			return nil
		})
	}
	if err := eg.Wait(); err != nil {
		return nil, 0, fmt.Errorf("%w (%d residents were made before the error)", err, done.Load())
	}
	if err := ctx.Err(); err != nil {
		return nil, 0, err
	}
	total := 0
	for _, b := range bumps {
		total += b
	}
	return ids, total, nil
}

// makeOne makes one resident, its payslips and plans, and returns the resident's id
// and how many times its BSNs were found taken.
func (s Services) makeOne(ctx context.Context, t tenant.ID, p *Person, bsns *seedBSNs) (string, int, error) {
	nr := p.newResident()
	var r residents.Resident
	bumps := 0
	for {
		var err error
		r, err = s.Residents.Create(ctx, t, nr)
		if err == nil {
			break
		}
		if !errors.Is(err, residents.ErrDuplicateBSN) || bumps == bsnRetries {
			return "", bumps, err
		}
		// Which of the two numbers is taken is not told; both move on.
		bumps++
		nr.BSN = residents.BSNInput(bsns.next(string(nr.BSN)))
		if nr.Partner != nil {
			nr.Partner.BSN = residents.BSNInput(bsns.next(string(nr.Partner.BSN)))
		}
	}
	for _, ps := range p.Payslips {
		if _, err := s.Income.SubmitPayslip(ctx, t, r.ID, ps.newPayslip(), income.SourceConsulent); err != nil {
			return r.ID, bumps, fmt.Errorf("payslip: %w", err)
		}
	}
	for _, pl := range p.Plans {
		made, err := s.Plans.Request(ctx, t, r.ID, pl.newPlan(), pl.By)
		if err != nil {
			return r.ID, bumps, fmt.Errorf("%s plan: %w", pl.Label, err)
		}
		if _, err := s.Plans.Approve(ctx, t, made.ID, pl.By); err != nil {
			return r.ID, bumps, fmt.Errorf("%s plan: %w", pl.Label, err)
		}
	}
	return r.ID, bumps, nil
}

// newResident is p as the input of residents.Create.
func (p *Person) newResident() residents.NewResident {
	a := p.Applicant
	nr := residents.NewResident{Name: p.Name, BirthDate: a.BirthDate.Format(time.DateOnly), BSN: residents.BSNInput(p.BSN),
		IBAN: p.IBAN, Kind: string(p.Kind.Household()), ParentsCannotSupport: p.ParentsCannotSupport,
		NMonthsUsed: a.NMonthsUsed, RMonthsUsed: a.RMonthsUsed, MedischUrenbeperkt: a.MedischUrenbeperkt}
	if pp := p.Partner; pp != nil {
		nr.Partner = &residents.NewPartner{Name: pp.Name, BirthDate: pp.Applicant.BirthDate.Format(time.DateOnly),
			BSN: residents.BSNInput(pp.BSN), NMonthsUsed: &pp.Applicant.NMonthsUsed, RMonthsUsed: &pp.Applicant.RMonthsUsed,
			MedischUrenbeperkt: pp.Applicant.MedischUrenbeperkt}
	}
	for _, c := range p.Children {
		nr.Children = append(nr.Children, residents.NewChild{BirthDate: c.Format(time.DateOnly)})
	}
	for _, h := range p.Housemates {
		nr.Housemates = append(nr.Housemates, residents.NewHousemate{BirthDate: h.BirthDate.Format(time.DateOnly),
			CostSharer: true, Description: h.Description})
	}
	return nr
}

// newPayslip is ps as handed in by a consulent.
func (ps Payslip) newPayslip() income.NewPayslip {
	first := ps.Period.First()
	return income.NewPayslip{Applicant: ps.Applicant, Employer: ps.Employer, PeriodStart: first,
		PeriodEnd: first.AddDate(0, 1, -1), Gross: ps.Gross, Net: ps.Net, HoursCenti: ps.HoursCenti, PayDate: ps.PayDate,
		Actor: "plein seed"}
}

// newPlan is p as the input of paymentplans.Request.
func (p Plan) newPlan() paymentplans.NewPlan {
	np := paymentplans.NewPlan{Kind: string(p.Kind), CreditorID: p.CreditorID, Reference: p.Reference,
		AmountCents: int64(p.Amount), Priority: p.Priority, StartPeriod: p.Start.String()}
	if p.End != nil {
		np.EndPeriod = p.End.String()
	}
	if !p.MandateSignedOn.IsZero() {
		np.MandateSignedOn = p.MandateSignedOn.Format(time.DateOnly)
	}
	return np
}
