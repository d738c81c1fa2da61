package debts

import (
	"slices"
	"time"
)

// The deadlines of the Wet gemeentelijke schuldhulpverlening (docs/domain.md §4), as pure
// functions of dates. A date is a time.Time at midnight UTC, like every stored date;
// only its year, month and day count.
//
// Public holidays [policy]: Nieuwjaarsdag, Goede Vrijdag, Eerste and Tweede Paasdag,
// Koningsdag (27 April, or 26 April when the 27th is a Sunday), Bevrijdingsdag (5 May,
// every year: the Algemene termijnenwet art. 3 counts it every year, not only in
// lustrumjaren), Hemelvaartsdag, Eerste and Tweede Pinksterdag, Eerste and Tweede
// Kerstdag. Goede Vrijdag is not in the Algemene termijnenwet; it is counted because
// the platform's brief says so, and it is the one line to change if the gemeenten decide
// otherwise (counting it moves a 3-working-day deadline around Easter one day later).

// Terms of the law.
const (
	// contactDays is the first conversation's term, 4 weeks (Wgs art. 4.1).
	contactDays = 28
	// urgentWorkingDays is the term when eviction, cut-off of energy or water, or the
	// termination of the zorgverzekering threatens (Wgs art. 4.2).
	urgentWorkingDays = 3
	// planDays is the term of the plan van aanpak after the first conversation, 8 weeks
	// (Wgs art. 4a.1).
	planDays = 56
)

// Easter returns Easter Sunday of year (Gregorian calendar), by the anonymous
// Gregorian algorithm (Meeus/Jones/Butcher).
func Easter(year int) time.Time {
	a := year % 19
	b, c := year/100, year%100
	d, e := b/4, b%4
	f := (b + 8) / 25
	g := (b - f + 1) / 3
	h := (19*a + b - d - g + 15) % 30
	i, k := c/4, c%4
	l := (32 + 2*e + 2*i - h - k) % 7
	m := (a + 11*h + 22*l) / 451
	month := (h + l - 7*m + 114) / 31
	day := (h+l-7*m+114)%31 + 1
	return date(year, time.Month(month), day)
}

// Holiday is a Dutch public holiday on a date.
type Holiday struct {
	Date time.Time
	Name string
}

// Holidays returns the public holidays of year in date order; when two fall on one
// day (Hemelvaartsdag on 5 May 2016), both are listed.
func Holidays(year int) []Holiday {
	e := Easter(year)
	koningsdag := date(year, time.April, 27)
	if koningsdag.Weekday() == time.Sunday {
		koningsdag = date(year, time.April, 26)
	}
	hs := []Holiday{
		{date(year, time.January, 1), "Nieuwjaarsdag"},
		{e.AddDate(0, 0, -2), "Goede Vrijdag"},
		{e, "Eerste Paasdag"},
		{e.AddDate(0, 0, 1), "Tweede Paasdag"},
		{koningsdag, "Koningsdag"},
		{date(year, time.May, 5), "Bevrijdingsdag"},
		{e.AddDate(0, 0, 39), "Hemelvaartsdag"},
		{e.AddDate(0, 0, 49), "Eerste Pinksterdag"},
		{e.AddDate(0, 0, 50), "Tweede Pinksterdag"},
		{date(year, time.December, 25), "Eerste Kerstdag"},
		{date(year, time.December, 26), "Tweede Kerstdag"},
	}
	// Hemelvaartsdag falls before 5 May in some years (1 May 2008), on it in others.
	slices.SortStableFunc(hs, func(a, b Holiday) int { return a.Date.Compare(b.Date) })
	return hs
}

// HolidayName returns the name of the public holiday on d, or "".
func HolidayName(d time.Time) string {
	d = dateOf(d)
	for _, h := range Holidays(d.Year()) {
		if h.Date.Equal(d) {
			return h.Name
		}
	}
	return ""
}

// IsWorkingDay reports whether d is a Monday to Friday that is no public holiday.
func IsWorkingDay(d time.Time) bool {
	switch d.Weekday() {
	case time.Saturday, time.Sunday:
		return false
	}
	return HolidayName(d) == ""
}

// AddWorkingDays returns the n-th working day after from (from itself does not count;
// n = 0 returns from's date).
func AddWorkingDays(from time.Time, n int) time.Time {
	d := dateOf(from)
	for n > 0 {
		d = d.AddDate(0, 0, 1)
		if IsWorkingDay(d) {
			n--
		}
	}
	return d
}

// Urgent reports whether threat shortens the term to 3 working days (Wgs art. 4.2).
func (t Threat) Urgent() bool {
	switch t {
	case ThreatEviction, ThreatEnergyCutoff, ThreatWaterCutoff, ThreatZvwTermination:
		return true
	}
	return false
}

// ContactDeadline is the last day for the first contact after a signal or request
// received on the date of received: 4 weeks (28 days) later, or 3 working days later
// when threat is urgent.
func ContactDeadline(received time.Time, threat Threat) time.Time {
	if threat.Urgent() {
		return AddWorkingDays(received, urgentWorkingDays)
	}
	return dateOf(received).AddDate(0, 0, contactDays)
}

// PlanDeadline is the last day to decide the plan van aanpak: 8 weeks after the first
// conversation (Wgs art. 4a.1).
func PlanDeadline(firstConversation time.Time) time.Time {
	return dateOf(firstConversation).AddDate(0, 0, planDays)
}

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// dateOf returns the calendar date of t (in t's own location) as midnight UTC.
func dateOf(t time.Time) time.Time {
	y, m, d := t.Date()
	return date(y, m, d)
}
