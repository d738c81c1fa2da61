package tenancy

import (
	"context"
	"testing"

	"github.com/plein-nl/plein/platform/tenant"
)

// TestDirectoryEdgeAnswers: the Directory answers the platform's edge — which tenants
// exist, whose portal host a host is, whose data can no longer change, and a
// gemeente's own rate limits.
func TestDirectoryEdgeAnswers(t *testing.T) {
	t.Parallel()
	b := setupDirectory(t)
	ctx := context.Background()
	for id, want := range map[tenant.ID]bool{"zwolle": true, "enschede": true, "hengelo": false, "": false} {
		if got := b.dir.Exists(id); got != want {
			t.Errorf("Exists(%q) = %v, want %v", id, got, want)
		}
	}
	for host, want := range map[string]tenant.ID{"mijn.zwolle.example": "zwolle", "mijn.zwolle.example:8080": "zwolle", "mijn.hengelo.example": ""} {
		if got, ok := b.dir.TenantOfHost(host); got != want || ok != (want != "") {
			t.Errorf("TenantOfHost(%q) = %q, %v; want %q", host, got, ok, want)
		}
	}
	if got := b.dir.RateLimits("hengelo"); got != nil {
		t.Errorf("RateLimits of an unknown tenant = %v, want none", got)
	}
	if b.dir.ReadOnly("enschede") || b.dir.ReadOnly("hengelo") {
		t.Error("ReadOnly of an active or unknown tenant: true, want false")
	}
	if _, err := NewStore(b.d.Control, nil).Transition(ctx, "enschede", StatusOffboarding, "test", "opgezegd"); err != nil {
		t.Fatal(err)
	}
	if _, err := b.dir.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	if !b.dir.ReadOnly("enschede") || !b.dir.Exists("enschede") || b.dir.ReadOnly("zwolle") {
		t.Errorf("after enschede's offboarding: ReadOnly(enschede) %v, Exists(enschede) %v, ReadOnly(zwolle) %v; want true, true, false",
			b.dir.ReadOnly("enschede"), b.dir.Exists("enschede"), b.dir.ReadOnly("zwolle"))
	}
}
