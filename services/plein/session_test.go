package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/plein-nl/plein/platform/auth"
	"github.com/plein-nl/plein/platform/auth/authtest"
	"github.com/plein-nl/plein/platform/db"
	"github.com/plein-nl/plein/platform/db/dbtest"
)

// The sessions of the whole app (security issue 17): a logout ends the session
// everywhere, a session in use is kept alive by every part of the app, and a
// production app refuses the local test login's sessions.

// TestLogoutEndsCopiedCookie: after a logout, a copy of the cookie is refused by a
// portal page, a portal form and the staff API, on the real handler. A resident's
// session serves the portal; a staff member's (tenant-admin) the staff API, which
// takes residents on none of its routes.
func TestLogoutEndsCopiedCookie(t *testing.T) {
	t.Parallel()
	b := setupE2E(t)
	id := b.createResident(t, "Fatima Bakker", e2eBSN)
	c := b.residentCookie(t, id)
	staffSess, staff := mint(t, b.sessions, auth.Identity{Subject: "admin-z", Tenant: "zwolle", Roles: []string{auth.RoleTenantAdmin},
		Method: auth.MethodOIDC})
	const form, config = "/t/zwolle/betalingen/nieuw", "/api/v1/tenants/zwolle/config"
	// A request the form refuses (no amount), so that it reaches the form's
	// handler without changing anything.
	bad := func(token string) url.Values {
		return url.Values{"csrf_token": {token}, "crediteur": {"zilveren-kruis"}, "kenmerk": {e2ePolis}, "vanaf": {e2eNextMonth}}
	}

	// The sessions work before the logout.
	status, html, _ := b.page(t, form, c, nil)
	if status != http.StatusOK {
		t.Fatalf("GET %s before logout: status %d, want 200", form, status)
	}
	token := authtest.CSRFToken(t, html)
	if status, _, _ := b.page(t, form, c, bad(token)); status != http.StatusUnprocessableEntity {
		t.Fatalf("POST %s before logout: status %d, want 422 (the form's own answer)", form, status)
	}
	if _, home, _ := b.page(t, "/t/zwolle/", c, nil); !strings.Contains(home, "digid:"+id) {
		t.Fatalf("the home page before logout does not greet the session's subject")
	}
	if status, out := b.apiWithCookie(t, http.MethodGet, config, staff); status != http.StatusOK {
		t.Fatalf("GET %s with the staff session before logout: status %d, want 200: %s", config, status, out)
	}

	// Both log out in the portal, with their session's CSRF token.
	for _, who := range []struct {
		name   string
		cookie *http.Cookie
		token  string
	}{{"resident", c, token}, {"staff", staff, staffSess.CSRFToken()}} {
		status, _, loc := b.page(t, "/t/zwolle/uitloggen", who.cookie, url.Values{"csrf_token": {who.token}})
		if status != http.StatusSeeOther || loc != "/t/zwolle/" {
			t.Fatalf("logout of the %s: status %d to %q, want 303 to /t/zwolle/", who.name, status, loc)
		}
	}
	if n := countRevocations(t, b.d, "zwolle"); n != 2 {
		t.Errorf("zwolle has %d revoked sessions, want 2", n)
	}

	// The copies the browsers were told to forget.
	status, _, loc := b.page(t, form, c, nil)
	if status != http.StatusSeeOther || loc != "/t/zwolle/login" {
		t.Errorf("GET %s after logout: status %d to %q, want 303 to /t/zwolle/login", form, status, loc)
	}
	status, _, loc = b.page(t, form, c, bad(token))
	if status != http.StatusSeeOther || loc != "/t/zwolle/login" {
		t.Errorf("POST %s after logout: status %d to %q, want 303 to /t/zwolle/login", form, status, loc)
	}
	if _, home, _ := b.page(t, "/t/zwolle/", c, nil); strings.Contains(home, "digid:"+id) {
		t.Errorf("the home page after logout still greets the session's subject")
	}
	if status, out := b.apiWithCookie(t, http.MethodGet, config, staff); status != http.StatusUnauthorized {
		t.Errorf("GET %s with the staff session after logout: status %d, want 401: %s", config, status, out)
	}
}

// mint issues a session for id with s and returns it with its cookie.
func mint(t *testing.T, s *auth.Sessions, id auth.Identity) (auth.Session, *http.Cookie) {
	t.Helper()
	rec := httptest.NewRecorder()
	sess, err := s.Issue(rec, id)
	if err != nil {
		t.Fatal(err)
	}
	return sess, rec.Result().Cookies()[0]
}

// countRevocations counts the revoked sessions of tenant tn, as plein_app sees them.
func countRevocations(t *testing.T, d *dbtest.DB, tn string) int {
	t.Helper()
	ctx := context.Background()
	tx, err := d.App.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck // read only
	if err := db.SetTenant(ctx, tx, tenantID(tn)); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := tx.QueryRow(ctx, "SELECT count(*) FROM session_revocations").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestSessionUseIsRecorded: a session last seen minutes ago gets a new cookie from
// the portal and from the staff API alike — the same session, seen now — so that
// using either keeps it from the idle timeout.
func TestSessionUseIsRecorded(t *testing.T) {
	t.Parallel()
	b := setupE2E(t)
	id := b.createResident(t, "Fatima Bakker", e2eBSN)
	// Sessions five minutes behind the app's clock, with setupE2E's key and store.
	then := func() time.Time { return time.Now().Add(-5 * time.Minute) }
	past, err := auth.NewSessions(auth.SessionConfig{Key: bytes.Repeat([]byte{7}, 32), Now: then,
		Revocations: auth.NewRevocationStore(b.d.App, then)})
	if err != nil {
		t.Fatal(err)
	}
	// A resident's session for the portal, a staff member's for the staff API.
	sessions := map[string]auth.Session{}
	cookies := map[string]*http.Cookie{}
	for kind, ident := range map[string]auth.Identity{
		"resident": {Subject: "digid:" + id, Tenant: "zwolle", Roles: []string{auth.RoleResident}, ResidentID: id, Method: auth.MethodOIDC},
		"staff":    {Subject: "admin-z", Tenant: "zwolle", Roles: []string{auth.RoleTenantAdmin}, Method: auth.MethodOIDC},
	} {
		sessions[kind], cookies[kind] = mint(t, past, ident)
	}

	for _, c := range []struct {
		name, path, kind string
	}{
		{"portal page", "/t/zwolle/betalingen/", "resident"},
		{"portal home", "/t/zwolle/", "resident"},
		{"staff API", "/api/v1/tenants/zwolle/config", "staff"},
	} {
		t.Run(c.name, func(t *testing.T) {
			issued := sessions[c.kind]
			start := time.Now().Truncate(time.Second)
			resp := b.request(t, http.MethodGet, c.path, cookies[c.kind])
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d, want 200", resp.StatusCode)
			}
			var fresh *http.Cookie
			for _, ck := range resp.Cookies() {
				if ck.Name == auth.DefaultCookieName {
					fresh = ck
				}
			}
			if fresh == nil || fresh.Value == "" || fresh.MaxAge <= 0 {
				t.Fatalf("Set-Cookie %q, want the session cookie re-issued", resp.Header.Values("Set-Cookie"))
			}
			// Read back with the app's key on loopback, as the app would.
			r := httptest.NewRequest(http.MethodGet, "http://127.0.0.1/", nil)
			r.AddCookie(fresh)
			got, err := b.sessions.Load(r, "zwolle")
			if err != nil {
				t.Fatalf("the re-issued cookie does not load: %v", err)
			}
			if got.ID != issued.ID || got.CSRFToken() != issued.CSRFToken() || got.SeenAt.Before(start) || !got.ExpiresAt.Equal(issued.ExpiresAt) {
				t.Errorf("re-issued session: id %q, seen %v, expires %v; want id %q, seen from %v, expires %v (unchanged)",
					got.ID, got.SeenAt, got.ExpiresAt, issued.ID, start, issued.ExpiresAt)
			}
		})
	}
}

// request sends one request with cookie c, without following redirects.
func (b *e2eBundle) request(t *testing.T, method, path string, c *http.Cookie) *http.Response {
	t.Helper()
	resp, _ := b.send(t, method, path, c, nil)
	return resp
}

// TestDevSessionOnlyInDev: `plein dev` and `plein serve` on one local data
// directory share the database and the session key. A session of the dev login
// works in the dev app and nowhere in the production one.
func TestDevSessionOnlyInDev(t *testing.T) {
	t.Parallel()
	d := tenantsDB(t)
	key := bytes.Repeat([]byte{5}, 32)
	srv := map[bool]*httptest.Server{}
	for _, devLogin := range []bool{true, false} {
		a := testApp(t, d, appConfig{sessionKey: key, devLogin: devLogin})
		srv[devLogin] = httptest.NewServer(a.handler)
		t.Cleanup(srv[devLogin].Close)
	}

	// The dev app's own test login, as a developer's browser uses it.
	resp, err := noRedirect.PostForm(srv[true].URL+"/t/zwolle/login", url.Values{"person": {"tenant-admin"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var dev *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == auth.DefaultCookieName && c.Value != "" {
			dev = c
		}
	}
	if resp.StatusCode != http.StatusSeeOther || dev == nil {
		t.Fatalf("dev login: status %d, cookies %q; want 303 and a session", resp.StatusCode, resp.Header.Values("Set-Cookie"))
	}
	// The production app has no test login at all.
	resp, err = noRedirect.PostForm(srv[false].URL+"/t/zwolle/login", url.Values{"person": {"tenant-admin"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if cs := resp.Cookies(); len(cs) != 0 || resp.StatusCode == http.StatusSeeOther {
		t.Errorf("production test login: status %d, cookies %v; want no login", resp.StatusCode, cs)
	}

	get := func(devApp bool, path string) (int, string) {
		resp, body := sendTo(t, srv[devApp], http.MethodGet, path, dev, nil)
		return resp.StatusCode, body
	}
	for _, c := range []struct {
		devApp bool
		want   int
	}{{true, http.StatusOK}, {false, http.StatusUnauthorized}} {
		if status, body := get(c.devApp, "/api/v1/tenants/zwolle/config"); status != c.want {
			t.Errorf("staff API with the dev session, dev app %v: status %d, want %d: %s", c.devApp, status, c.want, body)
		}
	}
	// The portal greets the dev login's person in the dev app only.
	const who = "Beheerder (test)"
	if _, body := get(true, "/t/zwolle/"); !strings.Contains(body, who) {
		t.Errorf("dev app's home with the dev session does not show %q", who)
	}
	if _, body := get(false, "/t/zwolle/"); strings.Contains(body, who) {
		t.Errorf("production app's home with the dev session shows %q", who)
	}
}
