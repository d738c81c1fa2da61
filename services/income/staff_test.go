package income_test

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/plein-nl/plein/platform/authz"
	"github.com/plein-nl/plein/platform/authz/authztest"
	"github.com/plein-nl/plein/services/income"
)

func TestStaffMonthAuthorizesAndAudits(t *testing.T) {
	t.Parallel()
	b, id := setupResident(t)
	b.submit(t, enschede, id, slip("Albert Heijn", 100000))
	march := period("2026-03")
	want, err := b.svc.Month(context.Background(), enschede, id, march)
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name     string
		ctx      context.Context
		resident string
		purpose  string
		wantErr  error
	}{
		{"no principal", context.Background(), id, purpose, authz.ErrUnauthenticated},
		{"consulent of another tenant", as(consulentZwolle), id, purpose, authz.ErrForbidden},
		{"employer", as(employerPrincipal(enschede, "acme")), id, purpose, authz.ErrForbidden},
		{"no purpose", as(consulentEnschede), id, "", income.ErrPurposeRequired},
		{"purpose of four characters", as(consulentEnschede), id, " zaak ", income.ErrPurposeRequired},
		{"unknown resident", as(consulentEnschede), "00000000-0000-4000-8000-000000000000", purpose, income.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := b.staff.Month(tt.ctx, enschede, tt.resident, march, tt.purpose)
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("err = %v, want %v", err, tt.wantErr)
			}
		})
	}
	if rows := b.auditRows(t, enschede, "resident.month.read"); len(rows) != 0 {
		t.Fatalf("refused reads left %d audit rows, want 0", len(rows))
	}

	got, err := b.staff.Month(as(consulentEnschede), enschede, id, march, purpose)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("staff month differs from the service's:\n got %+v\nwant %+v", got, want)
	}
	rows := b.auditRows(t, enschede, "resident.month.read")
	if len(rows) != 1 {
		t.Fatalf("audit rows = %d, want 1", len(rows))
	}
	e := rows[0]
	if e.Actor != "consulent-enschede" || e.Role != "consulent" || e.ObjectType != "resident" || e.ObjectID != id ||
		e.Purpose != purpose || e.RequestID != "req-consulent-enschede" {
		t.Errorf("audit row = %+v; want consulent-enschede (consulent) reading resident %s for %q, request req-consulent-enschede", e, id, purpose)
	}
	if n := len(b.auditRows(t, zwolle, "resident.month.read")); n != 0 {
		t.Errorf("zwolle has %d month-read audit rows, want 0", n)
	}
}

func TestStaffSubmitPayslip(t *testing.T) {
	t.Parallel()
	b, id := setupResident(t)
	tests := []struct {
		name    string
		ctx     context.Context
		wantErr error
	}{
		{"no principal", context.Background(), authz.ErrUnauthenticated},
		{"consulent of another tenant", as(consulentZwolle), authz.ErrForbidden},
		// The service's own wall, without the edge's route table before it: those
		// who hold payslip:submit for their own route (a resident, an employer) and
		// staff without payslip:write are refused here too.
		{"the resident herself", as(authztest.Resident(enschede, "digid:x", id)), authz.ErrForbidden},
		{"another resident", as(authztest.Resident(enschede, "digid:y", "other")), authz.ErrForbidden},
		{"employer", as(employerPrincipal(enschede, "acme")), authz.ErrForbidden},
		{"schuldhulpverlener", as(authztest.Principal("shv", enschede, authz.RoleSchuldhulpverlener)), authz.ErrForbidden},
		{"tenant admin", as(authztest.Principal("admin", enschede, authz.RoleTenantAdmin)), authz.ErrForbidden},
		{"consulent", as(consulentEnschede), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := b.staff.SubmitPayslip(tt.ctx, enschede, id, slip("Jumbo "+tt.name, 100000))
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if tt.wantErr == nil && (p.Source != income.SourceConsulent || p.Actor != "consulent-enschede") {
				t.Errorf("source %q, actor %q; want consulent, consulent-enschede", p.Source, p.Actor)
			}
		})
	}
	b.wantStored(t, enschede, 1, "only the allowed one")
	// Only an employer principal sends employer payslips, even a consulent may not.
	if _, err := b.staff.EmployerPayslip(as(consulentEnschede), enschede, bsnResident, slip("x", 1000)); !errors.Is(err, authz.ErrForbidden) {
		t.Errorf("EmployerPayslip as consulent: err = %v, want ErrForbidden", err)
	}
}
