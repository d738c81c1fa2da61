package dbtest

import (
	"context"
	"crypto/rand"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/plein-nl/plein/platform/db"
	"github.com/plein-nl/plein/platform/tenant"
	"github.com/plein-nl/plein/platform/uuid"
)

// AddResidents registers n residents of tenant id as plein_app in the tenant's own
// transaction: the rows the residents service would write, with random bytes for the
// sealed BSN and its index. It is for tests of what counts residents (the tenancy's
// vitals, the operators' overview), which may not import the residents service: a
// test that needs a real resident makes one through residentstest.
func (d *DB) AddResidents(t testing.TB, id tenant.ID, n int) {
	t.Helper()
	err := db.InTenant(tenant.WithID(context.Background(), id), d.App, func(ctx context.Context, tx pgx.Tx) error {
		for range n {
			sealed, index := make([]byte, 40), make([]byte, 32)
			_, _ = rand.Read(sealed) // never fails (crypto/rand, Go 1.24+)
			_, _ = rand.Read(index)
			if _, err := tx.Exec(ctx, `
				INSERT INTO residents (tenant_id, id, name, birth_date, bsn_sealed, bsn_index, iban, household_kind)
				VALUES (current_tenant(), $1, 'Sam de Vries', DATE '1990-01-01', $2, $3, 'NL91ABNA0417164300', 'single')`,
				uuid.New(), sealed, index); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("dbtest: add %d residents to %s: %v", n, id, err)
	}
}
