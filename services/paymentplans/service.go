// Package paymentplans keeps the payment plans of residents: the deductions the
// gemeente makes from the bijstand to pay a creditor (docs/domain.md §3) — the resident's own
// fixed costs paid on their behalf (on_behalf: the zorgpremie to the verzekeraar, rent,
// energy), the gemeente's own claims (verrekening), garnishment (beslag) and payments
// under a schuldregeling (aflossing).
//
// A plan is requested (by the resident in the portal, or by staff), approved or
// rejected by a consulent, in force from its start month to its end month, and
// stopped by the resident (their mandate is revocable at any time) or by staff. Every
// act is a plan_events row and an audit entry, in the transaction of the act; every
// staff read (StaffList, StaffGet, StaffShortfalls) is for a purpose and is an audit
// entry on the resident, in the transaction of the read (docs/domain.md §7). The
// creditor is told when a plan starts, changes and stops (outbound messages, exported
// or POSTed to its webhook by a job).
//
// The package never computes a month: Active gives the plans in force in a period as
// the engine's deductions, and platform/bijstand applies them (ordering, capacity,
// floors). What a final settlement run could not pay comes back in a job
// (ShortfallArgs), which stores each shortfall once and signals it to schuldhulp
// (Signals).
//
// Rules [policy], in one place:
//   - Periods are months; the current period is the month of the injected clock's date
//     in the clock's location.
//   - A plan may not start before the current period. Approval of a plan whose start
//     has passed moves the start to the current period: a plan never takes money for
//     a month before its approval.
//   - A stop takes effect after the current month: end_period becomes the current
//     period (or stays, if earlier). The settlement of the current month still pays
//     the plan when it runs; none after it does. A plan stopped before its start
//     month is never in force (its end_period lies before its start).
//   - The stored status is the last act (requested, approved, rejected, ended); the
//     status shown is derived from the periods: an approved plan is "active" from its
//     start month and "ended" after its end month. No job flips statuses.
//   - Active takes every approved plan (stopped or not) with start ≤ period ≤ end.
//   - A change of amount, priority or reference applies to every period settled
//     after it; the creditor is told if the plan was approved.
//   - An amount is at most the bijstand norm of the resident's own household in the
//     plan's start month (or the current month once it has started), computed by the
//     engine (Config.Norms); without Norms, at most the couple norm.
package paymentplans

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/plein-nl/plein/platform/authz"
	"github.com/plein-nl/plein/platform/bijstand"
	"github.com/plein-nl/plein/platform/money"
	"github.com/plein-nl/plein/platform/tenant"
	"github.com/plein-nl/plein/services/creditors"
	"github.com/plein-nl/plein/services/paymentplans/internal/store"
)

// Sentinel errors of the service.
var (
	// ErrNotFound: no such plan in the tenant (also another tenant's plan).
	ErrNotFound = store.ErrNotFound
	// ErrResidentNotFound: no such resident in the tenant.
	ErrResidentNotFound = store.ErrResidentNotFound
	// ErrCreditorNotFound: no such creditor in the catalogue or the tenant.
	ErrCreditorNotFound = errors.New("creditor not found")
	// ErrInvalid is wrapped by every validation error (*httpapi.ValidationError) of this service.
	ErrInvalid = errors.New("invalid input")
	// ErrState: the plan's status does not allow the act (approving an ended plan).
	ErrState = errors.New("the payment plan's status does not allow this")
	// ErrVersionConflict: the plan changed since the version the caller read.
	ErrVersionConflict = store.ErrVersionConflict
)

// Status is where a plan is in its lifecycle.
type Status string

// Statuses.
const (
	StatusRequested Status = "requested"
	StatusApproved  Status = "approved" // approved, its start month not yet come
	StatusActive    Status = "active"   // approved and in force this month (derived)
	StatusEnded     Status = "ended"
	StatusRejected  Status = "rejected"
)

// MandateGiver says how the resident gave the mandate for an on_behalf plan.
type MandateGiver string

// Ways a mandate is given.
const (
	// MandateResident: by the resident in the portal.
	MandateResident MandateGiver = "resident"
	// MandatePaper: recorded by a consulent from a form the resident signed on paper.
	MandatePaper MandateGiver = "consulent_paper"
)

// Mandate is the resident's permission to pay a creditor from their bijstand
// (on_behalf plans only).
type Mandate struct {
	GivenBy MandateGiver
	// GivenAt is when the resident gave it: the moment in the portal, or the day the
	// paper form was signed (UTC midnight).
	GivenAt time.Time
	// RecordedBy is the subject of whoever recorded it.
	RecordedBy string
	// RevokedAt is when the resident stopped the plan; nil while in force.
	RevokedAt *time.Time
}

// Plan is a payment plan as the service returns it.
type Plan struct {
	ID         string
	ResidentID string
	Kind       bijstand.DeductionKind
	CreditorID string
	// Reference is the creditor's reference for the resident (polisnummer, …),
	// normalized; it goes into the payment's remittance.
	Reference string
	Amount    money.Cents
	// Priority orders plans of the same kind: 1 is paid first.
	Priority int
	Start    bijstand.Period
	End      *bijstand.Period // the last month in force; nil: until stopped
	// Status is derived from the stored status and the current period (see the
	// package comment).
	Status      Status
	Mandate     *Mandate
	RequestedBy string
	ApprovedBy  string
	ApprovedAt  *time.Time
	Version     int
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// InForce reports whether the plan takes money in period p.
func (pl Plan) InForce(p bijstand.Period) bool {
	return pl.ApprovedAt != nil && cmpPeriod(pl.Start, p) <= 0 && (pl.End == nil || cmpPeriod(p, *pl.End) <= 0)
}

// Action is an act on a plan, as plan_events records it.
type Action string

// Actions.
const (
	ActionRequest Action = "request"
	ActionApprove Action = "approve"
	ActionReject  Action = "reject"
	ActionChange  Action = "change"
	ActionStop    Action = "stop"
)

// Event is one act in a plan's history.
type Event struct {
	Seq    int
	At     time.Time
	Actor  string // the principal's subject
	Role   string
	Action Action
	From   Status // "" for the request
	To     Status
	Reason string
}

// Actor is who acts: the subject and the role it acts in, and for a resident the
// resident it is. The staff API and the portal make it from the authenticated
// principal (ActorOf); NewAuthorizing checks that it is that principal.
type Actor struct {
	Subject    string
	Role       authz.Role
	ResidentID string
}

// ActorOf is the actor of principal p: in the first role of consulent,
// schuldhulpverlener and resident that p holds (else its first role).
func ActorOf(p authz.Principal) Actor {
	a := Actor{Subject: p.Subject, ResidentID: p.ResidentID}
	for _, r := range []authz.Role{authz.RoleConsulent, authz.RoleSchuldhulpverlener, authz.RoleResident} {
		if slices.Contains(p.Roles, r) {
			a.Role = r
			return a
		}
	}
	if len(p.Roles) > 0 {
		a.Role = p.Roles[0]
	}
	return a
}

func (a Actor) staff() bool {
	return a.Role == authz.RoleConsulent || a.Role == authz.RoleSchuldhulpverlener
}

// NewPlan is the input of Request, and the JSON body of POST …/plans.
type NewPlan struct {
	// Kind: on_behalf, verrekening, beslag or aflossing. A resident may ask for
	// on_behalf only.
	Kind        string `json:"kind"`
	CreditorID  string `json:"creditor_id"`
	Reference   string `json:"reference"`
	AmountCents int64  `json:"amount_cents"`
	Priority    int    `json:"priority"`
	// StartPeriod and EndPeriod are months, "YYYY-MM"; EndPeriod "" is until stopped.
	StartPeriod string `json:"start_period"`
	EndPeriod   string `json:"end_period"`
	// MandateSignedOn is the day the resident signed the paper mandate form
	// ("YYYY-MM-DD"): required when staff record an on_behalf plan, refused otherwise.
	MandateSignedOn string `json:"mandate_signed_on"`
}

// Changes is the input of Change, and the JSON body of PATCH …/plans/{plan}: a nil
// field stays as it is.
type Changes struct {
	AmountCents *int64  `json:"amount_cents"`
	Priority    *int    `json:"priority"`
	Reference   *string `json:"reference"`
}

// Service is the payment plans service. The tenant is an explicit argument; every
// method runs in one unit of work for it.
type Service interface {
	// Request records a plan asked for by a resident (on_behalf, their own, mandate
	// given in the portal) or by staff (any kind; an on_behalf plan with the paper
	// mandate's date).
	Request(ctx context.Context, t tenant.ID, residentID string, np NewPlan, by Actor) (Plan, error)
	// Approve approves a requested plan (a consulent); the creditor is told it starts.
	Approve(ctx context.Context, t tenant.ID, planID string, by Actor) (Plan, error)
	// Reject rejects a requested plan (a consulent), with a reason for the resident.
	Reject(ctx context.Context, t tenant.ID, planID, reason string, by Actor) (Plan, error)
	// Stop ends a plan after the current month: the resident their own on_behalf
	// plan (revoking the mandate), staff any plan. The creditor is told if it knew.
	Stop(ctx context.Context, t tenant.ID, planID string, by Actor) (Plan, error)
	// Change changes amount, priority or reference of a plan not ended, if it is
	// still at expectedVersion (staff).
	Change(ctx context.Context, t tenant.ID, planID string, expectedVersion int, ch Changes, by Actor) (Plan, error)
	// Get returns a plan.
	Get(ctx context.Context, t tenant.ID, planID string) (Plan, error)
	// Events returns a plan's history, oldest first.
	Events(ctx context.Context, t tenant.ID, planID string) ([]Event, error)
	// List returns a resident's plans, newest start first.
	List(ctx context.Context, t tenant.ID, residentID string) ([]Plan, error)
	// Active returns the plans in force in period as the engine's deductions (ID =
	// plan id), in a stable order: kind, priority, start, creation. For the month
	// calculation and the settlement; not on the staff API.
	Active(ctx context.Context, t tenant.ID, residentID string, period bijstand.Period) ([]bijstand.Deduction, error)
	// RecordShortfalls stores the shortfalls of a computed month (results of other
	// deductions than the resident's plans are skipped), once per plan and period,
	// and returns the new ones. The shortfall job of a final settlement run records
	// through the same rule and signals them (ShortfallArgs). Not on the staff API.
	RecordShortfalls(ctx context.Context, t tenant.ID, residentID string, period bijstand.Period, results []bijstand.DeductionResult) ([]Shortfall, error)
	// Shortfalls returns a resident's shortfalls, newest period first.
	Shortfalls(ctx context.Context, t tenant.ID, residentID string) ([]Shortfall, error)
	// Export returns the messages to a creditor created at or after since, oldest
	// first.
	Export(ctx context.Context, t tenant.ID, creditorID string, since time.Time) ([]Message, error)

	// StaffList, StaffGet and StaffShortfalls are staff's reads of a resident's
	// plans, the staff API's: each is for a purpose (5 to 300 characters, else a
	// *httpapi.ValidationError on "purpose") and is recorded in the audit log — who, in which
	// role, read which resident for which purpose — in the transaction of the read:
	// no audit entry, no data (docs/domain.md §7). A resident not in the tenant is
	// ErrResidentNotFound. List, Get and Shortfalls stay unaudited: they are the
	// resident's own view (the portal) and the system's (the month calculation).

	// StaffList returns a resident's plans, newest start first, for purpose.
	StaffList(ctx context.Context, t tenant.ID, residentID, purpose string) ([]Plan, error)
	// StaffGet returns a plan of the resident with its history (oldest first), for
	// purpose; a plan of another resident is ErrNotFound.
	StaffGet(ctx context.Context, t tenant.ID, residentID, planID, purpose string) (Plan, []Event, error)
	// StaffShortfalls returns a resident's shortfalls, newest period first, for
	// purpose.
	StaffShortfalls(ctx context.Context, t tenant.ID, residentID, purpose string) ([]Shortfall, error)
}

// Creditors is what the service needs of services/creditors (its Service satisfies
// it).
type Creditors interface {
	Get(ctx context.Context, t tenant.ID, id string) (creditors.Creditor, error)
	ValidateReference(c creditors.Creditor, ref string) error
}

// cmpPeriod orders periods.
func cmpPeriod(a, b bijstand.Period) int { return a.First().Compare(b.First()) }

// derive is the status shown: the stored one, except that an approved plan is
// active in its months and ended after them.
func derive(stored Status, start bijstand.Period, end *bijstand.Period, now bijstand.Period) Status {
	if stored != StatusApproved && stored != StatusActive {
		return stored
	}
	switch {
	case end != nil && cmpPeriod(now, *end) > 0:
		return StatusEnded
	case cmpPeriod(now, start) >= 0:
		return StatusActive
	}
	return StatusApproved
}
