package authz_test

import (
	"testing"

	"github.com/plein-nl/plein/platform/authz"
)

func TestPrincipalRoleList(t *testing.T) {
	t.Parallel()
	tests := []struct {
		roles []authz.Role
		want  string
	}{
		{nil, ""},
		{[]authz.Role{authz.RoleConsulent}, "consulent"},
		{[]authz.Role{authz.RoleConsulent, authz.RoleSchuldhulpverlener}, "consulent,schuldhulpverlener"},
	}
	for _, tt := range tests {
		if got := (authz.Principal{Subject: "s", Roles: tt.roles}).RoleList(); got != tt.want {
			t.Errorf("RoleList of %v = %q, want %q", tt.roles, got, tt.want)
		}
	}
}
