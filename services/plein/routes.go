package main

import (
	"fmt"
	"net/http"
	"slices"

	"github.com/plein-nl/plein/platform/authz"
	"github.com/plein-nl/plein/platform/problem"
	"github.com/plein-nl/plein/platform/ratelimit"
	"github.com/plein-nl/plein/platform/tenant"
)

// access says who may call one API route. The route table checks it at the edge,
// before the route reads its body; the services check again, by object, inside. A
// principal is one kind: a partner (employer, creditor), a resident, or staff (the
// gemeente's roles and the coöperatie's operators).
type access struct {
	// staff are the permissions, any one of which lets staff call the route; none
	// means staff may not.
	staff []authz.Permission
	// self lets a resident call the route for her own case only: the path's {id} must
	// be her resident id, and she must hold self:<self>.
	self authz.Action
	// partner lets that machine partner, and only it, call the route.
	partner authz.Role
	// anyone lets every authenticated principal through (the API's descriptions, the
	// answer to an unknown path).
	anyone bool
	// limit, when set, is the rate limit class of the route, counted per principal.
	limit ratelimit.Class
}

func perms(ps ...authz.Permission) []authz.Permission { return ps }

var (
	residentRead  = authz.Permission{Object: authz.ObjectResident, Action: authz.ActionRead}
	residentWrite = authz.Permission{Object: authz.ObjectResident, Action: authz.ActionWrite}
	payslipRead   = authz.Permission{Object: authz.ObjectPayslip, Action: authz.ActionRead}
	payslipWrite  = authz.Permission{Object: authz.ObjectPayslip, Action: authz.ActionWrite}
	planRead      = authz.Permission{Object: authz.ObjectPaymentPlan, Action: authz.ActionRead}
	planWrite     = authz.Permission{Object: authz.ObjectPaymentPlan, Action: authz.ActionWrite}
	planApprove   = authz.Permission{Object: authz.ObjectPaymentPlan, Action: authz.ActionApprove}
	debtRead      = authz.Permission{Object: authz.ObjectDebt, Action: authz.ActionRead}
	debtWrite     = authz.Permission{Object: authz.ObjectDebt, Action: authz.ActionWrite}
	signalRead    = authz.Permission{Object: authz.ObjectSignal, Action: authz.ActionRead}
	configRead    = authz.Permission{Object: authz.ObjectTenantConfig, Action: authz.ActionRead}
	configWrite   = authz.Permission{Object: authz.ObjectTenantConfig, Action: authz.ActionWrite}
	auditRead     = authz.Permission{Object: authz.ObjectAudit, Action: authz.ActionRead}
	tenantsList   = authz.Permission{Object: authz.ObjectTenants, Action: authz.ActionList}
	tenantsMove   = authz.Permission{Object: authz.ObjectTenants, Action: authz.ActionLifecycle}
	settleRead    = authz.Permission{Object: authz.ObjectSettlement, Action: authz.ActionRead}
	settleRun     = authz.Permission{Object: authz.ObjectSettlement, Action: authz.ActionRun}
	settleApprove = authz.Permission{Object: authz.ObjectSettlement, Action: authz.ActionApprove}
)

// apiAccess is the access rule of every API route, by its mux pattern. A route mounted
// without a rule here stops the process at start (routeTable.Handle), so no route is
// ever reachable by default; TestRouteAccess calls every route as every kind of
// principal.
var apiAccess = map[string]access{
	// The tenant registry and the audit trail.
	"GET /api/v1/tenants":                 {staff: perms(tenantsList)},
	"GET /api/v1/tenants/{tenant}/config": {staff: perms(configRead)},
	"GET /api/v1/tenants/{tenant}/audit":  {staff: perms(auditRead)},
	// The operators' lifecycle API (coöperatie-wide).
	"GET /api/v1/operator/tenants":                   {staff: perms(tenantsList)},
	"GET /api/v1/operator/tenants/{tenant}":          {staff: perms(configRead)},
	"GET /api/v1/operator/tenants/{tenant}/events":   {staff: perms(tenantsList)},
	"POST /api/v1/operator/tenants/{tenant}/suspend": {staff: perms(tenantsMove)},
	"POST /api/v1/operator/tenants/{tenant}/resume":  {staff: perms(tenantsMove)},
	// Residents' case data: staff only.
	"POST /api/v1/tenants/{tenant}/residents":        {staff: perms(residentWrite)},
	"POST /api/v1/tenants/{tenant}/residents/search": {staff: perms(residentRead), limit: ratelimit.Search},
	"GET /api/v1/tenants/{tenant}/residents":         {staff: perms(residentRead)},
	"GET /api/v1/tenants/{tenant}/residents/{id}":    {staff: perms(residentRead)},
	"PATCH /api/v1/tenants/{tenant}/residents/{id}":  {staff: perms(residentWrite)},
	// Months and payslips: staff record payslips on a resident's behalf (payslip:write,
	// which neither residents nor employers hold); employers only on the partner route.
	"GET /api/v1/tenants/{tenant}/residents/{id}/months/{period}":                   {staff: perms(residentRead), limit: ratelimit.Calc},
	"GET /api/v1/tenants/{tenant}/residents/{id}/payslips":                          {staff: perms(payslipRead)},
	"POST /api/v1/tenants/{tenant}/residents/{id}/payslips":                         {staff: perms(payslipWrite)},
	"POST /api/v1/tenants/{tenant}/residents/{id}/payslips/{payslip}/confirm":       {staff: perms(payslipWrite)},
	"POST /api/v1/tenants/{tenant}/residents/{id}/payslips/{payslip}/decline":       {staff: perms(payslipWrite)},
	"POST /api/v1/tenants/{tenant}/partner/payslips":                                {partner: authz.RoleEmployer, limit: ratelimit.Partner},
	"GET /api/v1/tenants/{tenant}/creditors":                                        {staff: perms(planRead, configRead)},
	"POST /api/v1/tenants/{tenant}/creditors":                                       {staff: perms(planWrite, configWrite)},
	"GET /api/v1/tenants/{tenant}/creditors/{id}":                                   {staff: perms(planRead, configRead)},
	"GET /api/v1/tenants/{tenant}/creditors/{id}/messages":                          {staff: perms(planRead)},
	"POST /api/v1/tenants/{tenant}/residents/{id}/plans":                            {staff: perms(planWrite), self: authz.ActionWrite},
	"GET /api/v1/tenants/{tenant}/residents/{id}/plans":                             {staff: perms(planRead)},
	"GET /api/v1/tenants/{tenant}/residents/{id}/plans/{plan}":                      {staff: perms(planRead)},
	"PATCH /api/v1/tenants/{tenant}/residents/{id}/plans/{plan}":                    {staff: perms(planWrite)},
	"POST /api/v1/tenants/{tenant}/residents/{id}/plans/{plan}/approve":             {staff: perms(planApprove)},
	"POST /api/v1/tenants/{tenant}/residents/{id}/plans/{plan}/reject":              {staff: perms(planApprove)},
	"POST /api/v1/tenants/{tenant}/residents/{id}/plans/{plan}/stop":                {staff: perms(planWrite), self: authz.ActionWrite},
	"GET /api/v1/tenants/{tenant}/residents/{id}/shortfalls":                        {staff: perms(planRead)},
	"GET /api/v1/tenants/{tenant}/residents/{id}/debts":                             {staff: perms(debtRead)},
	"POST /api/v1/tenants/{tenant}/residents/{id}/debts":                            {staff: perms(debtWrite)},
	"PATCH /api/v1/tenants/{tenant}/residents/{id}/debts/{debt}":                    {staff: perms(debtWrite)},
	"GET /api/v1/tenants/{tenant}/residents/{id}/plan-van-aanpak":                   {staff: perms(debtRead)},
	"POST /api/v1/tenants/{tenant}/residents/{id}/plan-van-aanpak":                  {staff: perms(debtWrite)},
	"GET /api/v1/tenants/{tenant}/residents/{id}/traject":                           {staff: perms(debtRead)},
	"POST /api/v1/tenants/{tenant}/residents/{id}/traject":                          {staff: perms(debtWrite)},
	"POST /api/v1/tenants/{tenant}/residents/{id}/traject/offers/{creditor}/accept": {staff: perms(debtWrite)},
	"POST /api/v1/tenants/{tenant}/residents/{id}/traject/offers/{creditor}/reject": {staff: perms(debtWrite)},
	"GET /api/v1/tenants/{tenant}/schuldhulp/queue":                                 {staff: perms(signalRead)},
	"POST /api/v1/tenants/{tenant}/schuldhulp/signals/{item}/contact":               {staff: perms(debtWrite)},
	"POST /api/v1/tenants/{tenant}/schuldhulp/signals/{item}/accept":                {staff: perms(debtWrite)},
	"POST /api/v1/tenants/{tenant}/schuldhulp/signals/{item}/decline":               {staff: perms(debtWrite)},
	"POST /api/v1/tenants/{tenant}/schuldhulp/signals/{item}/resident":              {staff: perms(debtWrite)},
	"POST /api/v1/tenants/{tenant}/schuldhulp/requests":                             {staff: perms(debtWrite)},
	"POST /api/v1/tenants/{tenant}/schuldhulp/requests/{item}/contact":              {staff: perms(debtWrite)},
	"POST /api/v1/tenants/{tenant}/partner/signals":                                 {partner: authz.RoleCreditor, limit: ratelimit.Partner},
	// Settlement.
	"GET /api/v1/settlement/runs":                                    {staff: perms(settleRead)},
	"POST /api/v1/tenants/{tenant}/settlement/runs":                  {staff: perms(settleRun)},
	"GET /api/v1/tenants/{tenant}/settlement/runs":                   {staff: perms(settleRead)},
	"GET /api/v1/tenants/{tenant}/settlement/runs/{id}":              {staff: perms(settleRead)},
	"GET /api/v1/tenants/{tenant}/settlement/runs/{id}/diff":         {staff: perms(settleRead)},
	"POST /api/v1/tenants/{tenant}/settlement/runs/{id}/approve":     {staff: perms(settleApprove)},
	"POST /api/v1/tenants/{tenant}/settlement/runs/{id}/cancel":      {staff: perms(settleRun)},
	"GET /api/v1/tenants/{tenant}/settlement/runs/{id}/files":        {staff: perms(settleRead)},
	"GET /api/v1/tenants/{tenant}/settlement/runs/{id}/files/{name}": {staff: perms(settleRead)},
	// The API's descriptions, and the answer to every other path under /api/.
	"GET /api/v1/openapi/residents.yaml":    {anyone: true},
	"GET /api/v1/openapi/creditors.yaml":    {anyone: true},
	"GET /api/v1/openapi/paymentplans.yaml": {anyone: true},
	"GET /api/v1/openapi/debts.yaml":        {anyone: true},
	"/api/":                                 {anyone: true},
}

// routeTable mounts API routes on a mux, each behind its access rule.
type routeTable struct {
	mux      *http.ServeMux
	az       *authz.Authorizer
	limiter  *ratelimit.Limiter
	rules    map[string]access
	patterns []string // mounted, in order
}

func newRouteTable(az *authz.Authorizer, limiter *ratelimit.Limiter) *routeTable {
	return &routeTable{mux: http.NewServeMux(), az: az, limiter: limiter, rules: apiAccess}
}

// Handle mounts h at pattern behind the pattern's access rule. A pattern without a
// rule is a programming error: it panics, so the process (and every test that builds
// the app) stops at once instead of serving a route nobody decided about.
func (rt *routeTable) Handle(pattern string, h http.Handler) {
	a, ok := rt.rules[pattern]
	if !ok {
		panic(fmt.Sprintf("route %q has no access rule in apiAccess (services/plein/routes.go)", pattern))
	}
	rt.patterns = append(rt.patterns, pattern)
	if a.partner != "" {
		h = withFloor(partnerFloor, h)
	}
	rt.mux.Handle(pattern, rt.guard(a, h))
}

// HandleFunc is Handle for a function.
func (rt *routeTable) HandleFunc(pattern string, f func(http.ResponseWriter, *http.Request)) {
	rt.Handle(pattern, http.HandlerFunc(f))
}

func (rt *routeTable) ServeHTTP(w http.ResponseWriter, r *http.Request) { rt.mux.ServeHTTP(w, r) }

func (rt *routeTable) guard(a access, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := rt.allow(r, a); err != nil {
			problem.Forbidden(w, r, "not allowed for this principal")
			return
		}
		if a.limit != "" && rt.limiter != nil {
			t, _ := tenant.FromContext(r.Context())
			if !rt.limiter.Check(w, r, t, a.limit, authz.PrincipalFrom(r.Context()).Subject) {
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// allow decides a's rule for the request's principal (put in the context by the edge).
func (rt *routeTable) allow(r *http.Request, a access) error {
	ctx := r.Context()
	p := authz.PrincipalFrom(ctx)
	if p.Subject == "" {
		return authz.ErrUnauthenticated
	}
	if a.anyone {
		return nil
	}
	is := func(role authz.Role) bool { return slices.Contains(p.Roles, role) }
	switch {
	case is(authz.RoleEmployer) || is(authz.RoleCreditor):
		if a.partner != "" && is(a.partner) {
			return nil
		}
		return authz.ErrForbidden
	case is(authz.RoleResident):
		// A resident acts on her own case only: the object of the route is the
		// resident in its path, and it must be she.
		if a.self == "" || !p.IsSelf(r.PathValue("id")) {
			return authz.ErrForbidden
		}
		t, ok := tenant.FromContext(ctx)
		if !ok {
			return authz.ErrForbidden
		}
		return rt.az.Authorize(ctx, p, t, authz.ObjectSelf, a.self)
	}
	if len(a.staff) == 0 {
		return authz.ErrForbidden
	}
	t, inTenant := tenant.FromContext(ctx)
	for _, perm := range a.staff {
		var err error
		if inTenant {
			err = rt.az.Authorize(ctx, p, t, perm.Object, perm.Action)
		} else {
			err = rt.az.AuthorizeCooperative(ctx, p, perm.Object, perm.Action)
		}
		if err == nil {
			return nil
		}
	}
	return authz.ErrForbidden
}
