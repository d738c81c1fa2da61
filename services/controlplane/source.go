package controlplane

import (
	"context"
	"fmt"

	"github.com/plein-nl/plein/services/tenancy"
)

// DirectorySource lists the tenants from the tenant directory, the same view of the
// registry the portal serves from: every tenant that is not offboarded, with its
// config version in force (a version whose valid_from has not come is not yet seen).
type DirectorySource struct {
	Dir *tenancy.Directory
}

// Tenants reloads the directory (a pass follows a change) and lists the tenants.
func (s DirectorySource) Tenants(ctx context.Context) ([]Tenant, error) {
	if _, err := s.Dir.Reload(ctx); err != nil {
		return nil, fmt.Errorf("controlplane: %w", err)
	}
	all := s.Dir.All()
	out := make([]Tenant, 0, len(all))
	for _, t := range all {
		ct := Tenant{ID: string(t.Config.ID), Version: t.Version, Status: string(t.Status), Hosts: t.Config.Portal.Hosts}
		if h := t.Config.Hosting; h.TierOrDefault() == tenancy.TierSilo {
			ct.Silo = &Silo{Workers: int32(h.WorkersOrDefault()), CPU: h.CPUOrDefault(), Memory: h.MemoryOrDefault()}
		}
		out = append(out, ct)
	}
	return out, nil
}
