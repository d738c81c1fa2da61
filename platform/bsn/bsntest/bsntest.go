// Package bsntest is what tests that store BSNs share: a sealer with fixed keys.
package bsntest

import (
	"bytes"
	"testing"

	"github.com/plein-nl/plein/platform/bsn"
)

// Sealer returns a sealer with the tests' fixed keys (32 bytes of 1s to encrypt, of 2s
// for the blind index), so that every sealer of a test run reads the others' seals
// and finds the same index.
func Sealer(t testing.TB) *bsn.Sealer {
	t.Helper()
	s, err := bsn.NewSealer(bytes.Repeat([]byte{1}, bsn.KeySize), bytes.Repeat([]byte{2}, bsn.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	return s
}
