package ledger_test

import (
	"os"
	"testing"
	"time"

	"github.com/plein-nl/plein/platform/db/dbtest"
)

func TestZZHold(t *testing.T) {
	if os.Getenv("ZZHOLD") == "" {
		t.Skip()
	}
	d := dbtest.New(t)
	dbtest.CreateTenants(t, d, enschede)
	os.WriteFile("/tmp/lpg/dbname", []byte(d.Name), 0o644)
	time.Sleep(30 * time.Minute)
}
