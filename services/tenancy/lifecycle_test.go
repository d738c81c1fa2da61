package tenancy

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/plein-nl/plein/platform/tenant"
)

// TestLegalTable: the Go table of legal moves, cell by cell, against a table typed by
// hand from the lifecycle (onboarding → active ⇄ suspended; active | suspended →
// offboarding → offboarded).
func TestLegalTable(t *testing.T) {
	t.Parallel()
	all := []Status{StatusOnboarding, StatusActive, StatusSuspended, StatusOffboarding, StatusOffboarded}
	want := map[[2]Status]bool{
		{StatusOnboarding, StatusActive}:      true,
		{StatusActive, StatusSuspended}:       true,
		{StatusSuspended, StatusActive}:       true,
		{StatusActive, StatusOffboarding}:     true,
		{StatusSuspended, StatusOffboarding}:  true,
		{StatusOffboarding, StatusOffboarded}: true,
	}
	for _, from := range all {
		for _, to := range all {
			if got := Legal(from, to); got != want[[2]Status{from, to}] {
				t.Errorf("Legal(%s, %s) = %v", from, to, got)
			}
		}
	}
}

func TestTransitions(t *testing.T) {
	t.Parallel()
	b := setupStore(t, false)
	ctx := context.Background()
	loaded, err := LoadPath(b.tenants)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.store.Apply(ctx, loaded, "test", false); err != nil {
		t.Fatal(err)
	}
	status := func(id string) string {
		var s string
		if err := b.d.Control.QueryRow(ctx, `SELECT status FROM tenants WHERE tenant_id = $1`, id).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}

	ev, err := b.store.Transition(ctx, "zwolle", StatusSuspended, "operator@coop", "betalingsachterstand bij de coöperatie")
	if err != nil {
		t.Fatal(err)
	}
	if ev.From != StatusActive || ev.To != StatusSuspended || ev.Seq != 1 || status("zwolle") != "suspended" {
		t.Fatalf("suspend: %+v, status %s", ev, status("zwolle"))
	}
	if _, err := b.store.Transition(ctx, "zwolle", StatusActive, "operator@coop", "betaald"); err != nil {
		t.Fatal(err)
	}
	// Bad input changes nothing.
	for _, c := range []struct {
		id, reason string
		to         Status
		want       error
	}{
		{"zwolle", "", StatusSuspended, ErrReasonRequired},
		{"zwolle", strings.Repeat("x", 1001), StatusSuspended, ErrReasonRequired},
		{"zwolle", "nog eens", StatusActive, ErrIllegalTransition},
		{"zwolle", "direct weg", StatusOffboarded, ErrIllegalTransition},
		{"amersfoort", "bestaat niet", StatusSuspended, ErrTenantNotFound},
	} {
		if _, err := b.store.Transition(ctx, tenantID(c.id), c.to, "operator@coop", c.reason); !errors.Is(err, c.want) {
			t.Errorf("%s to %s (%q): %v, want %v", c.id, c.to, c.reason, err, c.want)
		}
	}
	// Offboarding is one way; an offboarded tenant cannot be resumed.
	for _, to := range []Status{StatusOffboarding, StatusOffboarded} {
		if _, err := b.store.Transition(ctx, "deventer", to, "operator@coop", "opgezegd per 1 januari"); err != nil {
			t.Fatal(err)
		}
	}
	_, err = b.store.Transition(ctx, "deventer", StatusActive, "operator@coop", "toch niet")
	if !errors.Is(err, ErrIllegalTransition) || !strings.Contains(err.Error(), "offboarded") {
		t.Errorf("resuming an offboarded tenant: %v", err)
	}
	evs, err := b.store.Events(ctx, "zwolle")
	if err != nil || len(evs) != 2 || evs[0].Reason != "betalingsachterstand bij de coöperatie" || evs[1].To != StatusActive {
		t.Errorf("zwolle's events: %+v %v", evs, err)
	}
	if status("zwolle") != "active" || status("deventer") != "offboarded" {
		t.Errorf("statuses after: zwolle %s, deventer %s", status("zwolle"), status("deventer"))
	}

	// The database holds the rules on its own: no status change without an event, no
	// illegal event, no event from a status the tenant is not in, no change of history.
	for _, q := range []string{
		`UPDATE tenants SET status = 'suspended' WHERE tenant_id = 'enschede'`,
		`INSERT INTO tenant_events (tenant_id, seq, from_status, to_status, actor, reason) VALUES ('deventer', 9, 'offboarded', 'active', 'x', 'y')`,
		`INSERT INTO tenant_events (tenant_id, seq, from_status, to_status, actor, reason) VALUES ('enschede', 1, 'suspended', 'active', 'x', 'y')`,
		`UPDATE tenant_events SET reason = 'anders' WHERE tenant_id = 'zwolle'`,
		`DELETE FROM tenant_events`,
	} {
		if _, err := b.d.Control.Exec(ctx, q); err == nil {
			t.Errorf("the database accepted: %s", q)
		}
	}
	if status("enschede") != "active" {
		t.Errorf("enschede is %s after the refused statements", status("enschede"))
	}
}

func tenantID(s string) tenant.ID { return tenant.ID(s) }
