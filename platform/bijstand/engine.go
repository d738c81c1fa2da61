// Package bijstand computes a resident's bijstand month: the norm, the inkomstenvrijlating,
// the bijstand, the vakantietoeslag reserve, the beslagvrije voet and the deductions,
// and the payout — with a trace that explains every step with its rule and article.
//
// It is the one implementation of docs/domain.md §1–3: the portal's "what if" preview, the
// staff view and the monthly settlement all call Compute. Compute is pure: no I/O, no
// clock, no globals; the law's parameters come in as an argument.
package bijstand

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/plein-nl/plein/platform/law"
	"github.com/plein-nl/plein/platform/money"
)

// ErrInvalid is wrapped by every InputError.
var ErrInvalid = errors.New("invalid case")

// InputError is a case that cannot be computed, naming the field (a JSON path such as
// "household.applicants[0].birth_date") and the reason.
type InputError struct {
	Field string
	Msg   string
}

func (e *InputError) Error() string { return e.Field + ": " + e.Msg }

// Unwrap makes errors.Is(err, ErrInvalid) hold.
func (e *InputError) Unwrap() error { return ErrInvalid }

func invalid(field, format string, a ...any) error {
	return &InputError{Field: field, Msg: fmt.Sprintf(format, a...)}
}

// Compute computes one month for c under the parameters p, which must be the ones in
// force on the first day of c.Period.
func Compute(p *law.Params, c Case) (Result, error) {
	if err := validate(c); err != nil {
		return Result{}, err
	}
	first := c.Period.First()
	if first.Before(p.ValidFrom.Time) {
		return Result{}, invalid("period", "the law parameters given start on %s, after %s", p.ValidFrom.Format(time.DateOnly), c.Period)
	}
	r := Result{Period: c.Period, Trace: make([]Step, 0, 16+len(c.Deductions)), Law: lawUsed(p, first)}
	h := c.Household

	// Ages on the first day of the month decide the whole month [policy].
	r.Applicants = make([]ApplicantResult, len(h.Applicants))
	for i, a := range h.Applicants {
		age := AgeOn(a.BirthDate, first)
		if age < p.Rules.MinimumAge.Value {
			return Result{}, invalid(fmt.Sprintf("household.applicants[%d].birth_date", i),
				"the applicant is %d on %s; bijstand starts at %d (%s)", age, first.Format(time.DateOnly), p.Rules.MinimumAge.Value, p.Rules.MinimumAge.Article)
		}
		aowDate, known := p.AOWDate(a.BirthDate)
		aow := !first.Before(aowDate)
		if aow && !known {
			return Result{}, invalid(fmt.Sprintf("household.applicants[%d].birth_date", i),
				// Not the date itself: this text reaches logs and API answers.
				"the applicant's AOW age in this month is not yet fixed in the law data")
		}
		r.Applicants[i] = ApplicantResult{Age: age, AOWAge: aow, NMonthsUsed: a.NMonthsUsed, RMonthsUsed: a.RMonthsUsed}
		r.step(Step{Code: StepAge, Article: p.Rules.AdultAge.Article, Args: [4]int64{int64(i), int64(age), b2i(aow)}, Ref: applicantRef(i)})
	}

	norm, err := computeNorm(p, c, &r)
	if err != nil {
		return Result{}, err
	}
	r.Norm = norm

	// Income and vrijlating, per applicant.
	for _, in := range c.Income {
		r.Income += in.Net
		if in.Source == SourceWork {
			r.Applicants[in.Applicant].WorkIncome += in.Net
		}
	}
	r.step(Step{Code: StepIncome, Article: "Pw art. 31 lid 1 en 3", Amount: r.Income})
	for i := range r.Applicants {
		if err := vrijlating(p, c, i, &r); err != nil {
			return Result{}, err
		}
		r.Vrijlating += r.Applicants[i].Vrijlating
	}
	r.CountedIncome = r.Income - r.Vrijlating
	r.step(Step{Code: StepCountedIncome, Article: "Pw art. 31 lid 2", Amount: r.CountedIncome})

	// Bijstand = norm − counted income, never below 0 (art. 19.2).
	r.Bijstand = max(0, r.Norm-r.CountedIncome)
	r.step(Step{Code: StepBijstand, Article: "Pw art. 19 lid 2", Amount: r.Bijstand})

	vt := p.Rules.Vakantietoeslag
	r.VakantietoeslagReserve = money.MulDivHalfUp(r.Bijstand, vt.Num, vt.Den)
	r.step(Step{Code: StepReserve, Article: vt.Article, Amount: r.VakantietoeslagReserve, Args: [4]int64{vt.Num, vt.Den}})

	// Beslagvrije voet [policy]: 95 % of the norm minus the counted income.
	bv := p.Rules.BeslagvrijeVoet
	r.BeslagvrijeVoet = max(0, money.MulDivHalfUp(r.Norm, bv.Num, bv.Den)-r.CountedIncome)
	r.step(Step{Code: StepBeslagvrijeVoet, Article: bv.Article, Amount: r.BeslagvrijeVoet, Args: [4]int64{bv.Num, bv.Den}})
	r.DeductionCapacity = max(0, r.Bijstand-r.BeslagvrijeVoet)
	r.step(Step{Code: StepCapacity, Article: bv.Article, Amount: r.DeductionCapacity})

	applyDeductions(c, &r)
	return r, nil
}

func (r *Result) step(s Step) { r.Trace = append(r.Trace, s) }

// lawUsed names p for a month beginning on first. p is the file in force then, so the
// month is past p's next indexation only when no newer file is in force yet: Stale is
// law.Book.Staleness of first.
func lawUsed(p *law.Params, first time.Time) LawUsed {
	u := LawUsed{File: p.File, ValidFrom: p.ValidFrom.Time}
	if d := p.NextIndexation.Due; d != nil {
		u.IndexationDue, u.Stale = d.Time, !first.Before(d.Time)
	}
	return u
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

var applicantRefs = [...]string{"applicant 0", "applicant 1"}

func applicantRef(i int) string { return applicantRefs[i] }

// AgeOn returns the age in whole years on day of someone born on birth.
func AgeOn(birth, day time.Time) int {
	age := day.Year() - birth.Year()
	if day.Month() < birth.Month() || day.Month() == birth.Month() && day.Day() < birth.Day() {
		age--
	}
	return age
}

// computeNorm determines the household's norm (arts. 20–23 and 22a).
func computeNorm(p *law.Params, c Case, r *Result) (money.Cents, error) {
	if c.Household.Institution {
		return institutionNorm(p, c.Household.Kind == KindCouple, r)
	}
	f := householdFacts(p, c, r)
	if f.sharers > 0 {
		return kostendelerNorm(p, c.Household, f, r)
	}
	return ordinaryNorm(p, c.Household, f, r)
}

// normFacts are what the choice of a norm depends on, counted once.
type normFacts struct {
	youth    [2]bool // applicant i is under the adult age and not at AOW age
	nYouth   int
	anyAOW   bool
	children int // children under the child age
	sharers  int // kostendelende medebewoners: cost-sharing housemates of MinAge or older
}

func householdFacts(p *law.Params, c Case, r *Result) normFacts {
	var f normFacts
	first := c.Period.First()
	adult := p.Rules.AdultAge.Value
	for i, a := range r.Applicants {
		f.youth[i] = a.Age < adult && !a.AOWAge
		if f.youth[i] {
			f.nYouth++
		}
		f.anyAOW = f.anyAOW || a.AOWAge
	}
	for _, ch := range c.Household.Children {
		if AgeOn(ch.BirthDate, first) < p.Rules.ChildAge.Value {
			f.children++
		}
	}
	k := p.Rules.Kostendelers
	for _, hm := range c.Household.Housemates {
		if hm.CostSharer && AgeOn(hm.BirthDate, first) >= k.MinAge {
			f.sharers++
		}
	}
	return f
}

// institutionNorm is the norm of a resident in an inrichting: the base plus the
// zorg part (art. 23).
func institutionNorm(p *law.Params, couple bool, r *Result) (money.Cents, error) {
	n := &p.Norms
	base, zorg, bName, zName := n.InstitutionSingle, n.InstitutionZorgSingle, "institution_single", "institution_zorg_single"
	if couple {
		base, zorg, bName, zName = n.InstitutionCouple, n.InstitutionZorgCouple, "institution_couple", "institution_zorg_couple"
	}
	b, err := p.Need(base, bName)
	if err != nil {
		return 0, err
	}
	z, err := p.Need(zorg, zName)
	if err != nil {
		return 0, err
	}
	r.step(Step{Code: StepNormInstitution, Article: b.Article, Amount: b.Cents})
	r.step(Step{Code: StepInstitutionZorg, Article: z.Article, Amount: z.Cents})
	norm := b.Cents + z.Cents
	r.step(Step{Code: StepNorm, Article: b.Article, Amount: norm})
	return norm, nil
}

// youthSupplement is the supplement for count youth applicants whose parents cannot
// support them (art. 12), 0 otherwise.
func youthSupplement(p *law.Params, h Household, count int, r *Result) (money.Cents, error) {
	if !h.ParentsCannotSupport || count == 0 {
		return 0, nil
	}
	s, err := p.Need(p.Norms.YouthSupplement, "youth_supplement")
	if err != nil {
		return 0, err
	}
	total := s.Cents * money.Cents(count)
	r.step(Step{Code: StepYouthSupplement, Article: s.Article, Amount: total, Args: [4]int64{int64(count)}})
	return total, nil
}

// kostendelerNorm: each applicant's norm is round((40 % + A × 30 %) / A × B), B the
// gehuwdennorm (21 b; 22 b at AOW age); an applicant of 18–20 keeps the youth norm (22a.3).
func kostendelerNorm(p *law.Params, h Household, f normFacts, r *Result) (money.Cents, error) {
	n := &p.Norms
	k := p.Rules.Kostendelers
	bAmt, bName := n.Couple, "couple"
	if f.anyAOW {
		bAmt, bName = n.CoupleAOW, "couple_aow"
	}
	B, err := p.Need(bAmt, bName)
	if err != nil {
		return 0, err
	}
	A := int64(len(h.Applicants) + f.sharers)
	r.step(Step{Code: StepKostendelers, Article: k.Article, Amount: B.Cents, Args: [4]int64{int64(f.sharers), A, k.BasePercent, k.PerPersonPercent}})
	var norm money.Cents
	for i := range r.Applicants {
		var part money.Cents
		if f.youth[i] {
			ys, err := p.Need(n.YouthSingle, "youth_single")
			if err != nil {
				return 0, err
			}
			sup, err := youthSupplement(p, h, 1, r)
			if err != nil {
				return 0, err
			}
			part = ys.Cents + sup
			r.step(Step{Code: StepNormPartYouth, Article: ys.Article, Amount: part, Ref: applicantRef(i), Args: [4]int64{int64(i)}})
		} else {
			part = money.MulDivHalfUp(B.Cents, k.BasePercent+A*k.PerPersonPercent, 100*A)
			r.step(Step{Code: StepNormPart, Article: k.Article, Amount: part, Ref: applicantRef(i), Args: [4]int64{int64(i), A}})
		}
		r.Applicants[i].Norm = part
		norm += part
	}
	r.step(Step{Code: StepNorm, Article: k.Article, Amount: norm})
	return norm, nil
}

// ordinaryNorm is the norm of a household without cost sharers (art. 20–22), a youth
// norm with its supplement capped at the comparable art. 21 norm (20.4).
func ordinaryNorm(p *law.Params, h Household, f normFacts, r *Result) (money.Cents, error) {
	couple := h.Kind == KindCouple
	amt, name, capAmt, capName := ordinaryNormKind(&p.Norms, couple, f, r.Applicants[0].AOWAge)
	a, err := p.Need(amt, name)
	if err != nil {
		return 0, err
	}
	r.step(Step{Code: StepNormBase, Article: a.Article, Amount: a.Cents, Args: [4]int64{normKindCode(name)}})
	norm := a.Cents
	if f.nYouth > 0 && h.ParentsCannotSupport {
		sup, err := youthSupplement(p, h, f.nYouth, r)
		if err != nil {
			return 0, err
		}
		norm += sup
		c, err := p.Need(capAmt, capName)
		if err != nil {
			return 0, err
		}
		if norm > c.Cents {
			norm = c.Cents
			r.step(Step{Code: StepYouthCap, Article: "Pw art. 20 lid 4", Amount: norm})
		}
	}
	r.step(Step{Code: StepNorm, Article: a.Article, Amount: norm})
	return norm, nil
}

// ordinaryNormKind chooses the norm of art. 20–22 and, for a youth norm, the norm it
// is capped at.
func ordinaryNormKind(n *law.Norms, couple bool, f normFacts, firstAOW bool) (amt *law.Amount, name string, capAmt *law.Amount, capName string) {
	switch {
	case !couple && firstAOW:
		amt, name = n.SingleAOW, "single_aow"
	case !couple && f.youth[0]:
		amt, name = n.YouthSingle, "youth_single"
		capAmt, capName = n.Single, "single"
	case !couple:
		amt, name = n.Single, "single"
	case f.nYouth == 2 && f.children > 0:
		amt, name = n.YouthCoupleChildren, "youth_couple_children"
	case f.nYouth == 2:
		amt, name = n.YouthCouple, "youth_couple"
	case f.nYouth == 1 && f.children > 0:
		amt, name = n.YouthMixedCoupleChildren, "youth_mixed_couple_children"
	case f.nYouth == 1:
		amt, name = n.YouthMixedCouple, "youth_mixed_couple"
	case f.anyAOW:
		amt, name = n.CoupleAOW, "couple_aow"
	default:
		amt, name = n.Couple, "couple"
	}
	if f.nYouth > 0 && couple {
		capAmt, capName = n.Couple, "couple"
	}
	return amt, name, capAmt, capName
}

// vrijlating applies at most one kind of art. 31.2 vrijlating to applicant i, in the
// order n, y, r, on the applicant's income from work.
func vrijlating(p *law.Params, c Case, i int, r *Result) error {
	ar := &r.Applicants[i]
	a := c.Household.Applicants[i]
	if ar.WorkIncome == 0 {
		return nil
	}
	nRule := p.VrijlatingKind("n")
	nApplies := nRule != nil && ar.Age >= nRule.MinAge && a.NMonthsUsed < nRule.MaxMonths
	nUsedUp := nRule != nil && a.NMonthsUsed >= nRule.MaxMonths
	var rule *law.Vrijlating
	switch {
	case nApplies:
		rule = nRule
	case a.MedischUrenbeperkt && p.VrijlatingKind("y") != nil:
		rule = p.VrijlatingKind("y")
	default:
		rr := p.VrijlatingKind("r")
		if rr != nil && nUsedUp && c.Household.Kind == KindSingleParent && ar.Age >= rr.MinAge &&
			a.RMonthsUsed < rr.MaxMonths && hasChildUnder(c, rr.ChildUnder) {
			rule = rr
		}
	}
	if rule == nil {
		r.step(Step{Code: StepVrijlatingNone, Article: "Pw art. 31 lid 2", Ref: applicantRef(i), Args: [4]int64{int64(i)}})
		return nil
	}
	amount := min(money.MulDivHalfUp(ar.WorkIncome, rule.Num, rule.Den), rule.Max)
	ar.Vrijlating = amount
	ar.VrijlatingKind = VrijlatingKind(rule.Kind)
	switch rule.Kind {
	case "n":
		ar.NMonthsUsed++
	case "r":
		ar.RMonthsUsed++
	}
	r.step(Step{Code: StepVrijlating, Article: rule.Article, Amount: amount, Ref: applicantRef(i),
		Args: [4]int64{int64(i), kindCode(rule.Kind), rule.Num * 10000 / rule.Den, int64(rule.Max)}})
	return nil
}

func hasChildUnder(c Case, age int) bool {
	first := c.Period.First()
	for _, ch := range c.Household.Children {
		if AgeOn(ch.BirthDate, first) < age {
			return true
		}
	}
	return false
}

func kindCode(k string) int64 {
	switch k {
	case "n":
		return 1
	case "y":
		return 2
	case "r":
		return 3
	}
	return 0
}

// kindRank is the place of a deduction kind in the order of application; -1 for an
// unknown kind.
func kindRank(k DeductionKind) int {
	switch k {
	case DeductOnBehalf:
		return 0
	case DeductVerrekening:
		return 1
	case DeductBeslag:
		return 2
	case DeductAflossing:
		return 3
	}
	return -1
}

// applyDeductions applies the deductions in the [policy] order: on_behalf first, each
// above the minimum cash payout; then verrekening, beslag and aflossing, each also
// within the capacity above the beslagvrije voet. Ties keep the order given.
func applyDeductions(c Case, r *Result) {
	cash := r.Bijstand - r.VakantietoeslagReserve
	capacity := r.DeductionCapacity
	r.Deductions = make([]DeductionResult, len(c.Deductions))
	var buf [8]int
	order := buf[:0]
	if len(c.Deductions) > len(buf) {
		order = make([]int, 0, len(c.Deductions))
	}
	order = order[:len(c.Deductions)]
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		da, db := c.Deductions[a], c.Deductions[b]
		if ka, kb := kindRank(da.Kind), kindRank(db.Kind); ka != kb {
			return ka - kb
		}
		switch {
		case da.Priority < db.Priority:
			return -1
		case da.Priority > db.Priority:
			return 1
		}
		return 0
	})
	for _, i := range order {
		d := c.Deductions[i]
		room := max(0, cash-c.MinCashPayout)
		applied := min(d.Amount, room)
		if d.Kind != DeductOnBehalf {
			applied = min(applied, capacity)
			capacity -= applied
		}
		cash -= applied
		r.Deductions[i] = DeductionResult{ID: d.ID, Label: d.Label, Kind: d.Kind, Requested: d.Amount, Applied: applied, Shortfall: d.Amount - applied}
		ref := d.ID
		if d.Label != "" {
			ref = d.Label
		}
		r.step(Step{Code: StepDeduction, Article: deductionArticles[kindRank(d.Kind)], Amount: applied, Ref: ref,
			Args: [4]int64{int64(kindRank(d.Kind)), int64(d.Amount), int64(d.Amount - applied)}})
	}
	r.Payout = cash
	r.step(Step{Code: StepPayout, Article: "Pw art. 19", Amount: cash, Args: [4]int64{int64(c.MinCashPayout)}})
}

// deductionArticles is the legal basis of each kind, by kindRank.
var deductionArticles = [...]string{"Pw art. 57", "Pw art. 58–60, Awb 4:93", "Rv art. 475a e.v.", "Wgs art. 4a lid 5"}

// MaxAmount bounds every amount of a case (€ 10 billion), and MaxItems the number of
// incomes and of deductions, so that no sum can overflow.
const (
	MaxAmount money.Cents = 1_000_000_000_000
	MaxItems  int         = 1000
)

// validate checks the structure of a case; the JSON decoder has checked the types.
// Field names are only formatted when something is wrong: this runs for every month.
func validate(c Case) error {
	h := c.Household
	switch h.Kind {
	case KindSingle, KindSingleParent:
		if len(h.Applicants) != 1 {
			return invalid("household.applicants", "a %s household has exactly one applicant, not %d", h.Kind, len(h.Applicants))
		}
	case KindCouple:
		if len(h.Applicants) != 2 {
			return invalid("household.applicants", "a couple has exactly two applicants, not %d", len(h.Applicants))
		}
	default:
		return invalid("household.kind", "%q is not one of single, single_parent, couple", h.Kind)
	}
	first := c.Period.First()
	for i, a := range h.Applicants {
		switch {
		case a.BirthDate.IsZero() || a.BirthDate.After(first):
			return invalid(fmt.Sprintf("household.applicants[%d].birth_date", i), "must be a date before the month")
		case a.NMonthsUsed < 0:
			return invalid(fmt.Sprintf("household.applicants[%d].n_months_used", i), "must not be negative")
		case a.RMonthsUsed < 0:
			return invalid(fmt.Sprintf("household.applicants[%d].r_months_used", i), "must not be negative")
		}
	}
	if len(h.Children) > 0 || len(h.Housemates) > 0 {
		last := c.Period.Next().First()
		for i, ch := range h.Children {
			if ch.BirthDate.IsZero() || !ch.BirthDate.Before(last) {
				return invalid(fmt.Sprintf("household.children[%d].birth_date", i), "must be a date in or before the month")
			}
		}
		for i, hm := range h.Housemates {
			if hm.BirthDate.IsZero() || !hm.BirthDate.Before(last) {
				return invalid(fmt.Sprintf("household.housemates[%d].birth_date", i), "must be a date in or before the month")
			}
		}
	}
	if len(c.Income) > MaxItems {
		return invalid("income", "at most %d incomes", MaxItems)
	}
	if len(c.Deductions) > MaxItems {
		return invalid("deductions", "at most %d deductions", MaxItems)
	}
	for i, in := range c.Income {
		switch {
		case in.Net > MaxAmount:
			return invalid(fmt.Sprintf("income[%d].net_cents", i), "must be at most %d", MaxAmount)
		case in.Applicant < 0 || in.Applicant >= len(h.Applicants):
			return invalid(fmt.Sprintf("income[%d].applicant", i), "there is no applicant %d in this household", in.Applicant)
		case in.Source != SourceWork && in.Source != SourceBenefit && in.Source != SourceOther:
			return invalid(fmt.Sprintf("income[%d].source", i), "%q is not one of work, benefit, other", in.Source)
		case in.Net < 0:
			return invalid(fmt.Sprintf("income[%d].net_cents", i), "must not be negative")
		}
	}
	for i, d := range c.Deductions {
		switch {
		case kindRank(d.Kind) < 0:
			return invalid(fmt.Sprintf("deductions[%d].kind", i), "%q is not one of on_behalf, verrekening, beslag, aflossing", d.Kind)
		case d.Amount < 0:
			return invalid(fmt.Sprintf("deductions[%d].amount_cents", i), "must not be negative")
		case d.Amount > MaxAmount:
			return invalid(fmt.Sprintf("deductions[%d].amount_cents", i), "must be at most %d", MaxAmount)
		}
		for _, e := range c.Deductions[:i] {
			if d.ID != "" && e.ID == d.ID {
				return invalid(fmt.Sprintf("deductions[%d].id", i), "%q is used twice", d.ID)
			}
		}
	}
	if c.MinCashPayout < 0 || c.MinCashPayout > MaxAmount {
		return invalid("min_cash_payout_cents", "must be between 0 and %d", MaxAmount)
	}
	return nil
}

func normKindCode(name string) int64 {
	return int64(slices.Index(normNames, name))
}

var normNames = []string{"single", "couple", "single_aow", "couple_aow", "youth_single", "youth_couple",
	"youth_couple_children", "youth_mixed_couple", "youth_mixed_couple_children"}

// Calculator computes months with the law in force on each month's first day.
type Calculator struct {
	book *law.Book
}

// NewCalculator returns a Calculator over book.
func NewCalculator(book *law.Book) *Calculator { return &Calculator{book: book} }

// Month computes c with the parameters in force on the first day of c.Period. A period
// before the first parameter file is an InputError on "period".
func (k *Calculator) Month(c Case) (Result, *law.Params, error) {
	p, err := k.book.At(c.Period.First())
	if err != nil {
		return Result{}, nil, &InputError{Field: "period", Msg: err.Error()}
	}
	r, err := Compute(p, c)
	return r, p, err
}
