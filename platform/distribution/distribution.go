// Package distribution splits the pool of a minnelijk traject over the creditors
// (docs/domain.md §4) [policy]: when the pool covers every claim, each is paid in full;
// otherwise all concurrent claims get one percentage p and preferent claims factor × p,
// capped at 100 %, with p such that the offers add up to exactly the pool. Offers are
// rounded down to the cent and the cents left over go, one each, to the claims with the
// largest remainders (ties: in the order given).
//
// Distribute is pure and exact: it works in rational numbers (math/big), never floats.
package distribution

import (
	"errors"
	"fmt"
	"math/big"
	"sort"

	"github.com/plein-nl/plein/platform/money"
)

// Defaults of the minnelijk traject.
const (
	// DefaultMonths is the repayment period since 1 July 2023.
	DefaultMonths = 18
	// DefaultPreferentFactor is the tenant setting's default.
	DefaultPreferentFactor = 2
)

// ErrInvalid is wrapped by every InputError.
var ErrInvalid = errors.New("invalid distribution input")

// InputError names the field that is wrong.
type InputError struct {
	Field string
	Msg   string
}

func (e *InputError) Error() string { return e.Field + ": " + e.Msg }

// Unwrap makes errors.Is(err, ErrInvalid) hold.
func (e *InputError) Unwrap() error { return ErrInvalid }

// Claim is one creditor's claim.
type Claim struct {
	ID        string
	Amount    money.Cents
	Preferent bool
}

// Input is a traject: the monthly capacity over the months, and the claims.
type Input struct {
	CapacityPerMonth money.Cents
	Months           int
	// PreferentFactor multiplies p for preferent claims (a tenant setting, not
	// necessarily whole: 1.5 is allowed); nil means DefaultPreferentFactor.
	PreferentFactor *big.Rat
	Claims          []Claim
}

// Factor returns the preferent factor in force: PreferentFactor, or the default.
func (in Input) Factor() *big.Rat {
	if in.PreferentFactor == nil {
		return big.NewRat(DefaultPreferentFactor, 1)
	}
	return in.PreferentFactor
}

// Offer is what one creditor is offered over the whole period.
type Offer struct {
	ID      string
	Amount  money.Cents // the claim
	Offered money.Cents
	// Percent is Offered / Amount, exact, for display (nil for a claim of 0).
	Percent *big.Rat
}

// Output is the distribution.
type Output struct {
	Pool         money.Cents // capacity × months
	TotalClaims  money.Cents
	TotalOffered money.Cents // min(pool, total claims)
	// P is the percentage of concurrent claims as a fraction (1 when paid in full).
	P      *big.Rat
	Offers []Offer // in the order of the claims
}

// MaxAmount bounds the capacity and every claim (€ 10 billion) and MaxClaims their
// number, so that no sum can overflow.
const (
	MaxAmount money.Cents = 1_000_000_000_000
	MaxClaims int         = 10000
)

// Validate checks the input and names the first wrong field.
func (in Input) Validate() error {
	if in.CapacityPerMonth < 0 || in.CapacityPerMonth > MaxAmount {
		return &InputError{"capacity_cents_per_month", fmt.Sprintf("must be between 0 and %d", MaxAmount)}
	}
	if in.Months < 1 || in.Months > 120 {
		return &InputError{"months", "must be between 1 and 120"}
	}
	if f := in.Factor(); f.Cmp(big.NewRat(1, 1)) < 0 || f.Cmp(big.NewRat(100, 1)) > 0 {
		return &InputError{"preferent_factor", "must be between 1 and 100"}
	}
	if len(in.Claims) == 0 {
		return &InputError{"claims", "at least one claim is needed"}
	}
	if len(in.Claims) > MaxClaims {
		return &InputError{"claims", fmt.Sprintf("at most %d claims", MaxClaims)}
	}
	seen := make(map[string]bool, len(in.Claims))
	for i, c := range in.Claims {
		if c.ID == "" {
			return &InputError{fmt.Sprintf("claims[%d].id", i), "is required"}
		}
		if seen[c.ID] {
			return &InputError{fmt.Sprintf("claims[%d].id", i), fmt.Sprintf("%q is used twice", c.ID)}
		}
		seen[c.ID] = true
		if c.Amount < 0 || c.Amount > MaxAmount {
			return &InputError{fmt.Sprintf("claims[%d].amount_cents", i), fmt.Sprintf("must be between 0 and %d", MaxAmount)}
		}
	}
	return nil
}

// Distribute computes the offers.
func Distribute(in Input) (Output, error) {
	if err := in.Validate(); err != nil {
		return Output{}, err
	}
	pool := in.CapacityPerMonth * money.Cents(in.Months)
	if in.CapacityPerMonth != 0 && pool/money.Cents(in.Months) != in.CapacityPerMonth {
		return Output{}, &InputError{"capacity_cents_per_month", "too large"}
	}
	var total, conc, pref int64
	for _, c := range in.Claims {
		total += int64(c.Amount)
		if c.Preferent {
			pref += int64(c.Amount)
		} else {
			conc += int64(c.Amount)
		}
	}
	out := Output{Pool: pool, TotalClaims: money.Cents(total), Offers: make([]Offer, len(in.Claims))}
	exact := make([]*big.Rat, len(in.Claims))
	P := big.NewInt(int64(pool))
	f := in.Factor()

	switch {
	case int64(pool) >= total:
		// Every claim in full.
		out.P = big.NewRat(1, 1)
		for i, c := range in.Claims {
			exact[i] = new(big.Rat).SetInt64(int64(c.Amount))
		}
	default:
		// S(p) = p·C + min(1, f·p)·R. While f·p ≤ 1: S = p(C + fR), and at p = 1/f the
		// preferent claims reach 100 %: S(1/f) = C/f + R.
		C, R := new(big.Rat).SetInt64(conc), new(big.Rat).SetInt64(pref)
		Pr := new(big.Rat).SetInt(P)
		denom := new(big.Rat).Add(C, new(big.Rat).Mul(f, R)) // C + fR > 0 since pool < total
		atCap := new(big.Rat).Add(new(big.Rat).Quo(C, f), R)
		capped := Pr.Cmp(atCap) > 0
		if !capped {
			out.P = new(big.Rat).Quo(Pr, denom)
		} else {
			// Preferent claims in full; p = (P − R) / C, C > 0 here.
			out.P = new(big.Rat).Quo(new(big.Rat).Sub(Pr, R), C)
		}
		prefP := new(big.Rat).Mul(out.P, f)
		if capped {
			prefP = big.NewRat(1, 1)
		}
		for i, c := range in.Claims {
			rate := out.P
			if c.Preferent {
				rate = prefP
			}
			exact[i] = new(big.Rat).Mul(rate, new(big.Rat).SetInt64(int64(c.Amount)))
		}
	}

	// Round down; the cents left over go to the largest remainders.
	type rem struct {
		i int
		r *big.Rat
	}
	rems := make([]rem, len(exact))
	var sum int64
	for i, e := range exact {
		fl := new(big.Int).Quo(e.Num(), e.Denom()) // e ≥ 0: truncation is floor
		out.Offers[i] = Offer{ID: in.Claims[i].ID, Amount: in.Claims[i].Amount, Offered: money.Cents(fl.Int64())}
		sum += fl.Int64()
		rems[i] = rem{i, new(big.Rat).Sub(e, new(big.Rat).SetInt(fl))}
	}
	target := min(int64(pool), total)
	left := target - sum
	sort.SliceStable(rems, func(a, b int) bool { return rems[a].r.Cmp(rems[b].r) > 0 })
	for k := int64(0); k < left; k++ {
		out.Offers[rems[k].i].Offered++
	}
	for i := range out.Offers {
		o := &out.Offers[i]
		if o.Amount > 0 {
			o.Percent = big.NewRat(int64(o.Offered), int64(o.Amount))
		}
		out.TotalOffered += o.Offered
	}
	return out, nil
}

// PerMonth splits an offer over the months so that the months add up to it exactly:
// every month gets the offer divided by the months, rounded down, and the first months
// one cent more until the remainder is used up.
func PerMonth(offered money.Cents, months int) []money.Cents {
	out := make([]money.Cents, months)
	base, extra := offered/money.Cents(months), int(offered%money.Cents(months))
	for i := range out {
		out[i] = base
		if i < extra {
			out[i]++
		}
	}
	return out
}
