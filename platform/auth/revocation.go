package auth

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/plein-nl/plein/platform/db"
	"github.com/plein-nl/plein/platform/tenant"
)

// RevocationStore is the Revocations of an application: table
// session_revocations, read and written in one transaction per call that is
// bound to the session's tenant, so row-level security keeps each gemeente's
// revocations to itself. It is safe for concurrent use.
type RevocationStore struct {
	db  db.Beginner
	now func() time.Time
}

// NewRevocationStore returns a RevocationStore on b, normally the plein_app
// pool. now is the clock that decides which records have expired; give it the
// clock of the Sessions, so that a record is never forgotten while its cookie
// is still accepted.
func NewRevocationStore(b db.Beginner, now func() time.Time) *RevocationStore {
	return &RevocationStore{db: b, now: now}
}

// Revoke records that session sessionID of tenant t has ended, until its expiry
// until. It also forgets the tenant's records whose sessions have expired
// since: a logout is rare enough to carry that cleaning, and frequent enough to
// keep the table small.
func (s *RevocationStore) Revoke(ctx context.Context, t tenant.ID, sessionID string, until time.Time) error {
	if !t.Valid() {
		return fmt.Errorf("auth: revoke session: %w", tenant.ErrInvalidID)
	}
	now := s.now()
	err := db.InTenant(tenant.WithID(ctx, t), s.db, func(ctx context.Context, tx pgx.Tx) error {
		// The cleaning comes first, so that the record made next stays even
		// when until has already passed by a skewed clock.
		if _, err := tx.Exec(ctx, `DELETE FROM session_revocations WHERE tenant_id = $1 AND expires_at < $2`,
			string(t), now); err != nil {
			return fmt.Errorf("forget expired: %w", err)
		}
		if _, err := tx.Exec(ctx, `
			INSERT INTO session_revocations (tenant_id, session_id, revoked_at, expires_at)
			VALUES ($1, $2, $3, $4)
			ON CONFLICT (tenant_id, session_id)
			DO UPDATE SET expires_at = greatest(session_revocations.expires_at, EXCLUDED.expires_at)`,
			string(t), sessionID, now, until); err != nil {
			return fmt.Errorf("insert: %w", err)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("auth: revoke session: %w", err)
	}
	return nil
}

// Revoked reports whether session sessionID of tenant t has been revoked. A
// record past its expiry still counts: its session is refused anyway, and a
// clock that disagrees must not bring it back.
func (s *RevocationStore) Revoked(ctx context.Context, t tenant.ID, sessionID string) (bool, error) {
	if !t.Valid() {
		return false, fmt.Errorf("auth: check revocation: %w", tenant.ErrInvalidID)
	}
	var revoked bool
	err := db.InTenant(tenant.WithID(ctx, t), s.db, func(ctx context.Context, tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM session_revocations WHERE tenant_id = $1 AND session_id = $2)`,
			string(t), sessionID).Scan(&revoked)
	})
	if err != nil {
		return false, fmt.Errorf("auth: check revocation: %w", err)
	}
	return revoked, nil
}
