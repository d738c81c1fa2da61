// Package residentstest gives other services' tests a residents service and the
// residents they need, so that no test package builds its own sealer or resident.
package residentstest

import (
	"context"
	"crypto/rand"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/plein-nl/plein/platform/bsn/bsntest"
	"github.com/plein-nl/plein/platform/db"
	"github.com/plein-nl/plein/platform/db/dbtest"
	"github.com/plein-nl/plein/platform/tenant"
	"github.com/plein-nl/plein/platform/uuid"
	"github.com/plein-nl/plein/services/residents"
)

// IBAN is the valid account of the residents made here.
const IBAN = "NL91ABNA0417164300"

// NewService is the residents service over app, with the test sealer of bsntest
// and now as its clock.
func NewService(t testing.TB, app *pgxpool.Pool, now func() time.Time) residents.Service {
	t.Helper()
	return residents.NewService(app, bsntest.Sealer(t), now)
}

// Single is a single resident with BSN b: Fatima el Amrani, born 1990-05-01 (35 on
// 2026-03-01), no vrijlating months used.
func Single(b string) residents.NewResident {
	return residents.NewResident{Name: "Fatima el Amrani", BirthDate: "1990-05-01", BSN: residents.BSNInput(b),
		IBAN: IBAN, Kind: "single"}
}

// Create registers nr in tenant tn through svc and returns the resident's id; the
// test fails if that is refused.
func Create(ctx context.Context, t testing.TB, svc residents.Service, tn tenant.ID, nr residents.NewResident) string {
	t.Helper()
	r, err := svc.Create(ctx, tn, nr)
	if err != nil {
		t.Fatalf("create resident: %v", err)
	}
	return r.ID
}

// Insert registers n residents of tenant tn straight into the residents table of the
// test database, as the application role in the tenant's own transaction: the rows
// the residents service writes, with random sealed BSNs, for tests that need many
// residents and none of their data (counts, metrics). The test fails if an insert
// does.
func Insert(t testing.TB, d *dbtest.DB, tn tenant.ID, n int) {
	t.Helper()
	err := db.InTenant(tenant.WithID(context.Background(), tn), d.App, func(ctx context.Context, tx pgx.Tx) error {
		for range n {
			sealed, index := make([]byte, 40), make([]byte, 32)
			rand.Read(sealed)
			rand.Read(index)
			if _, err := tx.Exec(ctx, `
				INSERT INTO residents (tenant_id, id, name, birth_date, bsn_sealed, bsn_index, iban, household_kind)
				VALUES (current_tenant(), $1, 'Sam de Vries', DATE '1990-01-01', $2, $3, $4, 'single')`,
				uuid.New(), sealed, index, IBAN); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("insert %d residents of %s: %v", n, tn, err)
	}
}
