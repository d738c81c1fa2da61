package auth_test

import (
	"cmp"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/plein-nl/plein/platform/auth"
	"github.com/plein-nl/plein/platform/tenant"
)

// tenantFromPath finds the tenant in a /t/<tenant>/… path, as `plein dev` routes.
func tenantFromPath(r *http.Request) (tenant.ID, bool) {
	rest, ok := strings.CutPrefix(r.URL.Path, "/t/")
	if !ok {
		return "", false
	}
	seg, _, _ := strings.Cut(rest, "/")
	id, err := tenant.Parse(seg)
	return id, err == nil
}

func devRequest(method, path string, form url.Values, secFetchSite string) *http.Request {
	var r *http.Request
	if form != nil {
		r = httptest.NewRequest(method, "http://127.0.0.1:8080"+path, strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else {
		r = httptest.NewRequest(method, "http://127.0.0.1:8080"+path, nil)
	}
	if secFetchSite != "" {
		r.Header.Set("Sec-Fetch-Site", secFetchSite)
	}
	return r
}

func TestDevLoginDisabled(t *testing.T) {
	t.Parallel()
	devSessions := setupSessions(t, func(c *auth.SessionConfig) { c.Secure, c.AcceptDev = false, true })
	prodSessions := setupSessions(t, func(c *auth.SessionConfig) { c.Secure = false })
	for name, h := range map[string]http.Handler{
		"disabled": auth.NewDevLogin(devSessions.sessions, false).Handler(tenantFromPath, nil, nil),
		// Enabled by mistake on a production role's Sessions: it does not exist either.
		"sessions refuse dev logins": auth.NewDevLogin(prodSessions.sessions, true).Handler(tenantFromPath, nil, nil),
	} {
		for _, r := range []*http.Request{
			devRequest("GET", "/t/enschede/dev-login", nil, ""),
			devRequest("POST", "/t/enschede/dev-login", url.Values{"person": {"consulent"}}, "same-origin"),
		} {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			if rec.Code != http.StatusNotFound || len(rec.Result().Cookies()) != 0 {
				t.Errorf("%s: %s: status %d, cookies %v; want 404 and none", name, r.Method, rec.Code, rec.Result().Cookies())
			}
		}
	}
}

func TestDevLoginPage(t *testing.T) {
	t.Parallel()
	b := setupSessions(t, func(c *auth.SessionConfig) { c.Secure, c.AcceptDev = false, true })
	h := auth.NewDevLogin(b.sessions, true).Handler(tenantFromPath, nil, nil)

	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, devRequest("GET", "/t/enschede/dev-login", nil, ""))
	if rec.Code != http.StatusOK {
		t.Fatalf("status = %d, want %d", rec.Code, http.StatusOK)
	}
	if got, want := rec.Header().Get("Content-Type"), "text/html; charset=utf-8"; got != want {
		t.Errorf("Content-Type = %q, want %q", got, want)
	}
	body := rec.Body.String()
	for _, want := range []string{
		`<html lang="nl">`,
		"Lokale testlogin — alleen voor ontwikkeling. Niet gebruiken met echte gegevens.",
		"Local test login — development only",
		`<form method="post"`,
		`value="inwoner"`, `value="consulent"`, `value="schuldhulpverlener"`, `value="tenant-admin"`,
		"enschede",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q\ngot:\n%s", want, body)
		}
	}
	if strings.Contains(strings.ToLower(body), "<script") {
		t.Errorf("page contains a script; want none")
	}
}

func TestDevLoginPost(t *testing.T) {
	t.Parallel()
	people := append(auth.DefaultDevPeople(), auth.DevPerson{
		Key: "r-7", Label: "Fatima El Amrani", Name: "Fatima El Amrani", Role: auth.RoleResident, ResidentID: "r-7",
	})
	// Each case says what differs from a same-origin POST to enschede's dev login.
	const path = "/t/enschede/dev-login"
	tests := []struct {
		name         string
		method       string // POST when ""
		path         string // path when ""
		form         url.Values
		secFetchSite string // same-origin when ""
		homeOf       func(tenant.ID) string
		wantStatus   int
		wantLocation string
		wantIdentity *auth.Identity
	}{
		{
			name: "staff role", form: url.Values{"person": {"consulent"}},
			wantStatus: http.StatusSeeOther, wantLocation: "/t/enschede/",
			wantIdentity: &auth.Identity{Subject: "dev:consulent", Tenant: "enschede", Roles: []string{auth.RoleConsulent},
				Name: "Consulent (test)", Method: auth.MethodDev},
		},
		{
			name: "seeded resident, host-routed home", path: "/t/zwolle/dev-login", form: url.Values{"person": {"r-7"}},
			homeOf:     func(t tenant.ID) string { return "/" },
			wantStatus: http.StatusSeeOther, wantLocation: "/",
			wantIdentity: &auth.Identity{Subject: "dev:r-7", Tenant: "zwolle", Roles: []string{auth.RoleResident},
				ResidentID: "r-7", Name: "Fatima El Amrani", Method: auth.MethodDev},
		},
		{name: "cross-site POST", form: url.Values{"person": {"tenant-admin"}}, secFetchSite: "cross-site", wantStatus: http.StatusForbidden},
		{name: "unknown person", form: url.Values{"person": {"coop-operator"}}, wantStatus: http.StatusBadRequest},
		{name: "no person", form: url.Values{}, wantStatus: http.StatusBadRequest},
		{name: "no tenant in path", path: "/dev-login", form: url.Values{"person": {"consulent"}}, wantStatus: http.StatusNotFound},
		{name: "PUT", method: "PUT", form: url.Values{"person": {"consulent"}}, wantStatus: http.StatusMethodNotAllowed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := setupSessions(t, func(c *auth.SessionConfig) { c.Secure, c.AcceptDev = false, true })
			h := auth.NewDevLogin(b.sessions, true).Handler(tenantFromPath, tt.homeOf, people)

			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, devRequest(cmp.Or(tt.method, "POST"), cmp.Or(tt.path, path), tt.form, cmp.Or(tt.secFetchSite, "same-origin")))
			if rec.Code != tt.wantStatus {
				t.Fatalf("status = %d, want %d; body %q", rec.Code, tt.wantStatus, rec.Body.String())
			}
			if got := rec.Header().Get("Location"); got != tt.wantLocation {
				t.Errorf("Location = %q, want %q", got, tt.wantLocation)
			}
			cookies := rec.Result().Cookies()
			if tt.wantIdentity == nil {
				if len(cookies) != 0 {
					t.Errorf("cookies = %v, want none", cookies)
				}
				return
			}
			if len(cookies) != 1 {
				t.Fatalf("cookies = %v, want one session cookie", cookies)
			}
			sess, err := b.sessions.Load(devRequestWithCookie(cookies[0]), tt.wantIdentity.Tenant)
			if err != nil {
				t.Fatalf("Load() of the dev session error = %v, want nil", err)
			}
			assertIdentity(t, sess.Identity, *tt.wantIdentity)
		})
	}
}

func devRequestWithCookie(c *http.Cookie) *http.Request {
	r := httptest.NewRequest("GET", "http://127.0.0.1:8080/", nil)
	r.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	return r
}

// TestRefuseInProduction: each guard refuses its unsafe setting in every role but dev,
// and its error names the role.
func TestRefuseInProduction(t *testing.T) {
	t.Parallel()
	type tc struct {
		unsafe  bool // the dev login on; the Secure flag off
		role    string
		wantErr bool
	}
	for _, guard := range []struct {
		name     string
		refuse   func(unsafe bool, role string) error
		sentinel error
		cases    []tc
	}{
		{"RefuseDevLoginInProduction", auth.RefuseDevLoginInProduction, auth.ErrDevLoginInProduction, []tc{
			{true, "dev", false}, {true, "serve", true}, {true, "work", true}, {true, "controlplane", true},
			{true, "", true}, {true, "something-new", true},
			{false, "serve", false}, {false, "work", false}, {false, "controlplane", false}, {false, "dev", false},
		}},
		{"RefuseInsecureCookiesInProduction", func(insecure bool, role string) error {
			return auth.RefuseInsecureCookiesInProduction(!insecure, role)
		}, auth.ErrInsecureCookiesInProduction, []tc{
			{true, "dev", false}, {true, "serve", true}, {true, "controlplane", true},
			{false, "serve", false}, {false, "dev", false},
		}},
	} {
		for _, tt := range guard.cases {
			t.Run(fmt.Sprintf("%s/%s/unsafe=%v", guard.name, tt.role, tt.unsafe), func(t *testing.T) {
				t.Parallel()
				err := guard.refuse(tt.unsafe, tt.role)
				if got := errors.Is(err, guard.sentinel); got != tt.wantErr {
					t.Errorf("%s(unsafe %v, %q) = %v, want error %v", guard.name, tt.unsafe, tt.role, err, tt.wantErr)
				}
				if err != nil && !strings.Contains(err.Error(), tt.role) {
					t.Errorf("error %q does not name role %q", err, tt.role)
				}
			})
		}
	}
}
