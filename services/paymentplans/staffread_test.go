package paymentplans

import (
	"errors"
	"strings"
	"testing"

	"github.com/plein-nl/plein/platform/audit"
	"github.com/plein-nl/plein/platform/audit/audittest"
	"github.com/plein-nl/plein/platform/authz"
	"github.com/plein-nl/plein/platform/bijstand"
	"github.com/plein-nl/plein/platform/httpapi"
	"github.com/plein-nl/plein/platform/tenant"
)

// residentAudit lists tenant tn's audit entries about resident id, newest first.
func (b *testBundle) residentAudit(t *testing.T, tn tenant.ID, id string) []audit.Entry {
	t.Helper()
	return audittest.Entries(t, b.d.App, tn, audit.Filter{ObjectType: auditObjectResident, ObjectID: id})
}

// TestStaffReadsAudited: staff read a resident's plans and shortfalls only for a
// purpose, and every such read is an audit entry naming reader, role, resident,
// purpose and request (docs/domain.md §7). The portal's and the system's reads stay as they were.
func TestStaffReadsAudited(t *testing.T) {
	t.Parallel()
	b, fatima := setupFatima(t)
	jan := b.resident(t, enschede, bsnJan, "Jan de Vries")
	her := residentPrincipal(enschede, fatima)
	plan := b.mustApprove(t, enschede, b.mustRequest(t, enschede, fatima, zorgpremie(), her).ID)
	april := period("2026-04")
	if _, err := b.svc.RecordShortfalls(t.Context(), enschede, fatima, april, []bijstand.DeductionResult{
		{ID: plan.ID, Kind: bijstand.DeductOnBehalf, Requested: 15850, Applied: 9663, Shortfall: 6187}}); err != nil {
		t.Fatal(err)
	}
	const purpose = "zaak 2026-0042: heronderzoek"
	ctx := as(consulentEnschede)
	const unknown = "00000000-0000-4000-8000-000000000000"

	// Refused reads leave no entry: no purpose, a purpose too short or too long, an
	// unknown resident, another resident's plan, a principal without the right.
	for _, tt := range []struct {
		name string
		read func() error
		want error
	}{
		{"list without purpose", func() error { _, err := b.svc.StaffList(ctx, enschede, fatima, "  "); return err }, ErrInvalid},
		{"get without purpose", func() error { _, _, err := b.svc.StaffGet(ctx, enschede, fatima, plan.ID, ""); return err }, ErrInvalid},
		{"shortfalls without purpose", func() error { _, err := b.svc.StaffShortfalls(ctx, enschede, fatima, ""); return err }, ErrInvalid},
		{"purpose too short", func() error { _, err := b.svc.StaffList(ctx, enschede, fatima, "zaak"); return err }, ErrInvalid},
		{"purpose too long", func() error { _, err := b.svc.StaffList(ctx, enschede, fatima, strings.Repeat("z", 301)); return err }, ErrInvalid},
		{"unknown resident's plans", func() error { _, err := b.svc.StaffList(ctx, enschede, unknown, purpose); return err }, ErrResidentNotFound},
		{"unknown resident's shortfalls", func() error { _, err := b.svc.StaffShortfalls(ctx, enschede, unknown, purpose); return err }, ErrResidentNotFound},
		{"malformed resident id", func() error { _, err := b.svc.StaffList(ctx, enschede, "nope", purpose); return err }, ErrResidentNotFound},
		{"plan under another resident", func() error { _, _, err := b.svc.StaffGet(ctx, enschede, jan, plan.ID, purpose); return err }, ErrNotFound},
		{"resident in the portal", func() error { _, err := b.svc.StaffList(as(her), enschede, fatima, purpose); return err }, authz.ErrForbidden},
		{"zwolle", func() error { _, err := b.svc.StaffList(as(consulentZwolle), enschede, fatima, purpose); return err }, authz.ErrForbidden},
		{"tenant-admin", func() error {
			_, err := b.svc.StaffShortfalls(as(adminEnschede), enschede, fatima, purpose)
			return err
		}, authz.ErrForbidden},
	} {
		if err := tt.read(); !errors.Is(err, tt.want) {
			t.Errorf("%s: err = %v, want %v", tt.name, err, tt.want)
		}
	}
	_, err := b.svc.StaffList(ctx, enschede, fatima, "")
	if ve := (*httpapi.ValidationError)(nil); !errors.As(err, &ve) || len(ve.Fields) != 1 || ve.Fields[0].Field != "purpose" ||
		ve.Fields[0].NL == "" {
		t.Errorf("without purpose: %v, want a problem on purpose with Dutch", err)
	}
	// The portal's own view and the month's are not staff reads.
	if _, err := b.svc.List(as(her), enschede, fatima); err != nil {
		t.Fatal(err)
	}
	if _, err := b.svc.Shortfalls(as(her), enschede, fatima); err != nil {
		t.Fatal(err)
	}
	if got := b.residentAudit(t, enschede, fatima); len(got) != 0 {
		t.Fatalf("audit entries after refused and portal reads: %+v, want none", got)
	}

	ps, err := b.svc.StaffList(ctx, enschede, fatima, "  "+purpose+" ")
	if err != nil || len(ps) != 1 || ps[0].ID != plan.ID {
		t.Fatalf("StaffList = %+v, %v; want her plan", ps, err)
	}
	p, evs, err := b.svc.StaffGet(as(shvEnschede), enschede, fatima, plan.ID, purpose)
	if err != nil || p.ID != plan.ID || len(evs) != 2 || evs[0].Action != ActionRequest || evs[1].Action != ActionApprove {
		t.Fatalf("StaffGet = %+v, %+v, %v; want the plan with request and approve", p, evs, err)
	}
	sfs, err := b.svc.StaffShortfalls(ctx, enschede, fatima, purpose)
	if err != nil || len(sfs) != 1 || sfs[0].Shortfall != 6187 {
		t.Fatalf("StaffShortfalls = %+v, %v; want the one shortfall", sfs, err)
	}
	// Jan exists and has nothing: an empty list, not 404, and still a read.
	if ps, err := b.svc.StaffList(ctx, enschede, jan, purpose); err != nil || ps == nil || len(ps) != 0 {
		t.Errorf("Jan's plans = %#v, %v; want an empty list", ps, err)
	}

	got := b.residentAudit(t, enschede, fatima) // newest first
	want := []audit.Entry{
		{Actor: "consulent-enschede", Role: "consulent", Action: "shortfall.read", RequestID: "req-consulent-enschede"},
		{Actor: "shv-enschede", Role: "schuldhulpverlener", Action: "paymentplan.read", RequestID: "req-shv-enschede"},
		{Actor: "consulent-enschede", Role: "consulent", Action: "paymentplan.read", RequestID: "req-consulent-enschede"},
	}
	if len(got) != len(want) {
		t.Fatalf("audit entries = %+v, want %d", got, len(want))
	}
	for i, w := range want {
		g := got[i]
		if g.Actor != w.Actor || g.Role != w.Role || g.Action != w.Action || g.ObjectType != "resident" ||
			g.ObjectID != fatima || g.Purpose != purpose || g.RequestID != w.RequestID || g.Tenant != enschede {
			t.Errorf("audit entry %d = %+v\nwant %+v on resident %s for %q", i, g, w, fatima, purpose)
		}
	}
	if got := b.residentAudit(t, enschede, jan); len(got) != 1 {
		t.Errorf("Jan's audit entries = %+v, want 1", got)
	}
}
