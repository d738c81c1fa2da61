package tenancy

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/plein-nl/plein/platform/tenant"
)

// Tenant is a tenant as the portal and the APIs see it: its current config.
type Tenant struct {
	Config  Config
	Status  Status
	Version int
	Logo    []byte
}

type snapshot struct {
	byID   map[tenant.ID]*Tenant
	byHost map[string]*Tenant
	order  []tenant.ID
	stamp  string // changes when anything changes, also when a version's valid_from comes
}

// Directory holds every tenant's config in force in memory for the request path, and
// reloads it when a new version is applied or a pending one's valid_from comes, so
// running processes pick up new config without a restart (within Run's interval). The
// version in force is the highest whose valid_from has come, as in Store.List. It
// reads as plein_app.
type Directory struct {
	app  *pgxpool.Pool
	snap atomic.Pointer[snapshot]
}

// NewDirectory loads the directory once.
func NewDirectory(ctx context.Context, app *pgxpool.Pool) (*Directory, error) {
	d := &Directory{app: app}
	d.snap.Store(&snapshot{byID: map[tenant.ID]*Tenant{}, byHost: map[string]*Tenant{}})
	if _, err := d.Reload(ctx); err != nil {
		return nil, err
	}
	return d, nil
}

// Reload reads the current versions when anything changed since the last load, and
// reports whether it did.
func (d *Directory) Reload(ctx context.Context) (bool, error) {
	var stamp string
	// The count of versions due changes when a pending version's valid_from comes.
	err := d.app.QueryRow(ctx, `SELECT coalesce(max(applied_at)::text, '') || '/' || count(*) || '/' ||
		count(*) FILTER (WHERE valid_from <= now()) || '/' ||
		(SELECT coalesce(max(updated_at)::text, '') FROM tenants) FROM tenant_config_versions`).Scan(&stamp)
	if err != nil {
		return false, fmt.Errorf("tenancy: directory: %w", err)
	}
	if stamp == d.snap.Load().stamp {
		return false, nil
	}
	rows, err := d.app.Query(ctx, `
		SELECT DISTINCT ON (v.tenant_id) v.tenant_id, t.status, v.version, v.config, coalesce(v.logo_svg, '')
		FROM tenant_config_versions v JOIN tenants t USING (tenant_id)
		WHERE v.valid_from <= now()
		ORDER BY v.tenant_id, v.version DESC`)
	if err != nil {
		return false, fmt.Errorf("tenancy: directory: %w", err)
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*Tenant, error) {
		var t Tenant
		var id, logo string
		var cfgJSON []byte
		if err := r.Scan(&id, &t.Status, &t.Version, &cfgJSON, &logo); err != nil {
			return nil, err
		}
		t.Logo = []byte(logo)
		return &t, json.Unmarshal(cfgJSON, &t.Config)
	})
	if err != nil {
		return false, fmt.Errorf("tenancy: directory: %w", err)
	}
	s := &snapshot{byID: map[tenant.ID]*Tenant{}, byHost: map[string]*Tenant{}, stamp: stamp}
	for _, t := range list {
		if t.Status == StatusOffboarded {
			continue
		}
		s.byID[t.Config.ID] = t
		s.order = append(s.order, t.Config.ID)
		for _, h := range t.Config.Portal.Hosts {
			s.byHost[h] = t
		}
	}
	d.snap.Store(s)
	return true, nil
}

// Run reloads every interval until ctx ends.
func (d *Directory) Run(ctx context.Context, interval time.Duration, log *slog.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if changed, err := d.Reload(ctx); err != nil && ctx.Err() == nil {
				log.Warn("tenant directory reload failed", "err", err)
			} else if changed {
				log.Info("tenant directory reloaded", "tenants", len(d.snap.Load().order))
			}
		}
	}
}

// ByID returns the tenant with id.
func (d *Directory) ByID(id tenant.ID) (*Tenant, bool) {
	t, ok := d.snap.Load().byID[id]
	return t, ok
}

// ByHost returns the tenant whose portal host is host (a port is ignored).
func (d *Directory) ByHost(host string) (*Tenant, bool) {
	if h, _, ok := strings.Cut(host, ":"); ok {
		host = h
	}
	t, ok := d.snap.Load().byHost[strings.ToLower(host)]
	return t, ok
}

// All returns every tenant, ordered by id.
func (d *Directory) All() []*Tenant {
	s := d.snap.Load()
	out := make([]*Tenant, 0, len(s.order))
	for _, id := range s.order {
		out = append(out, s.byID[id])
	}
	return out
}

// Silo reports whether tenant id is on the silo tier (jobs.Router): its jobs go to a
// queue of its own that only its own workers work.
func (d *Directory) Silo(id tenant.ID) bool {
	t, ok := d.ByID(id)
	return ok && t.Config.Hosting.TierOrDefault() == TierSilo
}

// IDs returns the ids of the tenants in the directory, in its order.
func (d *Directory) IDs() []tenant.ID {
	var ids []tenant.ID
	for _, t := range d.All() {
		ids = append(ids, t.Config.ID)
	}
	return ids
}

// Following is the part of a long-running role that keeps d up to date (Follow) until
// ctx ends.
func (d *Directory) Following(pool *pgxpool.Pool, interval time.Duration, log *slog.Logger) func(ctx context.Context) error {
	return func(ctx context.Context) error { d.Follow(ctx, pool, interval, log); return nil }
}
