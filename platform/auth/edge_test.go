package auth_test

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/plein-nl/plein/platform/auth"
	"github.com/plein-nl/plein/platform/auth/authtest"
	"github.com/plein-nl/plein/platform/authz"
	"github.com/plein-nl/plein/platform/tenant"
)

// edgeDirectory knows zwolle and enschede; enschede is offboarding (read-only).
type edgeDirectory struct{}

func (edgeDirectory) Exists(t tenant.ID) bool   { return t == "zwolle" || t == "enschede" }
func (edgeDirectory) ReadOnly(t tenant.ID) bool { return t == "enschede" }

// keyGuard admits a client's keys until refuse is set, and counts the failures.
type keyGuard struct {
	refuse bool
	failed []tenant.ID
}

func (g *keyGuard) AdmitKey(w http.ResponseWriter, _ *http.Request, _ tenant.ID) bool {
	if g.refuse {
		w.WriteHeader(http.StatusTooManyRequests)
	}
	return !g.refuse
}

func (g *keyGuard) KeyFailed(_ *http.Request, t tenant.ID) { g.failed = append(g.failed, t) }

type edgeBundle struct {
	edge     *auth.Edge
	issuer   *authtest.Issuer // zwolle's staff issuer
	sessions *auth.Sessions
	revoked  *authtest.Revocations
	guard    *keyGuard
	lookups  int // partner key look-ups
}

// setupEdge is an Edge over edgeDirectory with zwolle's issuer, sessions, and one
// partner whose only key is "emp_good" (partner acme).
func setupEdge(t *testing.T) *edgeBundle {
	t.Helper()
	b := &edgeBundle{issuer: authtest.NewIssuer(t), revoked: authtest.NewRevocations(), guard: &keyGuard{}}
	v, err := auth.NewVerifier(t.Context(), auth.VerifierConfig{Issuer: b.issuer.URL, Audience: "plein", Tenant: "zwolle",
		HTTPClient: b.issuer.Client(), Now: time.Now})
	if err != nil {
		t.Fatal(err)
	}
	b.sessions, err = auth.NewSessions(auth.SessionConfig{Key: testKey(3), Secure: true, Now: time.Now, Revocations: b.revoked})
	if err != nil {
		t.Fatal(err)
	}
	b.edge = &auth.Edge{Directory: edgeDirectory{}, Sessions: b.sessions, Verifiers: map[string]*auth.Verifier{b.issuer.URL: v},
		KeyGuard: b.guard, Partners: map[string]auth.Partner{"emp_": {Role: authz.RoleEmployer, SubjectPrefix: "employer:",
			Authenticate: func(_ context.Context, _ tenant.ID, key string) (string, error) {
				b.lookups++
				if key != "emp_good" {
					return "", errors.New("no such key")
				}
				return "acme", nil
			}}}}
	return b
}

// seen is what the handler behind the edge saw.
type seen struct {
	principal authz.Principal
	tenant    tenant.ID
	called    bool
}

// serve sends r through the edge and returns the answer and what the handler saw.
func (b *edgeBundle) serve(r *http.Request) (*httptest.ResponseRecorder, seen) {
	var s seen
	h := b.edge.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s = seen{principal: authz.PrincipalFrom(r.Context()), called: true}
		s.tenant, _ = tenant.FromContext(r.Context())
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	return rec, s
}

func edgeRequest(method, path, bearer string, header map[string]string) *http.Request {
	r := httptest.NewRequest(method, "https://api.example"+path, nil)
	if bearer != "" {
		r.Header.Set("Authorization", "Bearer "+bearer)
	}
	for k, v := range header {
		r.Header.Set(k, v)
	}
	return r
}

// TestEdge: the edge resolves the path's tenant, refuses a forged tenant header, and
// lets in an ID token, a partner key or a session of the path's tenant, putting the
// principal and the tenant in the context; every refusal is problem JSON.
func TestEdge(t *testing.T) {
	t.Parallel()
	b := setupEdge(t)
	staff := func(sub string, roles ...string) string {
		c := b.issuer.Claims("plein", sub, time.Now())
		c["roles"] = roles
		return b.issuer.Sign(c)
	}
	consulent := staff("cons-z", auth.RoleConsulent)
	foreign := b.issuer.Sign(b.issuer.Claims("plein", "x", time.Now()), authtest.WithForeignKey())
	other := authtest.NewIssuer(t)
	unknownIssuer := other.Sign(other.Claims("plein", "x", time.Now()))
	const zwolle = "/api/v1/tenants/zwolle/config"
	for _, c := range []struct {
		name, method, path, bearer string
		header                     map[string]string
		status                     int
		subject                    string
		roles                      []authz.Role
		tenant                     tenant.ID
	}{
		{name: "staff token", path: zwolle, bearer: consulent, status: 200, subject: "cons-z", roles: []authz.Role{authz.RoleConsulent}, tenant: "zwolle"},
		{name: "staff token off a tenant's path", path: "/api/v1/tenants", bearer: consulent, status: 200, subject: "cons-z",
			roles: []authz.Role{authz.RoleConsulent}},
		{name: "unknown tenant", path: "/api/v1/tenants/nope/config", bearer: consulent, status: 404},
		{name: "malformed tenant", path: "/api/v1/tenants/NOPE!/config", bearer: consulent, status: 404},
		{name: "forged tenant header", path: zwolle, bearer: consulent, header: map[string]string{auth.TenantHeader: "enschede"}, status: 403},
		{name: "tenant header off a tenant's path", path: "/api/v1/tenants", bearer: consulent, header: map[string]string{auth.TenantHeader: "zwolle"}, status: 403},
		{name: "matching tenant header", path: zwolle, bearer: consulent, header: map[string]string{auth.TenantHeader: "zwolle"}, status: 200,
			subject: "cons-z", roles: []authz.Role{authz.RoleConsulent}, tenant: "zwolle"},
		{name: "no credential", path: zwolle, status: 401},
		{name: "no credential off a tenant's path", path: "/api/v1/tenants", status: 401},
		{name: "key the issuer does not publish", path: zwolle, bearer: foreign, status: 401},
		{name: "issuer not configured", path: zwolle, bearer: unknownIssuer, status: 401},
		{name: "garbage token", path: zwolle, bearer: "abc.def.ghi", status: 401},
		{name: "roles the policy does not know are dropped", path: zwolle, bearer: staff("x", auth.RoleConsulent, "wizard"), status: 200,
			subject: "x", roles: []authz.Role{authz.RoleConsulent}, tenant: "zwolle"},
		{name: "partner key", method: http.MethodPost, path: "/api/v1/tenants/zwolle/partner/payslips", bearer: "emp_good", status: 200,
			subject: "employer:acme", roles: []authz.Role{authz.RoleEmployer}, tenant: "zwolle"},
		{name: "wrong partner key", method: http.MethodPost, path: "/api/v1/tenants/zwolle/partner/payslips", bearer: "emp_bad", status: 401},
		{name: "partner key off a tenant's path", path: "/api/v1/tenants", bearer: "emp_good", status: 401},
		{name: "a change in a read-only tenant", method: http.MethodPost, path: "/api/v1/tenants/enschede/partner/payslips",
			bearer: "emp_good", status: 409},
		{name: "a read in a read-only tenant", path: "/api/v1/tenants/enschede/config", bearer: "emp_good", status: 200,
			subject: "employer:acme", roles: []authz.Role{authz.RoleEmployer}, tenant: "enschede"},
	} {
		t.Run(c.name, func(t *testing.T) {
			method := cmp.Or(c.method, http.MethodGet)
			rec, s := b.serve(edgeRequest(method, c.path, c.bearer, c.header))
			if rec.Code != c.status {
				t.Fatalf("%s %s: %d, want %d: %s", method, c.path, rec.Code, c.status, rec.Body)
			}
			if c.status != 200 {
				checkProblem(t, rec)
				if s.called {
					t.Error("the handler was called after a refusal")
				}
				return
			}
			if s.principal.Subject != c.subject || !slices.Equal(s.principal.Roles, c.roles) || s.tenant != c.tenant {
				t.Errorf("handler saw %+v in tenant %q, want %s %v in tenant %q", s.principal, s.tenant, c.subject, c.roles, c.tenant)
			}
		})
	}
}

// checkProblem fails unless rec holds RFC 9457 problem JSON of its status.
func checkProblem(t *testing.T, rec *httptest.ResponseRecorder) {
	t.Helper()
	var body map[string]any
	if rec.Header().Get("Content-Type") != "application/problem+json" || json.Unmarshal(rec.Body.Bytes(), &body) != nil ||
		body["status"] != float64(rec.Code) {
		t.Errorf("answer %d %s (%s), want problem JSON", rec.Code, rec.Body, rec.Header().Get("Content-Type"))
	}
}

// TestEdgeKeyGuard: wrong partner keys are counted against their client; past the
// guard's limit no key is looked up at all, not even a right one.
func TestEdgeKeyGuard(t *testing.T) {
	t.Parallel()
	b := setupEdge(t)
	const path = "/api/v1/tenants/zwolle/partner/payslips"
	b.serve(edgeRequest(http.MethodPost, path, "emp_bad", nil))
	b.serve(edgeRequest(http.MethodPost, path, "emp_good", nil))
	if !slices.Equal(b.guard.failed, []tenant.ID{"zwolle"}) || b.lookups != 2 {
		t.Errorf("after a wrong and a right key: failures %v, %d look-ups; want one failure in zwolle, 2 look-ups", b.guard.failed, b.lookups)
	}
	// A token is no partner key: its failure is not the guard's business.
	b.serve(edgeRequest(http.MethodGet, path, "abc.def.ghi", nil))
	if len(b.guard.failed) != 1 {
		t.Errorf("a garbage token counted as a wrong key: failures %v", b.guard.failed)
	}
	b.guard.refuse = true
	rec, s := b.serve(edgeRequest(http.MethodPost, path, "emp_good", nil))
	if rec.Code != http.StatusTooManyRequests || s.called || b.lookups != 2 {
		t.Errorf("a key past the limit: %d, handler called %v, %d look-ups; want the guard's 429, no call, no look-up", rec.Code, s.called, b.lookups)
	}
}

// TestEdgeSessions: a session of the path's tenant is a credential there and nowhere
// else; when revocations cannot be checked the answer is 503, never a way in.
func TestEdgeSessions(t *testing.T) {
	t.Parallel()
	b := setupEdge(t)
	_, cookie := issue(t, b.sessions, auth.Identity{Subject: "admin-z", Tenant: "zwolle", Roles: []string{auth.RoleTenantAdmin}, Method: auth.MethodOIDC})
	withCookie := func(path string) *http.Request {
		r := edgeRequest(http.MethodGet, path, "", nil)
		r.AddCookie(&http.Cookie{Name: cookie.Name, Value: cookie.Value})
		return r
	}
	rec, s := b.serve(withCookie("/api/v1/tenants/zwolle/config"))
	if rec.Code != http.StatusOK || s.principal.Subject != "admin-z" || s.tenant != "zwolle" {
		t.Errorf("zwolle's session at zwolle: %d, %+v in %q; want 200 as admin-z in zwolle", rec.Code, s.principal, s.tenant)
	}
	for _, path := range []string{"/api/v1/tenants/enschede/config", "/api/v1/tenants"} {
		if rec, _ := b.serve(withCookie(path)); rec.Code != http.StatusUnauthorized {
			t.Errorf("zwolle's session at %s: %d, want 401", path, rec.Code)
		}
	}
	b.revoked.Fail(errors.New("database down"))
	rec, s = b.serve(withCookie("/api/v1/tenants/zwolle/config"))
	if rec.Code != http.StatusServiceUnavailable || s.called || !strings.Contains(rec.Body.String(), "Probeer het later opnieuw") {
		t.Errorf("session with the revocation store down: %d %s, handler called %v; want 503 in Dutch too", rec.Code, rec.Body, s.called)
	}
}

// TestEdgeIssuerDown: a token whose issuer's keys cannot be fetched is a 503, not a
// 401: the caller's credential may be fine.
func TestEdgeIssuerDown(t *testing.T) {
	t.Parallel()
	b := setupEdge(t)
	token := b.issuer.Sign(b.issuer.Claims("plein", "cons-z", time.Now()))
	b.issuer.Close()
	rec, s := b.serve(edgeRequest(http.MethodGet, "/api/v1/tenants/zwolle/config", token, nil))
	if rec.Code != http.StatusServiceUnavailable || s.called {
		t.Errorf("token of an issuer that is down: %d, handler called %v; want 503", rec.Code, s.called)
	}
	checkProblem(t, rec)
}
