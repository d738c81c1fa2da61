package authz_test

// The tests of the test kit (authztest, bsntest, ibantest) run with the package the kit
// serves: one test binary fewer to build and link for a few lines of tests.

import (
	"testing"

	"github.com/plein-nl/plein/platform/authz"
	"github.com/plein-nl/plein/platform/authz/authztest"
	"github.com/plein-nl/plein/platform/observe"
)

func TestAs(t *testing.T) {
	t.Parallel()
	p := authz.Principal{Subject: "consulent-enschede", Tenant: "enschede", Roles: []authz.Role{authz.RoleConsulent}}
	ctx := authztest.As(p)
	if got := authz.PrincipalFrom(ctx); got.Subject != p.Subject || got.Tenant != p.Tenant {
		t.Errorf("principal = %+v, want %+v", got, p)
	}
	if got := observe.RequestID(ctx); got != "req-consulent-enschede" {
		t.Errorf("request id = %q, want req-consulent-enschede", got)
	}
	if err := authztest.New(t).Authorize(ctx, p, "enschede", authz.ObjectResident, authz.ActionRead); err != nil {
		t.Errorf("the consulent reading residents of her gemeente: %v, want allowed", err)
	}
}
