// Package bsntest is what tests that store BSNs share: a sealer with fixed keys, and a
// keyring that gives it to every gemeente.
package bsntest

import (
	"bytes"
	"context"
	"testing"

	"github.com/plein-nl/plein/platform/bsn"
	"github.com/plein-nl/plein/platform/tenant"
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

// StaticKeyring gives every gemeente the same sealer.
type StaticKeyring struct {
	s *bsn.Sealer
}

// Keyring returns a keyring that gives every gemeente Sealer's keys: for the tests that
// are not about keys per gemeente (those use platform/keyring/keyringtest, the real
// keyring over the test database).
func Keyring(t testing.TB) StaticKeyring {
	t.Helper()
	return StaticKeyring{s: Sealer(t)}
}

// For returns the kit's sealer, whichever the tenant.
func (k StaticKeyring) For(context.Context, tenant.ID) (*bsn.Sealer, error) { return k.s, nil }
