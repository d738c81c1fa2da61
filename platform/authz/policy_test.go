package authz

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// TestModelKeepsTenantsApart asks a tenant's casbin enforcer directly, without the Go
// checks in front of it: the model alone must deny a principal of another tenant.
func TestModelKeepsTenantsApart(t *testing.T) {
	t.Parallel()

	a, err := New()
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	enf, err := a.enforcer(context.Background(), "zwolle")
	if err != nil {
		t.Fatalf("enforcer: %v", err)
	}
	tests := []struct {
		role, home, dom, obj, act string
		want                      bool
	}{
		{"consulent", "zwolle", "zwolle", "resident", "read", true},
		{"consulent", "enschede", "zwolle", "resident", "read", false},
		{"consulent", "*", "zwolle", "resident", "read", false},
		{"consulent", "zwolle", "enschede", "resident", "read", false},
		{"consulent", "zwolle", "*", "resident", "read", false},
		{"tenant-admin", "enschede", "zwolle", "tenant-config", "write", false},
		{"resident", "enschede", "zwolle", "self", "read", false},
		{"coop-operator", "*", "zwolle", "tenants", "lifecycle", true},
		{"coop-operator", "zwolle", "zwolle", "tenants", "lifecycle", false},
		{"coop-operator", "*", "zwolle", "resident", "read", false},
		{"*", "*", "zwolle", "resident", "read", false},
		{"{tenant}", "zwolle", "zwolle", "resident", "read", false},
	}
	for _, tt := range tests {
		got, err := enf.Enforce(tt.role, tt.home, tt.dom, tt.obj, tt.act)
		if err != nil || got != tt.want {
			t.Errorf("Enforce(%s, %s, %s, %s, %s) = %v, %v; want %v, nil", tt.role, tt.home, tt.dom, tt.obj, tt.act, got, err, tt.want)
		}
	}
}

// TestDomainRows checks that an enforcer holds its own tenant's rows and the
// coöperatie's, and nothing else.
func TestDomainRows(t *testing.T) {
	t.Parallel()

	a, err := New()
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	tests := []struct {
		dom         string
		wantDomains map[string]bool
		wantRows    int
	}{
		{"enschede", map[string]bool{"enschede": true, coopDomain: true}, len(a.rules)},
		{coopDomain, map[string]bool{coopDomain: true}, 6},
	}
	for _, tt := range tests {
		rows := domainRows(a.rules, tt.dom, []Grant{{RoleConsulent, Permission{ObjectResident, ActionRead}}})
		if len(rows) != tt.wantRows {
			t.Errorf("%s: got %d rows, want %d", tt.dom, len(rows), tt.wantRows)
		}
		for _, row := range rows {
			if !tt.wantDomains[row[1]] {
				t.Errorf("%s: got row %v, want domain in %v", tt.dom, row, tt.wantDomains)
			}
			if row[1] == coopDomain && row[0] != string(RoleCoopOperator) {
				t.Errorf("%s: got coöperatie row %v for a tenant role", tt.dom, row)
			}
		}
	}
}

func TestParsePolicyRejects(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name, policy string
		wantErr      error
	}{
		{"empty", "# nothing\n", ErrInvalidPolicy},
		{"grouping row", "g, alice, consulent, {tenant}\n", ErrInvalidPolicy},
		{"short row", "p, consulent, {tenant}, resident\n", ErrInvalidPolicy},
		{"unknown role", "p, admin, {tenant}, resident, read\n", ErrUnknownRole},
		{"unknown permission", "p, consulent, {tenant}, resident, approve\n", ErrUnknownPermission},
		{"tenant role in every domain", "p, consulent, *, resident, read\n", ErrInvalidPolicy},
		{"tenant role in one tenant", "p, consulent, enschede, resident, read\n", ErrInvalidPolicy},
		{"coop-operator as template", "p, coop-operator, {tenant}, resident, read\n", ErrInvalidPolicy},
		{"duplicate", "p, consulent, {tenant}, resident, read\np, consulent, {tenant}, resident, read\n", ErrInvalidPolicy},
		{"bad quoting", "p, consulent, \"{tenant}, resident, read\n", ErrInvalidPolicy},
	}
	perms := make(map[Permission]bool)
	for _, p := range Permissions() {
		perms[p] = true
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rules, err := parsePolicy(tt.policy, perms)
			if !errors.Is(err, tt.wantErr) || !errors.Is(err, ErrInvalidPolicy) {
				t.Errorf("got %v, %v; want an error wrapping %v and %v", rules, err, tt.wantErr, ErrInvalidPolicy)
			}
		})
	}
}

// TestNewRejectsModel checks that New's self-check catches a model that would leak
// across tenants or not work at all.
func TestNewRejectsModel(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name, model string
	}{
		{"no home check", strings.Replace(modelText, "r.home == p.dom && ", "", 1)},
		{"wildcard for every role", strings.Replace(modelText, "(p.dom == \"*\" || r.dom == p.dom)", "true", 1)},
		{"grants nothing", strings.Replace(modelText, "r.role == p.role", "r.role == p.obj", 1)},
		{"broken matcher", strings.Replace(modelText, "r.role == p.role", "r.role == = p.role", 1)},
		{"wrong request shape", strings.Replace(modelText, "r = role, home, dom, obj, act", "r = role, dom, obj, act", 1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if tt.model == modelText {
				t.Fatal("replacement did not change the model")
			}
			if _, err := newAuthorizer(tt.model, policyText); !errors.Is(err, ErrInvalidPolicy) {
				t.Errorf("got %v, want an error wrapping %v", err, ErrInvalidPolicy)
			}
		})
	}
}
