// Package authz decides what a principal may do in a tenant: casbin RBAC with
// domains, where a domain is a tenant (gemeente), and deny by default.
//
// The grants are embedded (policy.csv, model.conf). Roles of the gemeenten are
// written once, as templates, and instantiated per tenant; each tenant gets its own
// casbin enforcer, built on first use and cached, holding only that tenant's rows and
// the coöperatie's. One enforcer over every tenant's policy would scan all of them on
// each call (milliseconds, not microseconds; see ARCHITECTURE.md, Pitfalls). Because
// an enforcer is never changed once built (a policy change replaces it), it also
// caches its decisions.
//
// The casbin model itself keeps tenants apart: a request carries the principal's home
// tenant next to the tenant it acts in, and a row applies only when both are the
// row's tenant. Only the coop-operator role holds in every tenant, and it has no
// resident data. Authorization is one of three walls (with row-level security and the
// tenant in job args); it does not rely on the others, nor they on it.
//
// "Own data only" for residents and four-eyes on settlement approval are checked by
// the services, which know the records: authz answers only whether a role may take an
// action on a kind of object in a tenant.
package authz

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/casbin/casbin/v2"

	"github.com/plein-nl/plein/platform/tenant"
)

var (
	// ErrForbidden is wrapped by every decision to deny an authenticated principal.
	ErrForbidden = errors.New("forbidden")
	// ErrUnauthenticated is returned for a principal without a subject.
	ErrUnauthenticated = errors.New("unauthenticated")
	// ErrUnknownRole is returned by ParseRole, and for policy naming an unknown role.
	ErrUnknownRole = errors.New("unknown role")
	// ErrUnknownPermission is wrapped, with ErrForbidden, when an object and action
	// pair is not in the vocabulary (see Permissions): a bug in the caller.
	ErrUnknownPermission = errors.New("unknown object or action")
	// ErrInvalidPolicy is returned when the embedded policy or a tenant's own grants
	// do not validate.
	ErrInvalidPolicy = errors.New("invalid authorization policy")
)

// Grant gives a role a permission. A PolicySource returns a tenant's own grants.
type Grant struct {
	Role       Role
	Permission Permission
}

// PolicySource supplies a tenant's own grants on top of the embedded ones, for
// example from a table the tenant admin edits. Grants may name any role but
// RoleCoopOperator, and only add: whatever the embedded policy grants, it grants in
// every tenant. After a tenant's grants change, call Authorizer.Reload.
type PolicySource interface {
	TenantGrants(ctx context.Context, id tenant.ID) ([]Grant, error)
}

// Option configures an Authorizer.
type Option func(*Authorizer)

// WithPolicySource adds each tenant's own grants from src. Without it, every tenant
// has exactly the embedded grants.
func WithPolicySource(src PolicySource) Option {
	return func(a *Authorizer) { a.source = src }
}

// Authorizer answers authorization questions. It is safe for concurrent use.
type Authorizer struct {
	modelText string
	rules     []rule
	roles     map[Role]bool
	perms     map[Permission]bool
	source    PolicySource

	// enforcers holds one *entry per domain (a tenant id, or coopDomain), built
	// lazily. Entries are replaced whole, never changed once ready.
	enforcers sync.Map
}

// entry is one domain's enforcer, or the failure to build it. ready is closed once
// enf or err is set; callers that find an entry being built wait for it, so a tenant
// is built once however many requests arrive for it at the same time.
type entry struct {
	ready chan struct{}
	enf   *casbin.SyncedCachedEnforcer
	err   error
}

// errBuildAborted is what waiters see if building an enforcer panicked.
var errBuildAborted = errors.New("building enforcer aborted")

// New returns an Authorizer over the embedded model and policy. It validates both,
// and checks that the model grants each row in its own tenant and denies it from
// another, so a broken policy stops the process at start rather than at a request.
func New(opts ...Option) (*Authorizer, error) {
	return newAuthorizer(modelText, policyText, opts...)
}

func newAuthorizer(modelText, policyText string, opts ...Option) (*Authorizer, error) {
	a := &Authorizer{
		modelText: modelText,
		roles:     make(map[Role]bool),
		perms:     make(map[Permission]bool),
	}
	for _, r := range Roles() {
		a.roles[r] = true
	}
	for _, p := range Permissions() {
		a.perms[p] = true
	}
	for _, opt := range opts {
		opt(a)
	}
	rules, err := parsePolicy(policyText, a.perms)
	if err != nil {
		return nil, err
	}
	a.rules = rules
	if err := a.selfCheck(); err != nil {
		return nil, err
	}
	return a, nil
}

// selfCheck runs every row through the model in one enforcer holding the rows of two
// probe tenants. Each row must be granted to its role at home and, unless it is a
// coöperatie row, denied to the same role asking from the other tenant and denied to
// it asking for the other tenant. Tenant enforcers in production hold one tenant
// each, so the second check also keeps the model safe should that ever change.
func (a *Authorizer) selfCheck() error {
	const home, other = "authz-probe-a", "authz-probe-b"
	rows := append(domainRows(a.rules, home, nil), domainRows(a.rules, other, nil)...)
	enf, err := newEnforcer(a.modelText, rows)
	if err != nil {
		return err
	}
	enforce := func(ru rule, from, dom string) (bool, error) {
		ok, err := enf.Enforce(string(ru.role), from, dom, string(ru.perm.Object), string(ru.perm.Action))
		if err != nil {
			return false, fmt.Errorf("%w: model: %w", ErrInvalidPolicy, err)
		}
		return ok, nil
	}
	for _, ru := range a.rules {
		from := home
		if ru.dom == coopDomain {
			from = coopDomain
		}
		ok, err := enforce(ru, from, home)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("%w: model does not grant %s %s in its own tenant", ErrInvalidPolicy, ru.role, ru.perm)
		}
		if ru.dom == coopDomain {
			continue
		}
		for _, req := range [][2]string{{other, home}, {home, other}} {
			ok, err := enforce(ru, req[0], req[1])
			if err != nil {
				return err
			}
			if ok {
				return fmt.Errorf("%w: model grants %s %s across tenants", ErrInvalidPolicy, ru.role, ru.perm)
			}
		}
	}
	return nil
}

// Authorize returns nil if p may take act on obj in the target tenant. Otherwise it
// returns an error: one wrapping ErrUnauthenticated for a principal without a
// subject, ErrForbidden for a denial (also for an invalid target, which wraps
// tenant.ErrInvalidID as well), and any other error for a failure to decide (the
// PolicySource failed, ctx ended). Every non-nil error means deny.
//
// p may act only in its home tenant, except through RoleCoopOperator, which holds
// in every tenant. Each target's enforcer is cached until Invalidate: pass tenants
// that exist (resolved at the edge from their configuration), not raw user input.
func (a *Authorizer) Authorize(ctx context.Context, p Principal, target tenant.ID, obj Object, act Action) error {
	if p.Subject == "" {
		return fmt.Errorf("authz: %w", ErrUnauthenticated)
	}
	if _, err := tenant.Parse(string(target)); err != nil {
		return fmt.Errorf("authz: %w: target: %w", ErrForbidden, err)
	}
	return a.authorize(ctx, p, string(target), obj, act)
}

// AuthorizeCooperative is Authorize for a request that concerns no single tenant,
// such as listing all tenants. Only coöperatie grants apply: in practice, only a
// coop-operator is ever allowed.
func (a *Authorizer) AuthorizeCooperative(ctx context.Context, p Principal, obj Object, act Action) error {
	if p.Subject == "" {
		return fmt.Errorf("authz: %w", ErrUnauthenticated)
	}
	return a.authorize(ctx, p, coopDomain, obj, act)
}

// Can reports whether Authorize returns nil.
func (a *Authorizer) Can(ctx context.Context, p Principal, target tenant.ID, obj Object, act Action) bool {
	return a.Authorize(ctx, p, target, obj, act) == nil
}

func (a *Authorizer) authorize(ctx context.Context, p Principal, dom string, obj Object, act Action) error {
	if !a.perms[Permission{obj, act}] {
		return fmt.Errorf("authz: %w: %w: %s %s", ErrForbidden, ErrUnknownPermission, obj, act)
	}
	home := coopDomain
	if p.Tenant != "" {
		if !p.Tenant.Valid() {
			return fmt.Errorf("authz: %w: principal's tenant: %w", ErrForbidden, tenant.ErrInvalidID)
		}
		home = string(p.Tenant)
	}
	enf, err := a.enforcer(ctx, dom)
	if err != nil {
		return fmt.Errorf("authz: %s: %w", dom, err)
	}
	// casbin caches the enforcer's decisions for a principal at home or of the
	// coöperatie: at most roles × permissions × 2 per tenant. A principal of another
	// tenant (which is always denied) is decided by the model afresh each time,
	// so that such requests cannot grow the cache.
	enforce := enf.SyncedEnforcer.Enforce
	if home == dom || home == coopDomain {
		enforce = enf.Enforce
	}
	// Each role is asked on its own: the principal's roles are its verified claims,
	// and the model, not this loop, decides whether a role holds in dom.
	for _, r := range p.Roles {
		if !a.roles[r] {
			continue // an unknown role grants nothing
		}
		ok, err := enforce(string(r), home, dom, string(obj), string(act))
		if err != nil {
			return fmt.Errorf("authz: enforce: %w", err)
		}
		if ok {
			return nil
		}
	}
	return fmt.Errorf("authz: %w: roles %v of %s may not %s %s in %s", ErrForbidden, p.Roles, home, act, obj, dom)
}

// enforcer returns the enforcer of dom, building it on first use. A failed build is
// not cached: the next call tries again.
func (a *Authorizer) enforcer(ctx context.Context, dom string) (*casbin.SyncedCachedEnforcer, error) {
	v, ok := a.enforcers.Load(dom)
	if !ok {
		e := &entry{ready: make(chan struct{})}
		if v, ok = a.enforcers.LoadOrStore(dom, e); !ok {
			a.fill(ctx, dom, e)
		}
	}
	e := v.(*entry)
	select {
	case <-e.ready:
	default:
		select {
		case <-e.ready:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	return e.enf, e.err
}

// fill builds e for dom and publishes it by closing e.ready. On failure (or a panic
// in the PolicySource) it removes e from the cache, unless something replaced it.
func (a *Authorizer) fill(ctx context.Context, dom string, e *entry) {
	e.err = errBuildAborted
	defer func() {
		if e.err != nil {
			a.enforcers.CompareAndDelete(dom, e)
		}
		close(e.ready)
	}()
	e.enf, e.err = a.build(ctx, dom)
}

func (a *Authorizer) build(ctx context.Context, dom string) (*casbin.SyncedCachedEnforcer, error) {
	var grants []Grant
	if a.source != nil && dom != coopDomain {
		var err error
		grants, err = a.source.TenantGrants(ctx, tenant.ID(dom))
		if err != nil {
			return nil, fmt.Errorf("tenant grants: %w", err)
		}
		if err := validateGrants(grants, a.perms); err != nil {
			return nil, err
		}
	}
	return newEnforcer(a.modelText, domainRows(a.rules, dom, grants))
}

// Reload rebuilds the enforcer of tenant id now, from the embedded policy and the
// PolicySource, and swaps it in for the requests that follow. If it fails, the
// tenant's cached enforcer is dropped, so that no request is decided on a policy
// known to be stale: the next one builds it again (and fails closed if it cannot).
func (a *Authorizer) Reload(ctx context.Context, id tenant.ID) error {
	if _, err := tenant.Parse(string(id)); err != nil {
		return fmt.Errorf("authz: reload: %w", err)
	}
	enf, err := a.build(ctx, string(id))
	if err != nil {
		a.enforcers.Delete(string(id))
		return fmt.Errorf("authz: reload %s: %w", id, err)
	}
	e := &entry{ready: make(chan struct{}), enf: enf}
	close(e.ready)
	a.enforcers.Store(string(id), e)
	return nil
}

// Invalidate drops the cached enforcer of tenant id; the next request for it builds
// a new one. Use it when a tenant's grants change and nobody needs to wait for the
// rebuild, or when a tenant is offboarded.
func (a *Authorizer) Invalidate(id tenant.ID) {
	a.enforcers.Delete(string(id))
}
