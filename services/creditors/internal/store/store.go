// Package store is the creditors service's SQL: a tenant's own creditors as the
// creditors table holds them, read and written in a transaction with the tenant set
// (db.InTenant). The national catalogue is not in the database.
package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/plein-nl/plein/platform/db"
	"github.com/plein-nl/plein/platform/tenant"
)

// Errors the store finds in the database; the service declares them as its own
// sentinels (creditors.ErrNotFound is ErrNotFound).
var (
	ErrNotFound  = errors.New("creditor not found")
	ErrDuplicate = errors.New("the tenant already has a creditor with this name")
)

// Creditor is a row of creditors.
type Creditor struct {
	ID, Name, Brand, Kind, IBAN string
	Example                     bool
	ReferenceName               string
	ReferencePattern            string
	ReferenceHint               string
	ReferenceHintEN             string
	WebhookURL                  string // "" is stored as NULL
	CreatedAt                   time.Time
}

const selectCreditor = `
	SELECT id, name, brand, kind, iban, example, reference_name, reference_pattern, reference_hint,
	       reference_hint_en, COALESCE(webhook_url, ''), created_at
	FROM creditors`

func scan(row pgx.Row) (Creditor, error) {
	var c Creditor
	err := row.Scan(&c.ID, &c.Name, &c.Brand, &c.Kind, &c.IBAN, &c.Example, &c.ReferenceName, &c.ReferencePattern,
		&c.ReferenceHint, &c.ReferenceHintEN, &c.WebhookURL, &c.CreatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return Creditor{}, ErrNotFound
	}
	if err != nil {
		return Creditor{}, fmt.Errorf("read creditor: %w", err)
	}
	return c, nil
}

// Get reads the tenant's creditor id.
func Get(ctx context.Context, tx pgx.Tx, id string) (Creditor, error) {
	return scan(tx.QueryRow(ctx, selectCreditor+" WHERE id = $1", id))
}

// List reads all the tenant's creditors, in no order.
func List(ctx context.Context, tx pgx.Tx) ([]Creditor, error) {
	rows, err := tx.Query(ctx, selectCreditor)
	if err != nil {
		return nil, fmt.Errorf("list creditors: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Creditor, error) { return scan(r) })
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Insert writes a creditor of t; a name the tenant has already is ErrDuplicate.
func Insert(ctx context.Context, tx pgx.Tx, t tenant.ID, c Creditor) error {
	var hook *string
	if c.WebhookURL != "" {
		hook = &c.WebhookURL
	}
	_, err := tx.Exec(ctx, `
		INSERT INTO creditors (tenant_id, id, name, brand, kind, iban, example, reference_name, reference_pattern,
			reference_hint, reference_hint_en, webhook_url, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		string(t), c.ID, c.Name, c.Brand, c.Kind, c.IBAN, c.Example, c.ReferenceName,
		c.ReferencePattern, c.ReferenceHint, c.ReferenceHintEN, hook, c.CreatedAt)
	if err != nil {
		err = db.MapError(err)
		if errors.Is(err, db.ErrUniqueViolation) {
			return ErrDuplicate
		}
		return fmt.Errorf("write creditor: %w", err)
	}
	return nil
}
