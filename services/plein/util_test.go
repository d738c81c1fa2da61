package main

import (
	"context"
	"io"
	"testing"
	"time"

	"github.com/plein-nl/plein/platform/auth"
	"github.com/plein-nl/plein/platform/auth/authtest"
	"github.com/plein-nl/plein/platform/bsn/bsntest"
	"github.com/plein-nl/plein/platform/db/dbtest"
	"github.com/plein-nl/plein/platform/observe"
	"github.com/plein-nl/plein/platform/tenant"
	"github.com/plein-nl/plein/services/tenancy"
	"github.com/plein-nl/plein/services/tenancy/tenancytest"
)

func tenantID(s string) tenant.ID { return tenant.ID(s) }

// originalIDs are the first three gemeenten in tenants/.
var originalIDs = []tenant.ID{"deventer", "enschede", "zwolle"}

// originalTenants copies the config and logo of deventer, enschede and zwolle from
// ../../tenants into a new temporary directory and returns it, for a test that is about
// those three, whatever else tenants/ holds.
func originalTenants(t testing.TB) string {
	t.Helper()
	return tenancytest.Copy(t, "../../tenants", originalIDs...)
}

// tenantsDB is a fresh database with every gemeente of tenants/ applied.
func tenantsDB(t testing.TB) *dbtest.DB { return tenantsDBOf(t, "../../tenants") }

// tenantsDBOf is a fresh database with the gemeenten of dir applied.
func tenantsDBOf(t testing.TB, dir string) *dbtest.DB {
	t.Helper()
	d := dbtest.New(t)
	applyTenants(t, d, dir)
	return d
}

// testApp is buildApp for a test on d: its logs discarded, d.App as its pool, and
// the test failed when the app cannot be built.
func testApp(t testing.TB, d *dbtest.DB, cfg appConfig) *app {
	t.Helper()
	cfg.log, cfg.appPool = observe.NewEnvLogger(io.Discard), d.App
	a, err := buildApp(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// sealingApp is testApp on a fresh database of the repository's gemeenten, with
// cfg's keys the test kit's: the setups that create residents need BSNs sealed.
func sealingApp(t testing.TB, cfg appConfig) (*dbtest.DB, *app) {
	t.Helper()
	d := tenantsDB(t)
	cfg.keys = bsntest.Keyring(t)
	return d, testApp(t, d, cfg)
}

// applyTenants applies the gemeenten of dir to d as `plein tenant apply` does: a new
// version for each config that changed.
func applyTenants(t testing.TB, d *dbtest.DB, dir string) {
	t.Helper()
	loaded, err := tenancy.LoadPath(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tenancy.NewStore(d.Control, nil).Apply(context.Background(), loaded, "test", false); err != nil {
		t.Fatal(err)
	}
}

// verifiersOf makes a staff token verifier for each issuer: of the gemeente named, or
// of the coöperatie for "".
func verifiersOf(t testing.TB, issuers map[*authtest.Issuer]string) map[string]*auth.Verifier {
	t.Helper()
	out := map[string]*auth.Verifier{}
	for iss, id := range issuers {
		v, err := auth.NewVerifier(context.Background(), auth.VerifierConfig{Issuer: iss.URL, Audience: "plein", Tenant: tenantID(id),
			Cooperative: id == "", HTTPClient: iss.Client(), Now: time.Now})
		if err != nil {
			t.Fatal(err)
		}
		out[iss.URL] = v
	}
	return out
}
