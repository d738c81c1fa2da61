package debts

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/plein-nl/plein/platform/audit"
	"github.com/plein-nl/plein/platform/authz"
	"github.com/plein-nl/plein/platform/bsn"
	"github.com/plein-nl/plein/platform/money"
	"github.com/plein-nl/plein/platform/observe"
	"github.com/plein-nl/plein/platform/tenant"
)

const selectSignal = `
	SELECT id, creditor_id, creditor_reference, coalesce(resident_id, ''), contact_name, coalesce(contact_address, ''),
	       coalesce(contact_phone, ''), amount_cents, days_in_arrears, threat, reported_at, received_at, deadline,
	       first_contact_at, coalesce(contacted_by, ''), status
	FROM signals`

func scanSignal(row pgx.Row) (Signal, error) {
	var s Signal
	var name *string
	var addr, phone, threat, status string
	err := row.Scan(&s.ID, &s.CreditorID, &s.Reference, &s.ResidentID, &name, &addr, &phone, &s.Amount,
		&s.DaysInArrears, &threat, &s.ReportedAt, &s.ReceivedAt, &s.Deadline, &s.FirstContactAt, &s.ContactedBy, &status)
	if errors.Is(err, pgx.ErrNoRows) {
		return Signal{}, ErrNotFound
	}
	if err != nil {
		return Signal{}, fmt.Errorf("read signal: %w", err)
	}
	if name != nil {
		s.Contact = &Contact{Name: *name, Address: addr, Phone: phone}
	}
	s.Threat, s.Status = Threat(threat), SignalStatus(status)
	return s, nil
}

func (s *service) SubmitSignal(ctx context.Context, t tenant.ID, creditorID string, ns NewSignal) (Signal, bool, error) {
	now := s.cfg.Now()
	v := &validator{}
	sig, b := v.newSignal(ns, now)
	if err := v.err(); err != nil {
		return Signal{}, false, err
	}
	if err := s.checkCreditor(ctx, t, "creditor_id", creditorID); err != nil {
		return Signal{}, false, err
	}
	// A repeat is answered before the BSN is looked up: a creditor's retry does not
	// read the resident again.
	if got, err := s.repeatSignal(ctx, t, creditorID, sig, now); !errors.Is(err, ErrNotFound) {
		return got, false, err
	}
	residentID, err := s.match(ctx, t, creditorID, b)
	if err != nil {
		return Signal{}, false, err
	}
	sig.ID, sig.CreditorID, sig.ResidentID, sig.Status = newID(), creditorID, residentID, SignalNew
	sig.ReceivedAt = now.UTC()
	sig.Deadline = ContactDeadline(s.dateIn(now), sig.Threat)
	if residentID != "" {
		sig.Contact = nil // the resident's own data says how to reach them
	}
	inserted := false
	err = s.in(ctx, t, func(ctx context.Context, tx pgx.Tx) error {
		var name, addr, phone *string
		if c := sig.Contact; c != nil {
			name, addr, phone = &c.Name, nullIfEmpty(c.Address), nullIfEmpty(c.Phone)
		}
		tag, err := tx.Exec(ctx, `
			INSERT INTO signals (tenant_id, id, creditor_id, creditor_reference, resident_id, contact_name, contact_address,
				contact_phone, amount_cents, days_in_arrears, threat, reported_at, received_at, deadline, status, updated_at)
			VALUES (current_tenant(), $1, $2, $3, NULLIF($4, ''), $5, $6, $7, $8, $9, $10, $11, $12, $13, 'new', $12)
			ON CONFLICT ON CONSTRAINT signals_creditor_reference_key DO NOTHING`,
			sig.ID, sig.CreditorID, sig.Reference, sig.ResidentID, name, addr, phone, sig.Amount, sig.DaysInArrears,
			string(sig.Threat), sig.ReportedAt, sig.ReceivedAt, sig.Deadline)
		if err != nil {
			return mapError(err)
		}
		if tag.RowsAffected() == 0 {
			return nil // a concurrent report of the same reference came first
		}
		inserted = true
		if residentID != "" {
			if err := registerSignalDebt(ctx, tx, sig, now); err != nil {
				return err
			}
		}
		return s.auditSignal(ctx, tx, creditorID, "signal.submit", sig.ID)
	})
	if err != nil {
		return Signal{}, false, fmt.Errorf("debts: signal: %w", err)
	}
	if !inserted {
		got, err := s.repeatSignal(ctx, t, creditorID, sig, now)
		return got, false, err
	}
	return sig, true, nil
}

// match finds the resident of b; "" when the BSN belongs to no resident of t.
func (s *service) match(ctx context.Context, t tenant.ID, creditorID string, b bsn.BSN) (string, error) {
	id, _, err := s.cfg.Finder.FindResidentID(ctx, t, b.Reveal(), "vroegsignalering van schuldeiser "+creditorID)
	switch {
	case errors.Is(err, ErrResidentNotFound):
		return "", nil
	case err != nil:
		return "", fmt.Errorf("debts: signal: match resident: %w", err)
	}
	return id, nil
}

// repeatSignal handles a report of a reference the creditor reported before: it
// returns the stored signal, after applying a changed amount or number of days
// (recorded in signal_amount_changes) and a threat that became urgent (which can only
// bring the deadline forward). ErrNotFound when the reference is new; the stored
// signal and ErrDuplicateSignal when the report repeats it without a change (safe to
// retry: nothing changes).
func (s *service) repeatSignal(ctx context.Context, t tenant.ID, creditorID string, in Signal, now time.Time) (Signal, error) {
	var out Signal
	err := s.in(ctx, t, func(ctx context.Context, tx pgx.Tx) error {
		cur, err := scanSignal(tx.QueryRow(ctx, selectSignal+" WHERE creditor_id = $1 AND creditor_reference = $2 FOR UPDATE",
			creditorID, in.Reference))
		if err != nil {
			return err
		}
		out = cur
		changed := false
		if in.Amount != cur.Amount || in.DaysInArrears != cur.DaysInArrears {
			if _, err := tx.Exec(ctx, `
				INSERT INTO signal_amount_changes (tenant_id, signal_id, changed_at, old_cents, new_cents, days_in_arrears)
				VALUES (current_tenant(), $1, $2, $3, $4, $5)`,
				cur.ID, now.UTC(), cur.Amount, in.Amount, in.DaysInArrears); err != nil {
				return mapError(err)
			}
			out.Amount, out.DaysInArrears, changed = in.Amount, in.DaysInArrears, true
			if cur.ResidentID != "" {
				// The register follows the creditor's latest figure while the debt is open.
				if _, err := tx.Exec(ctx, `
					UPDATE debts SET balance_cents = $4, claim_cents = GREATEST(claim_cents, $4), version = version + 1, updated_at = $5
					WHERE resident_id = $1 AND creditor_id = $2 AND reference = $3 AND source = 'signal' AND status = 'open'`,
					cur.ResidentID, creditorID, cur.Reference, in.Amount, now.UTC()); err != nil {
					return mapError(err)
				}
			}
		}
		if in.Threat.Urgent() && !cur.Threat.Urgent() {
			out.Threat, changed = in.Threat, true
			if d := ContactDeadline(s.dateIn(now), in.Threat); d.Before(cur.Deadline) {
				out.Deadline = d
			}
		}
		if !changed {
			return ErrDuplicateSignal
		}
		if _, err := tx.Exec(ctx, `
			UPDATE signals SET amount_cents = $2, days_in_arrears = $3, threat = $4, deadline = $5, updated_at = $6 WHERE id = $1`,
			cur.ID, out.Amount, out.DaysInArrears, string(out.Threat), out.Deadline, now.UTC()); err != nil {
			return mapError(err)
		}
		return s.auditSignal(ctx, tx, creditorID, "signal.update", cur.ID)
	})
	if err != nil {
		if errors.Is(err, ErrNotFound) {
			return Signal{}, err
		}
		if errors.Is(err, ErrDuplicateSignal) {
			// Nothing changed; the caller learns which signal it repeats.
			return out, fmt.Errorf("debts: signal %s: %w", out.ID, err)
		}
		return Signal{}, fmt.Errorf("debts: signal: %w", err)
	}
	return out, nil
}

// registerSignalDebt puts a matched signal's arrears in the resident's debt register,
// unless the creditor's reference is there already.
func registerSignalDebt(ctx context.Context, tx pgx.Tx, sig Signal, now time.Time) error {
	_, err := insertDebt(ctx, tx, Debt{ID: newID(), ResidentID: sig.ResidentID, CreditorID: sig.CreditorID,
		Reference: sig.Reference, Claim: sig.Amount, Balance: sig.Amount, Status: DebtOpen, Source: SourceSignal,
		Version: 1, CreatedAt: now.UTC(), UpdatedAt: now.UTC()}, true)
	return err
}

func (s *service) auditSignal(ctx context.Context, tx pgx.Tx, creditorID, action, signalID string) error {
	p := authz.PrincipalFrom(ctx)
	actor, role := p.Subject, p.RoleList()
	if actor == "" || role == "" {
		actor, role = "creditor:"+creditorID, string(authz.RoleCreditor)
	}
	return audit.Record(ctx, tx, audit.Entry{Actor: actor, Role: role, Action: action, ObjectType: auditObjectSignal,
		ObjectID: signalID, Purpose: "vroegsignalering", RequestID: observe.RequestID(ctx)})
}

func (s *service) Queue(ctx context.Context, t tenant.ID, now time.Time) ([]QueueItem, error) {
	if now.IsZero() {
		now = s.cfg.Now()
	}
	today := s.dateIn(now)
	var items []QueueItem
	err := s.in(ctx, t, func(ctx context.Context, tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `
			SELECT 'signal', id, coalesce(resident_id, ''), coalesce(contact_name, ''), creditor_id, amount_cents, threat,
			       received_at, deadline, first_contact_at, status, ''
			FROM signals WHERE status IN ('new', 'contacted')
			UNION ALL
			SELECT r.kind, r.id, coalesce(r.resident_id, ''), coalesce(s.contact_name, ''), coalesce(r.creditor_id, s.creditor_id, ''),
			       coalesce(r.amount_cents, s.amount_cents, 0), r.threat, r.received_at, r.deadline, r.first_contact_at, r.status, r.note
			FROM schuldhulp_requests r
			LEFT JOIN signals s ON s.tenant_id = r.tenant_id AND s.id = r.signal_id
			WHERE r.status IN ('open', 'contacted')`)
		if err != nil {
			return err
		}
		items, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (QueueItem, error) {
			var it QueueItem
			var kind, threat string
			err := r.Scan(&kind, &it.ID, &it.ResidentID, &it.ContactName, &it.CreditorID, &it.Amount, &threat,
				&it.ReceivedAt, &it.Deadline, &it.FirstContactAt, &it.Status, &it.Note)
			it.Kind, it.Threat = ItemKind(kind), Threat(threat)
			return it, err
		})
		if err != nil {
			return err
		}
		return s.auditQueue(ctx, tx)
	})
	if err != nil {
		return nil, fmt.Errorf("debts: queue: %w", err)
	}
	for i := range items {
		it := &items[i]
		switch {
		case it.FirstContactAt == nil:
			it.Step = StepFirstContact
		case it.Kind == KindSignal:
			// Reached; waiting for the person's answer. The deadline was met.
			it.Step = StepAnswer
		default:
			it.Step = StepPlan
			it.Deadline = PlanDeadline(s.dateIn(*it.FirstContactAt))
		}
		it.DaysLeft = int(it.Deadline.Sub(today).Hours() / 24)
		it.Overdue = it.Step != StepAnswer && today.After(it.Deadline)
	}
	slices.SortFunc(items, func(a, b QueueItem) int {
		if a.Overdue != b.Overdue {
			if a.Overdue {
				return -1
			}
			return 1
		}
		return cmp.Or(a.Deadline.Compare(b.Deadline), a.ReceivedAt.Compare(b.ReceivedAt), strings.Compare(a.ID, b.ID))
	})
	return items, nil
}

// auditQueue records that the work queue, which names residents, was read.
func (s *service) auditQueue(ctx context.Context, tx pgx.Tx) error {
	p := authz.PrincipalFrom(ctx)
	if p.Subject == "" {
		return authz.ErrUnauthenticated
	}
	return audit.Record(ctx, tx, audit.Entry{Actor: p.Subject, Role: p.RoleList(), Action: "schuldhulp.queue.read",
		ObjectType: "schuldhulp-queue", Purpose: "werkvoorraad schuldhulpverlening", RequestID: observe.RequestID(ctx)})
}

func (s *service) RecordContact(ctx context.Context, t tenant.ID, itemID string, at time.Time, by string) error {
	now := s.cfg.Now()
	if at.IsZero() {
		at = now
	}
	v := &validator{}
	switch {
	case at.After(now.Add(5 * time.Minute)):
		v.add("at", "the contact cannot be in the future", "Het contact kan niet in de toekomst liggen.")
	case at.Year() < 2000:
		v.add("at", "is before the year 2000", "Deze datum ligt te ver terug.")
	}
	by = v.line("by", by, 200, true)
	if err := v.err(); err != nil {
		return err
	}
	if !validID(itemID) {
		return fmt.Errorf("debts: contact: %w", ErrNotFound)
	}
	err := s.in(ctx, t, func(ctx context.Context, tx pgx.Tx) error {
		// A second contact keeps the first: the deadline is about the first.
		tag, err := tx.Exec(ctx, `
			UPDATE signals SET first_contact_at = coalesce(first_contact_at, $2), contacted_by = coalesce(contacted_by, $3),
				status = CASE WHEN status = 'new' THEN 'contacted' ELSE status END, updated_at = $4
			WHERE id = $1`, itemID, at.UTC(), by, now.UTC())
		if err != nil || tag.RowsAffected() == 1 {
			return err
		}
		tag, err = tx.Exec(ctx, `
			UPDATE schuldhulp_requests SET first_contact_at = coalesce(first_contact_at, $2), contacted_by = coalesce(contacted_by, $3),
				status = CASE WHEN status = 'open' THEN 'contacted' ELSE status END, updated_at = $4
			WHERE id = $1`, itemID, at.UTC(), by, now.UTC())
		if err == nil && tag.RowsAffected() == 0 {
			return ErrNotFound
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("debts: contact: %w", err)
	}
	return nil
}

// onSignal runs fn in a transaction of tenant t on the signal signalID, locked for
// update: the staff's acts on a signal (accept, decline, link) each decide on its
// current status, which a concurrent act must not change in between.
func (s *service) onSignal(ctx context.Context, t tenant.ID, signalID string, fn func(context.Context, pgx.Tx, Signal) error) error {
	return s.in(ctx, t, func(ctx context.Context, tx pgx.Tx) error {
		sig, err := scanSignal(tx.QueryRow(ctx, selectSignal+" WHERE id = $1 FOR UPDATE", signalID))
		if err != nil {
			return err
		}
		return fn(ctx, tx, sig)
	})
}

func (s *service) AcceptHelp(ctx context.Context, t tenant.ID, signalID string) (string, error) {
	if !validID(signalID) {
		return "", fmt.Errorf("debts: accept help: %w", ErrNotFound)
	}
	now := s.cfg.Now()
	by := authz.PrincipalFrom(ctx).Subject
	if by == "" {
		by = "system"
	}
	var id string
	err := s.onSignal(ctx, t, signalID, func(ctx context.Context, tx pgx.Tx, sig Signal) error {
		key := "signal:" + sig.ID
		switch sig.Status {
		case SignalDeclined, SignalClosed:
			return fmt.Errorf("%w: the signal is %s", ErrConflict, sig.Status)
		case SignalNew, SignalContacted:
			// Accepting is a contact too, if none was recorded.
			if _, err := tx.Exec(ctx, `
				UPDATE signals SET status = 'accepted', first_contact_at = coalesce(first_contact_at, $2),
					contacted_by = coalesce(contacted_by, $3), updated_at = $2
				WHERE id = $1`, sig.ID, now.UTC(), by); err != nil {
				return err
			}
			// Wgs art. 4: an accepted offer starts the first conversation's term.
			if _, err := tx.Exec(ctx, `
				INSERT INTO schuldhulp_requests (tenant_id, id, kind, source, resident_id, signal_id, dedup_key, threat,
					received_at, deadline, updated_at)
				VALUES (current_tenant(), $1, 'aanmelding', 'signal', NULLIF($2, ''), $3, $4, $5, $6, $7, $6)
				ON CONFLICT ON CONSTRAINT schuldhulp_requests_dedup_key DO NOTHING`,
				newID(), sig.ResidentID, sig.ID, key, string(sig.Threat), now.UTC(),
				ContactDeadline(s.dateIn(now), sig.Threat)); err != nil {
				return mapError(err)
			}
		}
		return tx.QueryRow(ctx, "SELECT id FROM schuldhulp_requests WHERE dedup_key = $1", key).Scan(&id)
	})
	if err != nil {
		return "", fmt.Errorf("debts: accept help: %w", err)
	}
	return id, nil
}

func (s *service) DeclineHelp(ctx context.Context, t tenant.ID, signalID string) error {
	if !validID(signalID) {
		return fmt.Errorf("debts: decline help: %w", ErrNotFound)
	}
	now := s.cfg.Now()
	err := s.onSignal(ctx, t, signalID, func(ctx context.Context, tx pgx.Tx, sig Signal) error {
		switch sig.Status {
		case SignalDeclined:
			return nil
		case SignalAccepted, SignalClosed:
			return fmt.Errorf("%w: the signal is %s", ErrConflict, sig.Status)
		}
		_, err := tx.Exec(ctx, "UPDATE signals SET status = 'declined', updated_at = $2 WHERE id = $1", sig.ID, now.UTC())
		return err
	})
	if err != nil {
		return fmt.Errorf("debts: decline help: %w", err)
	}
	return nil
}

func (s *service) LinkSignal(ctx context.Context, t tenant.ID, signalID, residentID string) error {
	if !validID(signalID) {
		return fmt.Errorf("debts: link signal: %w", ErrNotFound)
	}
	if !validID(residentID) {
		return invalidField("resident_id", "no such resident", "Deze inwoner bestaat niet.")
	}
	now := s.cfg.Now()
	err := s.onSignal(ctx, t, signalID, func(ctx context.Context, tx pgx.Tx, sig Signal) error {
		switch sig.ResidentID {
		case residentID:
			return nil
		case "":
		default:
			return fmt.Errorf("%w: the signal is matched to another resident", ErrConflict)
		}
		// The contact details were kept only to reach an unknown person: dropped now.
		if _, err := tx.Exec(ctx, `
			UPDATE signals SET resident_id = $2, contact_name = NULL, contact_address = NULL, contact_phone = NULL, updated_at = $3
			WHERE id = $1`, sig.ID, residentID, now.UTC()); err != nil {
			if errors.Is(mapError(err), ErrResidentNotFound) {
				return invalidField("resident_id", "no such resident", "Deze inwoner bestaat niet.")
			}
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE schuldhulp_requests SET resident_id = $2, updated_at = $3 WHERE signal_id = $1",
			sig.ID, residentID, now.UTC()); err != nil {
			return err
		}
		sig.ResidentID = residentID
		return registerSignalDebt(ctx, tx, sig, now)
	})
	if err != nil {
		return fmt.Errorf("debts: link signal: %w", err)
	}
	return nil
}

func (s *service) Request(ctx context.Context, t tenant.ID, nr NewRequest) (QueueItem, error) {
	v := &validator{}
	threat := v.threat("threat", nr.Threat, false)
	note := v.text("note", nr.Note, maxNote, false)
	src := nr.Source
	switch src {
	case "":
		src = "consulent"
	case "resident", "consulent":
	default:
		v.add("source", "must be resident or consulent", "Kies wie de aanmelding doet: de inwoner (resident) of de consulent (consulent).")
	}
	if !validID(nr.ResidentID) {
		v.add("resident_id", "no such resident", "Deze inwoner bestaat niet.")
	}
	if err := v.err(); err != nil {
		return QueueItem{}, err
	}
	now := s.cfg.Now()
	it := QueueItem{Kind: KindAanmelding, ID: newID(), Step: StepFirstContact, ResidentID: nr.ResidentID, Threat: threat,
		ReceivedAt: now.UTC(), Deadline: ContactDeadline(s.dateIn(now), threat), Status: "open", Note: note}
	it.DaysLeft = int(it.Deadline.Sub(s.dateIn(now)).Hours() / 24)
	err := s.in(ctx, t, func(ctx context.Context, tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `
			INSERT INTO schuldhulp_requests (tenant_id, id, kind, source, resident_id, threat, note, received_at, deadline, updated_at)
			VALUES (current_tenant(), $1, 'aanmelding', $2, $3, $4, $5, $6, $7, $6)`,
			it.ID, src, it.ResidentID, string(threat), note, it.ReceivedAt, it.Deadline)
		if errors.Is(mapError(err), ErrResidentNotFound) {
			return invalidField("resident_id", "no such resident", "Deze inwoner bestaat niet.")
		}
		return err
	})
	if err != nil {
		return QueueItem{}, fmt.Errorf("debts: request: %w", err)
	}
	return it, nil
}

func (s *service) Shortfall(ctx context.Context, t tenant.ID, residentID, planID, creditorID, period string, shortfall money.Cents) error {
	v := &validator{}
	if !validID(residentID) {
		v.add("resident_id", "no such resident", "Deze inwoner bestaat niet.")
	}
	planID = v.line("plan_id", planID, 100, true)
	creditorID = v.creditorID("creditor_id", creditorID)
	p, err := time.Parse("2006-01", period)
	if err != nil {
		v.add("period", "must be a month YYYY-MM", "Vul een maand in, zoals 2026-04.")
	}
	amount := v.amount("shortfall_cents", int64(shortfall))
	if err := v.err(); err != nil {
		return err
	}
	now := s.cfg.Now()
	note := fmt.Sprintf("Vaste last kon niet worden betaald: %s tekort in %s (betaalplan %s).",
		amount, dutchMonth(p), planID)
	err = s.in(ctx, t, func(ctx context.Context, tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `
			INSERT INTO schuldhulp_requests (tenant_id, id, kind, source, resident_id, creditor_id, amount_cents, dedup_key,
				threat, note, received_at, deadline, updated_at)
			VALUES (current_tenant(), $1, 'shortfall', 'paymentplan', $2, $3, $4, $5, 'none', $6, $7, $8, $7)
			ON CONFLICT ON CONSTRAINT schuldhulp_requests_dedup_key DO NOTHING`,
			newID(), residentID, creditorID, amount, "shortfall:"+planID+":"+period, note, now.UTC(),
			ContactDeadline(s.dateIn(now), ThreatNone))
		return mapError(err)
	})
	if err != nil {
		return fmt.Errorf("debts: shortfall: %w", err)
	}
	return nil
}

var dutchMonths = [...]string{"januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
	"september", "oktober", "november", "december"}

func dutchMonth(p time.Time) string { return fmt.Sprintf("%s %d", dutchMonths[p.Month()-1], p.Year()) }

func nullIfEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
