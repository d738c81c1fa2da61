package debts

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/plein-nl/plein/platform/db"
	"github.com/plein-nl/plein/platform/tenant"
)

// CreditorKeyPrefix starts every creditor partner API key, so that the edge can tell a
// key from an OIDC token and from an employer's key.
const CreditorKeyPrefix = "plein_cred_"

// CreditorSubjectPrefix starts the Subject of a creditor partner's principal:
// "creditor:<creditor id>".
const CreditorSubjectPrefix = "creditor:"

// RegisterCreditorPartner lets creditor creditorID (its id in the tenant's creditor
// register) report arrears in tenant t, and returns its new API key, shown once; only
// its hash is stored. Registering again rotates the key. Whether the creditor is in the
// register is checked again at every report (SubmitSignal).
func RegisterCreditorPartner(ctx context.Context, app *pgxpool.Pool, t tenant.ID, creditorID, name string) (string, error) {
	name = strings.TrimSpace(name)
	if creditorID == "" || len(creditorID) > maxCreditorID || name == "" || utf8.RuneCountInString(name) > maxName {
		return "", fmt.Errorf("debts: register creditor partner: %w: creditor id and name are required", ErrInvalid)
	}
	if !t.Valid() {
		return "", fmt.Errorf("debts: register creditor partner: %w", tenant.ErrInvalidID)
	}
	var raw [32]byte
	_, _ = rand.Read(raw[:])
	key := CreditorKeyPrefix + hex.EncodeToString(raw[:])
	sum := sha256.Sum256([]byte(key))
	err := db.InTenant(tenant.WithID(ctx, t), app, func(ctx context.Context, tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `
			INSERT INTO creditor_partners (tenant_id, creditor_id, name, api_key_hash) VALUES (current_tenant(), $1, $2, $3)
			ON CONFLICT (tenant_id, creditor_id) DO UPDATE SET name = EXCLUDED.name, api_key_hash = EXCLUDED.api_key_hash`,
			creditorID, name, sum[:])
		return err
	})
	if err != nil {
		return "", fmt.Errorf("debts: register creditor partner: %w", err)
	}
	return key, nil
}

// AuthenticateCreditor returns the creditor whose API key this is, in tenant t, or an
// error wrapping ErrUnknownPartner.
func AuthenticateCreditor(ctx context.Context, app *pgxpool.Pool, t tenant.ID, key string) (string, error) {
	if !strings.HasPrefix(key, CreditorKeyPrefix) || !t.Valid() {
		return "", ErrUnknownPartner
	}
	sum := sha256.Sum256([]byte(key))
	var id string
	err := db.InTenant(tenant.WithID(ctx, t), app, func(ctx context.Context, tx pgx.Tx) error {
		return tx.QueryRow(ctx, "SELECT creditor_id FROM creditor_partners WHERE api_key_hash = $1", sum[:]).Scan(&id)
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return "", ErrUnknownPartner
	}
	if err != nil {
		return "", fmt.Errorf("debts: authenticate creditor: %w", err)
	}
	return id, nil
}
