package bijstand

import (
	"time"

	"github.com/plein-nl/plein/platform/money"
)

// Result is one month's outcome, with the trace that explains it.
type Result struct {
	Period                 Period
	Norm                   money.Cents
	Income                 money.Cents // all net income
	Vrijlating             money.Cents // sum over the applicants
	CountedIncome          money.Cents // Income − Vrijlating
	Bijstand               money.Cents
	VakantietoeslagReserve money.Cents
	BeslagvrijeVoet        money.Cents
	DeductionCapacity      money.Cents
	Deductions             []DeductionResult // in input order
	Payout                 money.Cents
	// Applicants holds what each applicant's vrijlating was, and the counters after
	// this month.
	Applicants []ApplicantResult
	Trace      []Step
	// Law is the law data the month was computed with, and whether it was stale.
	Law LawUsed
}

// LawUsed names the law file a month was computed with. Stale is true when the month
// begins on or after the date the file's next indexation was due (law.Book.Staleness):
// the month is computed with the last norms known, and whoever shows or pays it must
// say so.
type LawUsed struct {
	File          string
	ValidFrom     time.Time
	IndexationDue time.Time
	Stale         bool
}

// DeductionResult is what became of one deduction.
type DeductionResult struct {
	ID        string
	Label     string // the deduction's Label, for people
	Kind      DeductionKind
	Requested money.Cents
	Applied   money.Cents
	Shortfall money.Cents
}

// VrijlatingKind names the art. 31.2 vrijlating an applicant got this month.
type VrijlatingKind string

// Vrijlating kinds; "" is none.
const (
	VrijlatingNone VrijlatingKind = ""
	VrijlatingN    VrijlatingKind = "n"
	VrijlatingY    VrijlatingKind = "y"
	VrijlatingR    VrijlatingKind = "r"
)

// ApplicantResult is one applicant's part of the month.
type ApplicantResult struct {
	Age            int
	AOWAge         bool
	Norm           money.Cents // the applicant's own part under the kostendelersnorm; 0 otherwise
	WorkIncome     money.Cents
	VrijlatingKind VrijlatingKind
	Vrijlating     money.Cents
	// NMonthsUsed and RMonthsUsed are the counters after this month.
	NMonthsUsed int
	RMonthsUsed int
}

// Step is one line of the explanation: which rule, which article, which amount. The
// text is rendered on demand (Text), so computing a month stays cheap.
type Step struct {
	Code    StepCode
	Article string
	Amount  money.Cents
	// Args are the figures the text quotes (an age, a percentage, a count).
	Args [4]int64
	// Ref names the deduction or applicant the step is about, when it is about one.
	Ref string
}
