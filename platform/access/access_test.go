package access_test

import (
	"context"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/plein-nl/plein/platform/access"
	"github.com/plein-nl/plein/platform/authz"
	"github.com/plein-nl/plein/platform/authz/authztest"
	"github.com/plein-nl/plein/platform/ratelimit"
	"github.com/plein-nl/plein/platform/tenant"
)

var (
	planWrite = authz.Permission{Object: authz.ObjectPaymentPlan, Action: authz.ActionWrite}
	configRd  = authz.Permission{Object: authz.ObjectTenantConfig, Action: authz.ActionRead}
	tenantsLs = authz.Permission{Object: authz.ObjectTenants, Action: authz.ActionList}
)

// The routes of the tests, one per kind of rule.
var rules = map[string]access.Rule{
	"POST /t/{tenant}/residents/{id}/plans": {Staff: []authz.Permission{planWrite}, Self: authz.ActionWrite},
	"GET /t/{tenant}/config":                {Staff: []authz.Permission{planWrite, configRd}},
	"GET /tenants":                          {Staff: []authz.Permission{tenantsLs}},
	"POST /t/{tenant}/partner/payslips":     {Partner: authz.RoleEmployer},
	"GET /openapi.yaml":                     {Anyone: true},
	"POST /t/{tenant}/search":               {Staff: []authz.Permission{planWrite}, Limit: ratelimit.Search},
	"GET /t/{tenant}/nobody":                {},
}

// limiter lets max requests through per client, and records who asked.
type limiter struct {
	max     int
	clients []string
}

func (l *limiter) Check(w http.ResponseWriter, _ *http.Request, _ tenant.ID, c ratelimit.Class, client string) bool {
	l.clients = append(l.clients, string(c)+" "+client)
	if len(l.clients) > l.max {
		w.WriteHeader(http.StatusTooManyRequests)
		return false
	}
	return true
}

func newTable(t *testing.T, lim access.Limiter, floor time.Duration) *access.Table {
	t.Helper()
	tb := access.NewTable(access.Config{Rules: rules, Authorizer: authztest.New(t), Limiter: lim, PartnerFloor: floor})
	for _, p := range slices.Sorted(maps.Keys(rules)) {
		tb.HandleFunc(p, func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusTeapot) })
	}
	return tb
}

// call sends method path as p; tenant is the request's tenant ("" for none), as the
// edge would have put it in the context.
func call(tb http.Handler, p authz.Principal, t tenant.ID, method, path string) int {
	ctx := authz.WithPrincipal(context.Background(), p)
	if t != "" {
		ctx = tenant.WithID(ctx, t)
	}
	rec := httptest.NewRecorder()
	tb.ServeHTTP(rec, httptest.NewRequestWithContext(ctx, method, path, nil))
	return rec.Code
}

// TestRules calls every kind of route as every kind of principal: staff by
// permission, in their tenant or coöperatie-wide; a resident on her own case only; a
// partner on its own route only; anyone signed in on an open route; nobody on a route
// without grants.
func TestRules(t *testing.T) {
	t.Parallel()
	tb := newTable(t, nil, 0)
	principals := map[string]authz.Principal{
		"cons":  {Subject: "cons-z", Tenant: "zwolle", Roles: []authz.Role{authz.RoleConsulent}},
		"admin": {Subject: "admin-z", Tenant: "zwolle", Roles: []authz.Role{authz.RoleTenantAdmin}},
		"op":    {Subject: "op-1", Roles: []authz.Role{authz.RoleCoopOperator}},
		"self":  {Subject: "digid:r-1", Tenant: "zwolle", Roles: []authz.Role{authz.RoleResident}, ResidentID: "r-1"},
		"emp":   {Subject: "employer:acme", Tenant: "zwolle", Roles: []authz.Role{authz.RoleEmployer}},
		"cred":  {Subject: "creditor:vitens", Tenant: "zwolle", Roles: []authz.Role{authz.RoleCreditor}},
		// An employer that also claims staff roles is still only a partner.
		"emp+cons": {Subject: "employer:x", Tenant: "zwolle", Roles: []authz.Role{authz.RoleEmployer, authz.RoleConsulent}},
		"foreign":  {Subject: "cons-e", Tenant: "enschede", Roles: []authz.Role{authz.RoleConsulent}},
		"nobody":   {},
	}
	for _, c := range []struct {
		method, path string
		t            tenant.ID
		allowed      string
	}{
		{"POST", "/t/zwolle/residents/r-1/plans", "zwolle", "cons self"},
		{"POST", "/t/zwolle/residents/r-2/plans", "zwolle", "cons"},
		{"GET", "/t/zwolle/config", "zwolle", "cons admin op"},
		{"GET", "/tenants", "", "op"},
		{"POST", "/t/zwolle/partner/payslips", "zwolle", "emp emp+cons"},
		{"GET", "/openapi.yaml", "", "cons admin op self emp cred emp+cons foreign"},
		{"GET", "/t/zwolle/nobody", "zwolle", ""},
	} {
		for who, p := range principals {
			got := call(tb, p, c.t, c.method, c.path)
			want := http.StatusForbidden
			if slices.Contains(strings.Fields(c.allowed), who) {
				want = http.StatusTeapot
			}
			if got != want {
				t.Errorf("%s %s as %s: %d, want %d", c.method, c.path, who, got, want)
			}
		}
	}
}

// TestHandleWithoutRule: mounting a route nobody decided about stops the process.
func TestHandleWithoutRule(t *testing.T) {
	t.Parallel()
	tb := newTable(t, nil, 0)
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(string), "GET /secret") {
			t.Errorf("mounting a route without a rule: recovered %v, want a panic naming the route", r)
		}
	}()
	tb.HandleFunc("GET /secret", func(http.ResponseWriter, *http.Request) {})
}

// TestPatterns: the table tells what it mounted, in order.
func TestPatterns(t *testing.T) {
	t.Parallel()
	tb := access.NewTable(access.Config{Rules: rules, Authorizer: authztest.New(t)})
	tb.HandleFunc("GET /tenants", func(http.ResponseWriter, *http.Request) {})
	tb.HandleFunc("GET /openapi.yaml", func(http.ResponseWriter, *http.Request) {})
	if got := tb.Patterns(); !slices.Equal(got, []string{"GET /tenants", "GET /openapi.yaml"}) {
		t.Errorf("Patterns() = %q", got)
	}
}

// TestLimit: a route with a limit class is counted per principal, after its rule:
// a refused principal costs the limit nothing.
func TestLimit(t *testing.T) {
	t.Parallel()
	lim := &limiter{max: 1}
	tb := newTable(t, lim, 0)
	cons := authz.Principal{Subject: "cons-z", Tenant: "zwolle", Roles: []authz.Role{authz.RoleConsulent}}
	emp := authz.Principal{Subject: "employer:acme", Tenant: "zwolle", Roles: []authz.Role{authz.RoleEmployer}}
	if got := call(tb, emp, "zwolle", "POST", "/t/zwolle/search"); got != http.StatusForbidden {
		t.Errorf("search as an employer: %d, want 403", got)
	}
	for i, want := range []int{http.StatusTeapot, http.StatusTooManyRequests} {
		if got := call(tb, cons, "zwolle", "POST", "/t/zwolle/search"); got != want {
			t.Errorf("search %d: %d, want %d", i+1, got, want)
		}
	}
	call(tb, cons, "zwolle", "GET", "/t/zwolle/config") // no limit class: not counted
	if want := []string{"search cons-z", "search cons-z"}; !slices.Equal(lim.clients, want) {
		t.Errorf("limiter asked for %q, want %q", lim.clients, want)
	}
}

// TestPartnerFloor: a partner route answers at a whole multiple of the floor, with
// the handler's status, headers and body; other routes answer at once.
func TestPartnerFloor(t *testing.T) {
	t.Parallel()
	const floor = 40 * time.Millisecond
	tb := access.NewTable(access.Config{Rules: rules, Authorizer: authztest.New(t), PartnerFloor: floor})
	tb.HandleFunc("POST /t/{tenant}/partner/payslips", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("X-Test", "kept")
		w.WriteHeader(http.StatusForbidden)
		_, _ = w.Write([]byte("no consent"))
	})
	tb.HandleFunc("GET /openapi.yaml", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("spec")) })
	emp := authz.Principal{Subject: "employer:acme", Tenant: "zwolle", Roles: []authz.Role{authz.RoleEmployer}}
	ctx := tenant.WithID(authz.WithPrincipal(context.Background(), emp), "zwolle")

	start := time.Now()
	rec := httptest.NewRecorder()
	tb.ServeHTTP(rec, httptest.NewRequestWithContext(ctx, "POST", "/t/zwolle/partner/payslips", nil))
	if took := time.Since(start); took < floor {
		t.Errorf("partner answer after %s, want at least the floor %s", took, floor)
	}
	if rec.Code != http.StatusForbidden || rec.Header().Get("X-Test") != "kept" || rec.Body.String() != "no consent" {
		t.Errorf("partner answer: %d %q %q, want the handler's 403, header and body", rec.Code, rec.Header().Get("X-Test"), rec.Body)
	}
	start = time.Now()
	rec = httptest.NewRecorder()
	tb.ServeHTTP(rec, httptest.NewRequestWithContext(ctx, "GET", "/openapi.yaml", nil))
	if took := time.Since(start); took >= floor || rec.Body.String() != "spec" {
		t.Errorf("open route: %q after %s, want spec at once", rec.Body, took)
	}
}

// TestFloorRoundsUp: an answer slower than the floor waits for the next multiple.
func TestFloorRoundsUp(t *testing.T) {
	t.Parallel()
	const d = 30 * time.Millisecond
	h := access.Floor(d, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		time.Sleep(d + d/3)
		_, _ = w.Write([]byte("late"))
	}))
	start := time.Now()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	if took := time.Since(start); took < 2*d || rec.Code != http.StatusOK || rec.Body.String() != "late" {
		t.Errorf("a slow answer: %d %q after %s, want 200 late after at least %s", rec.Code, rec.Body, took, 2*d)
	}
}
