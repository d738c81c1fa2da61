package clock_test

import (
	"strings"
	"testing"
	"time"

	"github.com/plein-nl/plein/platform/clock"
)

// FuzzParse feeds PLEIN_NOW values to Parse. An accepted value is in the years 2000 to
// 2999 and formats back (RFC 3339) to a value Parse accepts again, to the same instant;
// a refusal names the variable.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"2026-06-24", "2026-06-24T10:00:00+02:00", "2026-06-24T08:00:00Z",
		" 2026-03-29 ", "2026-10-25", "2026-06-24T10:00:00.123456789+14:00", "1999-12-31", "3000-01-01",
		"2026-02-30", "2026-06-24T10:00:00", "24-06-2026", "", "now", "2026-06-24T25:00:00Z"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := clock.Parse(s)
		if err != nil {
			if !strings.Contains(err.Error(), clock.EnvNow) {
				t.Fatalf("Parse(%q): error %q does not name %s", s, err, clock.EnvNow)
			}
			return
		}
		if y := got.Year(); y < 2000 || y > 2999 {
			t.Fatalf("Parse(%q) = %v: year out of range", s, got)
		}
		again, err := clock.Parse(got.Format(time.RFC3339Nano))
		if err != nil {
			t.Fatalf("Parse(%q) = %v, and its RFC 3339 form is refused: %v", s, got, err)
		}
		if !again.Equal(got) {
			t.Fatalf("Parse(%q) = %v, round trip gives %v", s, got, again)
		}
	})
}
