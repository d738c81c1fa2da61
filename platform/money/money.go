// Package money holds euro amounts as whole cents and the one rounding rule of Plein.
//
// Every amount is an integer number of euro cents (Cents) and every percentage an exact
// fraction (Rate), so the law's products — 4.8 % vakantietoeslag, 95 % beslagvrije voet,
// (40 % + A × 30 %) / A kostendelersnorm — are computed without float error and rounded
// exactly once: half away from zero, to the cent (docs/domain.md §3 "Rounding"). There is no
// other rounding rule in Plein; code that needs one calls MulHalfUp or MulDivHalfUp.
package money

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
	"strconv"
)

// ErrOutOfRange is returned when an amount does not fit in Cents (about ±92 quadrillion
// euro): a parsed value that is too large, or a product that overflows.
var ErrOutOfRange = errors.New("amount out of range")

// ErrZeroDenominator is returned for a fraction with denominator 0.
var ErrZeroDenominator = errors.New("fraction with zero denominator")

// Cents is an amount of money in euro cents. Money columns are bigint cents, and JSON
// carries the plain integer, so no float ever touches an amount.
//
// Add and subtract with + and -. int64 cents reach ±92 quadrillion euro, many orders
// of magnitude above anything a gemeente pays or budgets, so overflow of a sum is outside
// the range of money and is not checked; products with a rate are checked, because there
// the intermediate value can be large.
type Cents int64

// Min returns the smaller of a and b; deductions are "min(requested, capacity)" so often
// that the intent reads better by name.
func Min(a, b Cents) Cents { return min(a, b) }

// Max returns the larger of a and b, as in "max(0, bijstand − BVV)".
func Max(a, b Cents) Cents { return max(a, b) }

// String formats c the Dutch way for residents and staff: "€ 1.401,50".
// A negative amount puts the minus after the euro sign, "€ -1.401,50", the Dutch
// convention (CLDR nl: "¤ -#,##0.00").
func (c Cents) String() string {
	neg, euros, cents := c.split()
	b := make([]byte, 0, 32)
	b = append(b, "€ "...)
	if neg {
		b = append(b, '-')
	}
	b = appendGrouped(b, euros, '.')
	b = append(b, ',', '0'+cents/10, '0'+cents%10)
	return string(b)
}

// FormatEN formats c for the English UI: "€1,401.50", and "-€1,401.50" when negative
// (CLDR en: "-¤#,##0.00").
func (c Cents) FormatEN() string {
	neg, euros, cents := c.split()
	b := make([]byte, 0, 32)
	if neg {
		b = append(b, '-')
	}
	b = append(b, "€"...)
	b = appendGrouped(b, euros, ',')
	b = append(b, '.', '0'+cents/10, '0'+cents%10)
	return string(b)
}

// split returns the sign and magnitude of c; the magnitude is unsigned so that
// math.MinInt64 has one too.
func (c Cents) split() (neg bool, euros uint64, cents byte) {
	m := uint64(c)
	if c < 0 {
		neg, m = true, -m
	}
	return neg, m / 100, byte(m % 100)
}

func appendGrouped(b []byte, n uint64, sep byte) []byte {
	s := strconv.FormatUint(n, 10)
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			b = append(b, sep)
		}
		b = append(b, s[i])
	}
	return b
}

// Rate is an exact fraction, used for the percentages of the law: 4.8 % is
// RateOf(48, 1000), not 0.048. The zero Rate is 0 %.
type Rate struct {
	num, den int64 // den == 0 only in the zero Rate
}

// RateOf returns the fraction num/den. Rates are constants of the law or of a tenant's
// settings, so a zero denominator is a programming error and RateOf panics on it, as
// integer division would.
func RateOf(num, den int64) Rate {
	if den == 0 {
		panic(fmt.Errorf("money.RateOf(%d, 0): %w", num, ErrZeroDenominator))
	}
	return Rate{num: num, den: den}
}

// Percent returns p %: Percent(95) for the beslagvrije voet.
func Percent(p int64) Rate { return Rate{num: p, den: 100} }

// PerMille returns p ‰, for percentages with one decimal: PerMille(48) is 4.8 %,
// PerMille(125) is 12.5 %.
func PerMille(p int64) Rate { return Rate{num: p, den: 1000} }

// Num returns the numerator of r.
func (r Rate) Num() int64 { return r.num }

// Den returns the denominator of r; 1 for the zero Rate, so that Num/Den is always a
// fraction.
func (r Rate) Den() int64 {
	if r.den == 0 {
		return 1
	}
	return r.den
}

// String returns r as "num/den" for logs and test failures; a decimal rendering could
// not show 1/3 exactly.
func (r Rate) String() string { return fmt.Sprintf("%d/%d", r.Num(), r.Den()) }

// MulHalfUp returns c × r rounded to the cent, half away from zero. It panics if the
// result does not fit in Cents, which no real amount comes near; use MulDivHalfUpChecked
// where the operands come from input.
func (c Cents) MulHalfUp(r Rate) Cents {
	return MulDivHalfUp(c, r.Num(), r.Den())
}

// MulDivHalfUp returns c × num / den rounded to the cent, half away from zero: the one
// rounding rule of Plein. The product is exact (128 bits), so callers build fractions
// such as the kostendelersnorm (40 + A×30) / (100×A) directly and round once.
// It panics if den is 0 or the result does not fit in Cents; see MulDivHalfUpChecked.
func MulDivHalfUp(c Cents, num, den int64) Cents {
	r, err := MulDivHalfUpChecked(c, num, den)
	if err != nil {
		panic(fmt.Errorf("money.MulDivHalfUp(%d, %d, %d): %w", c, num, den, err))
	}
	return r
}

// MulDivHalfUpChecked is MulDivHalfUp returning ErrZeroDenominator or ErrOutOfRange
// instead of panicking.
//
// Half away from zero means x.5 cent rounds to x+1 for a positive result and to -(x+1)
// for a negative one: the magnitude is rounded half up and the sign applied after, so
// negating an input negates the result.
func MulDivHalfUpChecked(c Cents, num, den int64) (Cents, error) {
	if den == 0 {
		return 0, ErrZeroDenominator
	}
	neg := (c < 0) != (num < 0) != (den < 0)
	d := magnitude(den)
	hi, lo := bits.Mul64(magnitude(int64(c)), magnitude(num))
	if hi >= d { // the quotient would need more than 64 bits
		return 0, ErrOutOfRange
	}
	q, rem := bits.Div64(hi, lo, d)
	if rem >= d-rem { // rem/d ≥ ½, written so that 2×rem cannot overflow
		if q == math.MaxUint64 {
			return 0, ErrOutOfRange
		}
		q++
	}
	limit := uint64(math.MaxInt64)
	if neg {
		limit++ // -2^63 is representable
	}
	if q > limit {
		return 0, ErrOutOfRange
	}
	if neg {
		return Cents(-q), nil // two's complement: -2^63 lands on math.MinInt64
	}
	return Cents(q), nil
}

// magnitude returns |x| as uint64, which also holds |math.MinInt64|.
func magnitude(x int64) uint64 {
	if x < 0 {
		return -uint64(x)
	}
	return uint64(x)
}
