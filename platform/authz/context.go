package authz

import "context"

type principalKey struct{}

// WithPrincipal returns a copy of ctx carrying the authenticated principal. Only the
// authentication edge calls it.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFrom returns the principal carried by ctx; the zero Principal (which is
// refused as unauthenticated) when there is none.
func PrincipalFrom(ctx context.Context) Principal {
	p, _ := ctx.Value(principalKey{}).(Principal)
	return p
}
