package authz_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/plein-nl/plein/platform/authz"
	"github.com/plein-nl/plein/platform/tenant"
)

func Example() {
	a, err := authz.New()
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	enschede, zwolle := tenant.MustParse("enschede"), tenant.MustParse("zwolle")

	consulent := authz.Principal{Subject: "c-17", Tenant: enschede, Roles: []authz.Role{authz.RoleConsulent}}
	fmt.Println(a.Can(ctx, consulent, enschede, authz.ObjectResident, authz.ActionWrite))
	err = a.Authorize(ctx, consulent, zwolle, authz.ObjectResident, authz.ActionRead)
	fmt.Println(errors.Is(err, authz.ErrForbidden), err)

	// A coop-operator belongs to no tenant and acts in all of them, without resident data.
	operator := authz.Principal{Subject: "ops-1", Roles: []authz.Role{authz.RoleCoopOperator}}
	fmt.Println(a.Can(ctx, operator, zwolle, authz.ObjectTenants, authz.ActionLifecycle))
	fmt.Println(a.Can(ctx, operator, zwolle, authz.ObjectResident, authz.ActionRead))
	fmt.Println(a.AuthorizeCooperative(ctx, operator, authz.ObjectTenants, authz.ActionList))

	// Output:
	// true
	// true authz: forbidden: roles [consulent] of enschede may not read resident in zwolle
	// true
	// false
	// <nil>
}
