package synth

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/plein-nl/plein/platform/bijstand"
	"github.com/plein-nl/plein/platform/money"
	"github.com/plein-nl/plein/services/creditors"
)

// draw draws people from one random stream, in order, so that what it draws does not
// depend on how the work is spread over goroutines. Both caseloads are made of its
// households, payslips and plans.
type draw struct {
	rng   *rand.Rand
	ref   time.Time // ages are taken on this day
	today time.Time // paper mandates are signed up to this day
	payBy time.Time // the latest pay date; zero for none
	ids   bool      // draw UUIDs for the people, payslips and plans
	bsns  bsnSource
	cr    *creditorSet
}

// between returns a number in [lo, hi].
func (d *draw) between(lo, hi int) int { return lo + d.rng.IntN(hi-lo+1) }

// quota marks exactly round(share × n) of n positions, at random.
func (d *draw) quota(n int, share float64) []bool {
	out := make([]bool, n)
	k := min(n, int(math.Round(share*float64(n))))
	for _, i := range d.rng.Perm(n)[:k] {
		out[i] = true
	}
	return out
}

// weighted returns an index of weights, drawn in proportion to them.
func (d *draw) weighted(weights []int) int {
	total := 0
	for _, w := range weights {
		total += w
	}
	k := d.rng.IntN(total)
	i := 0
	for ; k >= weights[i]; i++ {
		k -= weights[i]
	}
	return i
}

// pick returns one of cs.
func (d *draw) pick(cs []creditor) creditor { return cs[d.rng.IntN(len(cs))] }

// kinds draws the households of n people: the shares of the mix are exact (rounded),
// not sampled, so a small caseload has the mix too; who gets what is random.
func (d *draw) kinds(n int) []Kind {
	kinds := make([]Kind, 0, n)
	for _, k := range []struct {
		kind  Kind
		share float64
	}{{Single, shareSingle}, {SingleParent, shareSingleParent}, {Couple, shareCouple}} {
		for range min(n-len(kinds), int(math.Round(k.share*float64(n)))) {
			kinds = append(kinds, k.kind)
		}
	}
	for len(kinds) < n {
		kinds = append(kinds, Kostendeler)
	}
	d.rng.Shuffle(n, func(i, j int) { kinds[i], kinds[j] = kinds[j], kinds[i] })
	return kinds
}

// birth is a birth date of someone aged age on d.ref.
func (d *draw) birth(age int) time.Time { return d.ref.AddDate(-age, 0, -d.rng.IntN(365)) }

// adultAge draws an applicant's age: mostly 21 to 66, a few 18–20 (youngShare) or at
// AOW age (aowShare; bijstand then tops up an incomplete AOW).
func (d *draw) adultAge(youngShare, aowShare float64) int {
	switch u := d.rng.Float64(); {
	case u < youngShare:
		return d.between(18, 20)
	case u < youngShare+aowShare:
		return d.between(67, 70)
	}
	// Rough age bands of the bijstand population.
	switch u := d.rng.Float64(); {
	case u < 0.12:
		return d.between(21, 26)
	case u < 0.34:
		return d.between(27, 35)
	case u < 0.56:
		return d.between(36, 45)
	case u < 0.80:
		return d.between(46, 55)
	default:
		return d.between(56, 66)
	}
}

func (d *draw) name(female bool, last string) string {
	first := firstNamesM
	if female {
		first = firstNamesF
	}
	return first[d.rng.IntN(len(first))] + " " + last
}

func (d *draw) lastName() string { return lastNames[d.rng.IntN(len(lastNames))] }

// children draws one to three children of a parent aged parentAge.
func (d *draw) children(parentAge int) []time.Time {
	n := 3
	switch u := d.rng.Float64(); {
	case u < 0.5:
		n = 1
	case u < 0.85:
		n = 2
	}
	cs := make([]time.Time, n)
	for i := range cs {
		cs[i] = d.birth(d.between(0, min(17, parentAge-18)))
	}
	return cs
}

func (d *draw) iban() string {
	bank := banks[d.weighted(bankWeights)].name
	return NLIBAN(bank, fmt.Sprintf("%010d", d.rng.Uint64N(1e10)))
}

// uuid draws a version 4 UUID from the stream.
func (d *draw) uuid() string {
	var b [16]byte
	binary.LittleEndian.PutUint64(b[:8], d.rng.Uint64())
	binary.LittleEndian.PutUint64(b[8:], d.rng.Uint64())
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var s [36]byte
	hex.Encode(s[0:8], b[0:4])
	s[8] = '-'
	hex.Encode(s[9:13], b[4:6])
	s[13] = '-'
	hex.Encode(s[14:18], b[6:8])
	s[18] = '-'
	hex.Encode(s[19:23], b[8:10])
	s[23] = '-'
	hex.Encode(s[24:36], b[10:16])
	return string(s[:])
}

// id is a UUID when d draws the ids, "" otherwise.
func (d *draw) id() string {
	if !d.ids {
		return ""
	}
	return d.uuid()
}

// household draws the case of a person of kind into p and returns the person's age.
func (d *draw) household(p *Person, kind Kind) (int, error) {
	var err error
	p.ID, p.Kind = d.id(), kind
	female := d.rng.IntN(2) == 0
	last := d.lastName()
	p.IBAN = d.iban()
	if p.BSN, err = d.bsns.draw(d.rng); err != nil {
		return 0, err
	}
	var age int
	switch kind {
	case Single:
		age = d.adultAge(0.05, 0.04)
	case Kostendeler:
		age = d.adultAge(0.03, 0.04)
		hmAge := d.between(27, 80)
		descs := housematePeer
		switch {
		case hmAge >= age+18:
			descs = housemateOlder
		case hmAge <= age-18:
			descs = housemateYounger
		}
		desc := descs[d.rng.IntN(len(descs))]
		p.Housemates = []Housemate{{BirthDate: d.birth(hmAge), Description: desc}}
	case SingleParent:
		female = d.rng.Float64() < 0.85
		age = d.between(21, 55)
		p.Children = d.children(age)
		p.Applicant.RMonthsUsed = d.rng.IntN(13)
	case Couple:
		age = d.adultAge(0, 0.06)
		pAge := max(21, min(75, age+d.between(-6, 6)))
		partnerLast := last
		if d.rng.IntN(3) == 0 {
			partnerLast = d.lastName()
		}
		p.Partner = &Partner{Name: d.name(!female, partnerLast), Applicant: bijstand.Applicant{BirthDate: d.birth(pAge)}}
		if p.Partner.BSN, err = d.bsns.draw(d.rng); err != nil {
			return 0, err
		}
		if age <= 50 && d.rng.IntN(2) == 0 {
			p.Children = d.children(min(age, pAge))
		}
	}
	p.Name = d.name(female, last)
	p.Applicant.BirthDate = d.birth(age)
	// Young people on their own have no parents to rely on (art. 20.3): most who
	// apply live on their own.
	p.ParentsCannotSupport = age < 21
	return age, nil
}

// worker draws who of p works, resident (0) or partner (1), and that one's vrijlating
// counters: some have used up their months.
func (d *draw) worker(p *Person) int {
	applicant, who := 0, &p.Applicant
	if p.Partner != nil && d.rng.IntN(10) < 3 {
		applicant, who = 1, &p.Partner.Applicant
	}
	who.NMonthsUsed, who.MedischUrenbeperkt = d.rng.IntN(13), d.rng.IntN(20) == 0
	return applicant
}

// job draws an employer and a gross wage of 13.68 to 18.00 an hour, in cents.
func (d *draw) job() (string, int64) {
	return employers[d.rng.IntN(len(employers))], int64(d.between(1368, 1800))
}

// payslip is a month's payslip for net: whole quarter hours at wage, the gross about
// 5 to 22 % above the net (loonheffing, premies), paid on a day from the 20th to the
// 28th.
func (d *draw) payslip(applicant int, employer string, wage, net int64, period bijstand.Period) Payslip {
	ratio := float64(d.between(78, 95)) / 100
	quarters := max(1, int64(math.Round(float64(net)/ratio/float64(wage)*4)))
	gross := func(q int64) int64 { return (q*wage + 2) / 4 } // q/4 hours × wage, half up
	for gross(quarters) < net {
		quarters++
	}
	ps := Payslip{ID: d.id(), Applicant: applicant, Employer: employer, Period: period, Gross: money.Cents(gross(quarters)),
		Net: money.Cents(net), HoursCenti: quarters * 25}
	first := period.First()
	ps.PayDate = time.Date(first.Year(), first.Month(), d.between(20, 28), 0, 0, 0, 0, time.UTC)
	if !d.payBy.IsZero() && ps.PayDate.After(d.payBy) {
		ps.PayDate = d.payBy
	}
	return ps
}

// rent draws the net rent (after huurtoeslag) of a social home and its corporation:
// less for the young (a room) and for who shares the home. singleMax is the top of a
// single's rent, in euros.
func (d *draw) rent(kind Kind, age, singleMax int) (creditor, money.Cents) {
	lo, hi := 450, singleMax
	switch {
	case age < 21, kind == Kostendeler:
		lo, hi = 300, 450
	case kind == Couple, kind == SingleParent:
		lo, hi = 550, 750
	}
	c := d.pick(d.cr.corporations)
	return c, money.Cents(d.between(lo, hi)*100 + d.rng.IntN(100))
}

// zorg draws a zorgverzekeraar, weighted by market share.
func (d *draw) zorg() creditor { return d.cr.zorg[d.weighted(d.cr.zorgWeights)] }

// premie draws a month's zorgpremie of one person.
func (d *draw) premie() money.Cents { return money.Cents(d.between(15000, 17500)) }

// plan draws a plan of label to c from start, for months months (0: until stopped);
// an on_behalf plan with a paper mandate signed in the two months before today.
func (d *draw) plan(label Label, c creditor, amount money.Cents, start bijstand.Period, months int) (Plan, error) {
	ref, err := d.reference(c)
	if err != nil {
		return Plan{}, err
	}
	l := labels[label]
	p := Plan{Label: label, Kind: l.kind, CreditorID: c.ID, Reference: ref, Amount: amount, Priority: l.priority,
		Start: start, By: l.by}
	p.ID, p.MessageID = d.id(), d.id()
	if months > 0 {
		end := start
		for range months - 1 {
			end = end.Next()
		}
		p.End = &end
	}
	if l.kind == bijstand.DeductOnBehalf {
		p.MandateSignedOn = d.today.AddDate(0, 0, -d.rng.IntN(60))
	}
	return p, nil
}

// reference draws a reference that matches c's pattern ("[0-9]{9}", "[0-9]{7,10}"),
// checked with the creditor's own validation.
func (d *draw) reference(c creditor) (string, error) {
	n := d.between(c.refMin, c.refMax)
	b := make([]byte, n)
	b[0] = byte('1' + d.rng.IntN(9))
	for i := 1; i < n; i++ {
		b[i] = byte('0' + d.rng.IntN(10))
	}
	if err := creditors.ValidateReference(c.Creditor, string(b)); err != nil {
		return "", fmt.Errorf("creditor %s: %w", c.ID, err)
	}
	return string(b), nil
}
