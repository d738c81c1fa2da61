package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// SealedBSNs are a case's sealed BSNs and their blind indexes; the partner's are nil
// without a partner.
type SealedBSNs struct {
	ID                          string
	Sealed, Index               []byte
	PartnerSealed, PartnerIndex []byte
}

// staleWhere picks the cases with a BSN sealed under another key version than $2.
const staleWhere = `tenant_id = $1 AND (get_byte(bsn_sealed, 0) <> $2
	OR (partner_bsn_sealed IS NOT NULL AND get_byte(partner_bsn_sealed, 0) <> $2))`

// Stale locks and returns up to limit cases, in id order, with a BSN sealed under
// another key version than current. Cases locked by another transaction are skipped:
// they are resealed in a later batch.
func (st *Store) Stale(ctx context.Context, current byte, limit int) ([]SealedBSNs, error) {
	rows, err := st.tx.Query(ctx, `
		SELECT id, bsn_sealed, partner_bsn_sealed FROM residents WHERE `+staleWhere+`
		ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED`, string(st.tenant), int(current), limit)
	if err != nil {
		return nil, fmt.Errorf("stale BSNs: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (SealedBSNs, error) {
		var s SealedBSNs
		return s, row.Scan(&s.ID, &s.Sealed, &s.PartnerSealed)
	})
	if err != nil {
		return nil, fmt.Errorf("stale BSNs: %w", err)
	}
	return out, nil
}

// CountStale counts the cases with a BSN sealed under another key version than current.
func (st *Store) CountStale(ctx context.Context, current byte) (int, error) {
	var n int
	if err := st.tx.QueryRow(ctx, `SELECT count(*) FROM residents WHERE `+staleWhere, string(st.tenant), int(current)).Scan(&n); err != nil {
		return 0, fmt.Errorf("count stale BSNs: %w", err)
	}
	return n, nil
}

// Reseal writes a case's BSNs sealed and indexed anew; nothing else of the case (not
// its version: the case did not change) is touched.
func (st *Store) Reseal(ctx context.Context, s SealedBSNs) error {
	_, err := st.tx.Exec(ctx, `
		UPDATE residents SET bsn_sealed = $3, bsn_index = $4,
			partner_bsn_sealed = coalesce($5, partner_bsn_sealed), partner_bsn_index = coalesce($6, partner_bsn_index)
		WHERE tenant_id = $1 AND id = $2`, string(st.tenant), s.ID, s.Sealed, s.Index, s.PartnerSealed, s.PartnerIndex)
	if err != nil {
		return fmt.Errorf("reseal %s: %w", s.ID, mapError(err))
	}
	return nil
}
