// Package bsntest gives tests a BSN sealer with fixed keys, so sealed values are
// the same in every run and no test builds its own keys.
package bsntest

import (
	"bytes"
	"testing"

	"github.com/plein-nl/plein/platform/bsn"
)

// Sealer is a sealer with fixed test keys (all ones for encryption, all twos for
// the blind index); a test fails if it cannot be made.
func Sealer(t testing.TB) *bsn.Sealer {
	t.Helper()
	s, err := bsn.NewSealer(bytes.Repeat([]byte{1}, bsn.KeySize), bytes.Repeat([]byte{2}, bsn.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	return s
}
