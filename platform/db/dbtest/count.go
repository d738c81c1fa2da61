package dbtest

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/plein-nl/plein/platform/db"
	"github.com/plein-nl/plein/platform/tenant"
)

// Count runs query, which selects one count, in tenant tn as the owner of every table
// (RLS is forced on the owner too, so the tenant's rows are all it sees) and returns
// the count; the test fails if the query does.
func (d *DB) Count(t testing.TB, tn tenant.ID, query string, args ...any) int {
	t.Helper()
	var n int
	err := db.InTenant(tenant.WithID(context.Background(), tn), d.Owner, func(ctx context.Context, tx pgx.Tx) error {
		return tx.QueryRow(ctx, query, args...).Scan(&n)
	})
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}
