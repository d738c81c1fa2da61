package tenancy

import (
	"github.com/plein-nl/plein/platform/ratelimit"
	"github.com/plein-nl/plein/platform/tenant"
)

// The Directory's answers to the platform's edge, each an interface the platform
// declares: tenant.Directory (Exists, TenantOfHost), auth.Directory (Exists,
// ReadOnly) and the rate limits' per-gemeente overrides (RateLimits).

// Exists reports whether id is a tenant.
func (d *Directory) Exists(id tenant.ID) bool {
	_, ok := d.ByID(id)
	return ok
}

// TenantOfHost returns the tenant whose portal host is host.
func (d *Directory) TenantOfHost(host string) (tenant.ID, bool) {
	t, ok := d.ByHost(host)
	if !ok {
		return "", false
	}
	return t.Config.ID, true
}

// ReadOnly reports whether id's data can no longer change: an offboarding gemeente's
// data were exported and handed back (the portal is read-only, settlement has
// stopped; reads go on).
func (d *Directory) ReadOnly(id tenant.ID) bool {
	t, ok := d.ByID(id)
	return ok && t.Status == StatusOffboarding
}

// RateLimits returns the gemeente's own rate limits (none for an unknown one).
func (d *Directory) RateLimits(id tenant.ID) map[ratelimit.Class]ratelimit.Limit {
	if t, ok := d.ByID(id); ok {
		return t.Config.RateLimits
	}
	return nil
}
