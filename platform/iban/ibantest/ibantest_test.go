package ibantest_test

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
