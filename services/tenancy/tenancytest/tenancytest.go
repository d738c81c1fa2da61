// Package tenancytest gives tests gemeente configs of their own to apply and change.
package tenancytest

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/plein-nl/plein/platform/tenant"
)

// Copy copies the config (.yaml) and logo (.svg) of each of ids from dir (the
// repository's tenants/) into a new temporary directory and returns it: a private copy
// that a test may change, holding those gemeenten whatever else dir holds.
func Copy(t testing.TB, dir string, ids ...tenant.ID) string {
	t.Helper()
	dst := t.TempDir()
	for _, id := range ids {
		for _, ext := range []string{".yaml", ".svg"} {
			b, err := os.ReadFile(filepath.Join(dir, string(id)+ext))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dst, string(id)+ext), b, 0o600); err != nil {
				t.Fatal(err)
			}
		}
	}
	return dst
}
