package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/plein-nl/plein/platform/auth"
	"github.com/plein-nl/plein/platform/auth/authtest"
	"github.com/plein-nl/plein/platform/db/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

type apiBundle struct {
	srv      *httptest.Server
	enschede *authtest.Issuer // staff issuer of enschede
	zwolle   *authtest.Issuer
	coop     *authtest.Issuer
	sessions *auth.Sessions
}

// setupAPI runs the real HTTP stack on a fresh database with the three real gemeenten
// applied, with one OIDC issuer per gemeente and one for the coöperatie.
func setupAPI(t *testing.T) *apiBundle {
	t.Helper()
	d := tenantsDBOf(t, originalTenants(t))
	b := &apiBundle{enschede: authtest.NewIssuer(t), zwolle: authtest.NewIssuer(t), coop: authtest.NewIssuer(t)}
	verifiers := verifiersOf(t, map[*authtest.Issuer]string{b.enschede: "enschede", b.zwolle: "zwolle", b.coop: ""})
	key := []byte("0123456789abcdef0123456789abcdef")
	a := testApp(t, d, appConfig{sessionKey: key, devLogin: true, verifiers: verifiers})
	b.srv = httptest.NewServer(a.handler)
	t.Cleanup(b.srv.Close)
	// The app's key and store; the app is `plein dev`'s (devLogin), so its
	// sessions accept the dev login's, as these do.
	var err error
	b.sessions, err = auth.NewSessions(auth.SessionConfig{Key: key, Now: time.Now, AcceptDev: true,
		Revocations: auth.NewRevocationStore(d.App, time.Now)})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func token(iss *authtest.Issuer, sub string, roles ...string) string {
	c := iss.Claims("plein", sub, time.Now())
	c["roles"] = roles
	return iss.Sign(c)
}

type call struct {
	name       string
	path       string
	bearer     string
	header     map[string]string
	wantStatus int
}

func (b *apiBundle) do(t *testing.T, c call) (int, map[string]any, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, b.srv.URL+c.path, nil)
	if c.bearer != "" {
		req.Header.Set("Authorization", "Bearer "+c.bearer)
	}
	for k, v := range c.header {
		req.Header.Set(k, v)
	}
	resp, err := b.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var m map[string]any
	_ = json.Unmarshal(body, &m)
	return resp.StatusCode, m, resp.Header.Get("Content-Type")
}

// TestStaffAPIWalls: a cross-tenant request fails at the edge (unknown tenant, forged
// header, no or foreign credential) and at the authorization wall (a valid token of
// another gemeente). The RLS and job walls are tested in platform/db and platform/jobs.
func TestStaffAPIWalls(t *testing.T) {
	t.Parallel()
	b := setupAPI(t)
	adminE := token(b.enschede, "admin-e", "tenant-admin")
	consulentE := token(b.enschede, "cons-e", "consulent")
	adminZ := token(b.zwolle, "admin-z", "tenant-admin")
	operator := token(b.coop, "op-1", "coop-operator")
	// A token of enschede's issuer that claims coop-operator: the issuer may not assert it.
	fakeOperator := token(b.enschede, "admin-e", "coop-operator")
	foreign := b.enschede.Sign(b.enschede.Claims("plein", "x", time.Now()), authtest.WithForeignKey())
	expired := b.enschede.Sign(b.enschede.Claims("plein", "x", time.Now().Add(-2*time.Hour)))

	for _, c := range []call{
		{name: "own tenant config", path: "/api/v1/tenants/enschede/config", bearer: adminE, wantStatus: 200},
		{name: "own audit log", path: "/api/v1/tenants/enschede/audit", bearer: adminE, wantStatus: 200},
		{name: "another tenant's config", path: "/api/v1/tenants/zwolle/config", bearer: adminE, wantStatus: 403},
		{name: "another tenant's audit", path: "/api/v1/tenants/zwolle/audit", bearer: adminE, wantStatus: 403},
		{name: "zwolle reads enschede", path: "/api/v1/tenants/enschede/audit", bearer: adminZ, wantStatus: 403},
		{name: "role without the grant", path: "/api/v1/tenants/enschede/config", bearer: consulentE, wantStatus: 403},
		{name: "unknown tenant", path: "/api/v1/tenants/nope/config", bearer: adminE, wantStatus: 404},
		{name: "malformed tenant", path: "/api/v1/tenants/NOPE!/config", bearer: adminE, wantStatus: 404},
		{name: "no credential", path: "/api/v1/tenants/enschede/config", wantStatus: 401},
		{name: "key the issuer does not publish", path: "/api/v1/tenants/enschede/config", bearer: foreign, wantStatus: 401},
		{name: "expired token", path: "/api/v1/tenants/enschede/config", bearer: expired, wantStatus: 401},
		{name: "garbage token", path: "/api/v1/tenants/enschede/config", bearer: "abc.def.ghi", wantStatus: 401},
		{name: "forged tenant header", path: "/api/v1/tenants/enschede/config", bearer: adminE,
			header: map[string]string{"X-Plein-Tenant": "zwolle"}, wantStatus: 403},
		{name: "matching tenant header", path: "/api/v1/tenants/enschede/config", bearer: adminE,
			header: map[string]string{"X-Plein-Tenant": "enschede"}, wantStatus: 200},
		{name: "operator lists tenants", path: "/api/v1/tenants", bearer: operator, wantStatus: 200},
		{name: "tenant admin lists tenants", path: "/api/v1/tenants", bearer: adminE, wantStatus: 403},
		{name: "gemeente issuer claims operator", path: "/api/v1/tenants", bearer: fakeOperator, wantStatus: 403},
		{name: "tenant list without credential", path: "/api/v1/tenants", wantStatus: 401},
		{name: "bad limit", path: "/api/v1/tenants/enschede/audit?limit=0", bearer: adminE, wantStatus: 400},
	} {
		t.Run(c.name, func(t *testing.T) {
			status, body, ctype := b.do(t, c)
			if status != c.wantStatus {
				t.Fatalf("GET %s: status %d, want %d (body %v)", c.path, status, c.wantStatus, body)
			}
			if status >= 400 {
				if ctype != "application/problem+json" || body["status"] != float64(status) || body["title"] == "" {
					t.Errorf("GET %s: error body %v (%s), want RFC 9457 problem JSON", c.path, body, ctype)
				}
				if s, _ := json.Marshal(body); strings.Contains(string(s), "Gemeente") {
					t.Errorf("GET %s: error body leaks tenant data: %s", c.path, s)
				}
			}
		})
	}

	// What the operator sees is every gemeente; what enschede sees is enschede's.
	_, body, _ := b.do(t, call{path: "/api/v1/tenants", bearer: operator})
	if list, _ := body["tenants"].([]any); len(list) != len(originalIDs) {
		t.Errorf("operator's tenant list has %d tenants, want the %d applied: %v", len(list), len(originalIDs), originalIDs)
	}
	_, body, _ = b.do(t, call{path: "/api/v1/tenants/enschede/config", bearer: adminE})
	if cfg, _ := body["config"].(map[string]any); cfg["name"] != "Gemeente Enschede" {
		t.Errorf("enschede config name = %v, want Gemeente Enschede", cfg["name"])
	}
}

// TestSessionOfAnotherTenant: a portal session of enschede is no credential at zwolle.
func TestSessionOfAnotherTenant(t *testing.T) {
	t.Parallel()
	b := setupAPI(t)
	rec := httptest.NewRecorder()
	if _, err := b.sessions.Issue(rec, auth.Identity{Subject: "dev:admin", Tenant: "enschede", Roles: []string{"tenant-admin"}, Method: auth.MethodDev}); err != nil {
		t.Fatal(err)
	}
	cookie := rec.Result().Cookies()[0]
	for _, c := range []struct {
		path string
		want int
	}{
		{"/api/v1/tenants/enschede/config", 200},
		{"/api/v1/tenants/zwolle/config", 401},
	} {
		req, _ := http.NewRequest(http.MethodGet, b.srv.URL+c.path, nil)
		req.AddCookie(cookie)
		resp, err := b.srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != c.want {
			t.Errorf("GET %s with an enschede session: %d, want %d", c.path, resp.StatusCode, c.want)
		}
	}
}
