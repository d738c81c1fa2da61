package residents

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/plein-nl/plein/platform/bijstand"
	"github.com/plein-nl/plein/platform/tenant"
)

// TestPayeeReader: the settlement's bulk read gives, for every resident in the range
// and no other, the household Household gives, the name and the account — and sees
// only the tenant asked for.
func TestPayeeReader(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := as(consulentEnschede)
	parent := single(bsnC)
	parent.Kind = "single_parent"
	parent.Children = []NewChild{{BirthDate: "2018-04-04"}, {BirthDate: "2010-10-10"}}
	parent.Housemates = []NewHousemate{{BirthDate: "1990-01-01", CostSharer: true, Description: "broer"}}
	cp := couple()
	cp.BSN, cp.Partner.BSN = bsnB, bsnD
	made := []Resident{mustCreate(t, b.svc, ctx, enschede, single(bsnA)), mustCreate(t, b.svc, ctx, enschede, parent),
		mustCreate(t, b.svc, ctx, enschede, cp)}
	// Another tenant's resident is never read, whatever the range.
	mustCreate(t, b.svc, as(consulentZwolle), zwolle, single(bsnA))

	rd := NewPayeeReader(b.d.App)
	ctx = context.Background()
	ids, err := rd.IDs(ctx, enschede)
	if err != nil {
		t.Fatal(err)
	}
	payees, err := rd.Payees(ctx, enschede, "0", "g", bijstand.PeriodOf(clock()))
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != 3 || len(payees) != 3 {
		t.Fatalf("%d ids, %d payees; want 3 of enschede", len(ids), len(payees))
	}
	byID := map[string]Payee{}
	for i, p := range payees {
		if p.ID != ids[i] {
			t.Errorf("payee %d is %s, want id order (%s)", i, p.ID, ids[i])
		}
		byID[p.ID] = p
	}
	for _, r := range made {
		h, err := b.raw.Household(context.Background(), enschede, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		p := byID[r.ID]
		if fmt.Sprintf("%+v", p.Household) != fmt.Sprintf("%+v", h) || p.Name != r.Name || p.IBAN != r.IBAN {
			t.Errorf("%s:\n payee %+v\n want  %+v (%s, %s)", r.ID, p, h, r.Name, r.IBAN)
		}
	}
	// A range of one.
	one, err := rd.Payees(ctx, enschede, ids[1], ids[1], bijstand.PeriodOf(clock()))
	if err != nil {
		t.Fatal(err)
	}
	if len(one) != 1 || one[0].ID != ids[1] {
		t.Errorf("range of one: %+v", one)
	}
	// An empty range, and an invalid tenant.
	if none, err := rd.Payees(ctx, enschede, "x", "y", bijstand.PeriodOf(clock())); err != nil || len(none) != 0 {
		t.Errorf("empty range: %+v, %v", none, err)
	}
	if _, err := rd.IDs(ctx, tenant.ID("Not A Tenant")); !errors.Is(err, tenant.ErrInvalidID) {
		t.Errorf("invalid tenant: %v, want tenant.ErrInvalidID", err)
	}
}
