package iban_test

// The tests of the test kit (authztest, bsntest, ibantest) run with the package the kit
// serves: one test binary fewer to build and link for a few lines of tests.

import (
	"testing"

	"github.com/plein-nl/plein/platform/iban/ibantest"
)

// TestNL makes the public example of a Dutch IBAN: NL's check digits computed right.
func TestNL(t *testing.T) {
	t.Parallel()
	if got := ibantest.NL(t, "ABNA", 417164300); got != "NL91ABNA0417164300" {
		t.Errorf("NL(ABNA, 417164300) = %s, want NL91ABNA0417164300", got)
	}
}
