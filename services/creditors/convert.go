package creditors

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/plein-nl/plein/platform/iban"
	"github.com/plein-nl/plein/platform/tenant"
	"github.com/plein-nl/plein/services/creditors/internal/store"
)

// toDomainCreditor is the converter from a row: it compiles the reference pattern.
func toDomainCreditor(r store.Creditor) (Creditor, error) {
	c := Creditor{ID: r.ID, Name: r.Name, Brand: r.Brand, Kind: Kind(r.Kind), IBAN: iban.IBAN(r.IBAN), Example: r.Example,
		Reference:  ReferenceFormat{Name: r.ReferenceName, Pattern: r.ReferencePattern, Hint: r.ReferenceHint, HintEN: r.ReferenceHintEN},
		WebhookURL: r.WebhookURL, CreatedAt: r.CreatedAt}
	// The pattern compiled when it was stored; compiling again cannot fail.
	var err error
	if c.Reference.re, err = compilePattern(c.Reference.Pattern); err != nil {
		return Creditor{}, fmt.Errorf("creditor %s: %w", c.ID, err)
	}
	return c, nil
}

// toDBCreditor is the converter to a row.
func toDBCreditor(c Creditor) store.Creditor {
	return store.Creditor{ID: c.ID, Name: c.Name, Brand: c.Brand, Kind: string(c.Kind), IBAN: string(c.IBAN), Example: c.Example,
		ReferenceName: c.Reference.Name, ReferencePattern: c.Reference.Pattern, ReferenceHint: c.Reference.Hint,
		ReferenceHintEN: c.Reference.HintEN, WebhookURL: c.WebhookURL, CreatedAt: c.CreatedAt}
}

func getOwn(ctx context.Context, tx pgx.Tx, id string) (Creditor, error) {
	r, err := store.Get(ctx, tx, id)
	if err != nil {
		return Creditor{}, err
	}
	return toDomainCreditor(r)
}

func listOwn(ctx context.Context, tx pgx.Tx) ([]Creditor, error) {
	rows, err := store.List(ctx, tx)
	if err != nil {
		return nil, err
	}
	out := make([]Creditor, len(rows))
	for i, r := range rows {
		if out[i], err = toDomainCreditor(r); err != nil {
			return nil, err
		}
	}
	sortByName(out)
	return out, nil
}

func insertOwn(ctx context.Context, tx pgx.Tx, t tenant.ID, c Creditor) error {
	return store.Insert(ctx, tx, t, toDBCreditor(c))
}
