package tenancy

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/plein-nl/plein/platform/tenant"
)

type directoryBundle struct {
	*storeBundle
	dir *Directory
}

// setupDirectory applies the real tenants and loads a directory as plein_app.
func setupDirectory(t *testing.T) *directoryBundle {
	t.Helper()
	b := setupStore(t, false)
	b.apply(t, b.tenants, "ops")
	dir, err := NewDirectory(context.Background(), b.d.App)
	if err != nil {
		t.Fatalf("NewDirectory: %v", err)
	}
	return &directoryBundle{storeBundle: b, dir: dir}
}

func allIDs(d *Directory) []tenant.ID {
	var ids []tenant.ID
	for _, t := range d.All() {
		ids = append(ids, t.Config.ID)
	}
	return ids
}

func TestDirectoryLookups(t *testing.T) {
	t.Parallel()
	b := setupDirectory(t)

	t.Run("ByID", func(t *testing.T) {
		t.Parallel()
		tn, ok := b.dir.ByID("enschede")
		if !ok {
			t.Fatal("ByID(enschede) not found")
		}
		if tn.Config.Name != "Gemeente Enschede" || tn.Version != 1 || tn.Status != "active" ||
			!slices.Equal(tn.Config.CBSCodes, []string{"0153"}) || !strings.HasPrefix(string(tn.Logo), "<svg") {
			t.Errorf("ByID(enschede) = name %q version %d status %q cbs %v logo %.10q; want Gemeente Enschede, 1, active, [0153], an SVG",
				tn.Config.Name, tn.Version, tn.Status, tn.Config.CBSCodes, tn.Logo)
		}
		for _, id := range []tenant.ID{"hengelo", "", "Enschede"} {
			if tn, ok := b.dir.ByID(id); ok {
				t.Errorf("ByID(%q) = %s, want not found", id, tn.Config.ID)
			}
		}
	})

	t.Run("ByHost", func(t *testing.T) {
		t.Parallel()
		tests := []struct {
			host string
			want tenant.ID // "" means not found
		}{
			{"mijn.zwolle.example", "zwolle"},
			{"mijn.zwolle.example:8080", "zwolle"},
			{"MIJN.Zwolle.EXAMPLE", "zwolle"},
			{"Mijn.Deventer.Example:443", "deventer"},
			{"mijn.enschede.example", "enschede"},
			{"mijn.hengelo.example", ""},
			{"zwolle", ""},
			{"www.mijn.zwolle.example", ""},
			{"", ""},
		}
		for _, tt := range tests {
			tn, ok := b.dir.ByHost(tt.host)
			var got tenant.ID
			if ok {
				got = tn.Config.ID
			}
			if got != tt.want {
				t.Errorf("ByHost(%q) = %q (found %v), want %q", tt.host, got, ok, tt.want)
			}
		}
	})

	t.Run("All", func(t *testing.T) {
		t.Parallel()
		if got, want := allIDs(b.dir), []tenant.ID{"deventer", "enschede", "zwolle"}; !slices.Equal(got, want) {
			t.Errorf("All() = %v, want %v", got, want)
		}
	})
}

func TestDirectoryReload(t *testing.T) {
	t.Parallel()
	b := setupDirectory(t)
	ctx := context.Background()

	changed, err := b.dir.Reload(ctx)
	if err != nil || changed {
		t.Errorf("Reload without changes = %v, %v; want false, nil", changed, err)
	}

	// An unchanged apply writes nothing, so there is nothing to reload either.
	b.apply(t, b.tenants, "ops")
	if changed, err := b.dir.Reload(ctx); err != nil || changed {
		t.Errorf("Reload after an unchanged apply = %v, %v; want false, nil", changed, err)
	}

	rewrite(t, filepath.Join(b.tenants, "zwolle.yaml"), zwolleColor, zwolleNewColor)
	b.apply(t, b.tenants, "ops")
	// Not reloaded yet: the directory still serves version 1.
	if tn, _ := b.dir.ByID("zwolle"); tn == nil || tn.Version != 1 {
		t.Errorf("before Reload, zwolle = %+v, want version 1", tn)
	}
	changed, err = b.dir.Reload(ctx)
	if err != nil || !changed {
		t.Fatalf("Reload after zwolle's change = %v, %v; want true, nil", changed, err)
	}
	tn, ok := b.dir.ByID("zwolle")
	if !ok || tn.Version != 2 || tn.Config.Branding.PrimaryColor != "#003A70" {
		t.Errorf("after Reload, zwolle = %+v, want version 2 with primary colour #003A70", tn)
	}
	if byHost, ok := b.dir.ByHost("mijn.zwolle.example"); !ok || byHost.Version != 2 {
		t.Errorf("after Reload, ByHost(mijn.zwolle.example) = %+v, want version 2", byHost)
	}
	if other, _ := b.dir.ByID("enschede"); other == nil || other.Version != 1 {
		t.Errorf("after Reload, enschede = %+v, want still version 1", other)
	}
	if changed, err := b.dir.Reload(ctx); err != nil || changed {
		t.Errorf("second Reload = %v, %v; want false, nil", changed, err)
	}

	// An offboarded tenant leaves the directory.
	st := NewStore(b.d.Control, nil)
	for _, to := range []Status{StatusOffboarding, StatusOffboarded} {
		if _, err := st.Transition(ctx, "deventer", to, "test", "opgezegd"); err != nil {
			t.Fatal(err)
		}
	}
	if changed, err := b.dir.Reload(ctx); err != nil || !changed {
		t.Fatalf("Reload after offboarding = %v, %v; want true, nil", changed, err)
	}
	if got, want := allIDs(b.dir), []tenant.ID{"enschede", "zwolle"}; !slices.Equal(got, want) {
		t.Errorf("All() after offboarding deventer = %v, want %v", got, want)
	}
	if _, ok := b.dir.ByHost("mijn.deventer.example"); ok {
		t.Error("ByHost(mijn.deventer.example) found an offboarded tenant")
	}
}

func TestDirectoryEmptyThenApplied(t *testing.T) {
	t.Parallel()
	b := setupStore(t, false)
	ctx := context.Background()
	dir, err := NewDirectory(ctx, b.d.App)
	if err != nil {
		t.Fatal(err)
	}
	if got := dir.All(); len(got) != 0 {
		t.Errorf("All() on an empty database = %d tenants, want 0", len(got))
	}
	b.apply(t, b.tenants, "ops")
	if changed, err := dir.Reload(ctx); err != nil || !changed {
		t.Fatalf("Reload after the first apply = %v, %v; want true, nil", changed, err)
	}
	if got, want := allIDs(dir), []tenant.ID{"deventer", "enschede", "zwolle"}; !slices.Equal(got, want) {
		t.Errorf("All() = %v, want %v", got, want)
	}
}
