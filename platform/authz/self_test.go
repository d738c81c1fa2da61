package authz_test

import (
	"context"
	"errors"
	"testing"

	"github.com/plein-nl/plein/platform/authz"
	"github.com/plein-nl/plein/platform/tenant"
)

func TestOwnData(t *testing.T) {
	t.Parallel()
	resident := authz.Principal{Subject: "inwoner-1", Tenant: "enschede", Roles: []authz.Role{authz.RoleResident}, ResidentID: "r1"}
	tests := []struct {
		name string
		p    authz.Principal
		t    tenant.ID
		id   string
		want error
	}{
		{"the resident itself", resident, "enschede", "r1", nil},
		{"no principal", authz.Principal{}, "enschede", "r1", authz.ErrUnauthenticated},
		{"another resident", resident, "enschede", "r2", authz.ErrForbidden},
		{"the same id in another tenant", resident, "zwolle", "r1", authz.ErrForbidden},
		{"staff", authz.Principal{Subject: "c", Tenant: "enschede", Roles: []authz.Role{authz.RoleConsulent}, ResidentID: "r1"},
			"enschede", "r1", authz.ErrForbidden},
	}
	for _, tt := range tests {
		ctx := authz.WithPrincipal(context.Background(), tt.p)
		if err := authz.OwnData(ctx, tt.t, tt.id); !errors.Is(err, tt.want) {
			t.Errorf("%s: OwnData = %v, want %v", tt.name, err, tt.want)
		}
	}
}
