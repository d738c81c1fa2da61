package audit_test

import (
	"context"
	"errors"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/plein-nl/plein/platform/audit"
	"github.com/plein-nl/plein/platform/db"
	"github.com/plein-nl/plein/platform/db/dbtest"
	"github.com/plein-nl/plein/platform/tenant"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

func TestRecordAndList(t *testing.T) {
	t.Parallel()
	d := dbtest.New(t)
	dbtest.CreateTenants(t, d, "enschede", "zwolle")
	ctx := tenant.WithID(context.Background(), "enschede")
	e := audit.Entry{Actor: "consulent-1", Role: "consulent", Action: "resident.read", ObjectType: "resident", ObjectID: "r-42", Purpose: "case 2026-17: payslip check", RequestID: "abc"}
	err := db.InTenant(ctx, d.App, func(ctx context.Context, tx pgx.Tx) error { return audit.Record(ctx, tx, e) })
	if err != nil {
		t.Fatal(err)
	}
	var got []audit.Entry
	err = db.InTenant(ctx, d.App, func(ctx context.Context, tx pgx.Tx) (err error) {
		got, err = audit.List(ctx, tx, audit.Filter{ObjectType: "resident", ObjectID: "r-42"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 {
		t.Fatalf("entries = %d, want 1", len(got))
	}
	g := got[0]
	if g.Tenant != "enschede" || g.Actor != e.Actor || g.Role != e.Role || g.Action != e.Action || g.ObjectID != e.ObjectID || g.Purpose != e.Purpose || g.RequestID != e.RequestID || g.At.IsZero() {
		t.Errorf("entry = %+v, want the recorded %+v", g, e)
	}
	// Zwolle sees none of it.
	err = db.InTenant(tenant.WithID(context.Background(), "zwolle"), d.App, func(ctx context.Context, tx pgx.Tx) error {
		list, err := audit.List(ctx, tx, audit.Filter{})
		if len(list) != 0 {
			t.Errorf("zwolle sees %d enschede entries, want 0", len(list))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestRecordValidates(t *testing.T) {
	t.Parallel()
	tx := dbtest.Tx(t)
	ctx := context.Background()
	ok := audit.Entry{Actor: "a", Role: "r", Action: "x", ObjectType: "o", Purpose: "p"}
	if err := audit.Record(ctx, tx, ok); !errors.Is(err, tenant.ErrNoTenant) {
		t.Errorf("without tenant: err = %v, want ErrNoTenant", err)
	}
	ctx = tenant.WithID(ctx, "enschede")
	noPurpose := ok
	noPurpose.Purpose = "  "
	if err := audit.Record(ctx, tx, noPurpose); !errors.Is(err, audit.ErrNoPurpose) {
		t.Errorf("without purpose: err = %v, want ErrNoPurpose", err)
	}
	noActor := ok
	noActor.Actor = ""
	if err := audit.Record(ctx, tx, noActor); !errors.Is(err, audit.ErrIncomplete) {
		t.Errorf("without actor: err = %v, want ErrIncomplete", err)
	}
}

func TestAppendOnly(t *testing.T) {
	t.Parallel()
	d := dbtest.New(t)
	dbtest.CreateTenants(t, d, "enschede")
	ctx := tenant.WithID(context.Background(), "enschede")
	err := db.InTenant(ctx, d.App, func(ctx context.Context, tx pgx.Tx) error {
		return audit.Record(ctx, tx, audit.Entry{Actor: "a", Role: "r", Action: "x", ObjectType: "o", Purpose: "p"})
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, pool := range []struct {
		name string
		b    db.Beginner
	}{{"plein_app", d.App}, {"plein_owner", d.Owner}} {
		for _, sql := range []string{"UPDATE audit_log SET purpose = 'rewritten'", "DELETE FROM audit_log", "TRUNCATE audit_log"} {
			err := db.InTenant(ctx, pool.b, func(ctx context.Context, tx pgx.Tx) error {
				_, err := tx.Exec(ctx, sql)
				return err
			})
			if err == nil {
				t.Errorf("%s: %q succeeded, want refused", pool.name, sql)
			}
		}
	}
	var n int
	err = db.InTenant(ctx, d.App, func(ctx context.Context, tx pgx.Tx) error {
		return tx.QueryRow(ctx, "SELECT count(*) FROM audit_log WHERE purpose = 'p'").Scan(&n)
	})
	if err != nil || n != 1 {
		t.Errorf("entries intact = %d (%v), want 1", n, err)
	}
}
