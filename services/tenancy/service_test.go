package tenancy

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/plein-nl/plein/platform/audit"
	"github.com/plein-nl/plein/platform/authz"
	"github.com/plein-nl/plein/platform/authz/authztest"
	"github.com/plein-nl/plein/platform/db"
	"github.com/plein-nl/plein/platform/tenant"
)

// The principals of the service tests.
var (
	enschedeAdmin = authztest.Admin("enschede")
	consulent     = authztest.Consulent("enschede")
	coopOperator  = authztest.Principal("operator", "", authz.RoleCoopOperator)
	nobody        = authz.Principal{}
)

type serviceBundle struct {
	*directoryBundle
	svc Service
}

// setupService applies the real tenants, records audit entries (two for enschede, one
// for zwolle) and returns the authorizing service over a real authorizer.
func setupService(t *testing.T) *serviceBundle {
	t.Helper()
	b := setupDirectory(t)
	ctx := context.Background()
	for _, e := range []struct {
		tenant tenant.ID
		actor  string
	}{{"enschede", "first-enschede"}, {"zwolle", "only-zwolle"}, {"enschede", "second-enschede"}} {
		err := db.InTenant(tenant.WithID(ctx, e.tenant), b.d.App, func(ctx context.Context, tx pgx.Tx) error {
			return audit.Record(ctx, tx, audit.Entry{Actor: e.actor, Role: "coop-operator", Action: "tenant-config.applied",
				ObjectType: "tenant-config", ObjectID: "v1", Purpose: "test"})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return &serviceBundle{directoryBundle: b, svc: NewAuthorizing(NewService(b.store, b.dir, b.d.App), authztest.New(t))}
}

func TestServiceAuthorization(t *testing.T) {
	t.Parallel()
	b := setupService(t)

	tests := []struct {
		name   string
		p      *authz.Principal // nil: no principal in the context at all
		call   func(ctx context.Context, s Service) error
		wantOK bool
		want   error
	}{
		{"tenant-admin reads own config", &enschedeAdmin, configOf("enschede"), true, nil},
		{"tenant-admin reads own audit log", &enschedeAdmin, auditOf("enschede"), true, nil},
		{"tenant-admin reads another tenant's config", &enschedeAdmin, configOf("zwolle"), false, authz.ErrForbidden},
		{"tenant-admin reads another tenant's audit log", &enschedeAdmin, auditOf("zwolle"), false, authz.ErrForbidden},
		{"tenant-admin asks for an unknown tenant", &enschedeAdmin, configOf("hengelo"), false, authz.ErrForbidden},
		{"tenant-admin lists tenants", &enschedeAdmin, listTenants, false, authz.ErrForbidden},
		{"consulent reads config", &consulent, configOf("enschede"), false, authz.ErrForbidden},
		{"consulent reads audit log", &consulent, auditOf("enschede"), false, authz.ErrForbidden},
		{"empty principal reads config", &nobody, configOf("enschede"), false, authz.ErrUnauthenticated},
		{"empty principal reads audit log", &nobody, auditOf("enschede"), false, authz.ErrUnauthenticated},
		{"empty principal lists tenants", &nobody, listTenants, false, authz.ErrUnauthenticated},
		{"no principal in context", nil, configOf("enschede"), false, authz.ErrUnauthenticated},
		{"coop-operator lists tenants", &coopOperator, listTenants, true, nil},
		{"coop-operator reads any config", &coopOperator, configOf("zwolle"), true, nil},
		{"coop-operator asks for an unknown tenant", &coopOperator, configOf("hengelo"), false, ErrTenantNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			if tt.p != nil {
				ctx = authz.WithPrincipal(ctx, *tt.p)
			}
			err := tt.call(ctx, b.svc)
			switch {
			case tt.wantOK && err != nil:
				t.Errorf("got error %v, want success", err)
			case !tt.wantOK && !errors.Is(err, tt.want):
				t.Errorf("got error %v, want %v", err, tt.want)
			}
		})
	}
}

func configOf(id tenant.ID) func(context.Context, Service) error {
	return func(ctx context.Context, s Service) error { _, err := s.Config(ctx, id); return err }
}

func auditOf(id tenant.ID) func(context.Context, Service) error {
	return func(ctx context.Context, s Service) error { _, err := s.AuditLog(ctx, id, audit.Filter{}); return err }
}

func listTenants(ctx context.Context, s Service) error { _, err := s.ListTenants(ctx); return err }

func TestServiceResults(t *testing.T) {
	t.Parallel()
	b := setupService(t)
	ctx := authz.WithPrincipal(context.Background(), enschedeAdmin)

	tc, err := b.svc.Config(ctx, "enschede")
	if err != nil {
		t.Fatal(err)
	}
	if tc.Tenant != "enschede" || tc.Status != "active" || tc.Version != 1 || tc.Config.Name != "Gemeente Enschede" {
		t.Errorf("Config(enschede) = tenant %q status %q version %d name %q; want enschede active 1 Gemeente Enschede",
			tc.Tenant, tc.Status, tc.Version, tc.Config.Name)
	}
	if len(tc.Versions) != 1 || tc.Versions[0].Version != 1 || tc.Versions[0].Author != "ops" || tc.Versions[0].Config.Name != "" {
		t.Errorf("Config(enschede).Versions = %+v, want version 1 by ops, without the config repeated", tc.Versions)
	}

	entries, err := b.svc.AuditLog(ctx, "enschede", audit.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	var actors []string
	for _, e := range entries {
		actors = append(actors, e.Actor)
		if e.Tenant != "enschede" {
			t.Errorf("AuditLog(enschede) holds an entry of %q", e.Tenant)
		}
	}
	if want := []string{"second-enschede", "first-enschede"}; len(actors) != 2 || actors[0] != want[0] || actors[1] != want[1] {
		t.Errorf("AuditLog(enschede) actors = %v, want %v (newest first, enschede's only)", actors, want)
	}

	// A coop-operator reads any tenant's audit log, and gets that tenant's only.
	opCtx := authz.WithPrincipal(context.Background(), coopOperator)
	zw, err := b.svc.AuditLog(opCtx, "zwolle", audit.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(zw) != 1 || zw[0].Actor != "only-zwolle" || zw[0].Tenant != "zwolle" {
		t.Errorf("AuditLog(zwolle) = %+v, want zwolle's one entry by only-zwolle", zw)
	}

	list, err := b.svc.ListTenants(opCtx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 3 || list[0].ID != "deventer" || list[2].ID != "zwolle" {
		t.Errorf("ListTenants = %+v, want deventer, enschede, zwolle", list)
	}
}

// recordingAuthorizer allows everything and records what it was asked, to pin the
// permission each method asks for: under the embedded policy every role that may read
// a tenant's config may also read its audit log, so a mix-up would not show there.
type recordingAuthorizer struct {
	asked []string
}

func (r *recordingAuthorizer) Authorize(_ context.Context, _ authz.Principal, target tenant.ID, obj authz.Object, act authz.Action) error {
	r.asked = append(r.asked, string(target)+" "+string(obj)+":"+string(act))
	return nil
}

func (r *recordingAuthorizer) AuthorizeCooperative(_ context.Context, _ authz.Principal, obj authz.Object, act authz.Action) error {
	r.asked = append(r.asked, "* "+string(obj)+":"+string(act))
	return nil
}

func TestAuthorizingAsksForEachMethodsPermission(t *testing.T) {
	t.Parallel()
	b := setupDirectory(t)
	ctx := authz.WithPrincipal(context.Background(), enschedeAdmin)
	tests := []struct {
		name string
		call func(context.Context, Service) error
		want string
	}{
		{"ListTenants", listTenants, "* tenants:list"},
		{"Config", configOf("zwolle"), "zwolle tenant-config:read"},
		{"AuditLog", auditOf("zwolle"), "zwolle audit:read"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			az := &recordingAuthorizer{}
			svc := NewAuthorizing(NewService(b.store, b.dir, b.d.App), az)
			if err := tt.call(ctx, svc); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(az.asked, []string{tt.want}) {
				t.Errorf("asked %q, want [%q]", az.asked, tt.want)
			}
		})
	}
}
