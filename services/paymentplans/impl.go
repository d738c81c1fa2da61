package paymentplans

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/plein-nl/plein/platform/audit"
	"github.com/plein-nl/plein/platform/authz"
	"github.com/plein-nl/plein/platform/bijstand"
	"github.com/plein-nl/plein/platform/db"
	"github.com/plein-nl/plein/platform/httpapi"
	"github.com/plein-nl/plein/platform/jobs"
	"github.com/plein-nl/plein/platform/law"
	"github.com/plein-nl/plein/platform/money"
	"github.com/plein-nl/plein/platform/observe"
	"github.com/plein-nl/plein/platform/tenant"
	"github.com/plein-nl/plein/platform/uuid"
	"github.com/plein-nl/plein/services/creditors"
	"github.com/plein-nl/plein/services/paymentplans/internal/store"
)

// auditObject is the audit log's object type of a plan.
const auditObject = "paymentplan"

// Config wires the service.
type Config struct {
	// App is the application pool (plein_app).
	App *pgxpool.Pool
	// Creditors knows the creditors (services/creditors' Service, unwrapped).
	Creditors Creditors
	// Law tells for which months a norm is known and, without Norms, gives the couple
	// norm that caps a plan's amount; nil means law.MustLoad().
	Law *law.Book
	// Norms gives the norm of the resident's own household, which caps a plan's
	// amount; nil: the couple norm caps it (the largest any household has, the
	// fallback for a service wired without the residents).
	Norms Norms
	// Jobs enqueues the webhook delivery of outbound messages, in the transaction
	// that writes them; nil: messages are only exported.
	Jobs *jobs.Client
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Norms gives the bijstand norm of a resident's own household in a month, computed
// by the one engine (platform/bijstand) from the resident's case; the composition
// root fills it from services/residents. An unknown resident is ErrResidentNotFound.
type Norms interface {
	Norm(ctx context.Context, t tenant.ID, residentID string, period bijstand.Period) (money.Cents, error)
}

type service struct{ cfg Config }

// NewService returns the service. It authorizes nothing but the rules of the domain
// (who may act on whose plan in which role, given the Actor): wrap it with
// NewAuthorizing for the staff API and the portal.
func NewService(cfg Config) Service {
	if cfg.Law == nil {
		cfg.Law = law.MustLoad()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &service{cfg: cfg}
}

// current is the current period: the month of the clock's date in its location.
func (s *service) current() bijstand.Period { return bijstand.PeriodOf(s.cfg.Now()) }

// today is the clock's date as UTC midnight.
func (s *service) today() time.Time {
	y, m, d := s.cfg.Now().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func (s *service) in(ctx context.Context, t tenant.ID, fn func(ctx context.Context, st *unit) error) error {
	if !t.Valid() {
		return fmt.Errorf("paymentplans: %w", tenant.ErrInvalidID)
	}
	return db.InTenant(tenant.WithID(ctx, t), s.cfg.App, func(ctx context.Context, tx pgx.Tx) error {
		return fn(ctx, &unit{st: store.New(tx, t), tx: tx, tenant: t, now: s.current()})
	})
}

// query runs read in a unit of work of tenant t and returns what it read; an error
// comes wrapped with op, the method's name in messages.
func query[T any](ctx context.Context, s *service, t tenant.ID, op string, read func(ctx context.Context, st *unit) (T, error)) (T, error) {
	var out T
	err := s.in(ctx, t, func(ctx context.Context, st *unit) error {
		var err error
		out, err = read(ctx, st)
		return err
	})
	if err != nil {
		var zero T
		return zero, fmt.Errorf("paymentplans: %s: %w", op, err)
	}
	return out, nil
}

// record appends the act to the plan's history and to the audit log, in the act's
// transaction.
func (s *service) record(ctx context.Context, st *unit, p Plan, by Actor, action Action, from Status, reason string) error {
	e := Event{At: s.cfg.Now().UTC(), Actor: by.Subject, Role: string(by.Role), Action: action, From: from, To: p.Status, Reason: reason}
	if err := st.addEvent(ctx, p.ID, e, observe.RequestID(ctx)); err != nil {
		return err
	}
	return audit.Record(ctx, st.tx, audit.Entry{Actor: by.Subject, Role: string(by.Role), Action: auditObject + "." + string(action),
		ObjectType: auditObject, ObjectID: p.ID, Purpose: "payment plan: " + string(action) + " (resident " + p.ResidentID + ")",
		RequestID: observe.RequestID(ctx)})
}

// creditor finds the plan's creditor for validation: problems go on field creditor_id.
func (s *service) creditor(ctx context.Context, t tenant.ID, v *validator, id string) (creditors.Creditor, bool, error) {
	if strings.TrimSpace(id) == "" {
		v.add("creditor_id", "a creditor is required", "Kies aan wie betaald wordt.")
		return creditors.Creditor{}, false, nil
	}
	c, err := s.cfg.Creditors.Get(ctx, t, id)
	switch {
	case errors.Is(err, creditors.ErrNotFound):
		v.add("creditor_id", "no such creditor in the catalogue or this gemeente",
			"Deze schuldeiser kennen we niet. Kies een schuldeiser uit de lijst.")
		return creditors.Creditor{}, false, nil
	case err != nil:
		return creditors.Creditor{}, false, fmt.Errorf("paymentplans: creditor: %w", err)
	}
	return c, true, nil
}

func (s *service) reference(v *validator, c creditors.Creditor, ref string) string {
	if err := s.cfg.Creditors.ValidateReference(c, ref); err != nil {
		v.add("reference", err.Error(), httpapi.DutchOf(err, "Dit kenmerk klopt niet."))
		return ""
	}
	return creditors.NormalizeReference(ref)
}

func (s *service) Request(ctx context.Context, t tenant.ID, residentID string, np NewPlan, by Actor) (Plan, error) {
	switch {
	case by.Subject == "":
		return Plan{}, fmt.Errorf("paymentplans: request: %w", authz.ErrUnauthenticated)
	case by.Role == authz.RoleResident:
		// A resident asks for their own plan only; checked before the input, so that
		// another resident's id teaches nothing.
		if by.ResidentID == "" || by.ResidentID != residentID {
			return Plan{}, fmt.Errorf("paymentplans: request: %w", authz.ErrForbidden)
		}
	case !by.staff():
		return Plan{}, fmt.Errorf("paymentplans: request: %w", authz.ErrForbidden)
	}
	if !validID(residentID) {
		return Plan{}, fmt.Errorf("paymentplans: request: %w", ErrResidentNotFound)
	}
	now, today := s.current(), s.today()
	v := &validator{}
	p := Plan{ResidentID: residentID, Kind: v.kind(np.Kind), Priority: v.priority(np.Priority), RequestedBy: by.Subject}
	if by.Role == authz.RoleResident && p.Kind != "" && p.Kind != bijstand.DeductOnBehalf {
		v.add("kind", "in the portal a resident asks only for the payment of their own fixed costs (on_behalf)",
			"U kunt hier alleen vragen om uw vaste lasten voor u te betalen.")
	}
	c, okCreditor, err := s.creditor(ctx, t, v, np.CreditorID)
	if err != nil {
		return Plan{}, err
	}
	if okCreditor {
		p.CreditorID = c.ID
		p.Reference = s.reference(v, c, np.Reference)
	}
	start, okStart := v.period("start_period", np.StartPeriod, now, maxStartAhead)
	p.Start = start
	capPeriod := now
	if okStart {
		capPeriod = start
	}
	// An unknown resident has no norm; it is not found once the input is valid, as
	// the insert would find (input problems first, as before there was a norm to ask).
	p.Amount, err = s.amount(ctx, t, v, residentID, np.AmountCents, capPeriod, by.Role == authz.RoleResident)
	unknownResident := errors.Is(err, ErrResidentNotFound)
	if err != nil && !unknownResident {
		return Plan{}, fmt.Errorf("paymentplans: request: %w", err)
	}
	if strings.TrimSpace(np.EndPeriod) != "" {
		if end, ok := v.period("end_period", np.EndPeriod, now, maxEndAhead); ok {
			if okStart && cmpPeriod(end, start) < 0 {
				v.add("end_period", "must not be before start_period", "De laatste maand ligt voor de eerste maand.")
			} else {
				p.End = &end
			}
		}
	}
	nowUTC := s.cfg.Now().UTC()
	switch {
	case p.Kind == bijstand.DeductOnBehalf && by.Role == authz.RoleResident:
		if strings.TrimSpace(np.MandateSignedOn) != "" {
			v.add("mandate_signed_on", "only staff record a paper mandate; in the portal the request is the mandate",
				"Uw aanvraag hier is uw toestemming. U hoeft geen datum in te vullen.")
		}
		p.Mandate = &Mandate{GivenBy: MandateResident, GivenAt: nowUTC, RecordedBy: by.Subject}
	case p.Kind == bijstand.DeductOnBehalf:
		p.Mandate = &Mandate{GivenBy: MandatePaper, GivenAt: v.signedOn(np.MandateSignedOn, today), RecordedBy: by.Subject}
	case strings.TrimSpace(np.MandateSignedOn) != "":
		v.add("mandate_signed_on", "only an on_behalf plan has a mandate; "+string(p.Kind)+" rests on the law",
			"Alleen bij betalen namens de inwoner hoort een machtiging.")
	}
	if err := v.err(); err != nil {
		return Plan{}, err
	}
	if unknownResident {
		return Plan{}, fmt.Errorf("paymentplans: request: %w", ErrResidentNotFound)
	}
	p.ID = uuid.New()
	p.Version, p.CreatedAt, p.UpdatedAt, p.Status = 1, nowUTC, nowUTC, StatusRequested
	err = s.in(ctx, t, func(ctx context.Context, st *unit) error {
		if err := st.insert(ctx, p); err != nil {
			return err
		}
		return s.record(ctx, st, p, by, ActionRequest, "", "")
	})
	if err != nil {
		return Plan{}, fmt.Errorf("paymentplans: request: %w", err)
	}
	return p, nil
}

// act runs one act on a locked plan: fn changes next (a copy of the current plan)
// and returns the stored status, the event's reason and the message kind for the
// creditor ("" for none). Version, updated_at and the derived status are set here.
func (s *service) act(ctx context.Context, t tenant.ID, planID string, by Actor, action Action, expectedVersion int,
	fn func(cur dbPlan, next *Plan) (Status, string, MessageKind, error)) (Plan, error) {
	if by.Subject == "" {
		return Plan{}, fmt.Errorf("paymentplans: %s: %w", action, authz.ErrUnauthenticated)
	}
	if !validID(planID) {
		return Plan{}, fmt.Errorf("paymentplans: %s: %w", action, ErrNotFound)
	}
	var out Plan
	err := s.in(ctx, t, func(ctx context.Context, st *unit) error {
		cur, err := st.get(ctx, planID, true)
		if err != nil {
			return err
		}
		if expectedVersion > 0 && cur.Version != expectedVersion {
			return fmt.Errorf("%w: at version %d, not %d", ErrVersionConflict, cur.Version, expectedVersion)
		}
		next := cur.Plan
		stored, reason, msg, err := fn(cur, &next)
		if err != nil {
			return err
		}
		next.Version = cur.Version + 1
		next.UpdatedAt = s.cfg.Now().UTC()
		next.Status = derive(stored, next.Start, next.End, st.now)
		if err := st.update(ctx, next, stored); err != nil {
			return err
		}
		if err := s.record(ctx, st, next, by, action, cur.Status, reason); err != nil {
			return err
		}
		if msg != "" {
			if err := s.message(ctx, st, next, msg); err != nil {
				return err
			}
		}
		out = next
		return nil
	})
	if err != nil {
		return Plan{}, fmt.Errorf("paymentplans: %s: %w", action, err)
	}
	return out, nil
}

// capPeriodOf is the month whose norm caps a plan's amount: its start, or the
// current month once it has started.
func capPeriodOf(start, now bijstand.Period) bijstand.Period {
	if cmpPeriod(start, now) > 0 {
		return start
	}
	return now
}

// amount checks 0 < a ≤ the cap of a plan of residentID in period: the norm of the
// resident's own household (Config.Norms), else the couple norm — a plan never
// takes more than the resident's whole bijstand could hold [policy]. Problems go on
// v, worded for the resident in the portal when forResident; the error is an
// unknown resident (ErrResidentNotFound) or an internal one.
func (s *service) amount(ctx context.Context, t tenant.ID, v *validator, residentID string, a int64, period bijstand.Period,
	forResident bool) (money.Cents, error) {
	if a <= 0 {
		v.add("amount_cents", "must be more than 0 (in euro cents)", "Vul een bedrag in dat hoger is dan € 0.")
		return 0, nil
	}
	couple, err := capAt(s.cfg.Law, period)
	if err != nil {
		v.add("amount_cents", "no bijstand norm is known for this month", "Voor deze maand is nog geen bijstandsnorm bekend.")
		return 0, nil
	}
	if s.cfg.Norms == nil {
		if money.Cents(a) > couple {
			v.add("amount_cents", "must not be more than "+couple.FormatEN()+", the bijstand norm for a couple",
				"Het bedrag mag niet hoger zijn dan "+couple.String()+", de bijstandsnorm voor gehuwden.")
			return 0, nil
		}
		return money.Cents(a), nil
	}
	norm, err := s.cfg.Norms.Norm(ctx, t, residentID, period)
	if err != nil {
		return 0, fmt.Errorf("norm of the resident: %w", err)
	}
	if money.Cents(a) > norm {
		nl := "Dit bedrag is hoger dan de bijstandsnorm van de inwoner: " + norm.String() + "."
		if forResident {
			nl = "Dit bedrag is hoger dan uw norm van " + norm.String() + "."
		}
		v.add("amount_cents", "must not be more than "+norm.FormatEN()+", the resident's own bijstand norm in "+period.String(), nl)
		return 0, nil
	}
	return money.Cents(a), nil
}

func stateError(action Action, st Status) error {
	return fmt.Errorf("%w: cannot %s a plan that is %s", ErrState, action, st)
}

func (s *service) Approve(ctx context.Context, t tenant.ID, planID string, by Actor) (Plan, error) {
	if by.Role != authz.RoleConsulent {
		return Plan{}, fmt.Errorf("paymentplans: approve: %w", authz.ErrForbidden)
	}
	now := s.current()
	return s.act(ctx, t, planID, by, ActionApprove, 0, func(cur dbPlan, next *Plan) (Status, string, MessageKind, error) {
		if cur.stored != StatusRequested {
			return "", "", "", stateError(ActionApprove, cur.Status)
		}
		var reason string
		if cmpPeriod(next.Start, now) < 0 {
			if next.End != nil && cmpPeriod(*next.End, now) < 0 {
				return "", "", "", fmt.Errorf("%w: the plan's last month %s has passed; reject it", ErrState, next.End)
			}
			reason = fmt.Sprintf("start moved from %s to %s: a plan takes no money before its approval", next.Start, now)
			next.Start = now
		}
		at := s.cfg.Now().UTC()
		next.ApprovedBy, next.ApprovedAt = by.Subject, &at
		return StatusApproved, reason, MessageStart, nil
	})
}

func (s *service) Reject(ctx context.Context, t tenant.ID, planID, reason string, by Actor) (Plan, error) {
	if by.Role != authz.RoleConsulent {
		return Plan{}, fmt.Errorf("paymentplans: reject: %w", authz.ErrForbidden)
	}
	v := &validator{}
	reason = v.reason(reason, true)
	if err := v.err(); err != nil {
		return Plan{}, err
	}
	return s.act(ctx, t, planID, by, ActionReject, 0, func(cur dbPlan, next *Plan) (Status, string, MessageKind, error) {
		if cur.stored != StatusRequested {
			return "", "", "", stateError(ActionReject, cur.Status)
		}
		return StatusRejected, reason, "", nil
	})
}

func (s *service) Stop(ctx context.Context, t tenant.ID, planID string, by Actor) (Plan, error) {
	if by.Role != authz.RoleResident && !by.staff() {
		return Plan{}, fmt.Errorf("paymentplans: stop: %w", authz.ErrForbidden)
	}
	now := s.current()
	return s.act(ctx, t, planID, by, ActionStop, 0, func(cur dbPlan, next *Plan) (Status, string, MessageKind, error) {
		// A resident stops her own plans only, and only the ones resting on her
		// mandate (StoppableByResident, the rule the portal shows).
		if by.Role == authz.RoleResident && !cur.RestsOnMandateOf(by.ResidentID) {
			return "", "", "", authz.ErrForbidden
		}
		if !cur.Stoppable() {
			return "", "", "", stateError(ActionStop, cur.Status)
		}
		if next.End == nil || cmpPeriod(now, *next.End) < 0 {
			end := now
			next.End = &end
		}
		reason := "stopped by " + string(by.Role) + "; last month " + next.End.String()
		if by.Role == authz.RoleResident && next.Mandate != nil {
			at := s.cfg.Now().UTC()
			next.Mandate.RevokedAt = &at
			reason = "mandate revoked by the resident; last month " + next.End.String()
		}
		var msg MessageKind
		if cur.ApprovedAt != nil {
			msg = MessageStop // the creditor was told the plan starts
		}
		if cur.stored == StatusRequested {
			reason = "withdrawn before approval by " + string(by.Role)
		}
		return StatusEnded, reason, msg, nil
	})
}

func (s *service) Change(ctx context.Context, t tenant.ID, planID string, expectedVersion int, ch Changes, by Actor) (Plan, error) {
	if !by.staff() {
		return Plan{}, fmt.Errorf("paymentplans: change: %w", authz.ErrForbidden)
	}
	if ch.AmountCents == nil && ch.Priority == nil && ch.Reference == nil {
		return Plan{}, httpapi.Invalid("body",
			"give at least one of amount_cents, priority, reference", "Geef aan wat er verandert: bedrag, volgorde of kenmerk.", ErrInvalid)
	}
	if !validID(planID) {
		return Plan{}, fmt.Errorf("paymentplans: change: %w", ErrNotFound)
	}
	// The creditor (to check a new reference) and the resident's norm (to cap a new
	// amount) come from other services: they are read before the plan's transaction,
	// from the plan as read then, and what they rest on is compared inside it.
	now := s.current()
	var (
		read      Plan
		c         creditors.Creditor
		amount    money.Cents
		amountPbs []httpapi.FieldError
	)
	if ch.Reference != nil || ch.AmountCents != nil {
		var err error
		if read, err = s.Get(ctx, t, planID); err != nil {
			return Plan{}, fmt.Errorf("paymentplans: change: %w", err)
		}
	}
	if ch.Reference != nil {
		var err error
		if c, err = s.cfg.Creditors.Get(ctx, t, read.CreditorID); err != nil {
			return Plan{}, fmt.Errorf("paymentplans: change: creditor: %w", err)
		}
	}
	if ch.AmountCents != nil {
		av := &validator{}
		var err error
		if amount, err = s.amount(ctx, t, av, read.ResidentID, *ch.AmountCents, capPeriodOf(read.Start, now), false); err != nil {
			return Plan{}, fmt.Errorf("paymentplans: change: %w", err)
		}
		amountPbs = av.Problems
	}
	return s.act(ctx, t, planID, by, ActionChange, expectedVersion, func(cur dbPlan, next *Plan) (Status, string, MessageKind, error) {
		if cur.Status != StatusRequested && cur.Status != StatusApproved && cur.Status != StatusActive {
			return "", "", "", stateError(ActionChange, cur.Status)
		}
		v := &validator{httpapi.Fields{Problems: slices.Clone(amountPbs)}}
		var changed []string
		if ch.AmountCents != nil {
			if cur.ResidentID != read.ResidentID || cmpPeriod(capPeriodOf(cur.Start, now), capPeriodOf(read.Start, now)) != 0 {
				return "", "", "", fmt.Errorf("%w: the plan changed while it was read", ErrVersionConflict)
			}
			next.Amount = amount
			changed = append(changed, "amount_cents")
		}
		if ch.Priority != nil {
			next.Priority = v.priority(*ch.Priority)
			changed = append(changed, "priority")
		}
		if ch.Reference != nil {
			if c.ID != cur.CreditorID {
				return "", "", "", fmt.Errorf("%w: the plan changed while it was read", ErrVersionConflict)
			}
			next.Reference = s.reference(v, c, *ch.Reference)
			changed = append(changed, "reference")
		}
		if err := v.err(); err != nil {
			return "", "", "", err
		}
		var msg MessageKind
		if cur.ApprovedAt != nil {
			msg = MessageChange
		}
		return cur.stored, "changed: " + strings.Join(changed, ", "), msg, nil
	})
}

func (s *service) Get(ctx context.Context, t tenant.ID, planID string) (Plan, error) {
	if !validID(planID) {
		return Plan{}, fmt.Errorf("paymentplans: get: %w", ErrNotFound)
	}
	return query(ctx, s, t, "get", func(ctx context.Context, st *unit) (Plan, error) {
		d, err := st.get(ctx, planID, false)
		return d.Plan, err
	})
}

func (s *service) Events(ctx context.Context, t tenant.ID, planID string) ([]Event, error) {
	if !validID(planID) {
		return nil, fmt.Errorf("paymentplans: events: %w", ErrNotFound)
	}
	return query(ctx, s, t, "events", func(ctx context.Context, st *unit) ([]Event, error) {
		return st.events(ctx, planID)
	})
}

func (s *service) List(ctx context.Context, t tenant.ID, residentID string) ([]Plan, error) {
	if !validID(residentID) {
		return []Plan{}, nil
	}
	return query(ctx, s, t, "list", func(ctx context.Context, st *unit) ([]Plan, error) {
		return st.list(ctx, residentID)
	})
}

func (s *service) Active(ctx context.Context, t tenant.ID, residentID string, period bijstand.Period) ([]bijstand.Deduction, error) {
	if !validID(residentID) {
		return []bijstand.Deduction{}, nil
	}
	plans, err := query(ctx, s, t, "active", func(ctx context.Context, st *unit) ([]Plan, error) {
		return st.active(ctx, residentID, period)
	})
	if err != nil {
		return nil, err
	}
	out := make([]bijstand.Deduction, len(plans))
	for i, p := range plans {
		out[i] = toDeduction(p)
	}
	return out, nil
}

// toDeduction is the converter to the engine's input.
func toDeduction(p Plan) bijstand.Deduction {
	return bijstand.Deduction{ID: p.ID, Kind: p.Kind, Amount: p.Amount, Priority: p.Priority}
}

// validID checks the ids of plans and residents (uuid.New makes them).
var validID = uuid.Valid
