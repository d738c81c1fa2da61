// Package authztest is what tests of authorized code share: the real authorizer, and
// a request context signed in as a principal.
package authztest

import (
	"context"
	"testing"

	"github.com/plein-nl/plein/platform/authz"
	"github.com/plein-nl/plein/platform/observe"
)

// New returns the authorizer of the embedded policy, the one production uses.
func New(t testing.TB) *authz.Authorizer {
	t.Helper()
	az, err := authz.New()
	if err != nil {
		t.Fatal(err)
	}
	return az
}

// As returns a context of a request by p, as the authentication edge makes it: the
// principal, and a request id ("req-" and the subject) for the audit trail and logs.
func As(p authz.Principal) context.Context {
	return authz.WithPrincipal(observe.WithRequestID(context.Background(), "req-"+p.Subject), p)
}
