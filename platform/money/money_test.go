package money_test

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"testing"

	"github.com/plein-nl/plein/platform/money"
)

func TestFormat(t *testing.T) {
	t.Parallel()
	tests := []struct {
		c      money.Cents
		nl, en string
	}{
		{0, "€ 0,00", "€0.00"},
		{1, "€ 0,01", "€0.01"},
		{99, "€ 0,99", "€0.99"},
		{100, "€ 1,00", "€1.00"},
		{99999, "€ 999,99", "€999.99"},
		{100000, "€ 1.000,00", "€1,000.00"},
		{140150, "€ 1.401,50", "€1,401.50"},
		{123456789, "€ 1.234.567,89", "€1,234,567.89"},
		{-1, "€ -0,01", "-€0.01"},
		{-140150, "€ -1.401,50", "-€1,401.50"},
		{math.MaxInt64, "€ 92.233.720.368.547.758,07", "€92,233,720,368,547,758.07"},
		{math.MinInt64, "€ -92.233.720.368.547.758,08", "-€92,233,720,368,547,758.08"},
	}
	for _, tt := range tests {
		if got := tt.c.String(); got != tt.nl {
			t.Errorf("Cents(%d).String() = %q, want %q", int64(tt.c), got, tt.nl)
		}
		if got := tt.c.FormatEN(); got != tt.en {
			t.Errorf("Cents(%d).FormatEN() = %q, want %q", int64(tt.c), got, tt.en)
		}
	}
}

func TestMulDivHalfUp(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name          string
		c             money.Cents
		num, den      int64
		want          money.Cents
		wantErr       error
		viaRateMethod bool
	}{
		// docs/domain.md §2 worked example: 4.8 % × 651.50 = 31.272.
		{name: "vakantietoeslag", c: 65150, num: 48, den: 1000, want: 3127},
		// docs/domain.md §1: (40 % + 2 × 30 %) / 2 × 2002.13 = 1001.065, half up.
		{name: "kostendelersnorm A=2", c: 200213, num: 40 + 2*30, den: 100 * 2, want: 100107},
		// (40 + 3×30) / 300 × 2002.13 = 26027690 / 300 = 86758.966…
		{name: "kostendelersnorm A=3", c: 200213, num: 40 + 3*30, den: 100 * 3, want: 86759},
		// docs/domain.md §3: 95 % × 1401.50 = 1331.425 → 1331.43; 95 % × 2002.13 = 1902.0235 → 1902.02.
		{name: "BVV single", c: 140150, num: 95, den: 100, want: 133143},
		{name: "BVV couple", c: 200213, num: 95, den: 100, want: 190202},
		{name: "vrijlating 25 %", c: 100000, num: 25, den: 100, want: 25000},
		{name: "exact .5 up", c: 4, num: 125, den: 1000, want: 1},         // 0.5
		{name: "exact 1.5 up", c: 12, num: 125, den: 1000, want: 2},       // 1.5
		{name: "0.125 down", c: 1, num: 125, den: 1000, want: 0},          // 0.125
		{name: ".4999 down", c: 1, num: 4999, den: 10000, want: 0},        // 0.4999
		{name: ".5000 up", c: 1, num: 5000, den: 10000, want: 1},          // 0.5
		{name: "1/3 down", c: 1, num: 1, den: 3, want: 0},                 // 0.333…
		{name: "2/3 up", c: 2, num: 1, den: 3, want: 1},                   // 0.666…
		{name: "negative .5 away", c: -4, num: 125, den: 1000, want: -1},  // -0.5
		{name: "negative .375 to 0", c: -3, num: 125, den: 1000, want: 0}, // -0.375
		{name: "negative num", c: 4, num: -125, den: 1000, want: -1},      // -0.5
		{name: "negative den", c: 10, num: 1, den: -2, want: -5},          // -5
		{name: "two negatives", c: -12, num: 125, den: -1000, want: 2},    // 1.5
		{name: "zero amount", c: 0, num: 7, den: 3, want: 0},              // 0
		{name: "max identity", c: math.MaxInt64, num: 1, den: 1, want: math.MaxInt64},
		// (2^63-1)/2 = 4611686018427387903.5 → …904.
		{name: "max half", c: math.MaxInt64, num: 1, den: 2, want: 4611686018427387904},
		// -2^63 / 2 = -2^62 exactly.
		{name: "min half", c: math.MinInt64, num: 1, den: 2, want: -4611686018427387904},
		// The product needs 126 bits; the quotient is c again.
		{name: "128-bit product", c: math.MaxInt64, num: math.MaxInt64, den: math.MaxInt64, want: math.MaxInt64},
		{name: "min times max over max", c: math.MinInt64, num: math.MaxInt64, den: math.MaxInt64, want: math.MinInt64},
		// 10^12 cents × 999999/1000000 = 999999000000 exactly.
		{name: "large amount", c: 1_000_000_000_000, num: 999_999, den: 1_000_000, want: 999_999_000_000},
		{name: "overflow", c: math.MaxInt64, num: 2, den: 1, wantErr: money.ErrOutOfRange},
		{name: "overflow by rounding", c: math.MaxInt64, num: 3, den: 2, wantErr: money.ErrOutOfRange},
		{name: "negate min", c: math.MinInt64, num: -1, den: 1, wantErr: money.ErrOutOfRange},
		{name: "zero denominator", c: 100, num: 1, den: 0, wantErr: money.ErrZeroDenominator},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := money.MulDivHalfUpChecked(tt.c, tt.num, tt.den)
			if !errors.Is(err, tt.wantErr) || got != tt.want {
				t.Fatalf("MulDivHalfUpChecked(%d, %d, %d) = %d, %v; want %d, %v",
					int64(tt.c), tt.num, tt.den, int64(got), err, int64(tt.want), tt.wantErr)
			}
			if tt.wantErr != nil {
				return
			}
			if got := money.MulDivHalfUp(tt.c, tt.num, tt.den); got != tt.want {
				t.Errorf("MulDivHalfUp(%d, %d, %d) = %d, want %d", int64(tt.c), tt.num, tt.den, int64(got), int64(tt.want))
			}
			if got := tt.c.MulHalfUp(money.RateOf(tt.num, tt.den)); got != tt.want {
				t.Errorf("Cents(%d).MulHalfUp(%d/%d) = %d, want %d", int64(tt.c), tt.num, tt.den, int64(got), int64(tt.want))
			}
		})
	}
}

func TestMulDivHalfUpPanics(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		f    func()
		want error
	}{
		{"overflow", func() { money.MulDivHalfUp(math.MaxInt64, 2, 1) }, money.ErrOutOfRange},
		{"zero denominator", func() { money.MulDivHalfUp(1, 1, 0) }, money.ErrZeroDenominator},
		{"RateOf zero denominator", func() { money.RateOf(1, 0) }, money.ErrZeroDenominator},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			defer func() {
				err, _ := recover().(error)
				if !errors.Is(err, tt.want) {
					t.Errorf("panic value = %v, want an error wrapping %v", err, tt.want)
				}
			}()
			tt.f()
		})
	}
}

func TestRate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		r        money.Rate
		num, den int64
		str      string
		of140150 money.Cents
	}{
		{"zero Rate is 0 %", money.Rate{}, 0, 1, "0/1", 0},
		{"Percent(95)", money.Percent(95), 95, 100, "95/100", 133143},        // 1331.425
		{"PerMille(48)", money.PerMille(48), 48, 1000, "48/1000", 6727},      // 67.272
		{"PerMille(125)", money.PerMille(125), 125, 1000, "125/1000", 17519}, // 175.1875
		{"RateOf(1, 3)", money.RateOf(1, 3), 1, 3, "1/3", 46717},             // 46716.666…
	}
	for _, tt := range tests {
		if tt.r.Num() != tt.num || tt.r.Den() != tt.den || tt.r.String() != tt.str {
			t.Errorf("%s: Num, Den, String = %d, %d, %q; want %d, %d, %q",
				tt.name, tt.r.Num(), tt.r.Den(), tt.r.String(), tt.num, tt.den, tt.str)
		}
		if got := money.Cents(140150).MulHalfUp(tt.r); got != tt.of140150 {
			t.Errorf("%s: 140150 × rate = %d, want %d", tt.name, int64(got), int64(tt.of140150))
		}
	}
}

func TestMinMax(t *testing.T) {
	t.Parallel()
	tests := []struct{ a, b, min, max money.Cents }{
		{1, 2, 1, 2},
		{2, 1, 1, 2},
		{-5, 0, -5, 0},
		{7, 7, 7, 7},
	}
	for _, tt := range tests {
		if got := money.Min(tt.a, tt.b); got != tt.min {
			t.Errorf("Min(%d, %d) = %d, want %d", tt.a, tt.b, got, tt.min)
		}
		if got := money.Max(tt.a, tt.b); got != tt.max {
			t.Errorf("Max(%d, %d) = %d, want %d", tt.a, tt.b, got, tt.max)
		}
	}
}

func TestParse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    money.Cents
		wantErr error
	}{
		{"1401.50", 140150, nil},
		{"1401,50", 140150, nil},
		{"1401", 140100, nil},
		{"0", 0, nil},
		{"12,5", 1250, nil},
		{"0.05", 5, nil},
		{"€ 1.401,50", 140150, nil},
		{"€1,401.50", 140150, nil},
		{"€ -1.401,50", -140150, nil},
		{"-€1,401.50", -140150, nil},
		{"-1401.50", -140150, nil},
		{"  € 12,00 \n", 1200, nil},
		{"€\u00a012,00", 1200, nil}, // non-breaking space, as copied from a web page
		{"1.234.567,89", 123456789, nil},
		{"1,234,567.89", 123456789, nil},
		{"1.234.567", 123456700, nil},
		{"€ 92.233.720.368.547.758,07", math.MaxInt64, nil},
		{"€ -92.233.720.368.547.758,08", math.MinInt64, nil},

		{"", 0, money.ErrSyntax},
		{"€", 0, money.ErrSyntax},
		{"-", 0, money.ErrSyntax},
		{"abc", 0, money.ErrSyntax},
		{"12 50", 0, money.ErrSyntax},
		{"+5", 0, money.ErrSyntax},
		{"--5", 0, money.ErrSyntax},
		{"-€ -5", 0, money.ErrSyntax},
		{"5€", 0, money.ErrSyntax},
		{"1e3", 0, money.ErrSyntax},
		{"1.401", 0, money.ErrSyntax}, // 1401 in Dutch, 1.401 in English
		{"1,401", 0, money.ErrSyntax},
		{"12.", 0, money.ErrSyntax},
		{",50", 0, money.ErrSyntax},
		{"1.2.3", 0, money.ErrSyntax},
		{"1.23,456.7", 0, money.ErrSyntax},
		{"12.34,5", 0, money.ErrSyntax}, // groups of 2
		{"1234.567,00", 0, money.ErrSyntax},
		{"1,50.00", 0, money.ErrSyntax},
		{"1.5,00.1", 0, money.ErrSyntax},
		{"0.125", 0, money.ErrSyntax}, // three digits after a single separator
		{"1.000,125", 0, money.ErrTooPrecise},
		{"12,3456", 0, money.ErrTooPrecise},
		{"92233720368547758.08", 0, money.ErrOutOfRange},
		{"-92233720368547758.09", 0, money.ErrOutOfRange},
		{"999999999999999999999999", 0, money.ErrOutOfRange},
	}
	for _, tt := range tests {
		got, err := money.Parse(tt.in)
		if !errors.Is(err, tt.wantErr) || got != tt.want {
			t.Errorf("Parse(%q) = %d, %v; want %d, %v", tt.in, int64(got), err, int64(tt.want), tt.wantErr)
		}
	}
}

func FuzzFormatParse(f *testing.F) {
	for _, c := range []int64{0, 1, -1, 99, 100, 140150, -140150, 123456789, math.MaxInt64, math.MinInt64} {
		f.Add(c)
	}
	f.Fuzz(func(t *testing.T, c int64) {
		for _, s := range []string{money.Cents(c).String(), money.Cents(c).FormatEN()} {
			got, err := money.Parse(s)
			if err != nil || got != money.Cents(c) {
				t.Fatalf("Parse(%q) = %d, %v; want %d", s, int64(got), err, c)
			}
		}
	})
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"1401.50", "1401,50", "€ 1.401,50", "-€1,401.50", "1.401", "12,5", "", "€", "1,2.3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := money.Parse(s)
		if err != nil {
			if c != 0 {
				t.Fatalf("Parse(%q) = %d with error %v, want 0", s, int64(c), err)
			}
			return
		}
		for _, out := range []string{c.String(), c.FormatEN()} {
			if again, err := money.Parse(out); err != nil || again != c {
				t.Fatalf("Parse(%q) = %d, but Parse(%q) = %d, %v", s, int64(c), out, int64(again), err)
			}
		}
	})
}

// FuzzMulDivHalfUp checks the 128-bit arithmetic against math/big.
func FuzzMulDivHalfUp(f *testing.F) {
	f.Add(int64(65150), int64(48), int64(1000))
	f.Add(int64(200213), int64(100), int64(200))
	f.Add(int64(-4), int64(125), int64(1000))
	f.Add(int64(math.MaxInt64), int64(math.MaxInt64), int64(math.MaxInt64))
	f.Add(int64(math.MinInt64), int64(-1), int64(1))
	f.Add(int64(math.MaxInt64), int64(3), int64(2))
	f.Add(int64(1), int64(1), int64(0))
	f.Fuzz(func(t *testing.T, c, num, den int64) {
		got, err := money.MulDivHalfUpChecked(money.Cents(c), num, den)
		want, wantErr := bigMulDivHalfUp(c, num, den)
		if !errors.Is(err, wantErr) || (err == nil && int64(got) != want) {
			t.Fatalf("MulDivHalfUpChecked(%d, %d, %d) = %d, %v; want %d, %v", c, num, den, int64(got), err, want, wantErr)
		}
	})
}

// bigMulDivHalfUp is the reference: exact rational, magnitude rounded half up, sign after.
func bigMulDivHalfUp(c, num, den int64) (int64, error) {
	if den == 0 {
		return 0, money.ErrZeroDenominator
	}
	p := new(big.Int).Mul(big.NewInt(c), big.NewInt(num))
	d := big.NewInt(den)
	neg := p.Sign()*d.Sign() < 0
	p.Abs(p)
	d.Abs(d)
	q, r := new(big.Int).QuoRem(p, d, new(big.Int))
	if r.Lsh(r, 1).Cmp(d) >= 0 {
		q.Add(q, big.NewInt(1))
	}
	if neg {
		q.Neg(q)
	}
	if !q.IsInt64() {
		return 0, money.ErrOutOfRange
	}
	return q.Int64(), nil
}

func ExampleMulDivHalfUp() {
	// Kostendelersnorm 2026, single applicant with one kostendelende medebewoner (A = 2):
	// (40 % + A × 30 %) / A × gehuwdennorm.
	const a = 2
	norm := money.MulDivHalfUp(200213, 40+a*30, 100*a)
	fmt.Println(norm)
	// Output: € 1.001,07
}

func ExampleCents_MulHalfUp() {
	bijstand := money.Cents(65150)
	fmt.Println(bijstand.MulHalfUp(money.PerMille(48)))
	// Output: € 31,27
}

func ExampleCents_String() {
	fmt.Println(money.Cents(140150), money.Cents(-140150))
	fmt.Println(money.Cents(140150).FormatEN(), money.Cents(-140150).FormatEN())
	// Output:
	// € 1.401,50 € -1.401,50
	// €1,401.50 -€1,401.50
}
