package tenancy

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/plein-nl/plein/platform/clocktest"
	"github.com/plein-nl/plein/platform/db"
	"github.com/plein-nl/plein/platform/tenant"
)

// clock is a settable clock for the vitals' cache.
// TestTenantCollector scrapes the per-tenant gauges of two gemeenten with residents in
// each, one of them suspended, from a real database; the counts are cached for the TTL.
func TestTenantCollector(t *testing.T) {
	t.Parallel()
	b := setupStore(t, false)
	b.tenants = copyTenants(t, "enschede", "zwolle")
	b.apply(t, b.tenants, "ops")
	ctx := context.Background()
	b.d.AddResidents(t, "zwolle", 3)
	b.d.AddResidents(t, "enschede", 1)
	if _, err := b.store.Transition(ctx, "enschede", StatusSuspended, "ops", "betalingsachterstand"); err != nil {
		t.Fatal(err)
	}

	clk := clocktest.New(time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC))
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(NewCollector(NewVitalsReader(b.d.App, 30*time.Second, clk.Now), nil))
	expect := func(t *testing.T, enschede, zwolle int) {
		t.Helper()
		want := fmt.Sprintf(`
# HELP plein_tenant_active_residents Residents in the gemeente's caseload (every registered resident; the monthly settlement pays each).
# TYPE plein_tenant_active_residents gauge
plein_tenant_active_residents{tenant="enschede"} %d
plein_tenant_active_residents{tenant="zwolle"} %d
# HELP plein_tenant_status The gemeente's lifecycle status: 1 for the one it is in, 0 for the others.
# TYPE plein_tenant_status gauge
plein_tenant_status{status="active",tenant="enschede"} 0
plein_tenant_status{status="active",tenant="zwolle"} 1
plein_tenant_status{status="offboarded",tenant="enschede"} 0
plein_tenant_status{status="offboarded",tenant="zwolle"} 0
plein_tenant_status{status="offboarding",tenant="enschede"} 0
plein_tenant_status{status="offboarding",tenant="zwolle"} 0
plein_tenant_status{status="onboarding",tenant="enschede"} 0
plein_tenant_status{status="onboarding",tenant="zwolle"} 0
plein_tenant_status{status="suspended",tenant="enschede"} 1
plein_tenant_status{status="suspended",tenant="zwolle"} 0
`, enschede, zwolle)
		if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "plein_tenant_active_residents", "plein_tenant_status"); err != nil {
			t.Error(err)
		}
	}
	expect(t, 1, 3)

	// Within the TTL a scrape reads nothing: the new resident shows after it.
	b.d.AddResidents(t, "enschede", 2)
	expect(t, 1, 3)
	clk.Advance(31 * time.Second)
	expect(t, 3, 3)
}

// tenant_resident_counts() runs under the caller's row-level security and hands the
// caller's tenant back unchanged; the control plane, which has no business with
// residents, may not call it.
func TestTenantResidentCountsFunction(t *testing.T) {
	t.Parallel()
	b := setupStore(t, false)
	b.tenants = copyTenants(t, "enschede", "zwolle")
	b.apply(t, b.tenants, "ops")
	b.d.AddResidents(t, "zwolle", 2)
	b.d.AddResidents(t, "enschede", 5)

	err := db.InTenant(tenant.WithID(context.Background(), "zwolle"), b.d.App, func(ctx context.Context, tx pgx.Tx) error {
		counts := map[string]int64{}
		rows, err := tx.Query(ctx, "SELECT tenant, resident_count FROM tenant_resident_counts()")
		if err != nil {
			return err
		}
		var id string
		var n int64
		if _, err := pgx.ForEachRow(rows, []any{&id, &n}, func() error {
			counts[id] = n
			return nil
		}); err != nil {
			return err
		}
		if counts["zwolle"] != 2 || counts["enschede"] != 5 || len(counts) != 2 {
			t.Errorf("tenant_resident_counts() = %v, want zwolle 2, enschede 5", counts)
		}
		var cur string
		var visible int
		if err := tx.QueryRow(ctx, "SELECT current_tenant(), (SELECT count(*) FROM residents)").Scan(&cur, &visible); err != nil {
			return err
		}
		if cur != "zwolle" || visible != 2 {
			t.Errorf("after the call the transaction is in tenant %q and sees %d residents, want zwolle and 2", cur, visible)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// Outside a tenant, plein_app still sees no resident itself.
	var visible int
	if err := b.d.App.QueryRow(context.Background(), "SELECT count(*) FROM residents").Scan(&visible); err != nil || visible != 0 {
		t.Errorf("plein_app without a tenant sees %d residents (%v), want 0", visible, err)
	}
	_, err = b.d.Control.Exec(context.Background(), "SELECT * FROM tenant_resident_counts()")
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "42501" {
		t.Errorf("plein_control calling tenant_resident_counts(): %v, want permission denied (42501)", err)
	}
}
