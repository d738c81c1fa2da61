package db_test

import (
	"context"
	"errors"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/plein-nl/plein/platform/db"
	"github.com/plein-nl/plein/platform/db/dbtest"
	"github.com/plein-nl/plein/platform/tenant"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

var (
	tenantA = tenant.MustParse("enschede")
	tenantB = tenant.MustParse("zwolle")
)

// TestSchemaShape checks every table the migrations made, so that a table added later
// without tenant_id first, or without FORCEd row-level security, fails here.
func TestSchemaShape(t *testing.T) {
	t.Parallel()
	tx := dbtest.Tx(t)
	ctx := context.Background()

	rows, err := tx.Query(ctx, `
		SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity,
		       EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped),
		       (SELECT count(*) FROM pg_policy p WHERE p.polrelid = c.oid)
		FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname <> 'goose_db_version'
		ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	type table struct {
		name                    string
		rls, force, hasTenantID bool
		policies                int
	}
	tables, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (table, error) {
		var tb table
		return tb, r.Scan(&tb.name, &tb.rls, &tb.force, &tb.hasTenantID, &tb.policies)
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(tables) < 4 {
		t.Fatalf("found %d tables, want at least the 4 of the foundation migration", len(tables))
	}
	for _, tb := range tables {
		if !tb.rls || !tb.force {
			t.Errorf("table %s: row level security enabled=%v forced=%v, want both", tb.name, tb.rls, tb.force)
		}
		if tb.policies == 0 {
			t.Errorf("table %s has no policy", tb.name)
		}
		if tb.name == "tenant_hosts" {
			continue // keyed by host: a host belongs to exactly one tenant
		}
		if !tb.hasTenantID {
			t.Errorf("table %s has no tenant_id column", tb.name)
		}
	}

	// tenant_id is the first column of every index of every table that has one
	// (tenant_hosts' primary key is the host itself).
	var bad []string
	rows, err = tx.Query(ctx, `
		SELECT i.indexrelid::regclass::text
		FROM pg_index i
		JOIN pg_class c ON c.oid = i.indrelid
		JOIN pg_namespace n ON n.oid = c.relnamespace
		JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = i.indkey[0]
		WHERE n.nspname = 'public' AND c.relname NOT IN ('goose_db_version', 'tenant_hosts')
		  AND a.attname <> 'tenant_id'`)
	if err != nil {
		t.Fatal(err)
	}
	bad, err = pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	if len(bad) > 0 {
		t.Errorf("indexes not led by tenant_id: %v", bad)
	}
}

// TestAppRole checks that the application's role can bypass nothing.
func TestAppRole(t *testing.T) {
	t.Parallel()
	d := dbtest.New(t)
	ctx := context.Background()
	var super, bypass bool
	var owned int
	err := d.App.QueryRow(ctx, `
		SELECT r.rolsuper, r.rolbypassrls,
		       (SELECT count(*) FROM pg_class c WHERE c.relowner = r.oid)
		FROM pg_roles r WHERE r.rolname = current_user`).Scan(&super, &bypass, &owned)
	if err != nil {
		t.Fatal(err)
	}
	if super || bypass || owned != 0 {
		t.Errorf("plein_app: superuser=%v bypassrls=%v owns %d relations; want false, false, 0", super, bypass, owned)
	}
}

// probe makes a tenant table with the same policy shape as the migrations' tables, so
// that the RLS wall is tested on reads, updates and deletes alike.
func probe(t *testing.T, d *dbtest.DB) {
	t.Helper()
	ctx := context.Background()
	_, err := d.Owner.Exec(ctx, `
		CREATE TABLE probe (
			tenant_id text NOT NULL REFERENCES tenants (tenant_id),
			id text NOT NULL,
			note text NOT NULL DEFAULT '',
			PRIMARY KEY (tenant_id, id));
		ALTER TABLE probe ENABLE ROW LEVEL SECURITY;
		ALTER TABLE probe FORCE ROW LEVEL SECURITY;
		CREATE POLICY tenant_isolation ON probe
			USING (tenant_id = current_tenant()) WITH CHECK (tenant_id = current_tenant());
		GRANT SELECT, INSERT, UPDATE, DELETE ON probe TO plein_app;`)
	if err != nil {
		t.Fatal(err)
	}
	dbtest.CreateTenants(t, d, tenantA, tenantB)
	for _, id := range []tenant.ID{tenantA, tenantB} {
		err := db.InTenant(tenant.WithID(ctx, id), d.App, func(ctx context.Context, tx pgx.Tx) error {
			_, err := tx.Exec(ctx, "INSERT INTO probe (tenant_id, id, note) VALUES ($1, 'r1', 'x'), ($1, 'r2', 'x')", string(id))
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

func count(t *testing.T, ctx context.Context, q pgx.Tx, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := q.QueryRow(ctx, sql, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

// inTenant runs fn in a unit of work of ctx's tenant as plein_app, and fails the test
// on an error.
func inTenant(t *testing.T, ctx context.Context, d *dbtest.DB, fn func(ctx context.Context, tx pgx.Tx) error) {
	t.Helper()
	if err := db.InTenant(ctx, d.App, fn); err != nil {
		t.Fatal(err)
	}
}

func TestRowLevelSecurity(t *testing.T) {
	t.Parallel()
	d := dbtest.New(t)
	probe(t, d)
	ctxA := tenant.WithID(context.Background(), tenantA)

	t.Run("reads only its own rows", func(t *testing.T) {
		inTenant(t, ctxA, d, func(ctx context.Context, tx pgx.Tx) error {
			if got := count(t, ctx, tx, "SELECT count(*) FROM probe"); got != 2 {
				t.Errorf("rows visible = %d, want 2", got)
			}
			if got := count(t, ctx, tx, "SELECT count(*) FROM probe WHERE tenant_id = $1", "zwolle"); got != 0 {
				t.Errorf("rows of zwolle visible = %d, want 0", got)
			}
			return nil
		})
	})

	t.Run("changes none of another tenant's rows", func(t *testing.T) {
		inTenant(t, ctxA, d, func(ctx context.Context, tx pgx.Tx) error {
			for _, sql := range []string{
				"UPDATE probe SET note = 'hacked' WHERE tenant_id = 'zwolle'",
				"UPDATE probe SET note = 'hacked' WHERE tenant_id <> 'enschede'",
				"DELETE FROM probe WHERE tenant_id = 'zwolle'",
			} {
				tag, err := tx.Exec(ctx, sql)
				if err != nil {
					t.Fatalf("%s: %v", sql, err)
				}
				if tag.RowsAffected() != 0 {
					t.Errorf("%s: affected %d rows, want 0", sql, tag.RowsAffected())
				}
			}
			return nil
		})
		// Moving an own row into another tenant is refused by WITH CHECK, and so is
		// inserting a row for another tenant.
		for _, sql := range []string{
			"UPDATE probe SET tenant_id = 'zwolle' WHERE id = 'r1'",
			"INSERT INTO probe (tenant_id, id) VALUES ('zwolle', 'r9')",
		} {
			err := db.InTenant(ctxA, d.App, func(ctx context.Context, tx pgx.Tx) error {
				_, err := tx.Exec(ctx, sql)
				return err
			})
			if err == nil {
				t.Errorf("%s: succeeded, want an RLS error", sql)
			}
		}
		// Zwolle's rows are untouched (checked as zwolle).
		inTenant(t, tenant.WithID(context.Background(), tenantB), d, func(ctx context.Context, tx pgx.Tx) error {
			if got := count(t, ctx, tx, "SELECT count(*) FROM probe WHERE note = 'x'"); got != 2 {
				t.Errorf("zwolle rows intact = %d, want 2", got)
			}
			return nil
		})
	})

	t.Run("no tenant set sees nothing and writes nothing", func(t *testing.T) {
		ctx := context.Background()
		tx := dbtest.Begin(t, d.App)
		if got := count(t, ctx, tx, "SELECT count(*) FROM probe"); got != 0 {
			t.Errorf("rows visible without tenant = %d, want 0", got)
		}
		if got := count(t, ctx, tx, "SELECT count(*) FROM audit_log"); got != 0 {
			t.Errorf("audit rows visible without tenant = %d, want 0", got)
		}
		if _, err := tx.Exec(ctx, "INSERT INTO probe (tenant_id, id) VALUES ('enschede', 'r9')"); err == nil {
			t.Error("insert without tenant succeeded, want an RLS error")
		}
	})

	t.Run("an empty tenant setting sees nothing", func(t *testing.T) {
		ctx := context.Background()
		tx := dbtest.Begin(t, d.App)
		if _, err := tx.Exec(ctx, "SELECT set_config('plein.tenant_id', '', true)"); err != nil {
			t.Fatal(err)
		}
		if got := count(t, ctx, tx, "SELECT count(*) FROM probe"); got != 0 {
			t.Errorf("rows visible with empty tenant = %d, want 0", got)
		}
	})

	t.Run("the owner is held by FORCE too", func(t *testing.T) {
		ctx := context.Background()
		tx := dbtest.Begin(t, d.Owner)
		if got := count(t, ctx, tx, "SELECT count(*) FROM probe"); got != 0 {
			t.Errorf("owner sees %d rows without tenant, want 0", got)
		}
	})
}

// TestTenantSettingDoesNotLeak runs a unit of work for one tenant and then uses the
// very same pooled connection without one: nothing may be visible.
func TestTenantSettingDoesNotLeak(t *testing.T) {
	t.Parallel()
	d := dbtest.New(t)
	probe(t, d)
	ctx := context.Background()
	cfg, err := pgxpool.ParseConfig(d.URL(db.RoleApp))
	if err != nil {
		t.Fatal(err)
	}
	cfg.MaxConns = 1
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	err = db.InTenant(tenant.WithID(ctx, tenantA), pool, func(ctx context.Context, tx pgx.Tx) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := pool.QueryRow(ctx, "SELECT count(*) FROM probe").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("after a unit of work, the pooled connection sees %d rows without a tenant, want 0", n)
	}
}

func TestInTenantNeedsTenant(t *testing.T) {
	t.Parallel()
	d := dbtest.New(t)
	ran := false
	err := db.InTenant(context.Background(), d.App, func(ctx context.Context, tx pgx.Tx) error { ran = true; return nil })
	if !errors.Is(err, tenant.ErrNoTenant) || ran {
		t.Errorf("InTenant without tenant: err = %v, ran = %v; want ErrNoTenant and not run", err, ran)
	}
}

func TestInTenantRollsBackOnError(t *testing.T) {
	t.Parallel()
	d := dbtest.New(t)
	probe(t, d)
	ctx := tenant.WithID(context.Background(), tenantA)
	boom := errors.New("boom")
	err := db.InTenant(ctx, d.App, func(ctx context.Context, tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "INSERT INTO probe (tenant_id, id) VALUES ('enschede', 'r3')"); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want boom", err)
	}
	_ = db.InTenant(ctx, d.App, func(ctx context.Context, tx pgx.Tx) error {
		if got := count(t, ctx, tx, "SELECT count(*) FROM probe WHERE id = 'r3'"); got != 0 {
			t.Errorf("row of a failed unit of work committed: %d, want 0", got)
		}
		return nil
	})
}

func TestMigrateIsIdempotent(t *testing.T) {
	t.Parallel()
	d := dbtest.New(t)
	ctx := context.Background()
	if err := db.Migrate(ctx, d.URL(""), nil); err != nil {
		t.Fatalf("second migrate: %v", err)
	}
	st, err := db.Status(ctx, d.URL(""))
	if err != nil {
		t.Fatal(err)
	}
	var plein, river int
	for _, s := range st {
		if !s.Applied {
			t.Errorf("migration %s %d %s not applied", s.Source, s.Version, s.Name)
		}
		switch s.Source {
		case "plein":
			plein++
		case "river":
			river++
		}
	}
	if plein == 0 || river == 0 {
		t.Errorf("status lists %d plein and %d river migrations, want both > 0", plein, river)
	}
}
