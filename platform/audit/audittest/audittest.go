// Package audittest reads the audit log in tests, so that no test package opens its
// own tenant transaction to check what was recorded.
package audittest

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/plein-nl/plein/platform/audit"
	"github.com/plein-nl/plein/platform/db"
	"github.com/plein-nl/plein/platform/tenant"
)

// Entries lists tenant tn's audit entries that match f, newest first, read through
// app (the application role, as the services read it); the test fails if the read
// does.
func Entries(t testing.TB, app db.Beginner, tn tenant.ID, f audit.Filter) []audit.Entry {
	t.Helper()
	var out []audit.Entry
	err := db.InTenant(tenant.WithID(context.Background(), tn), app, func(ctx context.Context, tx pgx.Tx) error {
		var err error
		out, err = audit.List(ctx, tx, f)
		return err
	})
	if err != nil {
		t.Fatalf("audit entries of %s: %v", tn, err)
	}
	return out
}

// Action lists tenant tn's audit entries (of the newest 1000) with action, newest
// first.
func Action(t testing.TB, app db.Beginner, tn tenant.ID, action string) []audit.Entry {
	t.Helper()
	var out []audit.Entry
	for _, e := range Entries(t, app, tn, audit.Filter{Limit: 1000}) {
		if e.Action == action {
			out = append(out, e)
		}
	}
	return out
}
