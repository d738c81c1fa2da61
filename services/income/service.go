// Package income receives payslips — handed in by residents in the portal or sent by
// employers with the resident's consent — and turns a resident's month into what they
// will receive, with its explanation, through the one calculation engine
// (platform/bijstand). A payslip counts in the month its net wage was paid [policy].
package income

import (
	"context"
	"errors"
	"time"

	"github.com/plein-nl/plein/platform/bijstand"
	"github.com/plein-nl/plein/platform/httpapi"
	"github.com/plein-nl/plein/platform/money"
	"github.com/plein-nl/plein/platform/tenant"
	"github.com/plein-nl/plein/services/income/internal/store"
)

// Sentinel errors.
var (
	ErrNotFound   = errors.New("not found")
	ErrInvalid    = errors.New("invalid input")
	ErrNoConsent  = store.ErrNoConsent
	ErrPDFTooBig  = errors.New("the PDF is larger than 5 MB")
	ErrNotAPDF    = errors.New("the file is not a PDF")
	ErrUnknownJob = errors.New("unknown employer")
	// ErrNotPending is returned when a payslip to confirm or decline is not a pending
	// correction (any more).
	ErrNotPending = errors.New("the payslip is not a correction waiting for review")
)

// invalid is a validation error of fields, more to be added: errors.Is matches
// ErrInvalid.
func invalid(fields ...httpapi.FieldError) *httpapi.ValidationError {
	return &httpapi.ValidationError{Fields: fields, Sentinels: []error{ErrInvalid}}
}

// Source says who handed a payslip in.
type Source string

// Sources.
const (
	SourceResident  Source = "resident"
	SourceEmployer  Source = "employer"
	SourceConsulent Source = "consulent"
)

// NewPayslip is a payslip as handed in.
type NewPayslip struct {
	Applicant   int // 0 the resident, 1 the partner
	Employer    string
	PeriodStart time.Time
	PeriodEnd   time.Time
	Gross       money.Cents
	Net         money.Cents
	HoursCenti  int64 // hours × 100 (16,5 hours = 1650)
	PayDate     time.Time
	PDF         []byte // optional
	PDFName     string
	// Actor is who hands it in: the subject of the resident's sign-in, of the staff
	// member, or "employer:<id>". Required: every payslip is stored and audited with
	// its actor.
	Actor string
}

// Payslip is a stored payslip.
type Payslip struct {
	ID          string
	ResidentID  string
	Applicant   int
	Employer    string
	EmployerID  string // the partner, when an employer sent it
	PeriodStart time.Time
	PeriodEnd   time.Time
	Gross       money.Cents
	Net         money.Cents
	HoursCenti  int64
	PayDate     time.Time
	Source      Source
	HasPDF      bool
	Supersedes  string // the payslip this one corrects (or, while pending, would correct)
	CreatedAt   time.Time
	// Actor is who handed it in (see NewPayslip.Actor).
	Actor string
	// Review is "" for a payslip that counted when it was stored, or ReviewPending,
	// ReviewConfirmed or ReviewDeclined for a correction that needed a consulent.
	Review Review

	superseded bool   // a later payslip replaced it
	reviewer   string // who confirmed or declined it, within ReviewPayslip
}

// Review is the state of a correction that needs a consulent's confirmation.
type Review string

// Reviews. A correction of a payslip a consulent recorded, handed in by anyone else,
// is pending: it does not count until a consulent confirms it, so a consulent's payslip
// is never silently replaced.
const (
	ReviewNone      Review = ""
	ReviewPending   Review = "pending"
	ReviewConfirmed Review = "confirmed"
	ReviewDeclined  Review = "declined"
)

// Counts reports whether the payslip counts in its month when it is current: it is
// not a pending or declined correction.
func (p Payslip) Counts() bool { return p.Review == ReviewNone || p.Review == ReviewConfirmed }

// Month is a resident's month: the engine's result with the payslips it counted and
// the day the money arrives.
type Month struct {
	Period   bijstand.Period
	Result   bijstand.Result
	Payslips []Payslip
	PayDate  time.Time
	// Case is what the engine computed (also when it refused it), LawFile the law
	// parameter file it applied ("" when there is none for the period) and
	// ConfigVersion the version of the gemeente's configuration the settings came
	// from: the receipt of a settled month.
	Case          bijstand.Case
	LawFile       string
	ConfigVersion int
}

// WhatIf is a planned job for the "what if I go to work" preview.
type WhatIf struct {
	HoursPerWeekCenti int64       // 16 hours = 1600
	HourlyWage        money.Cents // gross, € 14,71 = 1471
	// Net per month, when the resident knows it; otherwise the gross estimate is used.
	Net money.Cents
}

// Consent is a resident's consent for an employer to send payslips.
type Consent struct {
	EmployerID   string
	EmployerName string
	GrantedAt    time.Time
	RevokedAt    *time.Time
}

// Employer is a partner that may send payslips (per tenant).
type Employer struct {
	ID   string
	Name string
}

// Service is the income service. The tenant is explicit in every call.
type Service interface {
	// SubmitPayslip stores a payslip of the resident; a second one for the same
	// employer, applicant and pay period is a correction that replaces the first —
	// except a correction of a consulent's payslip by anyone else, which is stored as
	// pending and waits for a consulent (ReviewPayslip). Every submission is audited.
	SubmitPayslip(ctx context.Context, t tenant.ID, residentID string, p NewPayslip, src Source) (Payslip, error)
	// ReviewPayslip confirms (the correction replaces the payslip it corrects) or
	// declines (it never counts; reason required) a pending correction; audited with
	// by, the staff member's subject.
	ReviewPayslip(ctx context.Context, t tenant.ID, residentID, payslipID string, confirm bool, reason, by string) (Payslip, error)
	// AllPayslips lists every payslip paid in the period, current or not, pending
	// corrections included, for the staff's view of a case.
	AllPayslips(ctx context.Context, t tenant.ID, residentID string, period bijstand.Period) ([]Payslip, error)
	// Payslips lists the current (not corrected) payslips paid in the period.
	Payslips(ctx context.Context, t tenant.ID, residentID string, period bijstand.Period) ([]Payslip, error)
	// Month computes the resident's month from their household and payslips.
	Month(ctx context.Context, t tenant.ID, residentID string, period bijstand.Period) (Month, error)
	// WhatIf computes the month as if the resident (applicant 0) worked as planned.
	WhatIf(ctx context.Context, t tenant.ID, residentID string, period bijstand.Period, w WhatIf) (Month, error)
	// Employers lists the tenant's employer partners.
	Employers(ctx context.Context, t tenant.ID) ([]Employer, error)
	// Consents lists the resident's employer consents, newest first.
	Consents(ctx context.Context, t tenant.ID, residentID string) ([]Consent, error)
	// GrantConsent and RevokeConsent change a consent; both are audited.
	GrantConsent(ctx context.Context, t tenant.ID, residentID, employerID string) error
	RevokeConsent(ctx context.Context, t tenant.ID, residentID, employerID string) error
	// SubmitFromEmployer stores a payslip an employer sent for the resident with the
	// given BSN; refused without the resident's consent.
	SubmitFromEmployer(ctx context.Context, t tenant.ID, employerID, bsn string, p NewPayslip) (Payslip, error)
}
