package synth_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/plein-nl/plein/internal/synth"
	"github.com/plein-nl/plein/internal/synth/synthtest"
	"github.com/plein-nl/plein/platform/auth"
	"github.com/plein-nl/plein/platform/bsn/bsntest"
	"github.com/plein-nl/plein/platform/db/dbtest"
	"github.com/plein-nl/plein/platform/tenant"
)

// SeedDemo makes the demo resident and the partners once: a second start finds the
// resident and writes no new keys.
func TestSeedDemoOnce(t *testing.T) {
	t.Parallel()
	d := dbtest.New(t)
	dbtest.CreateTenants(t, d, "zwolle")
	svc := synthtest.New(t, d.App, bsntest.Keyring(t), seedNow)
	dir := t.TempDir()
	ctx := context.Background()
	first, err := synth.SeedDemo(ctx, d.App, svc.Residents, []tenant.ID{"zwolle"}, dir)
	if err != nil {
		t.Fatal(err)
	}
	again, err := synth.SeedDemo(ctx, d.App, svc.Residents, []tenant.ID{"zwolle"}, dir)
	if err != nil {
		t.Fatal(err)
	}
	p1, p2 := first["zwolle"], again["zwolle"]
	if len(p1) < 2 || p1[0].Role != auth.RoleResident || p1[0].ResidentID == "" {
		t.Fatalf("people: got %+v, want the resident first, then the staff", p1)
	}
	if p2[0].ResidentID != p1[0].ResidentID {
		t.Errorf("second start: resident %s, want the first %s", p2[0].ResidentID, p1[0].ResidentID)
	}
	b, err := os.ReadFile(filepath.Join(dir, "partner-keys.txt"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "zwolle employer voorbeeld-werkgever ") ||
		!strings.HasPrefix(lines[1], "zwolle creditor vitens ") {
		t.Errorf("partner keys: got %q, want one employer and one creditor line", lines)
	}
}
