package tenancy

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/plein-nl/plein/platform/tenant"
)

// Status is where a tenant is in its lifecycle.
//
//	onboarding → active ⇄ suspended
//	active | suspended → offboarding → offboarded
type Status string

// The statuses of a tenant.
const (
	StatusOnboarding  Status = "onboarding"
	StatusActive      Status = "active"
	StatusSuspended   Status = "suspended"
	StatusOffboarding Status = "offboarding"
	StatusOffboarded  Status = "offboarded"
)

// transitions are the legal moves, as the database's tenant_events_legal holds them.
var transitions = map[Status][]Status{
	StatusOnboarding:  {StatusActive},
	StatusActive:      {StatusSuspended, StatusOffboarding},
	StatusSuspended:   {StatusActive, StatusOffboarding},
	StatusOffboarding: {StatusOffboarded},
}

// Legal reports whether a tenant may move from one status to another.
func Legal(from, to Status) bool {
	for _, s := range transitions[from] {
		if s == to {
			return true
		}
	}
	return false
}

// Errors of a transition.
var (
	ErrIllegalTransition = errors.New("illegal lifecycle transition")
	ErrReasonRequired    = errors.New("a reason is required (at most 1000 characters)")
)

// Event is one transition of a tenant: who moved it, when and why.
type Event struct {
	Tenant tenant.ID `json:"tenant"`
	Seq    int       `json:"seq"`
	From   Status    `json:"from"`
	To     Status    `json:"to"`
	Actor  string    `json:"actor"`
	Reason string    `json:"reason"`
	At     time.Time `json:"at"`
}

// Transition moves tenant id to status to, recording who did it and why. An illegal
// move (resuming an offboarded tenant, say) is ErrIllegalTransition naming both
// statuses, and changes nothing. The event and the status change commit together: the
// event is the transition (a trigger in the database moves the tenant, and refuses a
// status changed any other way).
func (s *Store) Transition(ctx context.Context, id tenant.ID, to Status, actor, reason string) (Event, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" || len([]rune(reason)) > 1000 {
		return Event{}, fmt.Errorf("tenancy: %s to %s: %w", id, to, ErrReasonRequired)
	}
	if strings.TrimSpace(actor) == "" {
		return Event{}, errors.New("tenancy: a transition needs an actor")
	}
	var ev Event
	err := pgx.BeginFunc(ctx, s.control, func(tx pgx.Tx) error {
		var err error
		ev, err = transitionTx(ctx, tx, id, to, actor, reason)
		return err
	})
	if err != nil {
		return Event{}, fmt.Errorf("tenancy: transition: %w", err)
	}
	return ev, nil
}

// transitionTx is Transition inside tx, whose other writes commit with the event (an
// offboarding's record, say). reason and actor are checked by the caller.
func transitionTx(ctx context.Context, tx pgx.Tx, id tenant.ID, to Status, actor, reason string) (Event, error) {
	var cur string
	err := tx.QueryRow(ctx, `SELECT status FROM tenants WHERE tenant_id = $1 FOR UPDATE`, string(id)).Scan(&cur)
	if errors.Is(err, pgx.ErrNoRows) {
		return Event{}, fmt.Errorf("%w: %s", ErrTenantNotFound, id)
	}
	if err != nil {
		return Event{}, err
	}
	ev := Event{Tenant: id, From: Status(cur), To: to, Actor: actor, Reason: reason}
	if !Legal(ev.From, to) {
		return Event{}, fmt.Errorf("%w: tenant %s is %s and cannot become %s (allowed from %s: %s)",
			ErrIllegalTransition, id, ev.From, to, ev.From, allowed(ev.From))
	}
	err = tx.QueryRow(ctx, `
		INSERT INTO tenant_events (tenant_id, seq, from_status, to_status, actor, reason)
		SELECT $1, coalesce(max(seq), 0) + 1, $2, $3, $4, $5 FROM tenant_events WHERE tenant_id = $1
		RETURNING seq, at`, string(id), string(ev.From), string(to), actor, reason).Scan(&ev.Seq, &ev.At)
	return ev, err
}

func allowed(from Status) string {
	ts := transitions[from]
	if len(ts) == 0 {
		return "none, " + string(from) + " is final"
	}
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = string(t)
	}
	return strings.Join(out, ", ")
}

// Events returns a tenant's lifecycle events, oldest first.
func (s *Store) Events(ctx context.Context, id tenant.ID) ([]Event, error) {
	rows, err := s.control.Query(ctx, `
		SELECT seq, from_status, to_status, actor, reason, at FROM tenant_events
		WHERE tenant_id = $1 ORDER BY seq`, string(id))
	if err != nil {
		return nil, fmt.Errorf("tenancy: events: %w", err)
	}
	evs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Event, error) {
		e := Event{Tenant: id}
		var from, to string
		err := r.Scan(&e.Seq, &from, &to, &e.Actor, &e.Reason, &e.At)
		e.From, e.To = Status(from), Status(to)
		return e, err
	})
	if err != nil {
		return nil, fmt.Errorf("tenancy: events: %w", err)
	}
	return evs, nil
}
