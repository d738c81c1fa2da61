// Package tenancy is the tenant registry and its configuration: every gemeente's
// config, versioned with who, when and what changed, validated before it is applied;
// the in-memory directory the portal and the APIs resolve tenants with; and the staff
// API to read them.
package tenancy

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/plein-nl/plein/platform/audit"
	"github.com/plein-nl/plein/platform/authz"
	"github.com/plein-nl/plein/platform/db"
	"github.com/plein-nl/plein/platform/tenant"
)

// Service is the staff API of the tenant registry.
type Service interface {
	// ListTenants lists every tenant (coöperatie operators).
	ListTenants(ctx context.Context) ([]TenantSummary, error)
	// Config returns a tenant's current config and its version history.
	Config(ctx context.Context, id tenant.ID) (TenantConfig, error)
	// AuditLog returns a tenant's newest audit entries.
	AuditLog(ctx context.Context, id tenant.ID, f audit.Filter) ([]audit.Entry, error)
}

// TenantConfig is a tenant's current config with its history.
type TenantConfig struct {
	Tenant   tenant.ID `json:"tenant"`
	Status   Status    `json:"status"`
	Version  int       `json:"version"`
	Config   Config    `json:"config"`
	Versions []Version `json:"versions"`
}

type service struct {
	store *Store
	dir   *Directory
	app   *pgxpool.Pool
}

// NewService returns the service. It authorizes nothing itself: wrap it with
// NewAuthorizing.
func NewService(store *Store, dir *Directory, app *pgxpool.Pool) Service {
	return &service{store: store, dir: dir, app: app}
}

func (s *service) ListTenants(ctx context.Context) ([]TenantSummary, error) {
	return s.store.List(ctx)
}

func (s *service) Config(ctx context.Context, id tenant.ID) (TenantConfig, error) {
	t, ok := s.dir.ByID(id)
	if !ok {
		return TenantConfig{}, fmt.Errorf("%w: %s", ErrTenantNotFound, id)
	}
	hist, err := s.store.History(ctx, id)
	if err != nil {
		return TenantConfig{}, err
	}
	for i := range hist {
		hist[i].Config = Config{} // the history lists diffs; the current config is above
	}
	return TenantConfig{Tenant: id, Status: t.Status, Version: t.Version, Config: t.Config, Versions: hist}, nil
}

func (s *service) AuditLog(ctx context.Context, id tenant.ID, f audit.Filter) ([]audit.Entry, error) {
	var out []audit.Entry
	err := db.InTenant(tenant.WithID(ctx, id), s.app, func(ctx context.Context, tx pgx.Tx) error {
		var err error
		out, err = audit.List(ctx, tx, f)
		return err
	})
	return out, err
}

// Authorizer decides; satisfied by *authz.Authorizer.
type Authorizer interface {
	Authorize(ctx context.Context, p authz.Principal, target tenant.ID, obj authz.Object, act authz.Action) error
	AuthorizeCooperative(ctx context.Context, p authz.Principal, obj authz.Object, act authz.Action) error
}

type authorizing struct {
	next Service
	az   Authorizer
}

// NewAuthorizing wraps a Service so that every call is authorized for the principal
// in the context, deny by default.
func NewAuthorizing(next Service, az Authorizer) Service { return &authorizing{next: next, az: az} }

func (a *authorizing) ListTenants(ctx context.Context) ([]TenantSummary, error) {
	if err := a.az.AuthorizeCooperative(ctx, authz.PrincipalFrom(ctx), authz.ObjectTenants, authz.ActionList); err != nil {
		return nil, err
	}
	return a.next.ListTenants(ctx)
}

func (a *authorizing) Config(ctx context.Context, id tenant.ID) (TenantConfig, error) {
	if err := a.az.Authorize(ctx, authz.PrincipalFrom(ctx), id, authz.ObjectTenantConfig, authz.ActionRead); err != nil {
		return TenantConfig{}, err
	}
	return a.next.Config(ctx, id)
}

func (a *authorizing) AuditLog(ctx context.Context, id tenant.ID, f audit.Filter) ([]audit.Entry, error) {
	if err := a.az.Authorize(ctx, authz.PrincipalFrom(ctx), id, authz.ObjectAudit, authz.ActionRead); err != nil {
		return nil, err
	}
	return a.next.AuditLog(ctx, id, f)
}

// IsNotFound reports whether err means the tenant does not exist.
func IsNotFound(err error) bool { return errors.Is(err, ErrTenantNotFound) }
