// Package clock is Plein's business clock: the time that decides the settlement
// calendar, the month a resident sees and the timestamps of business events. It is
// the real time, unless a rehearsal sets it with PLEIN_NOW: a demo, the fault tests
// or a gemeente's acceptance sandbox then settle any month on the private cluster.
//
// A rehearsal clock starts at the chosen instant and moves at the real rate, so that
// what waits (jobs, sessions, a run that is kicked after an hour) still waits as long.
// Wall-clock matters stay on time.Now: River's scheduling, HTTP timeouts, rate-limit
// windows, session lifetimes and PostgreSQL's now().
package clock

import (
	"errors"
	"fmt"
	"strings"
	"time"
	_ "time/tzdata" // a date is 09:00 in Europe/Amsterdam, whatever the host's zone database holds
)

// EnvNow names the environment variable that sets the clock of a rehearsal.
const EnvNow = "PLEIN_NOW"

// ErrRefused is a PLEIN_NOW set for a command that must run on the real clock.
var ErrRefused = errors.New(EnvNow + " is refused")

// example is the hint of every parse error.
const example = "write a date such as 2026-06-24 (09:00 Europe/Amsterdam that day) " +
	"or an RFC 3339 timestamp such as 2026-06-24T10:00:00+02:00"

// Amsterdam is the zone Dutch dates are days in: pay days, deadlines, valid_from dates,
// the month a resident sees. The zone database is embedded (time/tzdata), so it loads
// whatever the host has.
var Amsterdam = func() *time.Location {
	l, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		panic(err) // embedded by time/tzdata: cannot fail
	}
	return l
}()

// Parse reads a value of PLEIN_NOW: an RFC 3339 timestamp (2026-06-24T10:00:00+02:00,
// or with Z) is that instant; a date (2026-06-24) is 09:00 Europe/Amsterdam that day,
// an ordinary working morning. The error names the variable, the problem and an
// example.
func Parse(s string) (time.Time, error) {
	v := strings.TrimSpace(s)
	if v == "" {
		return time.Time{}, fmt.Errorf("%s is empty: %s", EnvNow, example)
	}
	var t time.Time
	if len(v) == len(time.DateOnly) {
		d, err := time.Parse(time.DateOnly, v)
		if err != nil {
			return time.Time{}, fmt.Errorf("%s=%q is not a valid date: %s", EnvNow, s, example)
		}
		// 09:00 on the wall clock, also on a day the clocks change.
		t = time.Date(d.Year(), d.Month(), d.Day(), 9, 0, 0, 0, Amsterdam)
	} else {
		var err error
		if t, err = time.Parse(time.RFC3339Nano, v); err != nil {
			return time.Time{}, fmt.Errorf("%s=%q is neither a date nor an RFC 3339 timestamp with its zone: %s", EnvNow, s, example)
		}
	}
	if t.Year() < 2000 || t.Year() > 2999 {
		return time.Time{}, fmt.Errorf("%s=%q: the year %d is out of range (2000 to 2999): %s", EnvNow, s, t.Year(), example)
	}
	return t, nil
}

// Clock is the business clock of one process. The zero Clock is the real clock.
type Clock struct {
	start  time.Time // the rehearsal's first instant; zero on the real clock
	origin time.Time // time.Now when the clock was made (with its monotonic reading)
}

// Real returns the real clock.
func Real() *Clock { return &Clock{} }

// Moving returns a clock that says start now and advances from it at the real rate.
func Moving(start time.Time) *Clock {
	return &Clock{start: start.In(time.Local), origin: time.Now()}
}

// Now returns the business time: time.Now on the real clock, else the start plus the
// time since the clock was made (in time.Local, as time.Now).
func (c *Clock) Now() time.Time {
	if c == nil || c.start.IsZero() {
		return time.Now()
	}
	return c.start.Add(time.Since(c.origin))
}

// Rehearsal returns the instant a rehearsal started from, and whether this is one.
func (c *Clock) Rehearsal() (time.Time, bool) {
	if c == nil || c.start.IsZero() {
		return time.Time{}, false
	}
	return c.start, true
}

// Load returns the clock of a command given the value of PLEIN_NOW: the real clock
// when it is empty; a Moving clock from it when allowed (a rehearsal role on the
// private cluster); else ErrRefused with why, for role.
func Load(value, role string, allowed bool) (*Clock, error) {
	if value == "" {
		return Real(), nil
	}
	if !allowed {
		return nil, fmt.Errorf("%w by plein %s: only plein dev, seed and settle on the private PostgreSQL "+
			"(without PLEIN_DATABASE_URL) may rehearse a month; a real database runs on the real clock, "+
			"so unset %s", ErrRefused, role, EnvNow)
	}
	start, err := Parse(value)
	if err != nil {
		return nil, err
	}
	return Moving(start), nil
}

// Banner is the warning line of a rehearsal, the start as Amsterdam reads it:
// "PLEIN_NOW: the clock says 2026-06-24 10:00 CEST (rehearsal)"; empty on the real
// clock.
func (c *Clock) Banner() string {
	start, ok := c.Rehearsal()
	if !ok {
		return ""
	}
	return EnvNow + ": the clock says " + start.In(Amsterdam).Format("2006-01-02 15:04 MST") + " (rehearsal)"
}
