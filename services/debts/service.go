// Package debts is schuldhulpverlening in Plein: a debt register per resident, the
// intake of vroegsignalering from creditors through a partner API, a work queue for
// schuldhulpverleners with the deadlines of the Wet gemeentelijke schuldhulpverlening
// (docs/domain.md §4), the plan van aanpak, and the minnelijk traject that turns the creditors'
// accepted offers into monthly aflossing payment plans.
//
// The BSN a creditor reports is matched to a resident on arrival and never stored, not
// even as a hash; a creditor never learns whether it matched. Creditors and payment
// plans belong to another service, reached only through the interfaces declared here
// (Creditors, Plans). Every staff read of a resident's debts is for a purpose and is
// audited in the same transaction.
package debts

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/plein-nl/plein/platform/clock"
	"github.com/plein-nl/plein/platform/db"
	"github.com/plein-nl/plein/platform/distribution"
	"github.com/plein-nl/plein/platform/money"
	"github.com/plein-nl/plein/platform/tenant"
)

// Sentinel errors of the service.
var (
	// ErrNotFound: no such debt, signal, request, plan or traject in the tenant.
	ErrNotFound = errors.New("not found")
	// ErrDuplicateSignal is a report that repeats one already received, unchanged.
	ErrDuplicateSignal = errors.New("this creditor already reported this reference with these figures")
	// ErrResidentNotFound: no such resident in the tenant. ResidentFinder
	// implementations wrap it for a BSN that belongs to no resident.
	ErrResidentNotFound = errors.New("resident not found")
	// ErrInvalid is wrapped by every validation error (*httpapi.ValidationError) of this service.
	ErrInvalid = errors.New("invalid input")
	// ErrUnknownCreditor: the creditor is not in the tenant's creditor register. It
	// comes wrapped in a *httpapi.ValidationError naming the field; Creditors
	// implementations wrap it for an unknown id.
	ErrUnknownCreditor = errors.New("unknown creditor")
	// ErrPurposeRequired: a staff read without a purpose, wrapped in a *httpapi.ValidationError.
	ErrPurposeRequired = errors.New("a purpose is required to read a resident's debts")
	// ErrDuplicateDebt: the resident already has a debt with this creditor and reference.
	ErrDuplicateDebt = errors.New("the resident already has a debt with this creditor and reference")
	// ErrVersionConflict: the debt changed since the version the caller read.
	ErrVersionConflict = errors.New("debt was changed by someone else (version conflict)")
	// ErrConflict: the action does not fit the current state (a decided plan, an
	// offer already decided, a traject already open, …). The wrapping text says which.
	ErrConflict = errors.New("not possible in the current state")
	// ErrUnknownPartner: no creditor partner has this API key in the tenant.
	ErrUnknownPartner = errors.New("unknown creditor partner")
)

// Threat is what the arrears put at risk. Eviction, cut-off of energy or water and the
// termination of the zorgverzekering shorten the first contact's term to 3 working days.
type Threat string

// Threats.
const (
	ThreatNone           Threat = "none"
	ThreatEviction       Threat = "eviction"
	ThreatEnergyCutoff   Threat = "energy_cutoff"
	ThreatWaterCutoff    Threat = "water_cutoff"
	ThreatZvwTermination Threat = "zvw_termination"
)

// DebtStatus is where a debt stands.
type DebtStatus string

// Debt statuses. in_regeling is set by an agreed minnelijk traject only.
const (
	DebtOpen       DebtStatus = "open"
	DebtInRegeling DebtStatus = "in_regeling"
	DebtPaid       DebtStatus = "paid"
	DebtDisputed   DebtStatus = "disputed"
	DebtWrittenOff DebtStatus = "written_off"
)

// Source says who brought a debt to the register.
type Source string

// Sources of a debt.
const (
	SourceResident          Source = "resident"
	SourceConsulent         Source = "consulent"
	SourceSignal            Source = "signal"
	SourceSchuldenknooppunt Source = "schuldenknooppunt"
)

// Debt is a debt of a resident to a creditor.
type Debt struct {
	ID         string
	ResidentID string
	CreditorID string
	Reference  string // the creditor's reference (dossier, invoice, contract number)
	Claim      money.Cents
	Balance    money.Cents
	Preferent  bool
	Status     DebtStatus
	Source     Source
	Version    int
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// SignalStatus is where a vroegsignalering stands.
type SignalStatus string

// Signal statuses: new (nobody reached out yet), contacted, accepted or declined (the
// offer of help), closed.
const (
	SignalNew       SignalStatus = "new"
	SignalContacted SignalStatus = "contacted"
	SignalAccepted  SignalStatus = "accepted"
	SignalDeclined  SignalStatus = "declined"
	SignalClosed    SignalStatus = "closed"
)

// Contact is how a creditor says the person can be reached. It is kept only while the
// signal matches no resident.
type Contact struct {
	Name    string `json:"name"`
	Address string `json:"address"`
	Phone   string `json:"phone"`
}

// Signal is an arrears report of a creditor (vroegsignalering).
type Signal struct {
	ID             string
	CreditorID     string
	Reference      string
	ResidentID     string   // "" while unmatched
	Contact        *Contact // only while unmatched
	Amount         money.Cents
	DaysInArrears  int
	Threat         Threat
	ReportedAt     time.Time
	ReceivedAt     time.Time
	Deadline       time.Time // a date: the last day for the first contact
	FirstContactAt *time.Time
	ContactedBy    string
	Status         SignalStatus
}

// ItemKind is the kind of a work queue item.
type ItemKind string

// Kinds of work queue items.
const (
	KindSignal     ItemKind = "signal"
	KindAanmelding ItemKind = "aanmelding"
	KindShortfall  ItemKind = "shortfall"
)

// Step is what a queue item waits for.
type Step string

// Steps of a queue item, each with its own deadline.
const (
	// StepFirstContact: the first contact (Wgs art. 4: 4 weeks, or 3 working days).
	StepFirstContact Step = "first_contact"
	// StepAnswer: a signal's person was reached and has not yet accepted or declined
	// the offer of help; no statutory deadline runs.
	StepAnswer Step = "answer"
	// StepPlan: the first conversation was held; the plan van aanpak is due 8 weeks
	// after it (Wgs art. 4a).
	StepPlan Step = "plan_van_aanpak"
)

// QueueItem is one item of the schuldhulp work queue: a signal nobody has finished
// with, an aanmelding (a request, or an accepted offer of help) or a shortfall of a
// payment plan.
type QueueItem struct {
	Kind           ItemKind
	ID             string
	Step           Step
	ResidentID     string // "" for an unmatched signal
	ContactName    string // an unmatched signal's contact
	CreditorID     string // signals and shortfalls
	Amount         money.Cents
	Threat         Threat
	ReceivedAt     time.Time
	Deadline       time.Time // a date: the deadline of Step
	DaysLeft       int       // deadline minus today; negative when late
	Overdue        bool      // the step is not done and its deadline has passed
	FirstContactAt *time.Time
	Status         string
	Note           string
}

// Plan is a resident's plan van aanpak (Wgs art. 4a).
type Plan struct {
	ResidentID        string
	FirstConversation time.Time // a date
	Deadline          time.Time // a date: 8 weeks after the first conversation
	Situation         string
	Goals             string
	Actions           string
	Status            string // draft or decided
	DecidedAt         *time.Time
	DecidedBy         string
	CreatedAt         time.Time
	UpdatedAt         time.Time
}

// TrajectStatus is where a minnelijk traject stands.
type TrajectStatus string

// Traject statuses.
const (
	// TrajectOffered: the offers wait for the creditors.
	TrajectOffered TrajectStatus = "offered"
	// TrajectArranging: every creditor accepted; the aflossing plans are being made
	// (a call that failed half-way resumes here).
	TrajectArranging TrajectStatus = "arranging"
	// TrajectAgreed: every aflossing plan is made; the debts are in_regeling.
	TrajectAgreed TrajectStatus = "agreed"
	// TrajectRejected: a creditor rejected its offer.
	TrajectRejected TrajectStatus = "rejected"
)

// OfferStatus is a creditor's answer to an offer.
type OfferStatus string

// Offer statuses.
const (
	OfferOffered  OfferStatus = "offered"
	OfferAccepted OfferStatus = "accepted"
	OfferRejected OfferStatus = "rejected"
)

// Traject is a minnelijk traject: the pool split over the resident's debts.
type Traject struct {
	ID               string
	ResidentID       string
	CapacityPerMonth money.Cents
	Months           int
	PreferentFactor  int64
	Pool             money.Cents
	Status           TrajectStatus
	StartPeriod      string // "YYYY-MM", the first month of aflossing; "" until all accepted
	Offers           []Offer
	CreatedAt        time.Time
	DecidedAt        *time.Time
}

// Offer is the offer to one creditor for one debt.
type Offer struct {
	DebtID     string
	CreditorID string
	Reference  string
	Claim      money.Cents
	Preferent  bool
	Offered    money.Cents
	Status     OfferStatus
	DecidedAt  *time.Time
	PlanIDs    []string // the aflossing plans made for it
}

// Service is the debts service. The tenant is an explicit argument; every method runs
// in db.InTenant units of work for it. Wrap it with NewAuthorizing for the APIs.
type Service interface {
	// Debts lists a resident's debts for purpose (audited).
	Debts(ctx context.Context, t tenant.ID, residentID, purpose string) ([]Debt, error)
	// CreateDebt registers a debt of the resident.
	CreateDebt(ctx context.Context, t tenant.ID, residentID string, nd NewDebt) (Debt, error)
	// UpdateDebt changes a debt that is still at expectedVersion.
	UpdateDebt(ctx context.Context, t tenant.ID, residentID, debtID string, expectedVersion int, ch DebtChanges) (Debt, error)

	// SubmitSignal takes in a creditor's arrears report. The same creditor and
	// reference again returns the stored signal (created false); a changed amount
	// or number of days updates it and is recorded.
	SubmitSignal(ctx context.Context, t tenant.ID, creditorID string, ns NewSignal) (s Signal, created bool, err error)
	// Queue lists the open work: signals not finished with and requests without an
	// outcome, overdue items first, then by deadline; days are counted from now's
	// date in the Netherlands (the service's clock when now is zero).
	Queue(ctx context.Context, t tenant.ID, now time.Time) ([]QueueItem, error)
	// RecordContact records the first contact with the resident for a queue item
	// (a signal or a request) at the time at (now when zero), by a
	// schuldhulpverlener. A second call keeps the first contact.
	RecordContact(ctx context.Context, t tenant.ID, itemID string, at time.Time, by string) error
	// AcceptHelp records that the person accepted the offer of help after a signal:
	// an aanmelding is made, with the first conversation's deadline counted from today
	// (Wgs art. 4). It returns the aanmelding's id; a second call returns the same.
	AcceptHelp(ctx context.Context, t tenant.ID, signalID string) (string, error)
	// DeclineHelp records that the person declined the offer of help.
	DeclineHelp(ctx context.Context, t tenant.ID, signalID string) error
	// LinkSignal matches an unmatched signal to a resident after all; the contact
	// details are then dropped.
	LinkSignal(ctx context.Context, t tenant.ID, signalID, residentID string) error
	// Request registers an aanmelding for schuldhulp by or for a resident.
	Request(ctx context.Context, t tenant.ID, nr NewRequest) (QueueItem, error)
	// Shortfall turns a payment plan's shortfall (a fixed cost that could not be paid
	// in full) into a work item for schuldhulp, once per plan and period. Not on the
	// staff API: the payment plans service calls it.
	Shortfall(ctx context.Context, t tenant.ID, residentID, planID, creditorID, period string, shortfall money.Cents) error

	// SavePlan writes the resident's plan van aanpak, and decides it when np.Decide.
	// A decided plan is final.
	SavePlan(ctx context.Context, t tenant.ID, residentID string, np NewPlan) (Plan, error)
	// Plan reads the resident's plan van aanpak for purpose (audited).
	Plan(ctx context.Context, t tenant.ID, residentID, purpose string) (Plan, error)

	// StartTraject splits the pool over the resident's open debts and stores the
	// offers.
	StartTraject(ctx context.Context, t tenant.ID, residentID string, nt NewTraject) (Traject, error)
	// Traject reads the resident's latest traject for purpose (audited).
	Traject(ctx context.Context, t tenant.ID, residentID, purpose string) (Traject, error)
	// DecideOffer records a creditor's answer to its offers in the open traject. When
	// every creditor has accepted, each offer becomes aflossing payment plans.
	DecideOffer(ctx context.Context, t tenant.ID, residentID, creditorID string, accept bool) (Traject, error)

	// ForResident is the portal's overview of the resident's own debts and what is
	// being arranged, in plain Dutch. It refuses, with authz.ErrForbidden, any
	// principal that is not that resident of t. Not on the staff API.
	ForResident(ctx context.Context, t tenant.ID, residentID string) (Overview, error)
}

// ResidentFinder finds the resident a BSN belongs to (services/residents' Lookup, which
// wraps ErrResidentNotFound for an unknown BSN).
// The residents service audits the lookup with the creditor as reader.
type ResidentFinder interface {
	FindResidentID(ctx context.Context, t tenant.ID, bsn, purpose string) (residentID string, applicant int, err error)
}

// Creditors is the tenant's creditor register (services/creditors' Names). CreditorName
// returns an error wrapping ErrUnknownCreditor for an id it does not know.
type Creditors interface {
	CreditorName(ctx context.Context, t tenant.ID, creditorID string) (string, error)
}

// Plans makes aflossing payment plans (services/paymentplans' Aflossings):
// amountPerMonth to the creditor for months months from startPeriod ("YYYY-MM"). It
// must be idempotent on its arguments, so that a traject that is resumed after a
// failure does not make a plan twice.
type Plans interface {
	EnsureAflossing(ctx context.Context, t tenant.ID, residentID, creditorID, reference string,
		amountPerMonth money.Cents, startPeriod string, months int) (planID string, err error)
}

// DistributeFunc is the pro-rata distribution of docs/domain.md §4: distribution.Distribute,
// or a stand-in in tests.
type DistributeFunc func(distribution.Input) (distribution.Output, error)

// Settings are a tenant's settings for schuldhulp.
type Settings struct {
	// PreferentFactor: a preferent claim gets this times the concurrent percentage
	// (docs/domain.md §4; default 2).
	PreferentFactor int64
}

// Config wires the service.
type Config struct {
	App       *pgxpool.Pool
	Finder    ResidentFinder
	Creditors Creditors
	Plans     Plans
	// Distribute defaults to distribution.Distribute.
	Distribute DistributeFunc
	// Settings returns the tenant's settings; nil means the defaults.
	Settings func(t tenant.ID) Settings
	// Now is the clock; Location the zone dates are judged in (default
	// Europe/Amsterdam).
	Now      func() time.Time
	Location *time.Location
}

type service struct{ cfg Config }

// NewService returns the debts service. It authorizes nothing itself except
// ForResident: wrap it with NewAuthorizing for the staff and partner APIs.
func NewService(cfg Config) Service {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Location == nil {
		cfg.Location = clock.Amsterdam
	}
	if cfg.Settings == nil {
		cfg.Settings = func(tenant.ID) Settings { return Settings{PreferentFactor: distribution.DefaultPreferentFactor} }
	}
	if cfg.Distribute == nil {
		cfg.Distribute = distribution.Distribute
	}
	return &service{cfg: cfg}
}

// in runs fn in a unit of work for t; an invalid t is refused first.
func (s *service) in(ctx context.Context, t tenant.ID, fn func(ctx context.Context, tx pgx.Tx) error) error {
	if !t.Valid() {
		return fmt.Errorf("debts: %w", tenant.ErrInvalidID)
	}
	return db.InTenant(tenant.WithID(ctx, t), s.cfg.App, fn)
}

// dateIn is the date of at in the Netherlands (the service's Location).
func (s *service) dateIn(at time.Time) time.Time { return dateOf(at.In(s.cfg.Location)) }
