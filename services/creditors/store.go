package creditors

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/plein-nl/plein/platform/db"
	"github.com/plein-nl/plein/platform/iban"
	"github.com/plein-nl/plein/platform/tenant"
)

// The store's SQL runs in a transaction with the tenant set (db.InTenant).

const selectCreditor = `
	SELECT id, name, brand, kind, iban, example, reference_name, reference_pattern, reference_hint,
	       reference_hint_en, COALESCE(webhook_url, ''), created_at
	FROM creditors`

func scanCreditor(row pgx.Row) (Creditor, error) {
	var c Creditor
	var kind, ib string
	err := row.Scan(&c.ID, &c.Name, &c.Brand, &kind, &ib, &c.Example, &c.Reference.Name, &c.Reference.Pattern,
		&c.Reference.Hint, &c.Reference.HintEN, &c.WebhookURL, &c.CreatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return Creditor{}, ErrNotFound
	}
	if err != nil {
		return Creditor{}, fmt.Errorf("read creditor: %w", err)
	}
	c.Kind, c.IBAN = Kind(kind), iban.IBAN(ib)
	// The pattern compiled when it was stored; compiling again cannot fail.
	if c.Reference.re, err = compilePattern(c.Reference.Pattern); err != nil {
		return Creditor{}, fmt.Errorf("creditor %s: %w", c.ID, err)
	}
	return c, nil
}

func getOwn(ctx context.Context, tx pgx.Tx, id string) (Creditor, error) {
	return scanCreditor(tx.QueryRow(ctx, selectCreditor+" WHERE id = $1", id))
}

func listOwn(ctx context.Context, tx pgx.Tx) ([]Creditor, error) {
	rows, err := tx.Query(ctx, selectCreditor)
	if err != nil {
		return nil, fmt.Errorf("list creditors: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Creditor, error) { return scanCreditor(r) })
	if err != nil {
		return nil, err
	}
	sortByName(out)
	return out, nil
}

func insertOwn(ctx context.Context, tx pgx.Tx, t tenant.ID, c Creditor) error {
	var hook *string
	if c.WebhookURL != "" {
		hook = &c.WebhookURL
	}
	_, err := tx.Exec(ctx, `
		INSERT INTO creditors (tenant_id, id, name, brand, kind, iban, example, reference_name, reference_pattern,
			reference_hint, reference_hint_en, webhook_url, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		string(t), c.ID, c.Name, c.Brand, string(c.Kind), string(c.IBAN), c.Example, c.Reference.Name,
		c.Reference.Pattern, c.Reference.Hint, c.Reference.HintEN, hook, c.CreatedAt)
	if err != nil {
		err = db.MapError(err)
		if errors.Is(err, db.ErrUniqueViolation) {
			return ErrDuplicate
		}
		return fmt.Errorf("write creditor: %w", err)
	}
	return nil
}
