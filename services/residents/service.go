// Package residents keeps a resident's case: who the bijstand is for (the resident and
// an optional partner), who lives with them, where it is paid, and the vrijlating
// counters the calculation engine needs. It is the staff API for those cases, the
// source of the engine's bijstand.Household, and the portal's read of a resident's own
// data.
//
// Every staff read is for a purpose and leaves an audit entry in the same transaction
// as the read (AVG purpose limitation, docs/domain.md §7): no purpose, no data. The BSN is
// stored sealed with the tenant id as associated data and found by its blind index; it
// leaves this package masked only.
package residents

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/plein-nl/plein/platform/audit"
	"github.com/plein-nl/plein/platform/authz"
	"github.com/plein-nl/plein/platform/bijstand"
	"github.com/plein-nl/plein/platform/bsn"
	"github.com/plein-nl/plein/platform/db"
	"github.com/plein-nl/plein/platform/iban"
	"github.com/plein-nl/plein/platform/observe"
	"github.com/plein-nl/plein/platform/tenant"
	"github.com/plein-nl/plein/platform/uuid"
	"github.com/plein-nl/plein/services/residents/internal/store"
)

// Sentinel errors of the service.
var (
	// ErrNotFound: no such resident in the tenant (also for another tenant's resident).
	ErrNotFound = store.ErrNotFound
	// ErrInvalid is wrapped by every validation error (*httpapi.ValidationError) of this service.
	ErrInvalid = errors.New("invalid input")
	// ErrDuplicateBSN: the BSN already belongs to a resident or partner of the tenant.
	ErrDuplicateBSN = store.ErrDuplicateBSN
	// ErrVersionConflict: the resident changed since the version the caller read.
	ErrVersionConflict = store.ErrVersionConflict
	// ErrPurposeRequired: a staff read without a purpose. It comes wrapped in a
	// *httpapi.ValidationError naming the field "purpose".
	ErrPurposeRequired = errors.New("a purpose is required to read a resident")
)

// Audit vocabulary of this service.
const (
	auditActionRead = "resident.read"
	auditObject     = "resident"
)

// Service is the residents service. The tenant is an explicit argument, taken from the
// request path; every method runs in one db.InTenant unit of work for it.
type Service interface {
	// Create registers a resident's case.
	Create(ctx context.Context, t tenant.ID, nr NewResident) (Resident, error)
	// Get reads a resident for purpose, audited in the same transaction as the read.
	Get(ctx context.Context, t tenant.ID, id, purpose string) (Resident, error)
	// FindByBSN finds the case a BSN belongs to (as resident or as partner), audited
	// like Get.
	FindByBSN(ctx context.Context, t tenant.ID, bsnString, purpose string) (Resident, error)
	// Update applies ch to the resident if it is still at expectedVersion.
	Update(ctx context.Context, t tenant.ID, id string, expectedVersion int, ch Changes) (Resident, error)
	// Household maps the case to the calculation engine's input: the resident is
	// applicant 0, the partner applicant 1, with the latest vrijlating counters. It is
	// not audited: it is the system's own use for the settlement, not a person reading
	// the data. Not on the staff API.
	Household(ctx context.Context, t tenant.ID, id string) (bijstand.Household, error)
	// HouseholdAsOf is Household with the vrijlating counters in force at the start of
	// period (docs/domain.md §2): what every computation of that month takes, so that a
	// month computed again later uses its own counters. Not on the staff API.
	HouseholdAsOf(ctx context.Context, t tenant.ID, id string, period bijstand.Period) (bijstand.Household, error)
	// GetForSelf is the portal's read of the resident's own case. It is not audited
	// (a resident reading their own data needs no purpose) and refuses, with
	// authz.ErrForbidden, any principal in ctx that is not that resident of t
	// (authz.Principal.IsSelf). Not on the staff API.
	GetForSelf(ctx context.Context, t tenant.ID, residentID string) (Resident, error)
	// MatchBSN finds the case a well-formed BSN belongs to, for a partner's message
	// about that person (an employer's payslip): the case id, and 0 for the resident or
	// 1 for the partner; ErrNotFound when no case has it. It returns no case data and
	// is not audited here: the caller acts on the match only when the resident allows
	// it (a consent), and audits that act. It does the same work for a known and an
	// unknown BSN. Not on the staff API.
	MatchBSN(ctx context.Context, t tenant.ID, b bsn.BSN) (residentID string, applicant int, err error)
}

// Resident is a resident's case as the service returns it. BSN prints, logs and
// encodes masked (package bsn); IBAN logs masked.
type Resident struct {
	ID                   string
	Name                 string
	BirthDate            time.Time // a date: UTC midnight
	BSN                  bsn.BSN
	IBAN                 iban.IBAN
	Kind                 bijstand.HouseholdKind
	Institution          bool
	ParentsCannotSupport bool
	Counters             // the applicant's
	Partner              *Partner
	Children             []Child
	Housemates           []Housemate
	Version              int
	CreatedAt            time.Time
	UpdatedAt            time.Time
}

// Counters are an applicant's inkomstenvrijlating state (docs/domain.md §2).
type Counters struct {
	// NMonthsUsed counts the months of art. 31.2 n vrijlating already used.
	NMonthsUsed int
	// RMonthsUsed counts the months of art. 31.2 r vrijlating already used.
	RMonthsUsed int
	// MedischUrenbeperkt: a medical limit on working hours (art. 31.2 y).
	MedischUrenbeperkt bool
}

// Partner is the resident's spouse or cohabitant, the second applicant of a couple.
type Partner struct {
	Name      string
	BirthDate time.Time
	BSN       bsn.BSN
	Counters
}

// Child is a child in the household.
type Child struct {
	BirthDate time.Time
}

// Housemate is another adult in the home, not the partner.
type Housemate struct {
	BirthDate time.Time
	// CostSharer: not a commercial renter or boarder, not a student with WSF/WTOS/BBL.
	CostSharer bool
	// Description says who it is, "broer"; at most 100 characters.
	Description string
}

// Keyring gives a gemeente's BSN sealer (a *keyring.Keyring; bsntest.Keyring in tests
// that are not about keys).
type Keyring interface {
	For(ctx context.Context, t tenant.ID) (*bsn.Sealer, error)
}

type service struct {
	app  *pgxpool.Pool
	keys Keyring
	now  func() time.Time
}

// NewService returns the service over the application pool. keys gives each gemeente's
// sealer, which seals and indexes its BSNs; now is the clock (dates are judged in its
// location). It authorizes nothing itself: wrap it with NewAuthorizing for the staff API.
func NewService(app *pgxpool.Pool, keys Keyring, now func() time.Time) Service {
	if now == nil {
		now = time.Now
	}
	return &service{app: app, keys: keys, now: now}
}

// inTenant runs fn in a unit of work for t. An invalid t (which tenant.WithID would
// panic on) is refused first. The gemeente's sealer is taken before the transaction
// begins, so that a unit of work never waits for a second connection.
func (s *service) inTenant(ctx context.Context, t tenant.ID, fn func(ctx context.Context, st *unit) error) error {
	if !t.Valid() {
		return fmt.Errorf("residents: %w", tenant.ErrInvalidID)
	}
	sealer, err := s.keys.For(ctx, t)
	if err != nil {
		return fmt.Errorf("residents: BSN keys: %w", err)
	}
	return db.InTenant(tenant.WithID(ctx, t), s.app, func(ctx context.Context, tx pgx.Tx) error {
		return fn(ctx, &unit{st: store.New(tx, t), tenant: t, sealer: sealer})
	})
}

// inTenantV is inTenant for a unit of work that yields a value.
func inTenantV[T any](ctx context.Context, s *service, t tenant.ID, fn func(ctx context.Context, st *unit) (T, error)) (T, error) {
	var v T
	err := s.inTenant(ctx, t, func(ctx context.Context, st *unit) error {
		var err error
		v, err = fn(ctx, st)
		return err
	})
	return v, err
}

func (s *service) Create(ctx context.Context, t tenant.ID, nr NewResident) (Resident, error) {
	today := s.today()
	v := &validator{}
	r := v.newResident(nr, today)
	if err := v.err(); err != nil {
		return Resident{}, err
	}
	id := uuid.New()
	now := s.now().UTC()
	r.ID, r.Version, r.CreatedAt, r.UpdatedAt = id, 1, now, now
	r, err := inTenantV(ctx, s, t, func(ctx context.Context, st *unit) (Resident, error) {
		return st.save(ctx, r, st.insert, today, 0, 1)
	})
	if err != nil {
		return Resident{}, fmt.Errorf("residents: create: %w", err)
	}
	return r, nil
}

func (s *service) Get(ctx context.Context, t tenant.ID, id, purpose string) (Resident, error) {
	return s.auditedRead(ctx, t, purpose, func(ctx context.Context, st *unit) (Resident, error) {
		if !uuid.Valid(id) {
			return Resident{}, ErrNotFound
		}
		return st.get(ctx, id, false)
	})
}

func (s *service) FindByBSN(ctx context.Context, t tenant.ID, bsnString, purpose string) (Resident, error) {
	// The purpose is checked before the BSN, so that a read without one learns nothing.
	if _, err := checkPurpose(purpose); err != nil {
		return Resident{}, err
	}
	v := &validator{}
	b := v.bsn("bsn", BSNInput(bsnString))
	if err := v.err(); err != nil {
		return Resident{}, err
	}
	return s.auditedRead(ctx, t, purpose, func(ctx context.Context, st *unit) (Resident, error) {
		return st.getByIndex(ctx, st.sealer.BlindIndexes(b))
	})
}

// auditedRead runs read and records who read what for which purpose in the same
// transaction: the read is not returned unless its audit entry commits with it.
func (s *service) auditedRead(ctx context.Context, t tenant.ID, purpose string,
	read func(ctx context.Context, st *unit) (Resident, error)) (Resident, error) {
	purpose, err := checkPurpose(purpose)
	if err != nil {
		return Resident{}, err
	}
	p := authz.PrincipalFrom(ctx)
	if p.Subject == "" || len(p.Roles) == 0 {
		// Without a subject there is no one to record as the reader.
		return Resident{}, fmt.Errorf("residents: read: %w", authz.ErrUnauthenticated)
	}
	var r Resident
	err = s.inTenant(ctx, t, func(ctx context.Context, st *unit) error {
		var err error
		if r, err = read(ctx, st); err != nil {
			return err
		}
		return audit.Record(ctx, st.st.Tx(), audit.Entry{
			Actor:      p.Subject,
			Role:       p.RoleList(),
			Action:     auditActionRead,
			ObjectType: auditObject,
			ObjectID:   r.ID,
			Purpose:    purpose,
			RequestID:  observe.RequestID(ctx),
		})
	})
	if err != nil {
		return Resident{}, fmt.Errorf("residents: read: %w", err)
	}
	return r, nil
}

func (s *service) MatchBSN(ctx context.Context, t tenant.ID, b bsn.BSN) (string, int, error) {
	var id string
	var applicant int
	err := s.inTenant(ctx, t, func(ctx context.Context, st *unit) error {
		var err error
		id, applicant, err = st.matchIndex(ctx, st.sealer.BlindIndexes(b))
		return err
	})
	if err != nil {
		return "", 0, fmt.Errorf("residents: match: %w", err)
	}
	return id, applicant, nil
}

func (s *service) Update(ctx context.Context, t tenant.ID, id string, expectedVersion int, ch Changes) (Resident, error) {
	today := s.today()
	v := &validator{}
	apply := v.changes(ch, today)
	if err := v.err(); err != nil {
		return Resident{}, err
	}
	if !uuid.Valid(id) {
		return Resident{}, fmt.Errorf("residents: update: %w", ErrNotFound)
	}
	r, err := inTenantV(ctx, s, t, func(ctx context.Context, st *unit) (Resident, error) {
		cur, err := st.get(ctx, id, true)
		if err != nil {
			return Resident{}, err
		}
		if cur.Version != expectedVersion {
			return Resident{}, fmt.Errorf("%w: at version %d, not %d", ErrVersionConflict, cur.Version, expectedVersion)
		}
		next := cur
		apply(&next)
		v := &validator{}
		v.household(next)
		if err := v.err(); err != nil {
			return Resident{}, err
		}
		next.Version = cur.Version + 1
		next.UpdatedAt = s.now().UTC()
		write := func(ctx context.Context, next Resident) error {
			return st.update(ctx, next, cur, ch.Children != nil, ch.Housemates != nil)
		}
		return st.save(ctx, next, write, today, countersChanged(cur, next)...)
	})
	if err != nil {
		return Resident{}, fmt.Errorf("residents: update: %w", err)
	}
	return r, nil
}

func (s *service) Household(ctx context.Context, t tenant.ID, id string) (bijstand.Household, error) {
	return s.household(ctx, t, id, nil)
}

func (s *service) HouseholdAsOf(ctx context.Context, t tenant.ID, id string, period bijstand.Period) (bijstand.Household, error) {
	return s.household(ctx, t, id, &period)
}

// household is the engine's input of the case with the counters in force at the start
// of period (nil: the latest). The BSNs stay sealed: the engine has no use for them.
func (s *service) household(ctx context.Context, t tenant.ID, id string, period *bijstand.Period) (bijstand.Household, error) {
	if !uuid.Valid(id) {
		return bijstand.Household{}, fmt.Errorf("residents: household: %w", ErrNotFound)
	}
	r, err := inTenantV(ctx, s, t, func(ctx context.Context, st *unit) (Resident, error) {
		return st.getAsOf(ctx, id, period)
	})
	if err != nil {
		return bijstand.Household{}, fmt.Errorf("residents: household: %w", err)
	}
	return toHousehold(r), nil
}

func (s *service) GetForSelf(ctx context.Context, t tenant.ID, residentID string) (Resident, error) {
	if err := authz.OwnData(ctx, t, residentID); err != nil {
		return Resident{}, fmt.Errorf("residents: own data: %w", err)
	}
	if !uuid.Valid(residentID) {
		return Resident{}, fmt.Errorf("residents: own data: %w", ErrNotFound)
	}
	r, err := inTenantV(ctx, s, t, func(ctx context.Context, st *unit) (Resident, error) {
		return st.get(ctx, residentID, false)
	})
	if err != nil {
		return Resident{}, fmt.Errorf("residents: own data: %w", err)
	}
	return r, nil
}

// today is the current date of the injected clock, in the clock's location, as UTC
// midnight like every stored date.
func (s *service) today() time.Time {
	y, m, d := s.now().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// toHousehold is the converter to the engine's input.
func toHousehold(r Resident) bijstand.Household {
	h := bijstand.Household{
		Kind:                 r.Kind,
		Applicants:           []bijstand.Applicant{toApplicant(r.BirthDate, r.Counters)},
		Institution:          r.Institution,
		ParentsCannotSupport: r.ParentsCannotSupport,
	}
	if r.Partner != nil {
		h.Applicants = append(h.Applicants, toApplicant(r.Partner.BirthDate, r.Partner.Counters))
	}
	for _, c := range r.Children {
		h.Children = append(h.Children, bijstand.Child{BirthDate: c.BirthDate})
	}
	for _, hm := range r.Housemates {
		h.Housemates = append(h.Housemates, bijstand.Housemate{BirthDate: hm.BirthDate, CostSharer: hm.CostSharer})
	}
	return h
}

func toApplicant(birth time.Time, c Counters) bijstand.Applicant {
	return bijstand.Applicant{BirthDate: birth, NMonthsUsed: c.NMonthsUsed, RMonthsUsed: c.RMonthsUsed,
		MedischUrenbeperkt: c.MedischUrenbeperkt}
}

// Authorizer decides; satisfied by *authz.Authorizer.
type Authorizer = authz.Decider

type authorizing struct{ authz.Guard[Service] }

// NewAuthorizing wraps a Service so that every staff call is authorized for the
// principal in the context in the target tenant, deny by default: Create and Update
// need resident:write, Get and FindByBSN resident:read. Household and GetForSelf are
// passed through: they are not staff calls (see Service), nor is HouseholdAsOf.
func NewAuthorizing(next Service, az Authorizer) Service {
	return &authorizing{authz.Guard[Service]{Next: next, Decider: az}}
}

func (a *authorizing) check(ctx context.Context, t tenant.ID, act authz.Action) error {
	return a.Check(ctx, t, authz.ObjectResident, act)
}

func (a *authorizing) Create(ctx context.Context, t tenant.ID, nr NewResident) (Resident, error) {
	if err := a.check(ctx, t, authz.ActionWrite); err != nil {
		return Resident{}, err
	}
	return a.Next.Create(ctx, t, nr)
}

func (a *authorizing) Get(ctx context.Context, t tenant.ID, id, purpose string) (Resident, error) {
	if err := a.check(ctx, t, authz.ActionRead); err != nil {
		return Resident{}, err
	}
	return a.Next.Get(ctx, t, id, purpose)
}

func (a *authorizing) FindByBSN(ctx context.Context, t tenant.ID, bsnString, purpose string) (Resident, error) {
	if err := a.check(ctx, t, authz.ActionRead); err != nil {
		return Resident{}, err
	}
	return a.Next.FindByBSN(ctx, t, bsnString, purpose)
}

func (a *authorizing) Update(ctx context.Context, t tenant.ID, id string, expectedVersion int, ch Changes) (Resident, error) {
	if err := a.check(ctx, t, authz.ActionWrite); err != nil {
		return Resident{}, err
	}
	return a.Next.Update(ctx, t, id, expectedVersion, ch)
}

func (a *authorizing) Household(ctx context.Context, t tenant.ID, id string) (bijstand.Household, error) {
	return a.Next.Household(ctx, t, id)
}

func (a *authorizing) HouseholdAsOf(ctx context.Context, t tenant.ID, id string, period bijstand.Period) (bijstand.Household, error) {
	return a.Next.HouseholdAsOf(ctx, t, id, period)
}

func (a *authorizing) GetForSelf(ctx context.Context, t tenant.ID, residentID string) (Resident, error) {
	return a.Next.GetForSelf(ctx, t, residentID)
}

func (a *authorizing) MatchBSN(ctx context.Context, t tenant.ID, b bsn.BSN) (string, int, error) {
	return a.Next.MatchBSN(ctx, t, b)
}
