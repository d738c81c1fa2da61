package auth_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/plein-nl/plein/platform/auth"
	"github.com/plein-nl/plein/platform/clocktest"
	"github.com/plein-nl/plein/platform/db"
	"github.com/plein-nl/plein/platform/db/dbtest"
	"github.com/plein-nl/plein/platform/tenant"
)

var (
	enschede = tenant.MustParse("enschede")
	zwolle   = tenant.MustParse("zwolle")
)

// storeBundle is Sessions as an application has them: revocations in PostgreSQL.
type storeBundle struct {
	d        *dbtest.DB
	clock    *clocktest.Clock
	store    *auth.RevocationStore
	sessions *auth.Sessions
}

// setupStore makes Sessions on a fresh database with enschede and zwolle.
func setupStore(t *testing.T) storeBundle {
	t.Helper()
	d := dbtest.New(t)
	dbtest.CreateTenants(t, d, enschede, zwolle)
	c := clocktest.New(t0)
	b := storeBundle{d: d, clock: c, store: auth.NewRevocationStore(d.App, c.Now)}
	b.sessions = b.with(t, nil)
	return b
}

// with returns Sessions with the bundle's key, clock and store, changed by mutate.
func (b storeBundle) with(t *testing.T, mutate func(*auth.SessionConfig)) *auth.Sessions {
	t.Helper()
	cfg := auth.SessionConfig{Key: testKey(7), Secure: true, Now: b.clock.Now, Revocations: b.store}
	return configured(t, cfg, mutate, auth.NewSessions)
}

// refreshAt sets the clock to at after t0 and loads and refreshes enschede's session
// of c, as a request of the browser at that time does.
func (b storeBundle) refreshAt(at time.Duration, c *http.Cookie) (auth.Session, *httptest.ResponseRecorder, error) {
	b.clock.Set(t0.Add(at))
	rec := httptest.NewRecorder()
	sess, err := b.sessions.LoadAndRefresh(rec, requestWith("mijn.enschede.example", c), enschede)
	return sess, rec, err
}

// checkNoCookie fails the test when what set a cookie: a refused session gets none.
func checkNoCookie(t *testing.T, rec *httptest.ResponseRecorder, what string) {
	t.Helper()
	if cs := rec.Result().Cookies(); len(cs) != 0 {
		t.Errorf("%s set cookies %v, want none", what, cs)
	}
}

// TestLogoutRevokesEveryCopy: after Logout the cookie is cleared, and a copy of it
// kept elsewhere is refused; the same resident's other session lives on.
func TestLogoutRevokesEveryCopy(t *testing.T) {
	t.Parallel()
	b := setupStore(t)
	ctx := context.Background()
	sess, copied := issue(t, b.sessions, resident(enschede))
	other, otherCookie := issue(t, b.sessions, resident(enschede))

	got, err := b.sessions.Load(requestWith("mijn.enschede.example", copied), enschede)
	if err != nil || got.ID != sess.ID {
		t.Fatalf("Load() before logout = %q, %v; want session %q", got.ID, err, sess.ID)
	}
	rec := httptest.NewRecorder()
	if err := b.sessions.Logout(ctx, rec, got); err != nil {
		t.Fatalf("Logout() = %v, want nil", err)
	}
	if cs := rec.Result().Cookies(); len(cs) != 1 || cs[0].Name != "plein_session" || cs[0].MaxAge >= 0 {
		t.Errorf("Logout() set cookies %v, want plein_session removed", cs)
	}

	for name, load := range map[string]func(*http.Request) (auth.Session, error){
		"Load": func(r *http.Request) (auth.Session, error) { return b.sessions.Load(r, enschede) },
		"LoadAndRefresh": func(r *http.Request) (auth.Session, error) {
			return b.sessions.LoadAndRefresh(httptest.NewRecorder(), r, enschede)
		},
	} {
		got, err := load(requestWith("mijn.enschede.example", copied))
		if !errors.Is(err, auth.ErrSessionRevoked) || !errors.Is(err, auth.ErrUnauthenticated) {
			t.Errorf("%s() of the copied cookie after logout = %+v, %v; want %v", name, got, err, auth.ErrSessionRevoked)
		}
	}
	// Later Sessions (another replica, a restart) refuse it too: the record is in
	// the database, not in memory.
	if _, err := b.with(t, nil).Load(requestWith("mijn.enschede.example", copied), enschede); !errors.Is(err, auth.ErrSessionRevoked) {
		t.Errorf("Load() on other Sessions = %v, want %v", err, auth.ErrSessionRevoked)
	}
	got, err = b.sessions.Load(requestWith("mijn.enschede.example", otherCookie), enschede)
	if err != nil || got.ID != other.ID {
		t.Errorf("Load() of the resident's other session = %q, %v; want %q, nil", got.ID, err, other.ID)
	}
	// A revoked cookie sent beside a valid one does not hide it.
	got, err = b.sessions.Load(requestWith("mijn.enschede.example", copied, otherCookie), enschede)
	if err != nil || got.ID != other.ID {
		t.Errorf("Load() of a revoked and a valid cookie = %q, %v; want %q, nil", got.ID, err, other.ID)
	}
}

// TestRevocationsPerTenant: a revocation is recorded and looked up in its tenant's
// rows only (row-level security), and forgetting expired records touches no other
// tenant's.
func TestRevocationsPerTenant(t *testing.T) {
	t.Parallel()
	b := setupStore(t)
	ctx := context.Background()
	past, future := t0.Add(-time.Hour), t0.Add(time.Hour)

	for _, r := range []struct {
		t     tenant.ID
		id    string
		until time.Time
	}{
		{zwolle, "zwolle-expired", past},
		{enschede, "enschede-expired", past},
		// The next revocation of enschede forgets enschede-expired, not zwolle's.
		{enschede, "same-id", future},
	} {
		if err := b.store.Revoke(ctx, r.t, r.id, r.until); err != nil {
			t.Fatalf("Revoke(%s, %s) = %v", r.t, r.id, err)
		}
	}
	for _, c := range []struct {
		t    tenant.ID
		id   string
		want bool
	}{
		{enschede, "same-id", true},
		{zwolle, "same-id", false}, // the same id in another tenant is another session
		{enschede, "enschede-expired", false},
		{zwolle, "zwolle-expired", true},
	} {
		got, err := b.store.Revoked(ctx, c.t, c.id)
		if err != nil || got != c.want {
			t.Errorf("Revoked(%s, %s) = %v, %v; want %v, nil", c.t, c.id, got, err, c.want)
		}
	}

	// What plein_app sees in a transaction of each tenant, and of none.
	for _, c := range []struct {
		t    tenant.ID // "" sets no tenant
		want []string
	}{
		{enschede, []string{"same-id"}},
		{zwolle, []string{"zwolle-expired"}},
		{"", nil},
	} {
		tx := dbtest.Begin(t, b.d.App)
		if c.t != "" {
			if err := db.SetTenant(ctx, tx, c.t); err != nil {
				t.Fatal(err)
			}
		}
		rows, err := tx.Query(ctx, "SELECT session_id FROM session_revocations ORDER BY session_id")
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				t.Fatal(err)
			}
			got = append(got, id)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("tenant %q sees %q, want %q", c.t, got, c.want)
		}
		if err := tx.Rollback(ctx); err != nil {
			t.Fatal(err)
		}
	}

	// A transaction of enschede cannot write a revocation of zwolle.
	tx := dbtest.Begin(t, b.d.App)
	if err := db.SetTenant(ctx, tx, enschede); err != nil {
		t.Fatal(err)
	}
	_, err := tx.Exec(ctx, `INSERT INTO session_revocations (tenant_id, session_id, revoked_at, expires_at)
		VALUES ('zwolle', 'forged', now(), now() + interval '1 hour')`)
	if !errors.Is(db.MapError(err), db.ErrForbidden) {
		t.Errorf("enschede inserting a revocation of zwolle: %v, want %v", err, db.ErrForbidden)
	}
}

// TestRevocationStoreDownFailsClosed: when the database cannot say whether a
// session was revoked, Load and LoadAndRefresh refuse it, and Logout reports that
// it could not end the session (clearing the cookie all the same).
func TestRevocationStoreDownFailsClosed(t *testing.T) {
	t.Parallel()
	b := setupStore(t)
	ctx := context.Background()
	broken, err := pgxpool.New(ctx, b.d.URL(db.RoleApp))
	if err != nil {
		t.Fatal(err)
	}
	broken.Close() // every Begin on it fails
	s := b.with(t, func(c *auth.SessionConfig) { c.Revocations = auth.NewRevocationStore(broken, b.clock.Now) })
	sess, c := issue(t, s, resident(enschede))
	b.clock.Set(t0.Add(5 * time.Minute)) // due for a refresh, which must not happen

	if got, err := s.Load(requestWith("mijn.enschede.example", c), enschede); !errors.Is(err, auth.ErrSessionStore) || got.ID != "" {
		t.Errorf("Load() with the store down = %+v, %v; want no session and %v", got, err, auth.ErrSessionStore)
	}
	rec := httptest.NewRecorder()
	if got, err := s.LoadAndRefresh(rec, requestWith("mijn.enschede.example", c), enschede); !errors.Is(err, auth.ErrSessionStore) || got.ID != "" {
		t.Errorf("LoadAndRefresh() with the store down = %+v, %v; want no session and %v", got, err, auth.ErrSessionStore)
	}
	checkNoCookie(t, rec, "LoadAndRefresh() with the store down")
	rec = httptest.NewRecorder()
	if err := s.Logout(ctx, rec, sess); !errors.Is(err, auth.ErrSessionStore) {
		t.Errorf("Logout() with the store down = %v, want %v", err, auth.ErrSessionStore)
	}
	if cs := rec.Result().Cookies(); len(cs) != 1 || cs[0].MaxAge >= 0 {
		t.Errorf("Logout() with the store down set cookies %v, want the session cookie removed", cs)
	}
	// The same cookie on Sessions whose store works: it was never revoked.
	if _, err := b.sessions.Load(requestWith("mijn.enschede.example", c), enschede); err != nil {
		t.Errorf("Load() with a working store = %v, want nil", err)
	}
}

// TestSessionsIdleAndAbsolute: a session unused for 16 minutes is refused; one used
// every 10 minutes lives, with the same id and CSRF token, until 2 hours after login
// and not a second longer.
func TestSessionsIdleAndAbsolute(t *testing.T) {
	t.Parallel()
	const host = "mijn.enschede.example"

	t.Run("unused for 16 minutes", func(t *testing.T) {
		t.Parallel()
		b := setupStore(t)
		_, c := issue(t, b.sessions, resident(enschede))
		got, rec, err := b.refreshAt(16*time.Minute, c)
		if !errors.Is(err, auth.ErrSessionIdle) || !errors.Is(err, auth.ErrUnauthenticated) {
			t.Fatalf("LoadAndRefresh() after 16 idle minutes = %+v, %v; want %v", got, err, auth.ErrSessionIdle)
		}
		checkNoCookie(t, rec, "LoadAndRefresh() of an idle session")
	})

	t.Run("used every 10 minutes", func(t *testing.T) {
		t.Parallel()
		b := setupStore(t)
		issued, first := issue(t, b.sessions, resident(enschede))
		c := first
		use := func(at time.Duration) (auth.Session, *httptest.ResponseRecorder, error) { return b.refreshAt(at, c) }
		for at := 10 * time.Minute; at < 2*time.Hour; at += 10 * time.Minute {
			sess, rec, err := use(at)
			if err != nil {
				t.Fatalf("use at +%s: %v, want the session", at, err)
			}
			if sess.ID != issued.ID || sess.CSRFToken() != issued.CSRFToken() || !sess.SeenAt.Equal(t0.Add(at)) {
				t.Errorf("use at +%s: id %q, csrf %q, seen %v; want %q, %q, %v", at, sess.ID, sess.CSRFToken(), sess.SeenAt,
					issued.ID, issued.CSRFToken(), t0.Add(at))
			}
			cs := rec.Result().Cookies()
			if len(cs) != 1 || cs[0].Name != "plein_session" {
				t.Fatalf("use at +%s: cookies %v, want the session cookie re-issued", at, cs)
			}
			if want := int(min(15*time.Minute, 2*time.Hour-at) / time.Second); cs[0].MaxAge != want {
				t.Errorf("use at +%s: Max-Age %d, want %d", at, cs[0].MaxAge, want)
			}
			if rec.Header().Get("Cache-Control") != "no-store" {
				t.Errorf("use at +%s: Cache-Control %q, want no-store beside a session cookie", at, rec.Header().Get("Cache-Control"))
			}
			c = cs[0]
			if at == 20*time.Minute {
				// The login's own cookie, never re-issued, has been idle for 20 minutes.
				if _, err := b.sessions.Load(requestWith(host, first), enschede); !errors.Is(err, auth.ErrSessionIdle) {
					t.Errorf("the first cookie at +20m = %v, want %v", err, auth.ErrSessionIdle)
				}
			}
		}
		if _, _, err := use(2*time.Hour - time.Second); err != nil {
			t.Fatalf("use a second before the absolute limit: %v, want the session", err)
		}
		sess, rec, err := use(2 * time.Hour)
		if !errors.Is(err, auth.ErrSessionExpired) || errors.Is(err, auth.ErrSessionIdle) {
			t.Errorf("use at the absolute limit = %+v, %v; want %v, not idle", sess, err, auth.ErrSessionExpired)
		}
		checkNoCookie(t, rec, "LoadAndRefresh() of an expired session")
	})

	t.Run("re-issued at most once a minute", func(t *testing.T) {
		t.Parallel()
		b := setupStore(t)
		_, c := issue(t, b.sessions, resident(enschede))
		for _, step := range []struct {
			at         time.Duration
			wantCookie bool
		}{{30 * time.Second, false}, {59 * time.Second, false}, {time.Minute, true}} {
			_, rec, err := b.refreshAt(step.at, c)
			if err != nil {
				t.Fatalf("+%s: %v", step.at, err)
			}
			if got := len(rec.Result().Cookies()) == 1; got != step.wantCookie {
				t.Errorf("+%s: cookie re-issued %v, want %v", step.at, got, step.wantCookie)
			}
		}
	})
}

// TestSessionsDevOrigin: a session of the local test login, sealed with the same
// key, is refused by production Sessions and accepted by dev ones; production
// Sessions do not even issue one.
func TestSessionsDevOrigin(t *testing.T) {
	t.Parallel()
	b := setupStore(t)
	dev := b.with(t, func(c *auth.SessionConfig) { c.AcceptDev = true })
	devID := auth.Identity{Subject: "dev:inwoner", Tenant: enschede, Roles: []string{auth.RoleResident}, Method: auth.MethodDev}
	_, devCookie := issue(t, dev, devID)

	got, err := b.sessions.Load(requestWith("mijn.enschede.example", devCookie), enschede)
	if !errors.Is(err, auth.ErrDevSession) || !errors.Is(err, auth.ErrUnauthenticated) {
		t.Errorf("production Load() of a dev session = %+v, %v; want %v", got, err, auth.ErrDevSession)
	}
	got, err = dev.Load(requestWith("mijn.enschede.example", devCookie), enschede)
	if err != nil {
		t.Fatalf("dev Load() of a dev session = %v, want nil", err)
	}
	assertIdentity(t, got.Identity, devID)
	// A production sign-in sealed by the dev Sessions is judged by its method only.
	_, oidcCookie := issue(t, dev, resident(enschede))
	if _, err := b.sessions.Load(requestWith("mijn.enschede.example", oidcCookie), enschede); err != nil {
		t.Errorf("production Load() of an OIDC session = %v, want nil", err)
	}

	rec := httptest.NewRecorder()
	if sess, err := b.sessions.Issue(rec, devID); !errors.Is(err, auth.ErrInvalidConfig) || sess.ID != "" {
		t.Errorf("production Issue() of a dev session = %+v, %v; want %v", sess, err, auth.ErrInvalidConfig)
	}
	checkNoCookie(t, rec, "production Issue() of a dev session")
}
