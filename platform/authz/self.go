package authz

import (
	"context"

	"github.com/plein-nl/plein/platform/tenant"
)

// OwnData is the "own data only" rule of a resident's read of their own record (the
// portal's): the principal in ctx must be signed in (else ErrUnauthenticated) and be
// resident residentID in tenant t (else ErrForbidden). The services that serve such a
// read call it themselves, since no policy row can say which resident a principal is.
func OwnData(ctx context.Context, t tenant.ID, residentID string) error {
	p := PrincipalFrom(ctx)
	if p.Subject == "" {
		return ErrUnauthenticated
	}
	if p.Tenant != t || !p.IsSelf(residentID) {
		return ErrForbidden
	}
	return nil
}
