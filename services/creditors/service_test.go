package creditors

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/plein-nl/plein/platform/authz"
	"github.com/plein-nl/plein/platform/authz/authztest"
	"github.com/plein-nl/plein/platform/db/dbtest"
	"github.com/plein-nl/plein/platform/httpapi"
	"github.com/plein-nl/plein/platform/httpapi/httpapitest"
	"github.com/plein-nl/plein/platform/tenant"
	"github.com/plein-nl/plein/platform/uuid"
)

const (
	enschede = tenant.ID("enschede")
	zwolle   = tenant.ID("zwolle")
)

// The principals of the tests.
var (
	consulentEnschede = authztest.Consulent(enschede)
	consulentZwolle   = authztest.Consulent(zwolle)
	adminEnschede     = authztest.Admin(enschede)
	residentEnschede  = authztest.Resident(enschede, "resident-enschede", "00000000-0000-4000-8000-000000000001")
)

var clock = func() time.Time { return time.Date(2026, 3, 15, 10, 0, 0, 0, time.UTC) }

type testBundle struct {
	d   *dbtest.DB
	raw Service
	svc Service
}

func setup(t *testing.T) *testBundle {
	t.Helper()
	d := dbtest.New(t)
	dbtest.CreateTenants(t, d, enschede, zwolle)
	raw := NewService(d.App, nil, clock)
	return &testBundle{d: d, raw: raw, svc: NewAuthorizing(raw, authztest.New(t))}
}

// as signs in as p.
var as = authztest.As

func woonbron() NewCreditor {
	return NewCreditor{Name: "Woningstichting De Veste", Kind: "woningcorporatie", IBAN: "NL91ABNA0417164300", Example: true,
		ReferenceName: "contractnummer", ReferencePattern: "[0-9]{6}-[0-9]{2}|[0-9]{8}",
		ReferenceHint: "Uw contractnummer staat op uw huurcontract. Het heeft 8 cijfers.", WebhookURL: "https://hooks.example/plein"}
}

func TestCreateListGetAndIsolation(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := as(consulentEnschede)

	c, err := b.svc.Create(ctx, enschede, woonbron())
	if err != nil {
		t.Fatal(err)
	}
	if !uuid.Valid(c.ID) || c.Catalogue || c.IBAN != "NL91ABNA0417164300" || !c.Example || c.WebhookURL != "https://hooks.example/plein" {
		t.Errorf("created = %+v", c)
	}
	got, err := b.svc.Get(ctx, enschede, c.ID)
	if err != nil || got.Name != c.Name || got.Reference.re == nil {
		t.Fatalf("get = %+v, %v", got, err)
	}
	if err := ValidateReference(got, "12345678"); err != nil {
		t.Errorf("tenant creditor's pattern: %v", err)
	}
	list, err := b.svc.List(ctx, enschede)
	if err != nil {
		t.Fatal(err)
	}
	n := len(MustLoadCatalogue().All())
	if len(list) != n+1 || list[n].ID != c.ID || !list[0].Catalogue {
		t.Errorf("list has %d creditors, the tenant's last; want %d", len(list), n+1)
	}
	if zk, err := b.svc.Get(ctx, enschede, "zilveren-kruis"); err != nil || !zk.Catalogue {
		t.Errorf("catalogue get = %+v, %v", zk, err)
	}

	// Zwolle sees the catalogue, not Enschede's creditor: by authz for a zwolle
	// consulent in enschede, by RLS in zwolle itself.
	if _, err := b.svc.Get(as(consulentZwolle), enschede, c.ID); !errors.Is(err, authz.ErrForbidden) {
		t.Errorf("zwolle consulent in enschede: err = %v, want ErrForbidden", err)
	}
	if _, err := b.raw.Get(as(consulentZwolle), zwolle, c.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("enschede's creditor in zwolle: err = %v, want ErrNotFound", err)
	}
	zl, err := b.raw.List(context.Background(), zwolle)
	if err != nil || len(zl) != n {
		t.Errorf("zwolle's list: %d creditors, %v; want the %d of the catalogue", len(zl), err, n)
	}

	// The same name again, or a catalogue creditor's, is a duplicate.
	if _, err := b.svc.Create(ctx, enschede, woonbron()); !errors.Is(err, ErrDuplicate) {
		t.Errorf("same name again: err = %v, want ErrDuplicate", err)
	}
	dup := woonbron()
	dup.Name = "zilveren kruis zorgverzekeringen n.v."
	if _, err := b.svc.Create(ctx, enschede, dup); !errors.Is(err, ErrDuplicate) {
		t.Errorf("catalogue name: err = %v, want ErrDuplicate", err)
	}
}

func TestAuthorization(t *testing.T) {
	t.Parallel()
	b := setup(t)
	if _, err := b.svc.Create(as(adminEnschede), enschede, woonbron()); err != nil {
		t.Errorf("tenant-admin creates: %v", err)
	}
	if _, err := b.svc.List(as(residentEnschede), enschede); !errors.Is(err, authz.ErrForbidden) {
		t.Errorf("resident on the staff API: err = %v, want ErrForbidden", err)
	}
	if _, err := b.svc.List(context.Background(), enschede); !errors.Is(err, authz.ErrUnauthenticated) {
		t.Errorf("no principal: err = %v, want ErrUnauthenticated", err)
	}
}

func TestCreateValidation(t *testing.T) {
	t.Parallel()
	b := setup(t)
	bad := NewCreditor{Name: " ", Kind: "bakker", IBAN: "NL50BANK1234567890", ReferenceName: "nummer",
		ReferencePattern: "[0-9", ReferenceHint: "", WebhookURL: "http://hooks.example/plein"}
	_, err := b.svc.Create(as(consulentEnschede), enschede, bad)
	httpapitest.CheckValidation(t, err, []string{"name", "kind", "iban", "reference_name", "reference_pattern", "reference_hint", "webhook_url"})
	if !errors.Is(err, ErrInvalid) {
		t.Fatalf("err = %v, want ErrInvalid", err)
	}
	if list, _ := b.raw.List(context.Background(), enschede); len(list) != len(MustLoadCatalogue().All()) {
		t.Errorf("an invalid creditor was stored")
	}
}

// TestWebhookURLValidation: a webhook must be https and must not point at an internal
// address or name (platform/egress), or Plein would post into its own network for
// whoever may register a creditor.
func TestWebhookURLValidation(t *testing.T) {
	t.Parallel()
	const (
		internalNL = "Dit webhookadres mag niet naar een intern netwerkadres wijzen."
		httpsNL    = "Vul een webadres in dat begint met https://."
	)
	tests := []struct {
		url    string
		wantNL string // "" for a valid URL
		stored string // what a valid URL is stored as
	}{
		{"https://hooks.domijn.nl/plein", "", "https://hooks.domijn.nl/plein"},
		{"  https://hooks.domijn.nl:8443/plein?gemeente=enschede  ", "", "https://hooks.domijn.nl:8443/plein?gemeente=enschede"},
		{"", "", ""},
		{"https://127.0.0.1/hook", internalNL, ""},
		{"https://127.0.0.1:8443/hook", internalNL, ""},
		{"https://[::1]/hook", internalNL, ""},
		{"https://[::ffff:127.0.0.1]/hook", internalNL, ""},
		{"https://169.254.169.254/latest/meta-data/", internalNL, ""},
		{"https://[::ffff:169.254.169.254]/latest/meta-data/", internalNL, ""},
		{"https://[fd00:ec2::254]/latest/meta-data/", internalNL, ""},
		{"https://[fe80::1]/hook", internalNL, ""},
		{"https://10.0.0.5/hook", internalNL, ""},
		{"https://172.16.3.4/hook", internalNL, ""},
		{"https://192.168.1.10/hook", internalNL, ""},
		{"https://100.64.0.1/hook", internalNL, ""},
		{"https://0.0.0.0/hook", internalNL, ""},
		{"https://localhost/hook", internalNL, ""},
		{"https://hooks.localhost/hook", internalNL, ""},
		{"https://metadata.google.internal/computeMetadata/v1/", internalNL, ""},
		{"https://plein-api.plein-system.svc.cluster.local/hook", internalNL, ""},
		{"http://hooks.domijn.nl/plein", httpsNL, ""},
		{"http://127.0.0.1/hook", httpsNL, ""},
		{"https://user:secret@hooks.domijn.nl/plein", httpsNL, ""},
		{"https://hooks.domijn.nl/plein#top", httpsNL, ""},
		{"https://" + strings.Repeat("a", maxURL) + ".nl/", httpsNL, ""},
		{"https://" + strings.Repeat("1", maxURL) + "/", httpsNL, ""},
	}
	for _, tt := range tests {
		nc := woonbron()
		nc.WebhookURL = tt.url
		v := &validator{}
		c := v.newCreditor(nc)
		name := tt.url
		if len(name) > 60 {
			name = name[:60] + "…"
		}
		if tt.wantNL == "" {
			if err := v.err(); err != nil || c.WebhookURL != tt.stored {
				t.Errorf("%s: got %q, %v; want %q stored", name, c.WebhookURL, err, tt.stored)
			}
			continue
		}
		want := []httpapi.FieldError{{Field: "webhook_url", NL: tt.wantNL}}
		var got []httpapi.FieldError
		for _, p := range v.Problems {
			if p.EN == "" {
				t.Errorf("%s: no English message", name)
			}
			got = append(got, httpapi.FieldError{Field: p.Field, NL: p.NL})
		}
		if !slices.Equal(got, want) || c.WebhookURL != "" {
			t.Errorf("%s: got problems %+v and webhook %q; want %+v and none", name, got, c.WebhookURL, want)
		}
	}
}
