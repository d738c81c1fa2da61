// Package keyring gives each gemeente its own BSN keys: a bsn.Sealer per tenant whose
// keys are stored in the database only wrapped under the gemeente's key-encryption key
// (KEK) in a KMS (platform/kms), and destroyed with that KEK when the gemeente is purged.
//
// Envelope encryption, one KEK per gemeente. The table bsn_keys (migration 00019) holds,
// per tenant and key version, the gemeente's AES-256 data key and its blind-index key,
// each wrapped under the KEK named KEKID(tenant). The KEK never leaves the KMS. So:
//
//   - a dump of the database alone opens no BSN (the wrapped keys need the KMS);
//   - crypto-shredding works: Shred destroys the gemeente's KEK, after which the wrapped
//     keys in every dump or backup made before the purge stay closed, while every other
//     gemeente's KEK, and so its keys, are untouched. One global KEK could not do this:
//     it survives the purge and opens the wrapped key of an old dump.
//
// Keys are made lazily, on the gemeente's first For, and safely under concurrency: the
// KMS creates a KEK once however many processes ask (kms.KMS.Create), and the first
// data key is inserted with ON CONFLICT DO NOTHING and then read back, so every process
// uses the one row that won.
//
// Rotation without downtime. RotateKEK adds a KEK version in the KMS and re-wraps the
// gemeente's rows: no BSN is rewritten. Rotate adds a data key version (2, 3, … 255; 1
// is the global key of before): new seals use it, older versions still open (the
// version is the first byte of every sealed BSN), and the residents' re-seal job moves
// the old rows over in batches. The blind-index key is a separate random key, made with
// the first data key and re-wrapped, never replaced, by a rotation: an index must match
// across a rotation, and an index key derived from each data key (HKDF) would change
// with it and need every index written twice until a re-index. A separate key also
// keeps the two uses of key material apart.
//
// Data sealed with the global key (PLEIN_BSN_KEY, version 1) stays readable: a keyring
// given that Legacy key opens version 1 for every gemeente and looks BSNs up under the
// legacy index key too, until the re-seal job has re-sealed and re-indexed the rows.
// Crypto-shredding covers a gemeente's rows only once they are re-sealed.
package keyring

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/plein-nl/plein/platform/bsn"
	"github.com/plein-nl/plein/platform/db"
	"github.com/plein-nl/plein/platform/kms"
	"github.com/plein-nl/plein/platform/tenant"
)

// Errors of the keyring.
var (
	// ErrOffboarded is a key asked for a gemeente that was purged: it gets none again.
	ErrOffboarded = errors.New("keyring: the gemeente is offboarded; its keys were destroyed")
	// ErrNoMoreVersions is a rotation beyond version 255 (the version is one byte).
	ErrNoMoreVersions = errors.New("keyring: the gemeente has used all 254 key versions")
)

// firstVersion is a gemeente's first data key version: bsn.LegacyVersion is the global key.
const firstVersion = bsn.LegacyVersion + 1

// KEKID is the KMS key id of tenant t's key-encryption key.
func KEKID(t tenant.ID) string { return "bsn-" + string(t) }

// Legacy is the global key pair of before (PLEIN_BSN_KEY, PLEIN_BSN_INDEX_KEY).
type Legacy struct {
	Enc, Index []byte
}

// Keyring hands out each gemeente's sealer. It is safe for concurrent use.
type Keyring struct {
	app    *pgxpool.Pool
	kms    kms.KMS
	legacy *Legacy

	mu    sync.Mutex
	cache map[tenant.ID]cached
}

type cached struct {
	latest byte
	sealer *bsn.Sealer
}

// New returns the keyring over the application pool (plein_app) and the KMS. legacy,
// if not nil, is the global key every gemeente still opens (version 1).
func New(app *pgxpool.Pool, k kms.KMS, legacy *Legacy) *Keyring {
	return &Keyring{app: app, kms: k, legacy: legacy, cache: map[tenant.ID]cached{}}
}

// String describes the keyring without key material.
func (k *Keyring) String() string { return fmt.Sprintf("keyring.Keyring{kms: %v}", k.kms) }

// For returns tenant t's sealer: sealing with its newest data key, opening each of its
// versions. The gemeente's first key is made here, once.
func (k *Keyring) For(ctx context.Context, t tenant.ID) (*bsn.Sealer, error) {
	if !t.Valid() {
		return nil, fmt.Errorf("keyring: %w", tenant.ErrInvalidID)
	}
	latest, err := k.latest(ctx, t)
	if err != nil {
		return nil, err
	}
	k.mu.Lock()
	c, ok := k.cache[t]
	k.mu.Unlock()
	if ok && c.latest == latest && latest != 0 {
		return c.sealer, nil
	}
	if latest == 0 {
		if err := k.create(ctx, t); err != nil {
			return nil, err
		}
	}
	s, latest, err := k.load(ctx, t)
	if err != nil {
		return nil, err
	}
	k.mu.Lock()
	k.cache[t] = cached{latest: latest, sealer: s}
	k.mu.Unlock()
	return s, nil
}

// inTenant runs fn in a transaction of the app pool for t.
func (k *Keyring) inTenant(ctx context.Context, t tenant.ID, fn func(ctx context.Context, tx pgx.Tx) error) error {
	return db.InTenant(tenant.WithID(ctx, t), k.app, fn)
}

// latest returns t's newest key version, 0 if it has none.
func (k *Keyring) latest(ctx context.Context, t tenant.ID) (byte, error) {
	var v int
	err := k.inTenant(ctx, t, func(ctx context.Context, tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM bsn_keys WHERE tenant_id = $1`, string(t)).Scan(&v)
	})
	if err != nil {
		return 0, fmt.Errorf("keyring: %s: %w", t, err)
	}
	return byte(v), nil
}

// aad binds a wrapped key to its tenant, version and use: a wrapped key copied to
// another row does not unwrap.
func aad(t tenant.ID, version byte, use string) []byte {
	return fmt.Appendf(nil, "plein bsn_keys %s %d %s", t, version, use)
}

func newKey() ([]byte, error) {
	key := make([]byte, bsn.KeySize)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("keyring: random key: %w", err)
	}
	return key, nil
}

// create makes t's KEK, if missing, and its first data and index keys, unless another
// process inserted them first (then theirs stand).
func (k *Keyring) create(ctx context.Context, t tenant.ID) error {
	var status string
	err := k.inTenant(ctx, t, func(ctx context.Context, tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT status FROM tenants WHERE tenant_id = $1`, string(t)).Scan(&status)
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("keyring: %w: %s is not a gemeente", tenant.ErrUnknownTenant, t)
	}
	if err != nil {
		return fmt.Errorf("keyring: %s: %w", t, err)
	}
	if status == "offboarded" {
		return fmt.Errorf("%w: %s", ErrOffboarded, t)
	}
	if err := k.kms.Create(ctx, KEKID(t)); err != nil {
		return fmt.Errorf("keyring: %s: %w", t, err)
	}
	dataW, indexW, err := k.wrapNew(ctx, t, firstVersion, nil)
	if err != nil {
		return err
	}
	err = k.inTenant(ctx, t, func(ctx context.Context, tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `
			INSERT INTO bsn_keys (tenant_id, version, kek_id, data_wrapped, index_wrapped) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (tenant_id, version) DO NOTHING`, string(t), int(firstVersion), KEKID(t), dataW, indexW)
		return err
	})
	if err != nil {
		return fmt.Errorf("keyring: %s: first key: %w", t, err)
	}
	return nil
}

// wrapNew makes a fresh data key for version v and wraps it and the index key (a fresh
// one when index is nil) under t's KEK.
func (k *Keyring) wrapNew(ctx context.Context, t tenant.ID, v byte, index []byte) (dataW, indexW []byte, err error) {
	data, err := newKey()
	if err != nil {
		return nil, nil, err
	}
	if index == nil {
		if index, err = newKey(); err != nil {
			return nil, nil, err
		}
	}
	if dataW, err = k.kms.Wrap(ctx, KEKID(t), data, aad(t, v, "data")); err != nil {
		return nil, nil, fmt.Errorf("keyring: %s: wrap: %w", t, err)
	}
	if indexW, err = k.kms.Wrap(ctx, KEKID(t), index, aad(t, v, "index")); err != nil {
		return nil, nil, fmt.Errorf("keyring: %s: wrap: %w", t, err)
	}
	return dataW, indexW, nil
}

// wrappedRow is a row of bsn_keys.
type wrappedRow struct {
	version      byte
	data, index  []byte
	kekID        string
	wrappedData  []byte
	wrappedIndex []byte
}

func (k *Keyring) rows(ctx context.Context, tx pgx.Tx, t tenant.ID, lock bool) ([]wrappedRow, error) {
	q := `SELECT version, kek_id, data_wrapped, index_wrapped FROM bsn_keys WHERE tenant_id = $1 ORDER BY version`
	if lock {
		q += ` FOR UPDATE`
	}
	rs, err := tx.Query(ctx, q, string(t))
	if err != nil {
		return nil, err
	}
	var out []wrappedRow
	var v int16
	var r wrappedRow
	_, err = pgx.ForEachRow(rs, []any{&v, &r.kekID, &r.wrappedData, &r.wrappedIndex}, func() error {
		r.version = byte(v)
		out = append(out, r)
		r = wrappedRow{}
		return nil
	})
	return out, err
}

// unwrap opens the keys of r.
func unwrap(ctx context.Context, k kms.KMS, t tenant.ID, r *wrappedRow) error {
	var err error
	if r.data, err = k.Unwrap(ctx, r.kekID, r.wrappedData, aad(t, r.version, "data")); err != nil {
		return fmt.Errorf("keyring: %s version %d: %w", t, r.version, err)
	}
	if r.index, err = k.Unwrap(ctx, r.kekID, r.wrappedIndex, aad(t, r.version, "index")); err != nil {
		return fmt.Errorf("keyring: %s version %d: %w", t, r.version, err)
	}
	return nil
}

// load reads and unwraps t's keys and builds its sealer.
func (k *Keyring) load(ctx context.Context, t tenant.ID) (*bsn.Sealer, byte, error) {
	var rows []wrappedRow
	err := k.inTenant(ctx, t, func(ctx context.Context, tx pgx.Tx) error {
		var err error
		rows, err = k.rows(ctx, tx, t, false)
		return err
	})
	if err != nil {
		return nil, 0, fmt.Errorf("keyring: %s: %w", t, err)
	}
	ws := make([]Wrapped, len(rows))
	for i, r := range rows {
		ws[i] = Wrapped{Version: r.version, KEKID: r.kekID, Data: r.wrappedData, Index: r.wrappedIndex}
	}
	s, err := Unwrap(ctx, k.kms, t, ws, k.legacy)
	if err != nil {
		return nil, 0, err
	}
	return s, s.Current(), nil
}

// Wrapped is a row of bsn_keys as a dump or backup holds it.
type Wrapped struct {
	Version     byte
	KEKID       string
	Data, Index []byte // wrapped under KEKID
}

// Unwrap builds tenant t's sealer from its wrapped keys, oldest version first, with
// the KMS: what the keyring does with the rows it reads, and what a restore from a
// backup would do. For a purged gemeente it fails: its KEK is gone.
func Unwrap(ctx context.Context, k kms.KMS, t tenant.ID, rows []Wrapped, legacy *Legacy) (*bsn.Sealer, error) {
	if len(rows) == 0 {
		return nil, fmt.Errorf("keyring: %s has no key", t)
	}
	keys := bsn.Keys{Enc: map[byte][]byte{}}
	for _, w := range rows {
		r := wrappedRow{version: w.Version, kekID: w.KEKID, wrappedData: w.Data, wrappedIndex: w.Index}
		if err := unwrap(ctx, k, t, &r); err != nil {
			return nil, err
		}
		keys.Enc[r.version] = r.data
		keys.Current, keys.Index = r.version, r.index
	}
	if legacy != nil {
		keys.Enc[bsn.LegacyVersion] = legacy.Enc
		keys.PriorIndex = legacy.Index
	}
	s, err := bsn.NewSealerFromKeys(keys)
	if err != nil {
		return nil, fmt.Errorf("keyring: %s: %w", t, err)
	}
	return s, nil
}
