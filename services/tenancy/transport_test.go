package tenancy

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/plein-nl/plein/platform/authz"
	"github.com/plein-nl/plein/platform/httpapi/httpapitest"
)

func newTestServer(t *testing.T, svc Service) *httptest.Server {
	t.Helper()
	return httpapitest.Server(t, RegisterHTTP, MakeEndpoints(svc, nil), map[string]authz.Principal{"admin": enschedeAdmin, "consulent": consulent, "operator": coopOperator})
}

var mustJSON = httpapitest.MustJSON

func TestHTTPTransport(t *testing.T) {
	t.Parallel()
	b := setupService(t)
	srv := newTestServer(t, b.svc)

	tests := []struct {
		name       string
		principal  string
		path       string
		wantStatus int
		// check looks at a successful body.
		check func(t *testing.T, body []byte)
	}{
		{"own config", "admin", "/api/v1/tenants/enschede/config", http.StatusOK, func(t *testing.T, body []byte) {
			var tc struct {
				Tenant  string `json:"tenant"`
				Version int    `json:"version"`
				Config  struct {
					Name string `json:"name"`
				} `json:"config"`
			}
			mustJSON(t, body, &tc)
			if tc.Tenant != "enschede" || tc.Version != 1 || tc.Config.Name != "Gemeente Enschede" {
				t.Errorf("body = %s, want enschede's config at version 1", body)
			}
		}},
		{"own audit log", "admin", "/api/v1/tenants/enschede/audit", http.StatusOK, auditActors("second-enschede", "first-enschede")},
		{"own audit log, limit 1", "admin", "/api/v1/tenants/enschede/audit?limit=1", http.StatusOK, auditActors("second-enschede")},
		{"own audit log, limit 1000", "admin", "/api/v1/tenants/enschede/audit?limit=1000", http.StatusOK, auditActors("second-enschede", "first-enschede")},
		{"another tenant's audit log as operator", "operator", "/api/v1/tenants/zwolle/audit", http.StatusOK, auditActors("only-zwolle")},
		{"tenant list", "operator", "/api/v1/tenants", http.StatusOK, func(t *testing.T, body []byte) {
			var l struct {
				Tenants []struct {
					ID string `json:"id"`
				} `json:"tenants"`
			}
			mustJSON(t, body, &l)
			if len(l.Tenants) != 3 || l.Tenants[0].ID != "deventer" {
				t.Errorf("body = %s, want the three tenants", body)
			}
		}},
		{"unauthenticated config", "", "/api/v1/tenants/enschede/config", http.StatusUnauthorized, nil},
		{"unauthenticated list", "", "/api/v1/tenants", http.StatusUnauthorized, nil},
		{"another tenant's config", "admin", "/api/v1/tenants/zwolle/config", http.StatusForbidden, nil},
		{"another tenant's audit log", "admin", "/api/v1/tenants/zwolle/audit", http.StatusForbidden, nil},
		{"consulent reads config", "consulent", "/api/v1/tenants/enschede/config", http.StatusForbidden, nil},
		{"tenant-admin lists tenants", "admin", "/api/v1/tenants", http.StatusForbidden, nil},
		{"unknown tenant", "operator", "/api/v1/tenants/hengelo/config", http.StatusNotFound, nil},
		{"invalid tenant id", "operator", "/api/v1/tenants/Hengelo_X/config", http.StatusBadRequest, nil},
		{"limit 0", "admin", "/api/v1/tenants/enschede/audit?limit=0", http.StatusBadRequest, nil},
		{"limit 5000", "admin", "/api/v1/tenants/enschede/audit?limit=5000", http.StatusBadRequest, nil},
		{"limit abc", "admin", "/api/v1/tenants/enschede/audit?limit=abc", http.StatusBadRequest, nil},
		{"limit -1", "admin", "/api/v1/tenants/enschede/audit?limit=-1", http.StatusBadRequest, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			resp, body := httpapitest.Do(t, srv, tt.principal, http.MethodGet, tt.path, "", nil)
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status = %d, want %d; body %s", resp.StatusCode, tt.wantStatus, body)
			}
			ct := resp.Header.Get("Content-Type")
			if tt.wantStatus == http.StatusOK {
				if ct != "application/json" {
					t.Errorf("Content-Type = %q, want application/json", ct)
				}
				tt.check(t, body)
				return
			}
			p := httpapitest.Problem(t, resp, body)
			wantPath, _, _ := strings.Cut(tt.path, "?")
			if p.Status != tt.wantStatus || p.Title != http.StatusText(tt.wantStatus) || p.Instance != wantPath {
				t.Errorf("problem = %+v, want status %d, title %q, instance %q", p, tt.wantStatus, http.StatusText(tt.wantStatus), wantPath)
			}
			if tt.wantStatus == http.StatusUnauthorized && resp.Header.Get("WWW-Authenticate") == "" {
				t.Error("401 without WWW-Authenticate")
			}
		})
	}
}

// auditActors checks that an audit response lists exactly these actors, in order.
func auditActors(want ...string) func(t *testing.T, body []byte) {
	return func(t *testing.T, body []byte) {
		t.Helper()
		var r struct {
			Entries []struct {
				Actor string `json:"actor"`
			} `json:"entries"`
		}
		mustJSON(t, body, &r)
		var got []string
		for _, e := range r.Entries {
			got = append(got, e.Actor)
		}
		if !slices.Equal(got, want) {
			t.Errorf("actors = %v, want %v", got, want)
		}
	}
}
