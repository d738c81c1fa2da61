package residents

import (
	"context"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/plein-nl/plein/platform/db"
	"github.com/plein-nl/plein/platform/tenant"
)

// TestPayeesIn: the settlement's bulk read gives, for every resident in the range and
// no other, the household Household gives, the name and the account — and sees only
// the transaction's tenant.
func TestPayeesIn(t *testing.T) {
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

	var ids []string
	var payees []Payee
	err := db.InTenant(tenant.WithID(context.Background(), enschede), b.d.App, func(ctx context.Context, tx pgx.Tx) error {
		var err error
		if ids, err = IDsIn(ctx, tx); err != nil {
			return err
		}
		payees, err = PayeesIn(ctx, tx, "0", "g")
		return err
	})
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
	err = db.InTenant(tenant.WithID(context.Background(), enschede), b.d.App, func(ctx context.Context, tx pgx.Tx) error {
		one, err := PayeesIn(ctx, tx, ids[1], ids[1])
		if err == nil && (len(one) != 1 || one[0].ID != ids[1]) {
			t.Errorf("range of one: %+v", one)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
