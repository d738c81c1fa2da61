package ibantest_test

import (
	"testing"

	"github.com/plein-nl/plein/platform/iban/ibantest"
)

func TestNL(t *testing.T) {
	t.Parallel()
	// The public example NL91ABNA0417164300, and the edges of the account number.
	for _, tc := range []struct {
		bank    string
		account uint64
		want    string
	}{
		{"ABNA", 417164300, "NL91ABNA0417164300"},
		{"ABNA", 57, "NL98ABNA0000000057"},
		{"ABNA", 39, "NL02ABNA0000000039"},
	} {
		if got := ibantest.NL(t, tc.bank, tc.account); string(got) != tc.want {
			t.Errorf("NL(%s, %d) = %s, want %s", tc.bank, tc.account, got, tc.want)
		}
	}
}
