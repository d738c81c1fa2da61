// Package keyringtest is what tests of per-gemeente BSN keys share: a keyring over a
// test database with a KMS in a temporary directory.
package keyringtest

import (
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/plein-nl/plein/platform/keyring"
	"github.com/plein-nl/plein/platform/kms"
)

// KMS returns a file KMS in a directory removed when the test ends.
func KMS(t testing.TB) *kms.Dir {
	t.Helper()
	k, err := kms.NewDir(filepath.Join(t.TempDir(), "kms"))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// New returns a keyring over app (plein_app of a dbtest database) with its own KMS,
// and that KMS.
func New(t testing.TB, app *pgxpool.Pool) (*keyring.Keyring, *kms.Dir) {
	t.Helper()
	k := KMS(t)
	return keyring.New(app, k, nil), k
}
