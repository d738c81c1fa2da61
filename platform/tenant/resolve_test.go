package tenant_test

import (
	"errors"
	"testing"

	"github.com/plein-nl/plein/platform/tenant"
)

type dir map[string]tenant.ID // host → tenant

func (d dir) TenantOfHost(h string) (tenant.ID, bool) { id, ok := d[h]; return id, ok }
func (d dir) Exists(id tenant.ID) bool {
	for _, v := range d {
		if v == id {
			return true
		}
	}
	return false
}

func TestResolve(t *testing.T) {
	t.Parallel()
	d := dir{"mijn.enschede.example": "enschede", "mijn.zwolle.example": "zwolle"}
	for _, c := range []struct {
		host, path string
		want       tenant.Resolution
		wantErr    bool
	}{
		{"127.0.0.1:8080", "/t/enschede/", tenant.Resolution{ID: "enschede", Path: "/"}, false},
		{"127.0.0.1:8080", "/t/zwolle/theme.css", tenant.Resolution{ID: "zwolle", Path: "/theme.css"}, false},
		{"127.0.0.1:8080", "/t/zwolle", tenant.Resolution{ID: "zwolle", Path: "/"}, false},
		{"127.0.0.1:8080", "/t/nope/", tenant.Resolution{}, true},
		{"127.0.0.1:8080", "/t/Zwolle/", tenant.Resolution{}, true},
		{"127.0.0.1:8080", "/", tenant.Resolution{}, true},
		{"mijn.zwolle.example", "/", tenant.Resolution{ID: "zwolle", ByHost: true, Path: "/"}, false},
		{"Mijn.Zwolle.Example.:443", "/logo.svg", tenant.Resolution{ID: "zwolle", ByHost: true, Path: "/logo.svg"}, false},
		{"mijn.zwolle.example", "/t/zwolle/x", tenant.Resolution{ID: "zwolle", ByHost: true, Path: "/x"}, false},
		{"mijn.zwolle.example", "/t/enschede/", tenant.Resolution{}, true},
		{"evil.example", "/", tenant.Resolution{}, true},
	} {
		got, err := tenant.Resolve(c.host, c.path, d)
		if (err != nil) != c.wantErr || got != c.want {
			t.Errorf("Resolve(%q, %q) = %+v, %v; want %+v, err %v", c.host, c.path, got, err, c.want, c.wantErr)
		}
		if err != nil && !errors.Is(err, tenant.ErrUnknownTenant) {
			t.Errorf("Resolve(%q, %q): error %v, want ErrUnknownTenant", c.host, c.path, err)
		}
	}
}
