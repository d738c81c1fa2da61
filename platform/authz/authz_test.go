package authz_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/plein-nl/plein/platform/authz"
	"github.com/plein-nl/plein/platform/tenant"
)

// vocabulary is every object with its actions, typed out from the design.
func vocabulary() map[authz.Object][]authz.Action {
	return map[authz.Object][]authz.Action{
		authz.ObjectTenantConfig: {authz.ActionRead, authz.ActionWrite},
		authz.ObjectTenants:      {authz.ActionList, authz.ActionLifecycle},
		authz.ObjectResident:     {authz.ActionRead, authz.ActionWrite},
		authz.ObjectSelf:         {authz.ActionRead, authz.ActionWrite},
		authz.ObjectPayslip:      {authz.ActionSubmit, authz.ActionRead, authz.ActionWrite},
		authz.ObjectPaymentPlan:  {authz.ActionRead, authz.ActionWrite, authz.ActionApprove},
		authz.ObjectDebt:         {authz.ActionRead, authz.ActionWrite},
		authz.ObjectSignal:       {authz.ActionSubmit, authz.ActionRead},
		authz.ObjectSettlement:   {authz.ActionRead, authz.ActionRun, authz.ActionApprove},
		authz.ObjectAudit:        {authz.ActionRead},
		authz.ObjectMinima:       {authz.ActionRead, authz.ActionWrite},
	}
}

// wantGrants is what each role may do in its own tenant (coop-operator: in every
// tenant), typed out from the design independently of policy.csv. Anything absent
// is denied.
func wantGrants() map[authz.Role]map[authz.Object][]authz.Action {
	return map[authz.Role]map[authz.Object][]authz.Action{
		authz.RoleCoopOperator: {
			authz.ObjectTenants:      {authz.ActionList, authz.ActionLifecycle},
			authz.ObjectTenantConfig: {authz.ActionRead, authz.ActionWrite},
			authz.ObjectSettlement:   {authz.ActionRead},
			authz.ObjectAudit:        {authz.ActionRead},
		},
		authz.RoleTenantAdmin: {
			authz.ObjectTenantConfig: {authz.ActionRead, authz.ActionWrite},
			authz.ObjectAudit:        {authz.ActionRead},
			authz.ObjectSettlement:   {authz.ActionRead, authz.ActionApprove},
			authz.ObjectMinima:       {authz.ActionRead, authz.ActionWrite},
			authz.ObjectResident:     {authz.ActionRead},
		},
		authz.RoleConsulent: {
			authz.ObjectResident:    {authz.ActionRead, authz.ActionWrite},
			authz.ObjectPayslip:     {authz.ActionRead, authz.ActionWrite}, // submit is the resident's and the employer's
			authz.ObjectPaymentPlan: {authz.ActionRead, authz.ActionWrite, authz.ActionApprove},
			authz.ObjectSettlement:  {authz.ActionRead, authz.ActionRun, authz.ActionApprove},
			authz.ObjectMinima:      {authz.ActionRead},
			authz.ObjectDebt:        {authz.ActionRead},
		},
		authz.RoleSchuldhulpverlener: {
			authz.ObjectResident:    {authz.ActionRead},
			authz.ObjectDebt:        {authz.ActionRead, authz.ActionWrite},
			authz.ObjectSignal:      {authz.ActionRead},
			authz.ObjectPaymentPlan: {authz.ActionRead, authz.ActionWrite},
		},
		authz.RoleResident: {
			authz.ObjectSelf:    {authz.ActionRead, authz.ActionWrite},
			authz.ObjectPayslip: {authz.ActionSubmit},
			authz.ObjectMinima:  {authz.ActionRead},
		},
		authz.RoleEmployer: {
			authz.ObjectPayslip: {authz.ActionSubmit},
		},
		authz.RoleCreditor: {
			authz.ObjectSignal: {authz.ActionSubmit},
		},
	}
}

func granted(role authz.Role, perm authz.Permission) bool {
	return slices.Contains(wantGrants()[role][perm.Object], perm.Action)
}

func allPermissions() []authz.Permission {
	var perms []authz.Permission
	for obj, acts := range vocabulary() {
		for _, act := range acts {
			perms = append(perms, authz.Permission{Object: obj, Action: act})
		}
	}
	slices.SortFunc(perms, func(a, b authz.Permission) int {
		if c := cmpString(a.Object, b.Object); c != 0 {
			return c
		}
		return cmpString(a.Action, b.Action)
	})
	return perms
}

func cmpString[S ~string](a, b S) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// principal returns a principal holding role at home; a coop-operator has no home.
func principal(role authz.Role, home tenant.ID) authz.Principal {
	if role == authz.RoleCoopOperator {
		home = ""
	}
	return authz.Principal{Subject: "sub-" + string(role), Tenant: home, Roles: []authz.Role{role}}
}

func newAuthorizer(t testing.TB, opts ...authz.Option) *authz.Authorizer {
	t.Helper()
	a, err := authz.New(opts...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return a
}

// checkDecision fails t unless err is nil when want is true, and wraps ErrForbidden
// when want is false.
func checkDecision(t *testing.T, err error, want bool) {
	t.Helper()
	switch {
	case want && err != nil:
		t.Errorf("got %v, want allowed", err)
	case !want && !errors.Is(err, authz.ErrForbidden):
		t.Errorf("got %v, want an error wrapping %v", err, authz.ErrForbidden)
	}
}

func TestVocabulary(t *testing.T) {
	t.Parallel()

	wantRoles := []authz.Role{"coop-operator", "tenant-admin", "consulent", "schuldhulpverlener", "resident", "employer", "creditor"}
	if got := authz.Roles(); !slices.Equal(got, wantRoles) {
		t.Errorf("Roles() = %v, want %v", got, wantRoles)
	}
	got := authz.Permissions()
	slices.SortFunc(got, func(a, b authz.Permission) int {
		if c := cmpString(a.Object, b.Object); c != 0 {
			return c
		}
		return cmpString(a.Action, b.Action)
	})
	if want := allPermissions(); !slices.Equal(got, want) {
		t.Errorf("Permissions() = %v, want %v", got, want)
	}
	for role := range wantGrants() {
		if !slices.Contains(wantRoles, role) {
			t.Errorf("grant table names role %q, not in %v", role, wantRoles)
		}
	}
}

func TestParseRole(t *testing.T) {
	t.Parallel()

	tests := []struct {
		in      string
		want    authz.Role
		wantErr error
	}{
		{"coop-operator", authz.RoleCoopOperator, nil},
		{"tenant-admin", authz.RoleTenantAdmin, nil},
		{"consulent", authz.RoleConsulent, nil},
		{"schuldhulpverlener", authz.RoleSchuldhulpverlener, nil},
		{"resident", authz.RoleResident, nil},
		{"employer", authz.RoleEmployer, nil},
		{"creditor", authz.RoleCreditor, nil},
		{"", "", authz.ErrUnknownRole},
		{"Consulent", "", authz.ErrUnknownRole},
		{"admin", "", authz.ErrUnknownRole},
		{" consulent", "", authz.ErrUnknownRole},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got, err := authz.ParseRole(tt.in)
			if got != tt.want || !errors.Is(err, tt.wantErr) {
				t.Errorf("ParseRole(%q) = %q, %v; want %q, %v", tt.in, got, err, tt.want, tt.wantErr)
			}
		})
	}
}

// TestAuthorizeMatrix asserts every role × object × action in its own tenant, in
// another tenant and coöperatie-wide against the grant table typed out above.
func TestAuthorizeMatrix(t *testing.T) {
	t.Parallel()

	a := newAuthorizer(t)
	own, other := tenant.MustParse("enschede"), tenant.MustParse("zwolle")
	ctx := context.Background()

	for _, role := range authz.Roles() {
		p := principal(role, own)
		for _, perm := range allPermissions() {
			grant := granted(role, perm)
			coop := role == authz.RoleCoopOperator
			tests := []struct {
				where string
				call  func() error
				want  bool
			}{
				{"own", func() error { return a.Authorize(ctx, p, own, perm.Object, perm.Action) }, grant},
				{"other", func() error { return a.Authorize(ctx, p, other, perm.Object, perm.Action) }, grant && coop},
				{"cooperative", func() error { return a.AuthorizeCooperative(ctx, p, perm.Object, perm.Action) }, grant && coop},
			}
			for _, tt := range tests {
				t.Run(fmt.Sprintf("%s/%s/%s", role, perm, tt.where), func(t *testing.T) {
					t.Parallel()
					checkDecision(t, tt.call(), tt.want)
				})
			}
		}
	}
}

func TestAuthorizeRejects(t *testing.T) {
	t.Parallel()

	a := newAuthorizer(t)
	enschede := tenant.MustParse("enschede")
	consulent := principal(authz.RoleConsulent, enschede)
	operator := principal(authz.RoleCoopOperator, "")

	tests := []struct {
		name    string
		p       authz.Principal
		target  tenant.ID
		obj     authz.Object
		act     authz.Action
		wantErr []error // the error must wrap each; nil means allowed
	}{
		{"allowed baseline", consulent, enschede, authz.ObjectResident, authz.ActionRead, nil},
		{"empty principal", authz.Principal{}, enschede, authz.ObjectResident, authz.ActionRead,
			[]error{authz.ErrUnauthenticated}},
		{"no subject", authz.Principal{Tenant: enschede, Roles: []authz.Role{authz.RoleConsulent}}, enschede,
			authz.ObjectResident, authz.ActionRead, []error{authz.ErrUnauthenticated}},
		{"no roles", authz.Principal{Subject: "s", Tenant: enschede}, enschede, authz.ObjectResident, authz.ActionRead,
			[]error{authz.ErrForbidden}},
		{"unknown role", authz.Principal{Subject: "s", Tenant: enschede, Roles: []authz.Role{"admin"}}, enschede,
			authz.ObjectResident, authz.ActionRead, []error{authz.ErrForbidden}},
		{"role with wrong case", authz.Principal{Subject: "s", Tenant: enschede, Roles: []authz.Role{"Consulent"}}, enschede,
			authz.ObjectResident, authz.ActionRead, []error{authz.ErrForbidden}},
		{"wildcard role", authz.Principal{Subject: "s", Tenant: enschede, Roles: []authz.Role{"*"}}, enschede,
			authz.ObjectResident, authz.ActionRead, []error{authz.ErrForbidden}},
		{"unknown role beside a known one grants nothing extra",
			authz.Principal{Subject: "s", Tenant: enschede, Roles: []authz.Role{"admin", authz.RoleResident}}, enschede,
			authz.ObjectResident, authz.ActionRead, []error{authz.ErrForbidden}},
		{"unknown role beside a known one", authz.Principal{Subject: "s", Tenant: enschede, Roles: []authz.Role{"admin", authz.RoleConsulent}},
			enschede, authz.ObjectResident, authz.ActionRead, nil},
		{"empty target", consulent, "", authz.ObjectResident, authz.ActionRead,
			[]error{authz.ErrForbidden, tenant.ErrInvalidID}},
		{"invalid target", consulent, "Enschede", authz.ObjectResident, authz.ActionRead,
			[]error{authz.ErrForbidden, tenant.ErrInvalidID}},
		{"wildcard target", consulent, "*", authz.ObjectResident, authz.ActionRead,
			[]error{authz.ErrForbidden, tenant.ErrInvalidID}},
		{"template target", consulent, "{tenant}", authz.ObjectResident, authz.ActionRead,
			[]error{authz.ErrForbidden, tenant.ErrInvalidID}},
		{"staff without a home tenant", principal(authz.RoleConsulent, ""), enschede, authz.ObjectResident, authz.ActionRead,
			[]error{authz.ErrForbidden}},
		{"tenant-admin without a home tenant", principal(authz.RoleTenantAdmin, ""), enschede, authz.ObjectTenantConfig, authz.ActionRead,
			[]error{authz.ErrForbidden}},
		{"resident without a home tenant", principal(authz.RoleResident, ""), enschede, authz.ObjectSelf, authz.ActionRead,
			[]error{authz.ErrForbidden}},
		{"invalid home tenant", authz.Principal{Subject: "s", Tenant: "Enschede", Roles: []authz.Role{authz.RoleConsulent}}, "enschede",
			authz.ObjectResident, authz.ActionRead, []error{authz.ErrForbidden, tenant.ErrInvalidID}},
		{"coop-operator holding a home tenant", authz.Principal{Subject: "s", Tenant: enschede, Roles: []authz.Role{authz.RoleCoopOperator}},
			enschede, authz.ObjectTenants, authz.ActionLifecycle, []error{authz.ErrForbidden}},
		{"coop-operator reads no resident data", operator, enschede, authz.ObjectResident, authz.ActionRead,
			[]error{authz.ErrForbidden}},
		{"unknown object", consulent, enschede, "bsn", authz.ActionRead,
			[]error{authz.ErrForbidden, authz.ErrUnknownPermission}},
		{"action not defined for object", consulent, enschede, authz.ObjectResident, authz.ActionApprove,
			[]error{authz.ErrForbidden, authz.ErrUnknownPermission}},
		{"empty object and action", consulent, enschede, "", "",
			[]error{authz.ErrForbidden, authz.ErrUnknownPermission}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := a.Authorize(context.Background(), tt.p, tt.target, tt.obj, tt.act)
			if tt.wantErr == nil && err != nil {
				t.Fatalf("got %v, want allowed", err)
			}
			if tt.wantErr != nil && err == nil {
				t.Fatalf("got allowed, want an error wrapping %v", tt.wantErr)
			}
			for _, want := range tt.wantErr {
				if !errors.Is(err, want) {
					t.Errorf("got %v, want an error wrapping %v", err, want)
				}
			}
			if got, want := a.Can(context.Background(), tt.p, tt.target, tt.obj, tt.act), tt.wantErr == nil; got != want {
				t.Errorf("Can = %v, want %v", got, want)
			}
		})
	}
}

func TestAuthorizeCooperativeUnauthenticated(t *testing.T) {
	t.Parallel()

	a := newAuthorizer(t)
	err := a.AuthorizeCooperative(context.Background(), authz.Principal{Roles: []authz.Role{authz.RoleCoopOperator}},
		authz.ObjectTenants, authz.ActionList)
	if !errors.Is(err, authz.ErrUnauthenticated) {
		t.Errorf("got %v, want an error wrapping %v", err, authz.ErrUnauthenticated)
	}
}

// TestPrincipalIsSelf checks IsSelf, and OwnData, which adds to it that the principal
// is signed in and at home in the tenant of the record (here enschede).
func TestPrincipalIsSelf(t *testing.T) {
	t.Parallel()

	resident := authz.Principal{Subject: "s", Tenant: "enschede", Roles: []authz.Role{authz.RoleResident}, ResidentID: "r-1"}
	elsewhere := resident
	elsewhere.Tenant = "zwolle"
	tests := []struct {
		name    string
		p       authz.Principal
		id      string
		want    bool
		wantErr error // of OwnData
	}{
		{"own record", resident, "r-1", true, nil},
		{"another resident", resident, "r-2", false, authz.ErrForbidden},
		{"empty id", resident, "", false, authz.ErrForbidden},
		{"no resident id", authz.Principal{Subject: "s", Roles: []authz.Role{authz.RoleResident}}, "", false, authz.ErrForbidden},
		{"not a resident", authz.Principal{Subject: "s", Roles: []authz.Role{authz.RoleConsulent}, ResidentID: "r-1"}, "r-1", false, authz.ErrForbidden},
		{"staff at home, resident's id", authz.Principal{Subject: "s", Tenant: "enschede", Roles: []authz.Role{authz.RoleConsulent}, ResidentID: "r-1"}, "r-1", false, authz.ErrForbidden},
		{"own id, other tenant", elsewhere, "r-1", true, authz.ErrForbidden},
		{"not signed in", authz.Principal{}, "r-1", false, authz.ErrUnauthenticated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := tt.p.IsSelf(tt.id); got != tt.want {
				t.Errorf("IsSelf(%q) = %v, want %v", tt.id, got, tt.want)
			}
			ctx := authz.WithPrincipal(context.Background(), tt.p)
			if err := authz.OwnData(ctx, "enschede", tt.id); !errors.Is(err, tt.wantErr) {
				t.Errorf("OwnData(enschede, %q) = %v, want %v", tt.id, err, tt.wantErr)
			}
		})
	}
}

// fakeSource is a PolicySource whose grants and failure the test sets.
type fakeSource struct {
	mu     sync.Mutex
	grants map[tenant.ID][]authz.Grant
	err    error
	calls  atomic.Int64
}

func (s *fakeSource) TenantGrants(_ context.Context, id tenant.ID) ([]authz.Grant, error) {
	s.calls.Add(1)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return nil, s.err
	}
	return slices.Clone(s.grants[id]), nil
}

func (s *fakeSource) set(id tenant.ID, grants []authz.Grant, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.grants == nil {
		s.grants = make(map[tenant.ID][]authz.Grant)
	}
	s.grants[id] = grants
	s.err = err
}

// sourced returns an Authorizer over a fakeSource that answers id's grants, or err.
func sourced(t *testing.T, id tenant.ID, grants []authz.Grant, err error) (*authz.Authorizer, *fakeSource) {
	t.Helper()
	src := &fakeSource{}
	src.set(id, grants, err)
	return newAuthorizer(t, authz.WithPolicySource(src)), src
}

func TestPolicySource(t *testing.T) {
	t.Parallel()

	ctx := context.Background()
	enschede, zwolle := tenant.MustParse("enschede"), tenant.MustParse("zwolle")
	auditGrant := []authz.Grant{{Role: authz.RoleSchuldhulpverlener, Permission: authz.Permission{Object: authz.ObjectAudit, Action: authz.ActionRead}}}
	shvOf := func(id tenant.ID) authz.Principal { return principal(authz.RoleSchuldhulpverlener, id) }
	readAudit := func(a *authz.Authorizer, p authz.Principal, target tenant.ID) error {
		return a.Authorize(ctx, p, target, authz.ObjectAudit, authz.ActionRead)
	}

	t.Run("grant holds in its tenant only", func(t *testing.T) {
		t.Parallel()
		a, _ := sourced(t, enschede, auditGrant, nil)
		checkDecision(t, readAudit(a, shvOf(enschede), enschede), true)
		checkDecision(t, readAudit(a, shvOf(zwolle), zwolle), false)
		checkDecision(t, readAudit(a, shvOf(enschede), zwolle), false)
		checkDecision(t, readAudit(a, shvOf(zwolle), enschede), false)
	})

	t.Run("reload and invalidate pick up changes", func(t *testing.T) {
		t.Parallel()
		a, src := sourced(t, enschede, nil, nil)
		checkDecision(t, readAudit(a, shvOf(enschede), enschede), false)

		src.set(enschede, auditGrant, nil)
		checkDecision(t, readAudit(a, shvOf(enschede), enschede), false) // still cached
		if err := a.Reload(ctx, enschede); err != nil {
			t.Fatalf("Reload: %v", err)
		}
		checkDecision(t, readAudit(a, shvOf(enschede), enschede), true)

		src.set(enschede, nil, nil)
		a.Invalidate(enschede)
		checkDecision(t, readAudit(a, shvOf(enschede), enschede), false)
	})

	t.Run("enforcer is built once and cached", func(t *testing.T) {
		t.Parallel()
		a, src := sourced(t, enschede, nil, nil)
		for range 10 {
			_ = readAudit(a, shvOf(enschede), enschede)
		}
		if got, want := src.calls.Load(), int64(1); got != want {
			t.Errorf("TenantGrants calls = %d, want %d", got, want)
		}
	})

	t.Run("source failure denies and is not cached", func(t *testing.T) {
		t.Parallel()
		errDown := errors.New("database down")
		a, src := sourced(t, enschede, nil, errDown)
		consulent := principal(authz.RoleConsulent, enschede)
		err := a.Authorize(ctx, consulent, enschede, authz.ObjectResident, authz.ActionRead)
		if !errors.Is(err, errDown) || errors.Is(err, authz.ErrForbidden) {
			t.Errorf("got %v, want an error wrapping %v and not %v", err, errDown, authz.ErrForbidden)
		}
		src.set(enschede, nil, nil)
		checkDecision(t, a.Authorize(ctx, consulent, enschede, authz.ObjectResident, authz.ActionRead), true)
	})

	t.Run("failed reload drops the stale enforcer", func(t *testing.T) {
		t.Parallel()
		a, src := sourced(t, enschede, auditGrant, nil)
		checkDecision(t, readAudit(a, shvOf(enschede), enschede), true)
		errDown := errors.New("database down")
		src.set(enschede, nil, errDown)
		if err := a.Reload(ctx, enschede); !errors.Is(err, errDown) {
			t.Fatalf("Reload = %v, want an error wrapping %v", err, errDown)
		}
		if err := readAudit(a, shvOf(enschede), enschede); !errors.Is(err, errDown) {
			t.Errorf("got %v, want an error wrapping %v", err, errDown)
		}
	})

	invalid := []struct {
		name  string
		grant authz.Grant
	}{
		{"coop-operator", authz.Grant{Role: authz.RoleCoopOperator, Permission: authz.Permission{Object: authz.ObjectResident, Action: authz.ActionRead}}},
		{"unknown role", authz.Grant{Role: "admin", Permission: authz.Permission{Object: authz.ObjectResident, Action: authz.ActionRead}}},
		{"unknown permission", authz.Grant{Role: authz.RoleConsulent, Permission: authz.Permission{Object: authz.ObjectAudit, Action: authz.ActionWrite}}},
	}
	for _, tt := range invalid {
		t.Run("rejects "+tt.name, func(t *testing.T) {
			t.Parallel()
			a, _ := sourced(t, enschede, []authz.Grant{tt.grant}, nil)
			err := a.Authorize(ctx, principal(authz.RoleConsulent, enschede), enschede, authz.ObjectResident, authz.ActionRead)
			if !errors.Is(err, authz.ErrInvalidPolicy) {
				t.Errorf("Authorize = %v, want an error wrapping %v", err, authz.ErrInvalidPolicy)
			}
			if err := a.Reload(ctx, enschede); !errors.Is(err, authz.ErrInvalidPolicy) {
				t.Errorf("Reload = %v, want an error wrapping %v", err, authz.ErrInvalidPolicy)
			}
		})
	}

	t.Run("reload rejects an invalid tenant", func(t *testing.T) {
		t.Parallel()
		a := newAuthorizer(t)
		if err := a.Reload(ctx, "*"); !errors.Is(err, tenant.ErrInvalidID) {
			t.Errorf("Reload = %v, want an error wrapping %v", err, tenant.ErrInvalidID)
		}
	})
}

func TestAuthorizeCanceledContextWhileBuilding(t *testing.T) {
	t.Parallel()

	src := &blockingSource{entered: make(chan struct{}), release: make(chan struct{})}
	a := newAuthorizer(t, authz.WithPolicySource(src))
	p := principal(authz.RoleConsulent, "enschede")

	builder := make(chan error, 1)
	go func() {
		builder <- a.Authorize(context.Background(), p, "enschede", authz.ObjectResident, authz.ActionRead)
	}()
	<-src.entered

	// A second request finds the enforcer being built and waits; its context ends.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := a.Authorize(ctx, p, "enschede", authz.ObjectResident, authz.ActionRead); !errors.Is(err, context.Canceled) {
		t.Errorf("waiter got %v, want an error wrapping %v", err, context.Canceled)
	}
	close(src.release)
	if err := <-builder; err != nil {
		t.Errorf("builder got %v, want allowed", err)
	}
	if got, want := src.calls.Load(), int64(1); got != want {
		t.Errorf("TenantGrants calls = %d, want %d", got, want)
	}
}

// blockingSource signals entered on its first call and blocks every call until
// release is closed.
type blockingSource struct {
	entered, release chan struct{}
	calls            atomic.Int64
}

func (s *blockingSource) TenantGrants(_ context.Context, _ tenant.ID) ([]authz.Grant, error) {
	if s.calls.Add(1) == 1 {
		close(s.entered)
	}
	<-s.release
	return nil, nil
}

// TestAuthorizeConcurrent decides in parallel across 40 tenants while enforcers are
// built, reloaded and dropped; run it with -race.
func TestAuthorizeConcurrent(t *testing.T) {
	t.Parallel()

	const tenants, workers, calls = 40, 16, 1500
	ids := make([]tenant.ID, tenants)
	for i := range ids {
		ids[i] = tenant.MustParse(fmt.Sprintf("gemeente-%02d", i))
	}
	a := newAuthorizer(t, authz.WithPolicySource(&fakeSource{}))
	roles, perms := authz.Roles(), allPermissions()
	ctx := context.Background()

	var wg sync.WaitGroup
	var decided atomic.Int64
	for w := range workers {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(w), 42))
			for range calls {
				role, perm := roles[rng.IntN(len(roles))], perms[rng.IntN(len(perms))]
				home, target := ids[rng.IntN(tenants)], ids[rng.IntN(tenants)]
				want := granted(role, perm) && (home == target || role == authz.RoleCoopOperator)
				err := a.Authorize(ctx, principal(role, home), target, perm.Object, perm.Action)
				if got := err == nil; got != want {
					t.Errorf("%s of %s: %s in %s: got %v, want allowed=%v", role, home, perm, target, err, want)
					return
				}
				decided.Add(1)
			}
		})
	}
	wg.Go(func() {
		rng := rand.New(rand.NewPCG(7, 7))
		for i := range 200 {
			id := ids[rng.IntN(tenants)]
			if i%2 == 0 {
				a.Invalidate(id)
				continue
			}
			if err := a.Reload(ctx, id); err != nil {
				t.Errorf("Reload(%s): %v", id, err)
			}
		}
	})
	wg.Wait()
	if got, want := decided.Load(), int64(workers*calls); got != want {
		t.Errorf("decided %d, want %d", got, want)
	}
}

func warmed(b *testing.B, n int) (*authz.Authorizer, []tenant.ID) {
	b.Helper()
	a := newAuthorizer(b)
	ids := make([]tenant.ID, n)
	for i := range ids {
		ids[i] = tenant.MustParse(fmt.Sprintf("gemeente-%02d", i))
		if err := a.Reload(context.Background(), ids[i]); err != nil {
			b.Fatalf("Reload: %v", err)
		}
	}
	return a, ids
}

// BenchmarkAuthorize measures decisions with 40 tenants' enforcers cached.
func BenchmarkAuthorize(b *testing.B) {
	ctx := context.Background()
	bench := func(name string, role authz.Role, cross bool, obj authz.Object, act authz.Action, want bool) {
		b.Run(name, func(b *testing.B) {
			a, ids := warmed(b, 40)
			ps := make([]authz.Principal, len(ids))
			for i, id := range ids {
				ps[i] = principal(role, id)
			}
			i := 0
			for b.Loop() {
				target := ids[i%len(ids)]
				if cross {
					target = ids[(i+1)%len(ids)]
				}
				if got := a.Authorize(ctx, ps[i%len(ids)], target, obj, act) == nil; got != want {
					b.Fatalf("got allowed=%v, want %v", got, want)
				}
				i++
			}
		})
	}
	bench("allow/consulent", authz.RoleConsulent, false, authz.ObjectResident, authz.ActionRead, true)
	bench("allow/coop-operator-other-tenant", authz.RoleCoopOperator, true, authz.ObjectTenants, authz.ActionLifecycle, true)
	bench("deny/other-tenant", authz.RoleConsulent, true, authz.ObjectResident, authz.ActionRead, false)
	bench("deny/not-granted", authz.RoleResident, false, authz.ObjectAudit, authz.ActionRead, false)

	// Parallel, every role and permission, each principal in its own tenant.
	b.Run("parallel/own-tenant-mixed", func(b *testing.B) {
		a, ids := warmed(b, 40)
		roles, perms := authz.Roles(), allPermissions()
		var seq atomic.Uint64
		b.RunParallel(func(pb *testing.PB) {
			rng := rand.New(rand.NewPCG(seq.Add(1), 1))
			for pb.Next() {
				id, perm := ids[rng.IntN(len(ids))], perms[rng.IntN(len(perms))]
				_ = a.Authorize(ctx, principal(roles[rng.IntN(len(roles))], id), id, perm.Object, perm.Action)
			}
		})
	})
}

// BenchmarkAuthorizeFirstUse measures a decision on a tenant whose enforcer is not
// cached yet: building it from the embedded policy, then deciding.
func BenchmarkAuthorizeFirstUse(b *testing.B) {
	a, ids := warmed(b, 40)
	ctx := context.Background()
	p := principal(authz.RoleConsulent, ids[0])
	for b.Loop() {
		a.Invalidate(ids[0])
		if err := a.Authorize(ctx, p, ids[0], authz.ObjectResident, authz.ActionRead); err != nil {
			b.Fatal(err)
		}
	}
}
