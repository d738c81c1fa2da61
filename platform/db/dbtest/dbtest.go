// Package dbtest is the database test harness: a real PostgreSQL for every test.
//
// Each test process gets one throwaway cluster, made with the server binaries on the
// machine on first use and removed when the process ends (call Main from TestMain). Set
// PLEIN_TEST_DATABASE_URL to a superuser URL to use an existing server instead (the
// roles plein_owner, plein_app and plein_control must be able to log in to it). Tests
// that commit get a fresh migrated database of their own from New, cloned from a
// template in milliseconds; tests that need no commit get a transaction from Tx that is
// rolled back at the end. Both are safe for t.Parallel.
package dbtest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/plein-nl/plein/migrations"
	"github.com/plein-nl/plein/platform/db"
	"github.com/plein-nl/plein/platform/db/pgcluster"
	"github.com/plein-nl/plein/platform/tenant"
)

// EnvURL names the variable holding a superuser URL of an existing server to test on.
const EnvURL = "PLEIN_TEST_DATABASE_URL"

type server struct {
	superURL string // to the maintenance database
	cluster  *pgcluster.Cluster
	template string
	shared   *pgxpool.Pool // superuser pool on the shared database, for Tx
	prefix   string
	mu       sync.Mutex // serialises CREATE DATABASE … TEMPLATE
}

var (
	srvOnce  sync.Once
	srv      *server
	srvErr   error
	mainUsed atomic.Bool
	seq      atomic.Int64
)

// Main runs the package's tests and then stops and removes the cluster the harness
// started. Use it from TestMain in every package that uses the harness:
//
//	func TestMain(m *testing.M) { dbtest.Main(m) }
func Main(m *testing.M) {
	mainUsed.Store(true)
	code := m.Run()
	if srv != nil {
		srv.close()
	}
	os.Exit(code)
}

func get(t testing.TB) *server {
	t.Helper()
	if !mainUsed.Load() {
		t.Fatal("dbtest: call dbtest.Main(m) from TestMain, or the test cluster outlives the test process")
	}
	srvOnce.Do(func() { srv, srvErr = start() })
	if srvErr != nil {
		t.Fatalf("dbtest: %v", srvErr)
	}
	return srv
}

func start() (*server, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	s := &server{prefix: fmt.Sprintf("plein_test_%d", os.Getpid())}
	if u := os.Getenv(EnvURL); u != "" {
		s.superURL = u
	} else {
		c, err := pgcluster.StartThrowaway(ctx)
		if err != nil {
			return nil, err
		}
		s.cluster = c
		s.superURL = c.URL(pgcluster.Superuser, "postgres")
	}
	if err := s.makeTemplate(ctx); err != nil {
		s.close()
		return nil, err
	}
	shared := s.prefix + "_shared"
	if err := s.clone(ctx, shared); err != nil {
		s.close()
		return nil, err
	}
	pool, err := pgxpool.New(ctx, s.urlFor(shared, ""))
	if err != nil {
		s.close()
		return nil, err
	}
	s.shared = pool
	return s, nil
}

// makeTemplate sets s.template to a migrated database to clone. On the process's own
// cluster it migrates one. On a shared server (EnvURL, as `make test` sets it through
// tools/testpg) the first test process migrates a template named after the migrations
// and the others wait for it and clone it too: a run migrates once, not once a package.
// That template stays on the server for later runs until the migrations change.
func (s *server) makeTemplate(ctx context.Context) error {
	if s.cluster != nil {
		s.template = s.prefix + "_tmpl"
		return s.migrate(ctx, s.template)
	}
	conn, err := pgx.Connect(ctx, s.superURL)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	// Session-level, so it is released with the connection if this process dies.
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", templateLock); err != nil {
		return err
	}
	name := "plein_test_tmpl_" + schemaVersion()
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		return err
	}
	if !exists {
		// Migrated under a name of this process's (dropped with its databases if it
		// fails), then renamed: the shared name only ever holds a complete template.
		work := s.prefix + "_tmpl"
		if err := s.migrate(ctx, work); err != nil {
			return err
		}
		if _, err := conn.Exec(ctx, fmt.Sprintf("ALTER DATABASE %s RENAME TO %s",
			pgx.Identifier{work}.Sanitize(), pgx.Identifier{name}.Sanitize())); err != nil {
			return err
		}
	}
	s.template = name
	return nil
}

// templateLock is the advisory lock key under which test processes make the shared template.
const templateLock = 727002

// migrate makes the database name (and the roles) and migrates it.
func (s *server) migrate(ctx context.Context, name string) error {
	if err := db.Bootstrap(ctx, s.superURL, name); err != nil {
		return err
	}
	return db.Migrate(ctx, s.urlFor(name, ""), slog.New(slog.NewTextHandler(io.Discard, nil)))
}

// schemaVersion names the schema the migrations make: a digest of the migration files
// and of the River version whose own migrations run first.
func schemaVersion() string {
	h := sha256.New()
	entries, _ := fs.ReadDir(migrations.FS, ".")
	for _, e := range entries {
		b, _ := fs.ReadFile(migrations.FS, e.Name())
		fmt.Fprintf(h, "%s %d\n", e.Name(), len(b))
		h.Write(b)
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, m := range bi.Deps {
			if strings.HasPrefix(m.Path, "github.com/riverqueue/river") {
				fmt.Fprintf(h, "%s %s\n", m.Path, m.Version)
			}
		}
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// urlFor returns the URL of database name as user (the superuser when user is "").
func (s *server) urlFor(name, user string) string {
	u, err := url.Parse(s.superURL)
	if err != nil {
		panic(err)
	}
	u.Path = "/" + name
	if user != "" {
		// The roles log in without a password of their own: trust on the private
		// cluster's socket, or the server's pg_hba/.pgpass for an external server.
		u.User = url.User(user)
	}
	return u.String()
}

func (s *server) clone(ctx context.Context, name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	conn, err := pgx.Connect(ctx, s.superURL)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, fmt.Sprintf("CREATE DATABASE %s TEMPLATE %s OWNER %s",
		pgx.Identifier{name}.Sanitize(), pgx.Identifier{s.template}.Sanitize(), db.RoleOwner))
	return err
}

func (s *server) drop(ctx context.Context, name string) error {
	conn, err := pgx.Connect(ctx, s.superURL)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, fmt.Sprintf("DROP DATABASE IF EXISTS %s WITH (FORCE)", pgx.Identifier{name}.Sanitize()))
	return err
}

func (s *server) close() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if s.shared != nil {
		s.shared.Close()
	}
	if s.cluster != nil {
		_ = s.cluster.Remove(ctx)
		return
	}
	// An external server: drop what this process made.
	conn, err := pgx.Connect(ctx, s.superURL)
	if err != nil {
		return
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, "SELECT datname FROM pg_database WHERE datname LIKE $1", s.prefix+"%")
	if err != nil {
		return
	}
	names, _ := pgx.CollectRows(rows, pgx.RowTo[string])
	for _, n := range names {
		_, _ = conn.Exec(ctx, fmt.Sprintf("DROP DATABASE IF EXISTS %s WITH (FORCE)", pgx.Identifier{n}.Sanitize()))
	}
}

// DB is a fresh migrated database of one test.
type DB struct {
	// Name is the database's name.
	Name string
	// App connects as plein_app: what the portal, the APIs and the workers use.
	App *pgxpool.Pool
	// Control connects as plein_control: what the control plane uses.
	Control *pgxpool.Pool
	// Owner connects as plein_owner, the owner of every table (RLS is FORCEd on it too).
	Owner *pgxpool.Pool
	srv   *server
}

// URL returns the database's URL for role (db.RoleApp, …), or the superuser's for "".
func (d *DB) URL(role string) string { return d.srv.urlFor(d.Name, role) }

// New returns a fresh migrated database for a test that commits. It is dropped when the
// test ends.
func New(t testing.TB) *DB {
	t.Helper()
	s := get(t)
	ctx := context.Background()
	name := fmt.Sprintf("%s_%d", s.prefix, seq.Add(1))
	if err := s.clone(ctx, name); err != nil {
		t.Fatalf("dbtest: create database: %v", err)
	}
	d := &DB{Name: name, srv: s}
	t.Cleanup(func() {
		for _, p := range []*pgxpool.Pool{d.App, d.Control, d.Owner} {
			if p != nil {
				p.Close()
			}
		}
		if err := s.drop(context.Background(), name); err != nil {
			t.Errorf("dbtest: drop database: %v", err)
		}
	})
	d.App = d.pool(t, db.RoleApp)
	d.Control = d.pool(t, db.RoleControl)
	d.Owner = d.pool(t, db.RoleOwner)
	return d
}

func (d *DB) pool(t testing.TB, role string) *pgxpool.Pool {
	t.Helper()
	cfg, err := pgxpool.ParseConfig(d.URL(role))
	if err != nil {
		t.Fatalf("dbtest: %v", err)
	}
	cfg.MaxConns = 8
	p, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		t.Fatalf("dbtest: connect as %s: %v", role, err)
	}
	return p
}

// Tx returns a transaction on the process's shared migrated database, running as
// plein_app, rolled back when the test ends. Nothing it does is ever seen by another test.
func Tx(t testing.TB) pgx.Tx {
	t.Helper()
	tx := Begin(t, get(t).shared)
	if _, err := tx.Exec(context.Background(), "SET LOCAL ROLE "+db.RoleApp); err != nil {
		t.Fatalf("dbtest: set role: %v", err)
	}
	return tx
}

// Begin begins a transaction on pool, rolled back when the test ends (a rollback
// before that is fine).
func Begin(t testing.TB, pool db.Beginner) pgx.Tx {
	t.Helper()
	tx, err := pool.Begin(context.Background())
	if err != nil {
		t.Fatalf("dbtest: begin: %v", err)
	}
	t.Cleanup(func() { _ = tx.Rollback(context.Background()) })
	return tx
}

// CreateTenants registers tenants directly (as the control plane would) so that
// tenant-owned rows can reference them.
func CreateTenants(t testing.TB, d *DB, ids ...tenant.ID) {
	t.Helper()
	for _, id := range ids {
		if _, err := d.Control.Exec(context.Background(),
			"INSERT INTO tenants (tenant_id) VALUES ($1) ON CONFLICT DO NOTHING", string(id)); err != nil {
			t.Fatalf("dbtest: create tenant %s: %v", id, err)
		}
	}
}

// AwaitListening waits, at most 10 s, until a session of pool's role listens on channel
// in pool's database (a directory that follows the registry, say), so that a change made
// next is not one made before anyone listened and so never heard of.
func AwaitListening(t testing.TB, pool *pgxpool.Pool, channel string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var n int
		err := pool.QueryRow(context.Background(), `SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND pid <> pg_backend_pid() AND query = 'LISTEN '||$1`, channel).Scan(&n)
		if err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("nobody listens on %s after 10 s", channel)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
