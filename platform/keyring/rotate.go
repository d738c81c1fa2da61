package keyring

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/plein-nl/plein/platform/kms"
	"github.com/plein-nl/plein/platform/tenant"
)

// Rotate gives tenant t a new data key version, which new seals use from then on; the
// older versions keep opening what they sealed. The index key stays: the blind index
// keeps matching. It returns the new version. Re-sealing the old rows is the residents'
// re-seal job.
func (k *Keyring) Rotate(ctx context.Context, t tenant.ID) (byte, error) {
	if _, err := k.For(ctx, t); err != nil { // makes the first key if there is none
		return 0, err
	}
	var next byte
	err := k.inTenant(ctx, t, func(ctx context.Context, tx pgx.Tx) error {
		// Locking every row serialises rotations of one gemeente.
		rows, err := k.rows(ctx, tx, t, true)
		if err != nil {
			return err
		}
		last := rows[len(rows)-1]
		if last.version == 255 {
			return ErrNoMoreVersions
		}
		if err := unwrap(ctx, k.kms, t, &last); err != nil {
			return err
		}
		next = last.version + 1
		dataW, indexW, err := k.wrapNew(ctx, t, next, last.index)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO bsn_keys (tenant_id, version, kek_id, data_wrapped, index_wrapped) VALUES ($1, $2, $3, $4, $5)`,
			string(t), int(next), KEKID(t), dataW, indexW)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("keyring: rotate %s: %w", t, err)
	}
	return next, nil
}

// RotateKEK adds a version to tenant t's key-encryption key and re-wraps every one of
// its keys under it: no BSN changes. It returns the KEK's new version and the number of
// key versions re-wrapped.
func (k *Keyring) RotateKEK(ctx context.Context, t tenant.ID) (kekVersion, rewrapped int, err error) {
	if _, err := k.For(ctx, t); err != nil {
		return 0, 0, err
	}
	if kekVersion, err = k.kms.Rotate(ctx, KEKID(t)); err != nil {
		return 0, 0, fmt.Errorf("keyring: rotate the KEK of %s: %w", t, err)
	}
	err = k.inTenant(ctx, t, func(ctx context.Context, tx pgx.Tx) error {
		rows, err := k.rows(ctx, tx, t, true)
		if err != nil {
			return err
		}
		for i := range rows {
			r := &rows[i]
			if err := unwrap(ctx, k.kms, t, r); err != nil {
				return err
			}
			dataW, err := k.kms.Wrap(ctx, KEKID(t), r.data, aad(t, r.version, "data"))
			if err != nil {
				return err
			}
			indexW, err := k.kms.Wrap(ctx, KEKID(t), r.index, aad(t, r.version, "index"))
			if err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `UPDATE bsn_keys SET data_wrapped = $3, index_wrapped = $4, rewrapped_at = now()
				WHERE tenant_id = $1 AND version = $2`, string(t), int(r.version), dataW, indexW); err != nil {
				return err
			}
		}
		rewrapped = len(rows)
		return nil
	})
	if err != nil {
		return 0, 0, fmt.Errorf("keyring: re-wrap the keys of %s: %w", t, err)
	}
	return kekVersion, rewrapped, nil
}

// Shred destroys tenant t's key-encryption key in the KMS and forgets its keys here:
// whatever copy of its wrapped keys (and so of its sealed BSNs) remains, in the
// database or a backup, never opens again. The purge calls it once the gemeente's rows
// are deleted; destroying a key that is gone already is no error.
func (k *Keyring) Shred(ctx context.Context, t tenant.ID) error {
	if err := (Shredder{KMS: k.kms}).Shred(ctx, t); err != nil {
		return err
	}
	k.mu.Lock()
	delete(k.cache, t)
	k.mu.Unlock()
	return nil
}

// Version describes one of a gemeente's key versions.
type Version struct {
	Version     byte
	KEKID       string
	CreatedAt   time.Time
	RewrappedAt *time.Time
}

// Versions lists tenant t's key versions, oldest first, without unwrapping any.
func (k *Keyring) Versions(ctx context.Context, t tenant.ID) ([]Version, error) {
	var out []Version
	err := k.inTenant(ctx, t, func(ctx context.Context, tx pgx.Tx) error {
		rs, err := tx.Query(ctx, `SELECT version, kek_id, created_at, rewrapped_at FROM bsn_keys WHERE tenant_id = $1 ORDER BY version`, string(t))
		if err != nil {
			return err
		}
		var v int16
		var r Version
		_, err = pgx.ForEachRow(rs, []any{&v, &r.KEKID, &r.CreatedAt, &r.RewrappedAt}, func() error {
			r.Version = byte(v)
			out = append(out, r)
			return nil
		})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("keyring: versions of %s: %w", t, err)
	}
	return out, nil
}

// Shredder destroys purged gemeenten's keys with the KMS alone: what `plein tenant
// purge` needs, which opens no application pool.
type Shredder struct {
	KMS kms.KMS
}

// Shred destroys tenant t's key-encryption key.
func (s Shredder) Shred(ctx context.Context, t tenant.ID) error {
	if err := s.KMS.Destroy(ctx, KEKID(t)); err != nil {
		return fmt.Errorf("keyring: shred %s: %w", t, err)
	}
	return nil
}
