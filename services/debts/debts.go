package debts

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/plein-nl/plein/platform/audit"
	"github.com/plein-nl/plein/platform/authz"
	"github.com/plein-nl/plein/platform/db"
	"github.com/plein-nl/plein/platform/observe"
	"github.com/plein-nl/plein/platform/tenant"
	"github.com/plein-nl/plein/platform/uuid"
)

// Audit vocabulary of this service.
const (
	auditObjectResident = "resident"
	auditObjectSignal   = "signal"
)

const selectDebt = `
	SELECT id, resident_id, creditor_id, reference, claim_cents, balance_cents, preferent, status, source,
	       version, created_at, updated_at
	FROM debts`

func scanDebt(row pgx.Row) (Debt, error) {
	var d Debt
	var status, source string
	err := row.Scan(&d.ID, &d.ResidentID, &d.CreditorID, &d.Reference, &d.Claim, &d.Balance, &d.Preferent,
		&status, &source, &d.Version, &d.CreatedAt, &d.UpdatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return Debt{}, ErrNotFound
	}
	d.Status, d.Source = DebtStatus(status), Source(source)
	return d, err
}

func debtsOf(ctx context.Context, tx pgx.Tx, residentID string) ([]Debt, error) {
	rows, err := tx.Query(ctx, selectDebt+" WHERE resident_id = $1 ORDER BY created_at, id", residentID)
	if err != nil {
		return nil, fmt.Errorf("read debts: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Debt, error) { return scanDebt(r) })
	if err != nil {
		return nil, fmt.Errorf("read debts: %w", err)
	}
	return out, nil
}

func (s *service) Debts(ctx context.Context, t tenant.ID, residentID, purpose string) ([]Debt, error) {
	return audited(ctx, s, t, residentID, purpose, "debt.read", "list", func(ctx context.Context, tx pgx.Tx) ([]Debt, error) {
		return debtsOf(ctx, tx, residentID)
	})
}

func (s *service) CreateDebt(ctx context.Context, t tenant.ID, residentID string, nd NewDebt) (Debt, error) {
	v := &validator{}
	d := v.newDebt(nd)
	if err := v.err(); err != nil {
		return Debt{}, err
	}
	if !validID(residentID) {
		return Debt{}, fmt.Errorf("debts: create: %w", ErrResidentNotFound)
	}
	if err := s.checkCreditor(ctx, t, "creditor_id", d.CreditorID); err != nil {
		return Debt{}, err
	}
	d.ID, d.ResidentID, d.Version = newID(), residentID, 1
	d.CreatedAt = s.cfg.Now().UTC()
	d.UpdatedAt = d.CreatedAt
	err := s.in(ctx, t, func(ctx context.Context, tx pgx.Tx) error {
		_, err := insertDebt(ctx, tx, d, false)
		return err
	})
	if err != nil {
		return Debt{}, fmt.Errorf("debts: create: %w", err)
	}
	return d, nil
}

// insertDebt writes d; with ignoreDuplicate a debt already registered under the
// creditor and reference is left as it is (inserted false).
func insertDebt(ctx context.Context, tx pgx.Tx, d Debt, ignoreDuplicate bool) (inserted bool, err error) {
	q := `
		INSERT INTO debts (tenant_id, id, resident_id, creditor_id, reference, claim_cents, balance_cents, preferent,
			status, source, version, created_at, updated_at)
		VALUES (current_tenant(), $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`
	if ignoreDuplicate {
		q += " ON CONFLICT ON CONSTRAINT debts_creditor_reference_key DO NOTHING"
	}
	tag, err := tx.Exec(ctx, q, d.ID, d.ResidentID, d.CreditorID, d.Reference, d.Claim, d.Balance, d.Preferent,
		string(d.Status), string(d.Source), d.Version, d.CreatedAt, d.UpdatedAt)
	if err != nil {
		return false, mapError(err)
	}
	return tag.RowsAffected() == 1, nil
}

func (s *service) UpdateDebt(ctx context.Context, t tenant.ID, residentID, debtID string, expectedVersion int, ch DebtChanges) (Debt, error) {
	v := &validator{}
	apply := v.debtChanges(ch)
	if err := v.err(); err != nil {
		return Debt{}, err
	}
	if !validID(debtID) {
		return Debt{}, fmt.Errorf("debts: update: %w", ErrNotFound)
	}
	var d Debt
	err := s.in(ctx, t, func(ctx context.Context, tx pgx.Tx) error {
		cur, err := scanDebt(tx.QueryRow(ctx, selectDebt+" WHERE id = $1 AND resident_id = $2 FOR UPDATE", debtID, residentID))
		if err != nil {
			return err
		}
		if cur.Version != expectedVersion {
			return fmt.Errorf("%w: at version %d, not %d", ErrVersionConflict, cur.Version, expectedVersion)
		}
		if cur.Status == DebtInRegeling && ch.Status != nil {
			return fmt.Errorf("%w: the debt is in a schuldregeling; its status follows the traject", ErrConflict)
		}
		d = cur
		apply(&d)
		d.Version++
		d.UpdatedAt = s.cfg.Now().UTC()
		_, err = tx.Exec(ctx, `
			UPDATE debts SET claim_cents = $2, balance_cents = $3, preferent = $4, status = $5, version = $6, updated_at = $7
			WHERE id = $1`, d.ID, d.Claim, d.Balance, d.Preferent, string(d.Status), d.Version, d.UpdatedAt)
		return mapError(err)
	})
	if err != nil {
		return Debt{}, fmt.Errorf("debts: update: %w", err)
	}
	return d, nil
}

// checkCreditor asks the creditor register whether creditorID exists; an unknown one
// is a *httpapi.ValidationError naming field.
func (s *service) checkCreditor(ctx context.Context, t tenant.ID, field, creditorID string) error {
	_, err := s.cfg.Creditors.CreditorName(ctx, t, creditorID)
	if errors.Is(err, ErrUnknownCreditor) {
		return unknownCreditor(field)
	}
	if err != nil {
		return fmt.Errorf("debts: creditor register: %w", err)
	}
	return nil
}

// audited runs read for a staff principal and records, in the same transaction, who
// read the resident's data for which purpose: no record, no data. An error comes
// wrapped with op, the method's name in messages.
func audited[T any](ctx context.Context, s *service, t tenant.ID, residentID, purpose, action, op string,
	read func(ctx context.Context, tx pgx.Tx) (T, error)) (T, error) {
	var out T
	purpose, err := checkPurpose(purpose)
	p := authz.PrincipalFrom(ctx)
	if err == nil && (p.Subject == "" || len(p.Roles) == 0) {
		err = authz.ErrUnauthenticated // there is no one to record as the reader
	}
	if err == nil {
		err = s.in(ctx, t, func(ctx context.Context, tx pgx.Tx) error {
			got, err := read(ctx, tx)
			if err != nil {
				return err
			}
			out = got
			return audit.Record(ctx, tx, audit.Entry{Actor: p.Subject, Role: p.RoleList(), Action: action,
				ObjectType: auditObjectResident, ObjectID: residentID, Purpose: purpose, RequestID: observe.RequestID(ctx)})
		})
	}
	if err != nil {
		var zero T
		return zero, fmt.Errorf("debts: %s: %w", op, err)
	}
	return out, nil
}

// mapError maps the constraint violations a caller can cause to sentinels.
func mapError(err error) error {
	if err == nil {
		return nil
	}
	err = db.MapError(err)
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch {
		case pgErr.ConstraintName == "debts_creditor_reference_key":
			return ErrDuplicateDebt
		case pgErr.Code == "23503" && strings.Contains(pgErr.ConstraintName, "resident"):
			return ErrResidentNotFound
		}
	}
	return err
}

// newID and validID make and check the ids of debts, signals, plans and trajecten.
var (
	newID   = uuid.New
	validID = uuid.Valid
)
