package authz

import (
	"context"

	"github.com/plein-nl/plein/platform/tenant"
)

// Decider decides whether a principal may act on an object in a tenant; *Authorizer
// satisfies it. The services' authorizing decorators take a Decider, so that a test
// can decide without a policy.
type Decider interface {
	Authorize(ctx context.Context, p Principal, target tenant.ID, obj Object, act Action) error
}

// Guard is the state every service's authorizing decorator shares (go-kit's decorator
// shape): the service it wraps and who decides. The decorator embeds a Guard and adds
// one method a call of the service.
type Guard[S any] struct {
	Next    S
	Decider Decider
}

// Check authorizes the principal in ctx to act on obj in tenant t, deny by default.
func (g Guard[S]) Check(ctx context.Context, t tenant.ID, obj Object, act Action) error {
	return g.Decider.Authorize(ctx, PrincipalFrom(ctx), t, obj, act)
}
