package settlement

import (
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/plein-nl/plein/platform/law"
)

// TestLawStaleness: plein_law_data_stale is 1 from the month of the last law file's
// next indexation on (1 July 2026, in Amsterdam), 0 before, labelled with the file.
func TestLawStaleness(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		now  time.Time
		want string
	}{
		{time.Date(2026, 6, 30, 21, 59, 0, 0, time.UTC), "0"}, // 23:59 on 30 June in Amsterdam
		{time.Date(2026, 6, 30, 22, 0, 0, 0, time.UTC), "1"},  // midnight, 1 July in Amsterdam
		{time.Date(2026, 12, 8, 9, 0, 0, 0, time.UTC), "1"},
	} {
		reg := prometheus.NewPedanticRegistry()
		if err := NewLawStaleness(reg, law.MustLoad(), func() time.Time { return c.now }); err != nil {
			t.Fatal(err)
		}
		want := `# HELP plein_law_data_stale 1 when the current month's law data (platform/law) is past its next indexation with no newer file, else 0.
# TYPE plein_law_data_stale gauge
plein_law_data_stale{due="2026-07-01",file="data/2026-01-01.yaml"} ` + c.want + "\n"
		if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "plein_law_data_stale"); err != nil {
			t.Errorf("at %s: %v", c.now, err)
		}
	}
}
