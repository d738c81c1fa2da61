// Package synth draws synthetic caseloads of residents on bijstand for demos, tests and
// benchmarks: Dutch households in a realistic mix (singles, single parents, couples,
// singles with a kostendelende medebewoner), valid and unique BSNs, Dutch IBANs,
// part-time work with payslips, and payment plans to creditors of the national
// catalogue and to example creditors of the gemeente.
//
// A caseload is deterministic: it is drawn from PCG streams keyed by a seed and the
// tenant, so the same seed in the same (empty) tenant gives the same people.
//
// There are two caseloads, one per use, drawn from the same households, payslips and
// plans:
//   - Seed makes the caseload of `plein seed` through the services' own APIs — the
//     same validation, sealing, audit and plan events as a consulent's work — so the
//     data is what the platform would hold, not rows written around it;
//   - Bench draws the caseload of the settlement benchmark (tools/settlebench), which
//     writes it straight into the tables: every resident with three deductions.
package synth

import (
	"time"

	"github.com/plein-nl/plein/platform/bijstand"
	"github.com/plein-nl/plein/platform/money"
	"github.com/plein-nl/plein/services/paymentplans"
)

// Kind is the kind of household a resident is drawn with.
type Kind string

// The kinds of household, as the summary of Seed counts them.
const (
	Single       Kind = "single"
	SingleParent Kind = "single_parent"
	Couple       Kind = "couple"
	// Kostendeler is a single with a kostendelende medebewoner aged 27 or more.
	Kostendeler Kind = "kostendeler"
)

// Household is the engine's kind of the household: a kostendeler is single.
func (k Kind) Household() bijstand.HouseholdKind {
	switch k {
	case SingleParent:
		return bijstand.KindSingleParent
	case Couple:
		return bijstand.KindCouple
	}
	return bijstand.KindSingle
}

// Label says what a plan pays for. It fixes the plan's kind, priority and actor
// (labels).
type Label string

// The labels of the plans drawn.
const (
	Huur        Label = "huur"
	Zorgpremie  Label = "zorgpremie"
	Verrekening Label = "verrekening"
	Aflossing   Label = "aflossing"
)

// Person is one resident drawn: the case, the payslips and the payment plans.
type Person struct {
	// ID is a version 4 UUID when the caseload draws the ids (Bench), "" when the
	// services give them (Seed).
	ID   string
	Kind Kind
	Name string
	BSN  string // 9 digits that pass the 11-proef
	IBAN string
	// Applicant is the resident's birth date and vrijlating counters.
	Applicant            bijstand.Applicant
	ParentsCannotSupport bool // art. 20.3
	Partner              *Partner
	Children             []time.Time // birth dates
	Housemates           []Housemate // kostendelende medebewoners
	Payslips             []Payslip
	Plans                []Plan
}

// Partner is the resident's partner in a couple.
type Partner struct {
	Name      string
	BSN       string
	Applicant bijstand.Applicant
}

// Housemate is a kostendelende medebewoner: a cost sharer, by definition.
type Housemate struct {
	BirthDate   time.Time
	Description string // moeder, zoon, vriendin …
}

// Payslip is a month's payslip of a part-time job.
type Payslip struct {
	ID         string // as Person.ID
	Applicant  int    // 0 the resident, 1 the partner
	Employer   string
	Period     bijstand.Period
	Gross, Net money.Cents
	HoursCenti int64 // hours × 100
	PayDate    time.Time
}

// Plan is an approved payment plan.
type Plan struct {
	// ID and MessageID (of the plan's start message to its creditor) are version 4
	// UUIDs when the caseload draws the ids, "" otherwise.
	ID, MessageID string
	// Label, and the Kind, Priority and actor (By, who requests and approves) it fixes.
	Label    Label
	Kind     bijstand.DeductionKind
	Priority int
	By       paymentplans.Actor
	// What the plan pays, to whom, from Start to End (nil: until stopped).
	CreditorID, Reference string
	Amount                money.Cents
	Start                 bijstand.Period
	End                   *bijstand.Period
	// MandateSignedOn is the day the paper mandate of an on_behalf plan was signed;
	// zero for the other kinds.
	MandateSignedOn time.Time
}

// Household is the engine's input of p, as services/residents maps a case.
func (p *Person) Household() bijstand.Household {
	h := bijstand.Household{Kind: p.Kind.Household(), ParentsCannotSupport: p.ParentsCannotSupport,
		Applicants: []bijstand.Applicant{p.Applicant}}
	if p.Partner != nil {
		h.Applicants = append(h.Applicants, p.Partner.Applicant)
	}
	for _, c := range p.Children {
		h.Children = append(h.Children, bijstand.Child{BirthDate: c})
	}
	for _, hm := range p.Housemates {
		h.Housemates = append(h.Housemates, bijstand.Housemate{BirthDate: hm.BirthDate, CostSharer: true})
	}
	return h
}
