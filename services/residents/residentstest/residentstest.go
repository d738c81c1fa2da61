// Package residentstest gives other services' tests a residents service and the
// residents they need, so that no test package builds its own sealer or resident.
package residentstest

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/plein-nl/plein/platform/bsn/bsntest"
	"github.com/plein-nl/plein/platform/tenant"
	"github.com/plein-nl/plein/services/residents"
)

// IBAN is the valid account of the residents made here.
const IBAN = "NL91ABNA0417164300"

// NewService is the residents service over app, with the test keyring of bsntest
// and now as its clock.
func NewService(t testing.TB, app *pgxpool.Pool, now func() time.Time) residents.Service {
	t.Helper()
	return residents.NewService(app, bsntest.Keyring(t), now)
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
