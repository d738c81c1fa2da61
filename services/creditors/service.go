// Package creditors knows the parties Plein pays on a resident's behalf: a shared,
// embedded catalogue of national creditors (the zorgverzekeraars, the CAK, the large
// energy and water companies) and each gemeente's own (woningcorporaties and other
// local parties), with the IBAN a payment goes to and the format of the creditor's
// reference for the resident (polisnummer, klantnummer, betalingskenmerk), which
// goes into the payment's remittance.
//
// The catalogue is data (catalogue.yaml), loaded once and checked by a test; its
// IBANs are marked examples until a creditor's real account is filled in. A tenant's
// own creditors live in the table creditors, under row-level security.
package creditors

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/plein-nl/plein/platform/authz"
	"github.com/plein-nl/plein/platform/db"
	"github.com/plein-nl/plein/platform/iban"
	"github.com/plein-nl/plein/platform/input"
	"github.com/plein-nl/plein/platform/tenant"
	"github.com/plein-nl/plein/platform/uuid"
	"github.com/plein-nl/plein/services/creditors/internal/store"
)

// Sentinel errors of the service.
var (
	// ErrNotFound: no such creditor in the catalogue or the tenant.
	ErrNotFound = store.ErrNotFound
	// ErrInvalid is wrapped by every validation error (*httpapi.ValidationError) of this service.
	ErrInvalid = errors.New("invalid input")
	// ErrInvalidReference is wrapped by every *ReferenceError.
	ErrInvalidReference = errors.New("reference does not match the creditor's format")
	// ErrDuplicate: the tenant already has a creditor with this name.
	ErrDuplicate = store.ErrDuplicate
)

// Kind is the sort of creditor.
type Kind string

// Kinds of creditor.
const (
	KindZorgverzekeraar  Kind = "zorgverzekeraar"
	KindCAK              Kind = "cak"
	KindEnergie          Kind = "energie"
	KindWater            Kind = "water"
	KindWoningcorporatie Kind = "woningcorporatie"
	KindOverig           Kind = "overig"
)

// Kinds returns every kind, in a fixed order. The caller owns the slice.
func Kinds() []Kind {
	return []Kind{KindZorgverzekeraar, KindCAK, KindEnergie, KindWater, KindWoningcorporatie, KindOverig}
}

// ReferenceNames are the names a creditor's reference for the resident goes by.
func ReferenceNames() []string {
	return []string{"polisnummer", "klantnummer", "betalingskenmerk", "relatienummer", "contractnummer"}
}

// Creditor is a party Plein pays on a resident's behalf.
type Creditor struct {
	// ID is stable: a slug for the catalogue ("zilveren-kruis"), a UUID for a tenant's own.
	ID string
	// Name is the legal name, the party a payment is to.
	Name string
	// Brand is the name a resident knows; Name when empty.
	Brand string
	Kind  Kind
	IBAN  iban.IBAN
	// Example marks an IBAN that is an example, not the creditor's real account.
	Example bool
	// IBANSource says where a real IBAN comes from (catalogue only).
	IBANSource string
	Reference  ReferenceFormat
	// WebhookURL is where outbound messages about plans are POSTed; "" for none
	// (tenant creditors only: the catalogue's are exported).
	WebhookURL string
	// Catalogue: a national creditor of the shared catalogue, not the tenant's own.
	Catalogue bool
	CreatedAt time.Time // zero for the catalogue
}

// ReferenceFormat is what a creditor's reference for the resident looks like.
type ReferenceFormat struct {
	// Name: polisnummer, klantnummer, betalingskenmerk, relatienummer or contractnummer.
	Name string
	// Pattern is a regular expression (RE2) the whole reference must match after
	// NormalizeReference. It is Plein's check against typing errors, not necessarily
	// the creditor's published format.
	Pattern string
	// Hint tells the resident, in Dutch (B1), where to find the reference and what it
	// looks like; HintEN in English.
	Hint   string
	HintEN string
	re     *regexp.Regexp
}

// DisplayName is the brand if there is one, else the legal name.
func (c Creditor) DisplayName() string {
	if c.Brand != "" {
		return c.Brand
	}
	return c.Name
}

// NewCreditor is the input of Create and the JSON body of POST …/creditors.
type NewCreditor struct {
	Name             string `json:"name"`
	Brand            string `json:"brand"`
	Kind             string `json:"kind"`
	IBAN             string `json:"iban"`
	Example          bool   `json:"example"`
	ReferenceName    string `json:"reference_name"`
	ReferencePattern string `json:"reference_pattern"`
	ReferenceHint    string `json:"reference_hint"`
	ReferenceHintEN  string `json:"reference_hint_en"`
	WebhookURL       string `json:"webhook_url"`
}

// Service is the creditors service. The tenant is an explicit argument.
type Service interface {
	// List returns the catalogue's creditors and then the tenant's own, each sorted
	// by display name.
	List(ctx context.Context, t tenant.ID) ([]Creditor, error)
	// Get returns a creditor of the catalogue or of the tenant; ErrNotFound otherwise.
	Get(ctx context.Context, t tenant.ID, id string) (Creditor, error)
	// Create adds a creditor of the tenant's own.
	Create(ctx context.Context, t tenant.ID, nc NewCreditor) (Creditor, error)
	// ValidateReference checks a resident's reference against the creditor's format:
	// nil, or a *ReferenceError with the creditor's Dutch hint.
	ValidateReference(c Creditor, ref string) error
}

type service struct {
	app *pgxpool.Pool
	cat *Catalogue
	now func() time.Time
}

// NewService returns the service over the application pool and the catalogue (nil:
// the embedded one). It authorizes nothing itself: wrap it with NewAuthorizing for
// the staff API. The portal uses it unwrapped to offer a resident the creditors.
func NewService(app *pgxpool.Pool, cat *Catalogue, now func() time.Time) Service {
	if cat == nil {
		cat = MustLoadCatalogue()
	}
	if now == nil {
		now = time.Now
	}
	return &service{app: app, cat: cat, now: now}
}

func (s *service) inTenant(ctx context.Context, t tenant.ID, fn func(ctx context.Context, tx pgx.Tx) error) error {
	if !t.Valid() {
		return fmt.Errorf("creditors: %w", tenant.ErrInvalidID)
	}
	return db.InTenant(tenant.WithID(ctx, t), s.app, fn)
}

func (s *service) List(ctx context.Context, t tenant.ID) ([]Creditor, error) {
	var own []Creditor
	err := s.inTenant(ctx, t, func(ctx context.Context, tx pgx.Tx) error {
		var err error
		own, err = listOwn(ctx, tx)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("creditors: list: %w", err)
	}
	return append(s.cat.All(), own...), nil
}

func (s *service) Get(ctx context.Context, t tenant.ID, id string) (Creditor, error) {
	if c, ok := s.cat.Get(id); ok {
		if !t.Valid() {
			return Creditor{}, fmt.Errorf("creditors: %w", tenant.ErrInvalidID)
		}
		return c, nil
	}
	if !uuid.Valid(id) {
		return Creditor{}, fmt.Errorf("creditors: get: %w", ErrNotFound)
	}
	var c Creditor
	err := s.inTenant(ctx, t, func(ctx context.Context, tx pgx.Tx) error {
		var err error
		c, err = getOwn(ctx, tx, id)
		return err
	})
	if err != nil {
		return Creditor{}, fmt.Errorf("creditors: get: %w", err)
	}
	return c, nil
}

func (s *service) Create(ctx context.Context, t tenant.ID, nc NewCreditor) (Creditor, error) {
	v := &validator{}
	c := v.newCreditor(nc)
	if err := v.err(); err != nil {
		return Creditor{}, err
	}
	// A national creditor is in the catalogue already: a tenant copy would split its
	// payments and messages over two ids.
	for _, cc := range s.cat.list {
		if strings.EqualFold(cc.Name, c.Name) {
			return Creditor{}, fmt.Errorf("creditors: create: %w (in the national catalogue as %q)", ErrDuplicate, cc.ID)
		}
	}
	id := uuid.New()
	c.ID, c.CreatedAt = id, s.now().UTC()
	var err error // set by the transaction, and its result
	err = s.inTenant(ctx, t, func(ctx context.Context, tx pgx.Tx) error {
		if err := insertOwn(ctx, tx, t, c); err != nil {
			return err
		}
		c, err = getOwn(ctx, tx, id)
		return err
	})
	if err != nil {
		return Creditor{}, fmt.Errorf("creditors: create: %w", err)
	}
	return c, nil
}

func (s *service) ValidateReference(c Creditor, ref string) error { return ValidateReference(c, ref) }

// NormalizeReference removes white space, dots and hyphens, as a resident copies a
// number from a card or a letter ("1234 5678.90"): what is left is stored and sent.
func NormalizeReference(ref string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\t', '\n', '\r', '\u00a0', '.', '-':
			return -1
		}
		return r
	}, ref)
}

// maxReference is the longest reference: it must fit the remittance line (140
// characters) with room for the period and the creditor's name.
const maxReference = 35

// ReferenceError is a reference that does not fit its creditor's format. Error is
// English; Dutch is the creditor's hint for the resident. It never holds the input.
type ReferenceError struct {
	Creditor string // the creditor's display name
	Name     string // polisnummer, klantnummer, …
	nl, en   string
}

// Error returns the English message.
func (e *ReferenceError) Error() string {
	return fmt.Sprintf("not a valid %s for %s: %s", e.Name, e.Creditor, e.en)
}

// Dutch returns the message for the resident.
func (e *ReferenceError) Dutch() string { return e.nl }

// Unwrap makes errors.Is(err, ErrInvalidReference) hold.
func (e *ReferenceError) Unwrap() error { return ErrInvalidReference }

// ValidateReference checks ref, normalized, against c's format.
func ValidateReference(c Creditor, ref string) error {
	n := NormalizeReference(ref)
	re := c.Reference.re
	if re == nil {
		// A Creditor built by hand (not by this package): compile on the spot.
		var err error
		if re, err = compilePattern(c.Reference.Pattern); err != nil {
			return fmt.Errorf("creditors: %s: %w", c.ID, err)
		}
	}
	if n == "" {
		return &ReferenceError{Creditor: c.DisplayName(), Name: c.Reference.Name,
			en: "the " + c.Reference.Name + " is required", nl: "Vul uw " + c.Reference.Name + " in. " + c.Reference.Hint}
	}
	if _, p := input.Text(n, 0); p.Kind == input.Forbidden || p.Kind == input.Invisible {
		// Whatever a tenant's own pattern allows: a reference goes into payment orders
		// and onto screens.
		return &ReferenceError{Creditor: c.DisplayName(), Name: c.Reference.Name,
			en: "the " + c.Reference.Name + " " + p.EN(), nl: p.NL()}
	}
	if len(n) > maxReference || !re.MatchString(n) {
		en := c.Reference.HintEN
		if en == "" {
			en = "check the number on the creditor's card or letter"
		}
		return &ReferenceError{Creditor: c.DisplayName(), Name: c.Reference.Name, en: en,
			nl: "Dit " + c.Reference.Name + " klopt niet. " + c.Reference.Hint}
	}
	return nil
}

// compilePattern compiles a reference pattern to match a whole reference.
func compilePattern(p string) (*regexp.Regexp, error) {
	if strings.TrimSpace(p) == "" {
		return nil, errors.New("empty reference pattern")
	}
	re, err := regexp.Compile(`^(?:` + p + `)$`)
	if err != nil {
		return nil, fmt.Errorf("reference pattern: %w", err)
	}
	return re, nil
}

// Authorizer decides; satisfied by *authz.Authorizer.
type Authorizer = authz.Decider

type authorizing struct{ authz.Guard[Service] }

// NewAuthorizing wraps a Service for the staff API, deny by default. Creditors are
// managed by whoever manages payment plans or the tenant's configuration: List and
// Get need paymentplan:read or tenant-config:read, Create paymentplan:write
// (consulent, schuldhulpverlener) or tenant-config:write (tenant-admin).
// ValidateReference is pure and passed through.
func NewAuthorizing(next Service, az Authorizer) Service {
	return &authorizing{authz.Guard[Service]{Next: next, Decider: az}}
}

// anyOf allows when any one permission is granted; otherwise it returns the first
// refusal (ErrUnauthenticated, ErrForbidden).
func (a *authorizing) anyOf(ctx context.Context, t tenant.ID, perms ...authz.Permission) error {
	p := authz.PrincipalFrom(ctx)
	var first error
	for _, perm := range perms {
		err := a.Decider.Authorize(ctx, p, t, perm.Object, perm.Action)
		if err == nil {
			return nil
		}
		if first == nil {
			first = err
		}
	}
	return first
}

var (
	readPerms  = []authz.Permission{{Object: authz.ObjectPaymentPlan, Action: authz.ActionRead}, {Object: authz.ObjectTenantConfig, Action: authz.ActionRead}}
	writePerms = []authz.Permission{{Object: authz.ObjectPaymentPlan, Action: authz.ActionWrite}, {Object: authz.ObjectTenantConfig, Action: authz.ActionWrite}}
)

func (a *authorizing) List(ctx context.Context, t tenant.ID) ([]Creditor, error) {
	if err := a.anyOf(ctx, t, readPerms...); err != nil {
		return nil, err
	}
	return a.Next.List(ctx, t)
}

func (a *authorizing) Get(ctx context.Context, t tenant.ID, id string) (Creditor, error) {
	if err := a.anyOf(ctx, t, readPerms...); err != nil {
		return Creditor{}, err
	}
	return a.Next.Get(ctx, t, id)
}

func (a *authorizing) Create(ctx context.Context, t tenant.ID, nc NewCreditor) (Creditor, error) {
	if err := a.anyOf(ctx, t, writePerms...); err != nil {
		return Creditor{}, err
	}
	return a.Next.Create(ctx, t, nc)
}

func (a *authorizing) ValidateReference(c Creditor, ref string) error {
	return a.Next.ValidateReference(c, ref)
}

// sortByName sorts creditors by display name, then id.
func sortByName(cs []Creditor) {
	slices.SortStableFunc(cs, func(a, b Creditor) int {
		if c := strings.Compare(strings.ToLower(a.DisplayName()), strings.ToLower(b.DisplayName())); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
}
