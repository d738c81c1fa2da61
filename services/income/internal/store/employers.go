package store

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/plein-nl/plein/platform/db"
)

// Employer is a row of employers, without its key.
type Employer struct {
	ID   string
	Name string
}

// Consent is a row of employer_consents with the employer's name.
type Consent struct {
	EmployerID   string
	EmployerName string
	GrantedAt    time.Time
	RevokedAt    *time.Time
}

// Employers reads the tenant's employers by name.
func Employers(ctx context.Context, tx pgx.Tx) ([]Employer, error) {
	rows, err := tx.Query(ctx, "SELECT id, name FROM employers ORDER BY name")
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Employer, error) {
		var e Employer
		return e, r.Scan(&e.ID, &e.Name)
	})
}

// EmployerExists reports whether the tenant has employer id.
func EmployerExists(ctx context.Context, tx pgx.Tx, id string) (bool, error) {
	var exists bool
	err := tx.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM employers WHERE id = $1)", id).Scan(&exists)
	return exists, err
}

// EmployerByKey finds the employer whose API key has the SHA-256 sum; pgx.ErrNoRows
// when none has.
func EmployerByKey(ctx context.Context, tx pgx.Tx, sum []byte) (string, error) {
	var id string
	err := tx.QueryRow(ctx, "SELECT id FROM employers WHERE api_key_hash = $1", sum).Scan(&id)
	return id, err
}

// PutEmployer adds employer id, or gives it a new name and key.
func PutEmployer(ctx context.Context, tx pgx.Tx, id, name string, sum []byte) error {
	_, err := tx.Exec(ctx, `INSERT INTO employers (tenant_id, id, name, api_key_hash) VALUES (current_tenant(), $1, $2, $3)
		ON CONFLICT (tenant_id, id) DO UPDATE SET name = EXCLUDED.name, api_key_hash = EXCLUDED.api_key_hash`, id, name, sum)
	return err
}

// Consents reads a resident's consents, newest first.
func Consents(ctx context.Context, tx pgx.Tx, residentID string) ([]Consent, error) {
	rows, err := tx.Query(ctx, `
		SELECT c.employer_id, e.name, c.granted_at, c.revoked_at
		FROM employer_consents c JOIN employers e ON e.tenant_id = c.tenant_id AND e.id = c.employer_id
		WHERE c.resident_id = $1 ORDER BY c.granted_at DESC`, residentID)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Consent, error) {
		var c Consent
		return c, r.Scan(&c.EmployerID, &c.EmployerName, &c.GrantedAt, &c.RevokedAt)
	})
}

// Grant records a resident's consent for an employer at at; granted is false when it
// was there already.
func Grant(ctx context.Context, tx pgx.Tx, residentID, employerID string, at time.Time) (granted bool, err error) {
	tag, err := tx.Exec(ctx, `INSERT INTO employer_consents (tenant_id, resident_id, employer_id, granted_at)
		VALUES (current_tenant(), $1, $2, $3) ON CONFLICT DO NOTHING`, residentID, employerID, at)
	if err != nil {
		return false, db.MapError(err)
	}
	return tag.RowsAffected() > 0, nil
}

// Revoke ends a resident's consent for an employer at at; revoked is false when there
// was none in force.
func Revoke(ctx context.Context, tx pgx.Tx, residentID, employerID string, at time.Time) (revoked bool, err error) {
	tag, err := tx.Exec(ctx, `UPDATE employer_consents SET revoked_at = $3
		WHERE resident_id = $1 AND employer_id = $2 AND revoked_at IS NULL`, residentID, employerID, at)
	if err != nil {
		return false, err
	}
	return tag.RowsAffected() > 0, nil
}

// ErrNoConsent is the store's: no consent in force (the service declares it as its own
// sentinel).
var ErrNoConsent = errors.New("the resident has not given this employer consent")

// ConsentedName is the name of the employer when the resident's consent for it is in
// force; ErrNoConsent otherwise.
func ConsentedName(ctx context.Context, tx pgx.Tx, residentID, employerID string) (string, error) {
	var name string
	err := tx.QueryRow(ctx, `
		SELECT e.name FROM employer_consents c JOIN employers e ON e.tenant_id = c.tenant_id AND e.id = c.employer_id
		WHERE c.resident_id = $1 AND c.employer_id = $2 AND c.revoked_at IS NULL`, residentID, employerID).Scan(&name)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", ErrNoConsent
	}
	return name, err
}
