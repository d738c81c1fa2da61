package distribution_test

import (
	"errors"
	"io"
	"math/big"
	"testing"

	"github.com/plein-nl/plein/platform/distribution"
	"github.com/plein-nl/plein/platform/internal/casetest"
	"github.com/plein-nl/plein/platform/money"
)

// distribute distributes claims over capacity × months with the default preferent
// factor 2, failing the test on an error.
func distribute(t *testing.T, capacity money.Cents, months int, claims ...distribution.Claim) distribution.Output {
	t.Helper()
	out, err := distribution.Distribute(distribution.Input{CapacityPerMonth: capacity, Months: months,
		PreferentFactor: big.NewRat(2, 1), Claims: claims})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestDomainExample(t *testing.T) {
	t.Parallel()
	out := distribute(t, 10000, 18, distribution.Claim{ID: "A", Amount: 300000},
		distribution.Claim{ID: "B", Amount: 100000}, distribution.Claim{ID: "C", Amount: 200000})
	want := []money.Cents{90000, 30000, 60000}
	for i, o := range out.Offers {
		if o.Offered != want[i] {
			t.Errorf("%s offered %d, want %d", o.ID, o.Offered, want[i])
		}
	}
	if out.Pool != 180000 || out.P.RatString() != "3/10" {
		t.Errorf("pool %d, p %s; want 180000, 3/10", out.Pool, out.P.RatString())
	}
}

// TestPreferent: pool 1800.00 over concurrent 3000.00 and preferent 1000.00, factor 2:
// p·3000 + 2p·1000 = 1800 → p = 36 %, preferent 72 %: 1080 and 720.
// With pool 3500.00 the preferent claim caps at 100 %: p·3000 + 1000 = 3500 → p = 5/6:
// 2500 and 1000.
func TestPreferent(t *testing.T) {
	t.Parallel()
	claims := []distribution.Claim{{ID: "conc", Amount: 300000}, {ID: "pref", Amount: 100000, Preferent: true}}
	for _, c := range []struct {
		capacity   money.Cents
		months     int
		conc, pref money.Cents
	}{
		{10000, 18, 108000, 72000},
		{35000, 10, 250000, 100000},
		{50000, 10, 300000, 100000}, // pool 5000 ≥ claims 4000: both in full
	} {
		out := distribute(t, c.capacity, c.months, claims...)
		if out.Offers[0].Offered != c.conc || out.Offers[1].Offered != c.pref {
			t.Errorf("capacity %d × %d: offers %d, %d; want %d, %d", c.capacity, c.months, out.Offers[0].Offered, out.Offers[1].Offered, c.conc, c.pref)
		}
	}
}

// TestLeftoverCents: pool 1.00 over three claims of 3.00: each 33.333… cents, floors 33,
// one cent left goes to the first (ties in input order).
func TestLeftoverCents(t *testing.T) {
	t.Parallel()
	out := distribute(t, 100, 1, distribution.Claim{ID: "a", Amount: 300},
		distribution.Claim{ID: "b", Amount: 300}, distribution.Claim{ID: "c", Amount: 300})
	got := []money.Cents{out.Offers[0].Offered, out.Offers[1].Offered, out.Offers[2].Offered}
	if got[0] != 34 || got[1] != 33 || got[2] != 33 {
		t.Errorf("offers %v, want [34 33 33]", got)
	}
}

func TestInvalid(t *testing.T) {
	t.Parallel()
	ok := []distribution.Claim{{ID: "a", Amount: 1}}
	for _, c := range []struct {
		in    distribution.Input
		field string
	}{
		{distribution.Input{CapacityPerMonth: -1, Months: 18, PreferentFactor: big.NewRat(2, 1), Claims: ok}, "capacity_cents_per_month"},
		{distribution.Input{CapacityPerMonth: 1, Months: 0, PreferentFactor: big.NewRat(2, 1), Claims: ok}, "months"},
		{distribution.Input{CapacityPerMonth: 1, Months: 18, PreferentFactor: big.NewRat(0, 1), Claims: ok}, "preferent_factor"},
		{distribution.Input{CapacityPerMonth: 1, Months: 18, PreferentFactor: big.NewRat(2, 1)}, "claims"},
		{distribution.Input{CapacityPerMonth: 1, Months: 18, PreferentFactor: big.NewRat(2, 1), Claims: []distribution.Claim{{ID: "a", Amount: -5}}}, "claims[0].amount_cents"},
		{distribution.Input{CapacityPerMonth: 1, Months: 18, PreferentFactor: big.NewRat(2, 1), Claims: []distribution.Claim{{ID: "a", Amount: 5}, {ID: "a", Amount: 5}}}, "claims[1].id"},
		{distribution.Input{CapacityPerMonth: 1, Months: 18, PreferentFactor: big.NewRat(2, 1), Claims: []distribution.Claim{{ID: "", Amount: 5}}}, "claims[0].id"},
	} {
		_, err := distribution.Distribute(c.in)
		var ie *distribution.InputError
		if !errors.As(err, &ie) || ie.Field != c.field {
			t.Errorf("%+v: err = %v, want an error on %s", c.in, err, c.field)
		}
	}
}

func TestPerMonth(t *testing.T) {
	t.Parallel()
	got := distribution.PerMonth(100, 18) // 100 / 18 = 5 rest 10
	var sum money.Cents
	for i, m := range got {
		sum += m
		want := money.Cents(5)
		if i < 10 {
			want = 6
		}
		if m != want {
			t.Errorf("month %d = %d, want %d", i, m, want)
		}
	}
	if sum != 100 {
		t.Errorf("months add up to %d, want 100", sum)
	}
}

// FuzzDistribute checks the invariants for any input: offers add up to min(pool,
// claims), no offer exceeds its claim, a preferent claim never gets a lower share than
// a concurrent one.
func FuzzDistribute(f *testing.F) {
	f.Add(int64(10000), 18, int64(2), int64(300000), int64(100000), int64(200000), false, true)
	f.Add(int64(1), 1, int64(3), int64(7), int64(11), int64(13), true, true)
	f.Fuzz(func(t *testing.T, capacity int64, months int, factor, a, b, c int64, pa, pb bool) {
		in := distribution.Input{CapacityPerMonth: money.Cents(capacity % 1e9), Months: months%120 + 1, PreferentFactor: big.NewRat(factor%5+1, 1),
			Claims: []distribution.Claim{{ID: "a", Amount: money.Cents(a % 1e10), Preferent: pa}, {ID: "b", Amount: money.Cents(b % 1e10), Preferent: pb}, {ID: "c", Amount: money.Cents(c % 1e10)}}}
		if in.Validate() != nil {
			return
		}
		out, err := distribution.Distribute(in)
		if err != nil {
			t.Fatal(err)
		}
		var sum, total money.Cents
		for i, o := range out.Offers {
			sum += o.Offered
			total += in.Claims[i].Amount
			if o.Offered < 0 || o.Offered > o.Amount {
				t.Fatalf("offer %s = %d of claim %d", o.ID, o.Offered, o.Amount)
			}
		}
		if sum != min(out.Pool, total) {
			t.Fatalf("offers add up to %d, want min(pool %d, claims %d)", sum, out.Pool, total)
		}
	})
}

// TestIndependentCases runs the fixtures computed by an independent reference
// (tools/casegen/distribution_reference.py) from docs/domain.md §4.
func TestIndependentCases(t *testing.T) {
	t.Parallel()
	type want struct {
		PoolCents int64 `json:"pool_cents"`
		Claims    []struct {
			ID           string `json:"id"`
			OfferedCents int64  `json:"offered_cents"`
		} `json:"claims"`
	}
	distribute := func(input io.Reader) (distribution.Output, error) {
		in, err := distribution.DecodeInput(input)
		if err != nil {
			return distribution.Output{}, err
		}
		return distribution.Distribute(in)
	}
	casetest.Run(t, 30, distribute, func(t *testing.T, out distribution.Output, w *want) {
		if int64(out.Pool) != w.PoolCents {
			t.Errorf("pool %d, want %d", out.Pool, w.PoolCents)
		}
		for i, w := range w.Claims {
			if out.Offers[i].ID != w.ID || int64(out.Offers[i].Offered) != w.OfferedCents {
				t.Errorf("claim %d: %s %d, want %s %d", i, out.Offers[i].ID, out.Offers[i].Offered, w.ID, w.OfferedCents)
			}
		}
	})
}
