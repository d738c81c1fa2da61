package clock_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/plein-nl/plein/platform/clock"
)

func TestParse(t *testing.T) {
	t.Parallel()
	ams, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		in   string
		want time.Time
	}{
		{"2026-06-24", time.Date(2026, 6, 24, 7, 0, 0, 0, time.UTC)},                // summer: +02:00
		{"2026-01-15", time.Date(2026, 1, 15, 8, 0, 0, 0, time.UTC)},                // winter: +01:00
		{"2026-03-29", time.Date(2026, 3, 29, 9, 0, 0, 0, ams)},                     // the clocks change that night
		{" 2026-06-24 ", time.Date(2026, 6, 24, 7, 0, 0, 0, time.UTC)},              // spaces of a shell line
		{"2026-06-24T10:00:00+02:00", time.Date(2026, 6, 24, 8, 0, 0, 0, time.UTC)}, // the brief's example
		{"2026-06-24T10:00:00Z", time.Date(2026, 6, 24, 10, 0, 0, 0, time.UTC)},
		{"2026-12-31T23:59:59.5-05:00", time.Date(2027, 1, 1, 4, 59, 59, 5e8, time.UTC)},
	} {
		got, err := clock.Parse(tc.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tc.in, err)
			continue
		}
		if !got.Equal(tc.want) {
			t.Errorf("Parse(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
	if got, _ := clock.Parse("2026-03-29"); got.In(ams).Hour() != 9 {
		t.Errorf("a date on the day the clocks change: %s, want 09:00 in Amsterdam", got.In(ams))
	}
}

func TestParseRefusesBadValues(t *testing.T) {
	t.Parallel()
	for _, in := range []string{
		"", "   ", "tomorrow", "2026-13-01", "2026-02-30", "24-06-2026", "2026-06",
		"2026-06-24T10:00:00",       // no zone: which 10:00?
		"2026-06-24 10:00:00+02:00", // a space, not the T
		"1999-12-31", "3000-01-01T00:00:00Z", "1700000000",
	} {
		_, err := clock.Parse(in)
		if err == nil {
			t.Errorf("Parse(%q) accepted a bad value", in)
			continue
		}
		// The error says which variable, and how to write it.
		for _, want := range []string{clock.EnvNow, "2026-06-24", "2026-06-24T10:00:00+02:00"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("Parse(%q): %q does not say %q", in, err, want)
			}
		}
	}
}

func TestLoad(t *testing.T) {
	t.Parallel()
	c, err := clock.Load("", "serve", false)
	if err != nil {
		t.Fatalf("no PLEIN_NOW: %v", err)
	}
	if _, ok := c.Rehearsal(); ok {
		t.Error("no PLEIN_NOW is a rehearsal")
	}
	if d := time.Since(c.Now()); d < 0 || d > time.Second {
		t.Errorf("the real clock is %v off", d)
	}
	_, err = clock.Load("2026-06-24", "serve", false)
	if !errors.Is(err, clock.ErrRefused) || !strings.Contains(err.Error(), "plein serve") ||
		!strings.Contains(err.Error(), "PLEIN_DATABASE_URL") {
		t.Errorf("a role that may not rehearse: %v, want ErrRefused naming the role and why", err)
	}
	if _, err := clock.Load("junk", "settle", true); err == nil || errors.Is(err, clock.ErrRefused) {
		t.Errorf("a bad value: %v, want a parse error", err)
	}
	c, err = clock.Load("2026-06-24T10:00:00+02:00", "settle", true)
	if err != nil {
		t.Fatal(err)
	}
	start, ok := c.Rehearsal()
	if want := time.Date(2026, 6, 24, 8, 0, 0, 0, time.UTC); !ok || !start.Equal(want) {
		t.Errorf("Rehearsal = %s, %v; want %s, true", start, ok, want)
	}
	if got, want := c.Banner(), "PLEIN_NOW: the clock says 2026-06-24 10:00 CEST (rehearsal)"; got != want {
		t.Errorf("Banner = %q, want %q", got, want)
	}
	if got := clock.Real().Banner(); got != "" {
		t.Errorf("the real clock's Banner = %q, want none", got)
	}
}

func TestMovingClockAdvances(t *testing.T) {
	t.Parallel()
	start := time.Date(2031, 2, 3, 9, 0, 0, 0, time.UTC)
	c := clock.Moving(start)
	first := c.Now()
	if d := first.Sub(start); d < 0 || d > time.Second {
		t.Fatalf("a new moving clock says %s, want %s", first, start)
	}
	time.Sleep(50 * time.Millisecond)
	second := c.Now()
	if d := second.Sub(first); d < 50*time.Millisecond || d > 5*time.Second {
		t.Errorf("after 50ms of real time the clock moved %v", d)
	}
	if second.Location() != time.Local {
		t.Errorf("location %s, want time.Local as time.Now", second.Location())
	}
	var zero *clock.Clock
	if d := time.Since(zero.Now()); d < 0 || d > time.Second {
		t.Errorf("a nil clock is %v off the real one", d)
	}
}
