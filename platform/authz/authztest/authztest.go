// Package authztest is what tests of authorized code share: the real authorizer, the
// principals, and a request context signed in as one, so that each package's tests
// sign in the same way instead of building principals by hand.
package authztest

import (
	"context"
	"testing"

	"github.com/plein-nl/plein/platform/authz"
	"github.com/plein-nl/plein/platform/observe"
	"github.com/plein-nl/plein/platform/tenant"
)

// Principal is a principal with the given subject, tenant and roles.
func Principal(subject string, t tenant.ID, roles ...authz.Role) authz.Principal {
	return authz.Principal{Subject: subject, Tenant: t, Roles: roles}
}

// Consulent is tenant t's consulent, subject "consulent-<t>".
func Consulent(t tenant.ID) authz.Principal {
	return Principal("consulent-"+string(t), t, authz.RoleConsulent)
}

// Admin is tenant t's tenant admin, subject "admin-<t>".
func Admin(t tenant.ID) authz.Principal {
	return Principal("admin-"+string(t), t, authz.RoleTenantAdmin)
}

// Schuldhulpverlener is tenant t's schuldhulpverlener, subject "shv-<t>".
func Schuldhulpverlener(t tenant.ID) authz.Principal {
	return Principal("shv-"+string(t), t, authz.RoleSchuldhulpverlener)
}

// Resident is resident residentID of tenant t, signed in as subject.
func Resident(t tenant.ID, subject, residentID string) authz.Principal {
	p := Principal(subject, t, authz.RoleResident)
	p.ResidentID = residentID
	return p
}

// As is a context of principal p with request id "req-<subject>", as the edge
// would hand it to a service.
func As(p authz.Principal) context.Context {
	return authz.WithPrincipal(observe.WithRequestID(context.Background(), "req-"+p.Subject), p)
}

// New returns the authorizer of the embedded policy, the one production uses; a test
// fails if it does not load.
func New(t testing.TB) *authz.Authorizer {
	t.Helper()
	az, err := authz.New()
	if err != nil {
		t.Fatal(err)
	}
	return az
}
