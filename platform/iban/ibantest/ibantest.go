// Package ibantest is what tests that handle IBANs share: valid Dutch IBANs made on
// demand, so that tests do not depend on a list of real accounts.
package ibantest

import (
	"fmt"
	"testing"

	"github.com/plein-nl/plein/platform/iban"
)

// NL returns the Dutch IBAN of bank (four letters) and account (at most 10 digits),
// with its ISO 7064 mod-97 check digits computed here, and parsed so that a mistake
// fails the test.
func NL(t testing.TB, bank string, account uint64) iban.IBAN {
	t.Helper()
	bban := fmt.Sprintf("%s%010d", bank, account)
	r := 0
	for _, c := range bban + "NL00" {
		if c >= 'A' && c <= 'Z' {
			r = (r*100 + int(c-'A') + 10) % 97
		} else {
			r = (r*10 + int(c-'0')) % 97
		}
	}
	return Must(t, fmt.Sprintf("NL%02d%s", 98-r, bban))
}

// Must parses s, failing the test when it is no IBAN.
func Must(t testing.TB, s string) iban.IBAN {
	t.Helper()
	i, err := iban.Parse(s)
	if err != nil {
		t.Fatalf("iban.Parse(%q): %v", s, err)
	}
	return i
}
