package synth

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"time"

	"github.com/plein-nl/plein/platform/bijstand"
	"github.com/plein-nl/plein/platform/bsn"
	"github.com/plein-nl/plein/platform/law"
	"github.com/plein-nl/plein/platform/money"
	"github.com/plein-nl/plein/platform/tenant"
)

// The caseload of Bench [policy for benchmarks].
const (
	// benchUnbudgeted of the workers earn what they earn: their deductions may not
	// all fit (shortfalls). The others earn at most what leaves a payout.
	benchUnbudgeted = 0.10
	// benchRentMax is the top of a single's net rent, in euros.
	benchRentMax = 650
)

// BenchConfig are the inputs of NewBench.
type BenchConfig struct {
	Tenant tenant.ID
	Period bijstand.Period // must have bijstand norms
	Seed   uint64
	// Creditors finds the catalogue's creditors and makes the tenant's
	// woningcorporaties when missing, as Seed does.
	Creditors CreditorRegister
	// Taken tells a BSN the tenant has already: the caseload draws others. Nil: none.
	Taken func(bsn.BSN) bool
	// Now is when the caseload is loaded (see AsOf).
	Now time.Time
}

// Bench is the caseload of the settlement benchmark: every resident has exactly three
// approved deductions,
//   - rent (huur) on_behalf to a woningcorporatie of the tenant,
//   - zorgpremie on_behalf to a zorgverzekeraar of the catalogue, for the resident and
//     the partner,
//   - an aflossing of 18 months to an energy or water company of the catalogue,
//
// in the household mix of Seed, 40 % with a payslip paid in the period, and amounts
// such that most residents get bijstand > 0 and a payout > 0. The people, payslips
// and plans have ids, drawn from the stream. It is drawn in chunks, each from a stream
// of its own, so that chunks can be drawn at the same time and the whole stays
// deterministic: the same seed and chunks in the same tenant give the same caseload.
type Bench struct {
	c      BenchConfig
	key    uint64 // of the tenant, in every chunk's stream
	params *law.Params
	cr     *creditorSet
	asOf   time.Time
}

// NewBench prepares the caseload of c, finding (and making) its creditors.
func NewBench(ctx context.Context, c BenchConfig) (*Bench, error) {
	if !c.Tenant.Valid() {
		return nil, tenant.ErrInvalidID
	}
	if c.Creditors == nil {
		return nil, errors.New("a creditor register is required")
	}
	book, err := law.Load()
	if err != nil {
		return nil, err
	}
	params, err := book.At(c.Period.First())
	if err != nil {
		return nil, fmt.Errorf("period %s: %w", c.Period, err)
	}
	cr, err := findCreditors(ctx, c.Creditors, c.Tenant)
	if err != nil {
		return nil, err
	}
	h := fnv.New64a()
	h.Write([]byte(c.Tenant))
	return &Bench{c: c, key: h.Sum64(), params: params, cr: cr, asOf: BenchAsOf(c.Period, c.Now)}, nil
}

// BenchAsOf is the moment a Bench caseload's acts are dated: three days before the
// period, at 09:00 UTC, so that every plan was approved before its first month (as
// the service requires) and the data is the same whenever it is loaded; or now, when
// that moment lies ahead.
func BenchAsOf(period bijstand.Period, now time.Time) time.Time {
	at := period.First().AddDate(0, 0, -3).Add(9 * time.Hour)
	if now.Before(at) {
		at = now.UTC().Truncate(time.Microsecond)
	}
	return at
}

// AsOf is when the plans were requested and approved; ages and the paper mandates'
// dates are taken on its day.
func (b *Bench) AsOf() time.Time { return b.asOf }

// Chunk draws chunk k of chunks: m residents. The shares of the household mix and of
// the workers are exact per chunk; who gets what is random.
func (b *Bench) Chunk(k, chunks, m int) ([]Person, error) {
	d := b.draw(k, chunks)
	kinds := d.kinds(m)
	work := d.quota(m, shareWork)
	out := make([]Person, m)
	for i := range out {
		if err := d.benchResident(&out[i], kinds[i], work[i], b.c.Period, b.params); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// draw is the draw of chunk k of chunks.
func (b *Bench) draw(k, chunks int) *draw {
	y, m, dd := b.asOf.Date()
	day := time.Date(y, m, dd, 0, 0, 0, 0, time.UTC)
	return &draw{rng: rand.New(rand.NewPCG(b.c.Seed, b.key^(uint64(k)+1)*0x9E3779B97F4A7C15)), ref: day, today: day, ids: true,
		bsns: &stripedBSNs{stripe: uint32(k), stripes: uint32(chunks), used: map[uint32]struct{}{}, taken: b.c.Taken},
		cr:   b.cr}
}

// benchResident draws one resident of Bench into p: the case, the three plans and, for
// a worker, the payslip.
func (d *draw) benchResident(p *Person, kind Kind, works bool, period bijstand.Period, params *law.Params) error {
	age, err := d.household(p, kind)
	if err != nil {
		return err
	}
	corp, rent := d.rent(kind, age, benchRentMax)
	// The zorgpremie of the applicant(s), 150 to 175 a person.
	zorg, premie := d.zorg(), d.premie()
	if p.Partner != nil {
		premie += d.premie()
	}
	// One creditor's share of an agreed schuldregeling.
	util, afl := d.pick(d.cr.utilities), money.Cents(d.between(2000, 6000))
	p.Plans = make([]Plan, 0, 3)
	for _, pl := range []struct {
		label  Label
		c      creditor
		amount money.Cents
		months int
	}{{Huur, corp, rent, 0}, {Zorgpremie, zorg, premie, 0}, {Aflossing, util, afl, aflossingMonths}} {
		plan, err := d.plan(pl.label, pl.c, pl.amount, period, pl.months)
		if err != nil {
			return err
		}
		p.Plans = append(p.Plans, plan)
	}
	if works {
		return d.benchWork(p, period, params, int64(rent+premie+afl))
	}
	return nil
}

// benchWork gives p a payslip paid in period: a part-time job at 13.68 to 18.00 an
// hour. Most workers earn at most what leaves a payout once the deductions (deds a
// month) are paid, counting the whole net wage as income (vrijlating only adds to the
// payout); the rest earn what they earn, below the norm, so every worker keeps some
// bijstand.
func (d *draw) benchWork(p *Person, period bijstand.Period, params *law.Params, deds int64) error {
	applicant := d.worker(p)
	res, err := bijstand.Compute(params, bijstand.Case{Period: period, Household: p.Household()})
	if err != nil {
		return fmt.Errorf("norm: %w", err)
	}
	norm := int64(res.Norm)
	var lo, hi int64
	if d.rng.Float64() < benchUnbudgeted {
		hi = min(110000, norm*85/100)
		lo = min(30000, hi)
	} else {
		lo, hi = 20000, 80000
		switch p.Kind {
		case Kostendeler:
			lo, hi = 15000, 60000
		case Couple:
			lo, hi = 30000, 110000
		}
		// The cash left after the vakantietoeslag reserve (4.8 %) must pay the
		// deductions and leave at least 25.00.
		hi = min(hi, norm-(deds+2500)*1000/952)
		hi = max(hi, 5000)
		lo = min(lo, hi/2)
	}
	net := lo + d.rng.Int64N(hi-lo+1)
	employer, wage := d.job()
	p.Payslips = append(p.Payslips, d.payslip(applicant, employer, wage, net, period))
	return nil
}
