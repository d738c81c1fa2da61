package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/plein-nl/plein/platform/tenant"
)

func tenantID(s string) tenant.ID { return tenant.ID(s) }

// originalIDs are the first three gemeenten in tenants/.
var originalIDs = []tenant.ID{"deventer", "enschede", "zwolle"}

// originalTenants copies the config and logo of deventer, enschede and zwolle from
// ../../tenants into a new temporary directory and returns it, for a test that is about
// those three, whatever else tenants/ holds.
func originalTenants(t testing.TB) string {
	t.Helper()
	dst := t.TempDir()
	for _, id := range originalIDs {
		for _, ext := range []string{".yaml", ".svg"} {
			b, err := os.ReadFile(filepath.Join("../../tenants", string(id)+ext))
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
