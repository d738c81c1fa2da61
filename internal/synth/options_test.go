package synth_test

import (
	"context"
	"errors"
	"testing"

	"github.com/plein-nl/plein/internal/synth"
)

// TestSeedBadOptions: options that need no database are refused before it is used,
// each naming the option.
func TestSeedBadOptions(t *testing.T) {
	t.Parallel()
	noTenant := seedOpts(5, "2026-04", 1)
	noTenant.Tenant = ""
	for _, c := range []struct {
		o      synth.Options
		option string
	}{
		{noTenant, "tenant"},
		{seedOpts(0, "2026-04", 1), "residents"},
		{seedOpts(synth.MaxResidents+1, "2026-04", 1), "residents"},
		{seedOpts(5, "2026-06", 1), "period"},
		{seedOpts(5, "2024-12", 1), "period"},
	} {
		// No services: a refused option reaches none.
		_, err := synth.Seed(context.Background(), synth.Services{}, c.o)
		var oe *synth.OptionError
		if !errors.As(err, &oe) || oe.Option != c.option {
			t.Errorf("%d residents in %s: err = %v, want an option error on %s", c.o.Residents, c.o.Period, err, c.option)
		}
	}
}
