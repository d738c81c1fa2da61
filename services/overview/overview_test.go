package overview

import (
	"testing"
	"time"

	"github.com/plein-nl/plein/platform/bijstand"
)

func TestDutchFormats(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		n    int64
		want string
	}{{0, "0"}, {999, "999"}, {1000, "1.000"}, {12345, "12.345"}, {1234567, "1.234.567"}, {-4200, "-4.200"}} {
		if got := dutchNumber(tc.n); got != tc.want {
			t.Errorf("dutchNumber(%d) = %q, want %q", tc.n, got, tc.want)
		}
	}
	ams, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		t    time.Time
		want string
	}{
		{time.Date(2027, 1, 1, 0, 0, 0, 0, ams), "1 januari 2027"},
		{time.Date(2026, 11, 23, 9, 5, 0, 0, ams), "23 november 2026 09:05"},
	} {
		if got := dutchTime(tc.t); got != tc.want {
			t.Errorf("dutchTime(%v) = %q, want %q", tc.t, got, tc.want)
		}
	}
	if got := periodNL(bijstand.Period{Year: 2026, Month: time.October}); got != "oktober 2026" {
		t.Errorf("periodNL(2026-10) = %q, want oktober 2026", got)
	}
}
