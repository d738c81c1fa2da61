package bijstand

import (
	"fmt"
	"time"

	"github.com/plein-nl/plein/platform/money"
)

// Period is a calendar month, the unit of settlement ("2026-01").
type Period struct {
	Year  int
	Month time.Month
}

// ParsePeriod parses "YYYY-MM".
func ParsePeriod(s string) (Period, error) {
	t, err := time.Parse("2006-01", s)
	if err != nil || len(s) != 7 {
		return Period{}, fmt.Errorf("%q is not a month in the form YYYY-MM", s)
	}
	return Period{Year: t.Year(), Month: t.Month()}, nil
}

// PeriodOf returns the period that contains t.
func PeriodOf(t time.Time) Period { return Period{Year: t.Year(), Month: t.Month()} }

// String returns "YYYY-MM".
func (p Period) String() string { return fmt.Sprintf("%04d-%02d", p.Year, int(p.Month)) }

// First returns the first day of the month (UTC midnight): the day ages are taken on.
func (p Period) First() time.Time { return time.Date(p.Year, p.Month, 1, 0, 0, 0, 0, time.UTC) }

// Next returns the following month.
func (p Period) Next() Period { return PeriodOf(p.First().AddDate(0, 1, 0)) }

// Prev returns the previous month.
func (p Period) Prev() Period { return PeriodOf(p.First().AddDate(0, -1, 0)) }

// PayDate is the date the bijstand of p is paid on a gemeente's pay day (1–28; another
// value means 25), moved to the Friday before when it falls on a Saturday or Sunday
// [policy]. The portal promises it; the settlement's SEPA files execute on it.
func (p Period) PayDate(day int) time.Time {
	if day < 1 || day > 28 {
		day = 25
	}
	d := time.Date(p.Year, p.Month, day, 0, 0, 0, 0, time.UTC)
	for d.Weekday() == time.Saturday || d.Weekday() == time.Sunday {
		d = d.AddDate(0, 0, -1)
	}
	return d
}

// HouseholdKind is the kind of household the norm is for.
type HouseholdKind string

// Household kinds.
const (
	KindSingle       HouseholdKind = "single"
	KindSingleParent HouseholdKind = "single_parent"
	KindCouple       HouseholdKind = "couple"
)

// Applicant is one of the (one or two) people the bijstand is for.
type Applicant struct {
	BirthDate time.Time
	// NMonthsUsed counts the months art. 31.2 n vrijlating was used before this one.
	NMonthsUsed int
	// RMonthsUsed counts the months art. 31.2 r vrijlating was used before this one.
	RMonthsUsed int
	// MedischUrenbeperkt: a medical limit on working hours (art. 31.2 y).
	MedischUrenbeperkt bool
}

// Child is a child in the household.
type Child struct {
	BirthDate time.Time
}

// Housemate is another adult living in the home (not the partner).
type Housemate struct {
	BirthDate time.Time
	// CostSharer says the housemate is of a kind that can share costs: not a commercial
	// renter or boarder, not a student with WSF/WTOS/BBL. The age rule (27+) is the
	// engine's to apply.
	CostSharer bool
}

// Household is who the bijstand is for and who lives with them.
type Household struct {
	Kind                 HouseholdKind
	Applicants           []Applicant
	Children             []Child
	Housemates           []Housemate
	Institution          bool // living in an inrichting (art. 23)
	ParentsCannotSupport bool // art. 20.3: the 18–20 year old cannot rely on their parents
}

// IncomeSource is where income comes from; only work gets vrijlating.
type IncomeSource string

// Income sources.
const (
	SourceWork    IncomeSource = "work"
	SourceBenefit IncomeSource = "benefit"
	SourceOther   IncomeSource = "other"
)

// Income is net income of one applicant in the month (net wage counts in the month it
// was paid).
type Income struct {
	Applicant int
	Source    IncomeSource
	Net       money.Cents
}

// DeductionKind says what a deduction is and which floor protects the resident.
type DeductionKind string

// Deduction kinds, in the order they are applied.
const (
	DeductOnBehalf    DeductionKind = "on_behalf"
	DeductVerrekening DeductionKind = "verrekening"
	DeductBeslag      DeductionKind = "beslag"
	DeductAflossing   DeductionKind = "aflossing"
)

// Deduction is an amount the gemeente keeps back from the payout for a purpose.
type Deduction struct {
	ID       string
	Kind     DeductionKind
	Amount   money.Cents
	Priority int
	// Label names the deduction for people ("Zilveren Kruis"); the trace uses it
	// instead of the ID when set.
	Label string
}

// Case is everything one month's calculation needs.
type Case struct {
	Period     Period
	Household  Household
	Income     []Income
	Deductions []Deduction
	// MinCashPayout is the tenant's leefgeld: on_behalf deductions never take the
	// payout below it.
	MinCashPayout money.Cents
}
