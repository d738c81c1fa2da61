package auth_test

import (
	"bytes"
	"cmp"
	"encoding/base64"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/plein-nl/plein/platform/auth"
	"github.com/plein-nl/plein/platform/auth/authtest"
	"github.com/plein-nl/plein/platform/clocktest"
	"github.com/plein-nl/plein/platform/tenant"
)

// testKey is a session key of 32 bytes b.
func testKey(b byte) []byte { return bytes.Repeat([]byte{b}, 32) }

type sessionBundle struct {
	clock    *clocktest.Clock
	sessions *auth.Sessions
}

// setupSessions makes Sessions without a revocation store, for the tests of the
// cookie itself; revocation is tested on PostgreSQL (revocation_test.go).
func setupSessions(t *testing.T, mutate func(*auth.SessionConfig)) sessionBundle {
	t.Helper()
	c := clocktest.New(t0)
	cfg := auth.SessionConfig{Key: testKey(7), Secure: true, Now: c.Now, NoRevocation: true}
	return sessionBundle{clock: c, sessions: configured(t, cfg, mutate, auth.NewSessions)}
}

func resident(t tenant.ID) auth.Identity {
	return auth.Identity{Subject: "digid-pseudo-1", Tenant: t, Roles: []string{auth.RoleResident},
		ResidentID: "r-42", Name: "Sam de Vries", Method: auth.MethodOIDC}
}

// issue issues a session for id and returns it with its Set-Cookie.
func issue(t *testing.T, s *auth.Sessions, id auth.Identity) (auth.Session, *http.Cookie) {
	t.Helper()
	rec := httptest.NewRecorder()
	sess, err := s.Issue(rec, id)
	if err != nil {
		t.Fatalf("Issue() error = %v", err)
	}
	cookies := rec.Result().Cookies()
	if len(cookies) != 1 {
		t.Fatalf("Issue() set %d cookies, want 1", len(cookies))
	}
	return sess, cookies[0]
}

func requestWith(host string, cookies ...*http.Cookie) *http.Request {
	r := httptest.NewRequest("GET", "https://"+host+"/", nil)
	r.Host = host
	for _, c := range cookies {
		r.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	}
	return r
}

func TestNewSessionsConfig(t *testing.T) {
	t.Parallel()
	now := func() time.Time { return t0 }
	// Each case breaks one thing of a config that is valid otherwise.
	if _, err := auth.NewSessions(auth.SessionConfig{Key: testKey(1), Now: now, NoRevocation: true}); err != nil {
		t.Fatalf("NewSessions() of the valid base config: %v, want nil", err)
	}
	if _, err := auth.NewSessions(auth.SessionConfig{Key: testKey(1), Now: now, Revocations: authtest.NewRevocations()}); err != nil {
		t.Fatalf("NewSessions() with a revocation store: %v, want nil", err)
	}
	tests := []struct {
		name string
		cfg  auth.SessionConfig
	}{
		{"nil key", auth.SessionConfig{Now: now, NoRevocation: true}},
		{"16-byte key", auth.SessionConfig{Key: make([]byte, 16), Now: now, NoRevocation: true}},
		{"31-byte key", auth.SessionConfig{Key: bytes.Repeat([]byte{1}, 31), Now: now, NoRevocation: true}},
		{"33-byte key", auth.SessionConfig{Key: bytes.Repeat([]byte{1}, 33), Now: now, NoRevocation: true}},
		{"all-zero key", auth.SessionConfig{Key: make([]byte, 32), Now: now, NoRevocation: true}},
		{"no clock", auth.SessionConfig{Key: testKey(1), NoRevocation: true}},
		{"invalid cookie name", auth.SessionConfig{Key: testKey(1), Now: now, CookieName: "plein session", NoRevocation: true}},
		{"__Host- without Secure", auth.SessionConfig{Key: testKey(1), Now: now, CookieName: "__Host-plein_session", NoRevocation: true}},
		{"TTL under a minute", auth.SessionConfig{Key: testKey(1), Now: now, TTL: 30 * time.Second, NoRevocation: true}},
		{"idle timeout under two minutes", auth.SessionConfig{Key: testKey(1), Now: now, IdleTimeout: 90 * time.Second, NoRevocation: true}},
		{"no revocation store", auth.SessionConfig{Key: testKey(1), Now: now}},
		{"a store and NoRevocation", auth.SessionConfig{Key: testKey(1), Now: now, Revocations: authtest.NewRevocations(), NoRevocation: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, err := auth.NewSessions(tt.cfg)
			if !errors.Is(err, auth.ErrInvalidConfig) {
				t.Fatalf("NewSessions() = %v, %v; want error %v", s, err, auth.ErrInvalidConfig)
			}
		})
	}
}

func TestSessionsIssueCookie(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		cfg        func(*auth.SessionConfig)
		wantName   string
		wantSecure bool
		wantMaxAge int
	}{
		// The browser keeps the cookie for the idle timeout, or to the
		// absolute expiry when that comes first.
		{"defaults", nil, "plein_session", true, 900},
		{"dev: insecure", func(c *auth.SessionConfig) { c.Secure = false }, "plein_session", false, 900},
		{"__Host- name, 10 minutes", func(c *auth.SessionConfig) {
			c.CookieName = "__Host-plein_session"
			c.TTL = 10 * time.Minute
		}, "__Host-plein_session", true, 600},
		{"idle 5 minutes", func(c *auth.SessionConfig) { c.IdleTimeout = 5 * time.Minute }, "plein_session", true, 300},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := setupSessions(t, tt.cfg)
			_, c := issue(t, b.sessions, resident("enschede"))
			if c.Name != tt.wantName || c.Path != "/" || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode ||
				c.Secure != tt.wantSecure || c.MaxAge != tt.wantMaxAge || c.Domain != "" {
				t.Errorf("cookie = %+v\nwant Name %q, Path /, HttpOnly, SameSite Lax, Secure %v, MaxAge %d, no Domain",
					c, tt.wantName, tt.wantSecure, tt.wantMaxAge)
			}
			if strings.Contains(c.Value, "Sam") || strings.Contains(c.Value, "r-42") {
				t.Errorf("cookie value %q shows identity in clear", c.Value)
			}
		})
	}
}

func TestSessionsLoad(t *testing.T) {
	t.Parallel()
	enschede, zwolle := tenant.MustParse("enschede"), tenant.MustParse("zwolle")

	// Cookies made by other Sessions, to replay against the one under test.
	otherKey := setupSessions(t, func(c *auth.SessionConfig) { c.Key = testKey(8) })
	_, otherKeyCookie := issue(t, otherKey.sessions, resident(enschede))
	otherName := setupSessions(t, func(c *auth.SessionConfig) { c.CookieName = "plein_other" })
	_, otherNameCookie := issue(t, otherName.sessions, resident(enschede))

	// cookies returns what the browser sends: good is the cookie just issued.
	type cookies func(t *testing.T, b sessionBundle, good *http.Cookie) []*http.Cookie
	sent := func(cs ...*http.Cookie) cookies {
		return func(*testing.T, sessionBundle, *http.Cookie) []*http.Cookie { return cs }
	}
	goodOnly := func(_ *testing.T, _ sessionBundle, good *http.Cookie) []*http.Cookie { return []*http.Cookie{good} }
	// value sends good's name with another value.
	value := func(v func(t *testing.T, good string) string) cookies {
		return func(t *testing.T, _ sessionBundle, good *http.Cookie) []*http.Cookie {
			return []*http.Cookie{{Name: good.Name, Value: v(t, good.Value)}}
		}
	}
	const host = "mijn.enschede.example"
	tests := []struct {
		name    string
		later   time.Duration // on the clock since the issue
		host    string        // host, when not the tenant's own
		cookies cookies
		tenant  tenant.ID
		wantErr error
	}{
		{name: "round trip", cookies: goodOnly, tenant: enschede},
		{name: "just before the idle timeout", later: 15*time.Minute - time.Second, cookies: goodOnly, tenant: enschede},
		{name: "idle for the idle timeout", later: 15 * time.Minute, cookies: goodOnly, tenant: enschede, wantErr: auth.ErrSessionIdle},
		{name: "expired long ago", later: 48 * time.Hour, cookies: goodOnly, tenant: enschede, wantErr: auth.ErrSessionExpired},
		{name: "another tenant's path", host: "localhost", cookies: goodOnly, tenant: zwolle, wantErr: auth.ErrWrongTenant},
		{name: "no cookie", cookies: sent(), tenant: enschede, wantErr: auth.ErrNoSession},
		{name: "one flipped bit", cookies: value(func(t *testing.T, good string) string {
			raw, err := base64.RawURLEncoding.DecodeString(good)
			if err != nil {
				t.Fatal(err)
			}
			raw[len(raw)/2] ^= 1
			return base64.RawURLEncoding.EncodeToString(raw)
		}), tenant: enschede, wantErr: auth.ErrInvalidSession},
		{name: "truncated", cookies: value(func(_ *testing.T, good string) string { return good[:len(good)-4] }),
			tenant: enschede, wantErr: auth.ErrInvalidSession},
		{name: "short garbage", cookies: value(func(*testing.T, string) string { return "abc" }), tenant: enschede, wantErr: auth.ErrInvalidSession},
		{name: "not base64", cookies: value(func(*testing.T, string) string { return strings.Repeat("!", 80) }),
			tenant: enschede, wantErr: auth.ErrInvalidSession},
		{name: "made with another key", cookies: sent(otherKeyCookie), tenant: enschede, wantErr: auth.ErrInvalidSession},
		{name: "moved from another cookie name", cookies: value(func(*testing.T, string) string { return otherNameCookie.Value }),
			tenant: enschede, wantErr: auth.ErrInvalidSession},
		{name: "a sibling's cookie first, ours second", cookies: func(t *testing.T, b sessionBundle, good *http.Cookie) []*http.Cookie {
			_, zc := issue(t, b.sessions, resident(zwolle))
			return []*http.Cookie{zc, good}
		}, tenant: enschede},
		{name: "invalid wanted tenant", cookies: goodOnly, tenant: "", wantErr: auth.ErrUnauthenticated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := setupSessions(t, nil)
			want := resident(enschede)
			issued, good := issue(t, b.sessions, want)

			cs := tt.cookies(t, b, good)
			b.clock.Set(t0.Add(tt.later))
			got, err := b.sessions.Load(requestWith(cmp.Or(tt.host, host), cs...), tt.tenant)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) || !errors.Is(err, auth.ErrUnauthenticated) {
					t.Fatalf("Load() = %+v, %v; want error %v (and ErrUnauthenticated)", got, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Load() error = %v, want nil", err)
			}
			assertIdentity(t, got.Identity, want)
			if got.ID != issued.ID || got.ID == "" {
				t.Errorf("session id = %q, want %q (non-empty)", got.ID, issued.ID)
			}
			if !got.IssuedAt.Equal(t0) || !got.SeenAt.Equal(t0) || !got.ExpiresAt.Equal(t0.Add(2*time.Hour)) {
				t.Errorf("session times = issued %v, seen %v, expires %v; want %v, %v, %v",
					got.IssuedAt, got.SeenAt, got.ExpiresAt, t0, t0, t0.Add(2*time.Hour))
			}
			if got.CSRFToken() != issued.CSRFToken() || got.CSRFToken() == "" {
				t.Errorf("CSRF token = %q, want %q (non-empty)", got.CSRFToken(), issued.CSRFToken())
			}
		})
	}
}

func TestSessionsInsecureOnlyOnLoopback(t *testing.T) {
	t.Parallel()
	tests := []struct {
		host   string
		wantOK bool
	}{
		{"127.0.0.1:8080", true},
		{"127.0.0.1", true},
		{"[::1]:8080", true},
		{"localhost:8080", true},
		{"enschede.localhost:8080", true},
		{"mijn.enschede.example", false},
		{"192.168.1.20:8080", false},
		{"localhost.evil.example", false},
	}
	for _, tt := range tests {
		t.Run(tt.host, func(t *testing.T) {
			t.Parallel()
			b := setupSessions(t, func(c *auth.SessionConfig) { c.Secure = false })
			_, c := issue(t, b.sessions, resident("enschede"))
			_, err := b.sessions.Load(requestWith(tt.host, c), "enschede")
			if (err == nil) != tt.wantOK {
				t.Errorf("Load() on host %q error = %v, want ok %v", tt.host, err, tt.wantOK)
			}
		})
	}
}

func TestSessionsIssueRejectsIncompleteIdentity(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		id   auth.Identity
	}{
		{"no subject", auth.Identity{Tenant: "enschede", Method: auth.MethodOIDC}},
		{"no tenant", auth.Identity{Subject: "s", Method: auth.MethodOIDC}},
		{"invalid tenant", auth.Identity{Subject: "s", Tenant: "../zwolle", Method: auth.MethodOIDC}},
		{"unknown method", auth.Identity{Subject: "s", Tenant: "enschede", Method: "password"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := setupSessions(t, nil)
			rec := httptest.NewRecorder()
			if _, err := b.sessions.Issue(rec, tt.id); err == nil {
				t.Fatalf("Issue(%+v) error = nil, want an error", tt.id)
			}
			if got := rec.Result().Cookies(); len(got) != 0 {
				t.Errorf("Issue() set cookies %v on error, want none", got)
			}
		})
	}
}

func TestSessionsFreshIDEachIssue(t *testing.T) {
	t.Parallel()
	b := setupSessions(t, nil)
	s1, c1 := issue(t, b.sessions, resident("enschede"))
	s2, c2 := issue(t, b.sessions, resident("enschede"))
	if s1.ID == s2.ID || s1.CSRFToken() == s2.CSRFToken() || c1.Value == c2.Value {
		t.Errorf("two logins share id %q/%q, csrf %q/%q or cookie; want all different", s1.ID, s2.ID, s1.CSRFToken(), s2.CSRFToken())
	}
}

func TestSessionsClear(t *testing.T) {
	t.Parallel()
	b := setupSessions(t, nil)
	rec := httptest.NewRecorder()
	b.sessions.Clear(rec)
	cookies := rec.Result().Cookies()
	if len(cookies) != 1 {
		t.Fatalf("Clear() set %d cookies, want 1", len(cookies))
	}
	c := cookies[0]
	if c.Name != "plein_session" || c.Value != "" || c.MaxAge >= 0 || c.Path != "/" || !c.HttpOnly || !c.Secure {
		t.Errorf("Clear() cookie = %+v, want plein_session, empty, MaxAge < 0, Path /, HttpOnly, Secure", c)
	}
}
