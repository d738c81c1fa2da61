// Package access mounts API routes behind their access rules. Each route has a Rule
// saying which kind of principal may call it — staff by permission, a resident on her
// own case, one machine partner, or anyone signed in — and a Table refuses to mount a
// route without one, so no route is ever reachable by default. The rule is checked
// before the route's handler reads its body; the services check again, by object,
// inside.
//
// A principal is one kind: a partner (employer, creditor), a resident, or staff (the
// gemeente's roles and the coöperatie's operators). The principal and the tenant come
// from the request's context, where the authentication edge (platform/auth.Edge)
// puts them.
package access

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/plein-nl/plein/platform/authz"
	"github.com/plein-nl/plein/platform/problem"
	"github.com/plein-nl/plein/platform/ratelimit"
	"github.com/plein-nl/plein/platform/tenant"
)

// Rule says who may call one API route.
type Rule struct {
	// Staff are the permissions, any one of which lets staff call the route; none
	// means staff may not.
	Staff []authz.Permission
	// Self lets a resident call the route for her own case only: the path's {id}
	// must be her resident id, and she must hold self:<Self>.
	Self authz.Action
	// Partner lets that machine partner, and only it, call the route. Its answers are
	// held to the Table's partner floor.
	Partner authz.Role
	// Anyone lets every authenticated principal through (the API's descriptions, the
	// answer to an unknown path).
	Anyone bool
	// Limit, when set, is the rate limit class of the route, counted per principal.
	Limit ratelimit.Class
}

// Authorizer decides a principal's permissions; *authz.Authorizer is one.
type Authorizer interface {
	Authorize(ctx context.Context, p authz.Principal, target tenant.ID, obj authz.Object, act authz.Action) error
	AuthorizeCooperative(ctx context.Context, p authz.Principal, obj authz.Object, act authz.Action) error
}

// Limiter takes one request of a class by a client, answering the 429 itself when
// it may not go on; *ratelimit.Guards and *ratelimit.Limiter are one.
type Limiter interface {
	Check(w http.ResponseWriter, r *http.Request, t tenant.ID, c ratelimit.Class, client string) bool
}

// Config configures a Table.
type Config struct {
	// Rules are the access rules by mux pattern.
	Rules map[string]Rule
	// Authorizer decides the staff's and residents' permissions.
	Authorizer Authorizer
	// Limiter counts the routes with a Limit; nil: none is counted.
	Limiter Limiter
	// PartnerFloor is the grain of a partner route's answer time (Floor); zero: none.
	PartnerFloor time.Duration
}

// Table mounts API routes on a mux, each behind its access rule. It is an
// http.Handler.
type Table struct {
	cfg      Config
	mux      *http.ServeMux
	patterns []string // mounted, in order
}

// NewTable returns an empty table over cfg.
func NewTable(cfg Config) *Table {
	return &Table{cfg: cfg, mux: http.NewServeMux()}
}

// Handle mounts h at pattern behind the pattern's access rule. A pattern without a
// rule is a programming error: it panics, so the process (and every test that builds
// the app) stops at once instead of serving a route nobody decided about.
func (rt *Table) Handle(pattern string, h http.Handler) {
	a, ok := rt.cfg.Rules[pattern]
	if !ok {
		panic(fmt.Sprintf("route %q has no access rule: add one to the table's rules", pattern))
	}
	rt.patterns = append(rt.patterns, pattern)
	if a.Partner != "" && rt.cfg.PartnerFloor > 0 {
		h = Floor(rt.cfg.PartnerFloor, h)
	}
	rt.mux.Handle(pattern, rt.guard(a, h))
}

// HandleFunc is Handle for a function.
func (rt *Table) HandleFunc(pattern string, f func(http.ResponseWriter, *http.Request)) {
	rt.Handle(pattern, http.HandlerFunc(f))
}

// ServeHTTP serves the mounted routes.
func (rt *Table) ServeHTTP(w http.ResponseWriter, r *http.Request) { rt.mux.ServeHTTP(w, r) }

// Handler returns the handler and pattern the table would route r to (httpapi.NoRoute
// asks it which methods a path has).
func (rt *Table) Handler(r *http.Request) (http.Handler, string) { return rt.mux.Handler(r) }

// Patterns returns the mounted patterns, in the order they were mounted.
func (rt *Table) Patterns() []string { return slices.Clone(rt.patterns) }

// guard checks a's rule, then a's rate limit, before next.
func (rt *Table) guard(a Rule, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := rt.allow(r, a); err != nil {
			problem.Forbidden(w, r, "not allowed for this principal")
			return
		}
		if a.Limit != "" && rt.cfg.Limiter != nil {
			t, _ := tenant.FromContext(r.Context())
			if !rt.cfg.Limiter.Check(w, r, t, a.Limit, authz.PrincipalFrom(r.Context()).Subject) {
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// allow decides a's rule for the request's principal.
func (rt *Table) allow(r *http.Request, a Rule) error {
	ctx := r.Context()
	p := authz.PrincipalFrom(ctx)
	if p.Subject == "" {
		return authz.ErrUnauthenticated
	}
	if a.Anyone {
		return nil
	}
	is := func(role authz.Role) bool { return slices.Contains(p.Roles, role) }
	switch {
	case is(authz.RoleEmployer) || is(authz.RoleCreditor):
		if a.Partner != "" && is(a.Partner) {
			return nil
		}
		return authz.ErrForbidden
	case is(authz.RoleResident):
		// A resident acts on her own case only: the object of the route is the
		// resident in its path, and it must be she.
		if a.Self == "" || !p.IsSelf(r.PathValue("id")) {
			return authz.ErrForbidden
		}
		t, ok := tenant.FromContext(ctx)
		if !ok {
			return authz.ErrForbidden
		}
		return rt.cfg.Authorizer.Authorize(ctx, p, t, authz.ObjectSelf, a.Self)
	}
	return rt.allowStaff(ctx, p, a)
}

// allowStaff lets staff through with any one of a's permissions: in the request's
// tenant, or coöperatie-wide on a path without one.
func (rt *Table) allowStaff(ctx context.Context, p authz.Principal, a Rule) error {
	if len(a.Staff) == 0 {
		return authz.ErrForbidden
	}
	t, inTenant := tenant.FromContext(ctx)
	for _, perm := range a.Staff {
		var err error
		if inTenant {
			err = rt.cfg.Authorizer.Authorize(ctx, p, t, perm.Object, perm.Action)
		} else {
			err = rt.cfg.Authorizer.AuthorizeCooperative(ctx, p, perm.Object, perm.Action)
		}
		if err == nil {
			return nil
		}
	}
	return authz.ErrForbidden
}
