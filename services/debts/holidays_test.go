package debts

import (
	"slices"
	"testing"
	"time"

	"github.com/plein-nl/plein/platform/clocktest"
	"github.com/plein-nl/plein/platform/money"
)

// day is a day the test writes out.
var day = clocktest.Date

func TestEaster(t *testing.T) {
	t.Parallel()
	// Published Easter Sundays (Western churches).
	for year, want := range map[int]string{
		2000: "2000-04-23", 2008: "2008-03-23", 2011: "2011-04-24", 2019: "2019-04-21", 2024: "2024-03-31",
		2025: "2025-04-20", 2026: "2026-04-05", 2027: "2027-03-28", 2028: "2028-04-16", 2038: "2038-04-25",
	} {
		if got := Easter(year); !got.Equal(day(want)) {
			t.Errorf("Easter(%d) = %s, want %s", year, got.Format(time.DateOnly), want)
		}
	}
}

func TestHolidays(t *testing.T) {
	t.Parallel()
	tests := []struct {
		date, want string
	}{
		// 2025: Easter 20 April; 27 April is a Sunday, so Koningsdag is Saturday 26 April.
		{"2025-01-01", "Nieuwjaarsdag"},
		{"2025-04-18", "Goede Vrijdag"},
		{"2025-04-20", "Eerste Paasdag"},
		{"2025-04-21", "Tweede Paasdag"},
		{"2025-04-26", "Koningsdag"},
		{"2025-04-27", ""},
		{"2025-05-05", "Bevrijdingsdag"}, // not a lustrumjaar: counted anyway [policy]
		{"2025-05-29", "Hemelvaartsdag"}, // Easter + 39
		{"2025-06-08", "Eerste Pinksterdag"},
		{"2025-06-09", "Tweede Pinksterdag"},
		{"2025-12-25", "Eerste Kerstdag"},
		{"2025-12-26", "Tweede Kerstdag"},
		// 2026: Easter 5 April; Koningsdag on Monday 27 April.
		{"2026-04-03", "Goede Vrijdag"},
		{"2026-04-05", "Eerste Paasdag"},
		{"2026-04-06", "Tweede Paasdag"},
		{"2026-04-27", "Koningsdag"},
		{"2026-05-05", "Bevrijdingsdag"},
		{"2026-05-14", "Hemelvaartsdag"},
		{"2026-05-24", "Eerste Pinksterdag"},
		{"2026-05-25", "Tweede Pinksterdag"},
		{"2026-04-02", ""},
		{"2026-12-31", ""},
	}
	for _, tt := range tests {
		if got := HolidayName(day(tt.date)); got != tt.want {
			t.Errorf("HolidayName(%s) = %q, want %q", tt.date, got, tt.want)
		}
	}
	// In date order, also in a year where Hemelvaartsdag (1 May 2008) comes before 5 May.
	for _, y := range []int{2008, 2016, 2025, 2026} {
		hs := Holidays(y)
		for i := 1; i < len(hs); i++ {
			if hs[i].Date.Before(hs[i-1].Date) {
				t.Errorf("Holidays(%d): %s before %s", y, hs[i].Name, hs[i-1].Name)
			}
		}
	}
}

func TestAddWorkingDays(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		from       string
		n          int
		want       string
		arithmetic string
	}{
		{"Easter 2026", "2026-04-02", 3, "2026-04-09",
			"Thu 2 Apr; Fri 3 Goede Vrijdag, Sat 4, Sun 5 Eerste Paasdag, Mon 6 Tweede Paasdag skipped; Tue 7 (1), Wed 8 (2), Thu 9 (3)"},
		{"ordinary week", "2026-03-10", 3, "2026-03-13", "Tue 10 Mar; Wed 11 (1), Thu 12 (2), Fri 13 (3)"},
		{"over a weekend", "2026-03-12", 3, "2026-03-17", "Thu 12; Fri 13 (1), Sat, Sun, Mon 16 (2), Tue 17 (3)"},
		{"received on a Saturday", "2026-03-14", 3, "2026-03-18", "Sat 14; Sun; Mon 16 (1), Tue 17 (2), Wed 18 (3)"},
		{"Koningsdag 2026", "2026-04-24", 3, "2026-04-30", "Fri 24; Sat, Sun, Mon 27 Koningsdag; Tue 28 (1), Wed 29 (2), Thu 30 (3)"},
		{"Koningsdag and Bevrijdingsdag 2025", "2025-05-01", 3, "2025-05-07", "Thu 1 May; Fri 2 (1), Sat, Sun, Mon 5 Bevrijdingsdag; Tue 6 (2), Wed 7 (3)"},
		{"Hemelvaart 2026", "2026-05-13", 3, "2026-05-19", "Wed 13; Thu 14 Hemelvaart; Fri 15 (1), Sat, Sun, Mon 18 (2), Tue 19 (3)"},
		{"Pinksteren 2026", "2026-05-22", 3, "2026-05-28", "Fri 22; Sat, Sun 24, Mon 25 Tweede Pinksterdag; Tue 26 (1), Wed 27 (2), Thu 28 (3)"},
		{"Christmas 2025", "2025-12-24", 3, "2025-12-31", "Wed 24; Thu 25, Fri 26 Kerst; Sat, Sun; Mon 29 (1), Tue 30 (2), Wed 31 (3)"},
		{"over New Year 2026", "2025-12-31", 3, "2026-01-06", "Wed 31; Thu 1 Jan Nieuwjaarsdag; Fri 2 (1), Sat, Sun, Mon 5 (2), Tue 6 (3)"},
		{"zero", "2026-04-03", 0, "2026-04-03", "no days added"},
	}
	for _, tt := range tests {
		if got := AddWorkingDays(day(tt.from), tt.n); !got.Equal(day(tt.want)) {
			t.Errorf("%s: AddWorkingDays(%s, %d) = %s, want %s (%s)", tt.name, tt.from, tt.n,
				got.Format(time.DateOnly), tt.want, tt.arithmetic)
		}
	}
}

func TestContactAndPlanDeadlines(t *testing.T) {
	t.Parallel()
	tests := []struct {
		received string
		threat   Threat
		want     string
	}{
		{"2026-04-02", ThreatNone, "2026-04-30"}, // + 28 calendar days, holidays or not
		{"2026-04-02", ThreatEviction, "2026-04-09"},
		{"2026-04-02", ThreatEnergyCutoff, "2026-04-09"},
		{"2026-04-02", ThreatWaterCutoff, "2026-04-09"},
		{"2026-04-02", ThreatZvwTermination, "2026-04-09"},
		{"2025-12-24", ThreatNone, "2026-01-21"},
		{"2025-12-24", ThreatEviction, "2025-12-31"},
	}
	for _, tt := range tests {
		if got := ContactDeadline(day(tt.received), tt.threat); !got.Equal(day(tt.want)) {
			t.Errorf("ContactDeadline(%s, %s) = %s, want %s", tt.received, tt.threat, got.Format(time.DateOnly), tt.want)
		}
	}
	// A time late in the evening counts by its own date, not by UTC's.
	ams, _ := time.LoadLocation("Europe/Amsterdam")
	late := time.Date(2026, 4, 2, 23, 30, 0, 0, ams) // 21:30 UTC the same day
	if got := ContactDeadline(late, ThreatEviction); !got.Equal(day("2026-04-09")) {
		t.Errorf("ContactDeadline(late on 2 April) = %s, want 2026-04-09", got.Format(time.DateOnly))
	}
	if got := PlanDeadline(day("2026-04-09")); !got.Equal(day("2026-06-04")) {
		t.Errorf("PlanDeadline(2026-04-09) = %s, want 2026-06-04 (8 weeks = 56 days)", got.Format(time.DateOnly))
	}
}

func TestSchedule(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		offered  []money.Cents
		months   int
		want     [][]Installment
		capacity money.Cents // every month's total, when the offers fill the pool
	}{
		{"DOMAIN §4 example", []money.Cents{90000, 30000, 60000}, 18, [][]Installment{
			{{0, 18, 5000}},
			{{0, 12, 1667}, {12, 6, 1666}}, // 30000 = 18 × 1666 + 12
			{{0, 12, 3333}, {12, 6, 3334}}, // 60000 = 18 × 3333 + 6, after B's 12
		}, 10000},
		{"wrapping round", []money.Cents{100000, 100000}, 18, [][]Installment{
			{{0, 10, 5556}, {10, 8, 5555}},              // 100000 = 18 × 5555 + 10
			{{0, 2, 5556}, {2, 8, 5555}, {10, 8, 5556}}, // its 10 extra cents: months 10–17, 0–1
		}, 0}, // 200000 / 18 is no whole number of cents: months of 11111 and 11112
		{"tiny offer", []money.Cents{5}, 18, [][]Installment{{{0, 5, 1}}}, 0},
		{"nothing offered", []money.Cents{0, 1800}, 18, [][]Installment{nil, {{0, 18, 100}}}, 100},
	}
	for _, tt := range tests {
		got := Schedule(tt.offered, tt.months)
		monthly := make([]money.Cents, tt.months)
		for i := range got {
			if !slices.Equal(got[i], tt.want[i]) {
				t.Errorf("%s: offer %d: %+v, want %+v", tt.name, i, got[i], tt.want[i])
			}
			var sum money.Cents
			for _, in := range got[i] {
				sum += in.Amount * money.Cents(in.Months)
				for m := in.Offset; m < in.Offset+in.Months; m++ {
					monthly[m] += in.Amount
				}
			}
			if sum != tt.offered[i] {
				t.Errorf("%s: offer %d adds up to %d, want %d", tt.name, i, sum, tt.offered[i])
			}
		}
		if slices.Max(monthly)-slices.Min(monthly) > 1 {
			t.Errorf("%s: monthly totals %v differ by more than a cent", tt.name, monthly)
		}
		if tt.capacity > 0 {
			for m, total := range monthly {
				if total != tt.capacity {
					t.Errorf("%s: month %d totals %d, want the capacity %d", tt.name, m, total, tt.capacity)
				}
			}
		}
	}
}
