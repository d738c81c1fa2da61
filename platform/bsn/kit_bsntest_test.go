package bsn_test

// The tests of the test kit (authztest, bsntest, ibantest) run with the package the kit
// serves: one test binary fewer to build and link for a few lines of tests.

import (
	"testing"

	"github.com/plein-nl/plein/platform/bsn"
	"github.com/plein-nl/plein/platform/bsn/bsntest"
)

// TestSealersAgree: two sealers of the kit open each other's seals and index alike.
func TestSealersAgree(t *testing.T) {
	t.Parallel()
	b, err := bsn.Parse("999993653")
	if err != nil {
		t.Fatal(err)
	}
	one, other := bsntest.Sealer(t), bsntest.Sealer(t)
	sealed, err := one.Seal(b, []byte("enschede"))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := other.Open(sealed, []byte("enschede")); err != nil || got != b {
		t.Errorf("Open of the other sealer's seal = %v, %v; want %v", got, err, b)
	}
	if a, c := one.BlindIndex(b), other.BlindIndex(b); string(a) != string(c) {
		t.Errorf("BlindIndex = %x and %x, want the same", a, c)
	}
}
