package tenancy

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/plein-nl/plein/platform/bsn"
	"github.com/plein-nl/plein/platform/db"
	"github.com/plein-nl/plein/platform/keyring"
	"github.com/plein-nl/plein/platform/keyring/keyringtest"
	"github.com/plein-nl/plein/platform/kms"
	"github.com/plein-nl/plein/platform/tenant"
)

// dump is what a database dump taken before a purge holds of the BSNs: every sealed
// BSN with its tenant, and every wrapped key.
type dump struct {
	sealed map[tenant.ID][][]byte
	keys   map[tenant.ID][]keyring.Wrapped
}

// takeDump reads the sealed BSNs and bsn_keys of every tenant as the superuser, which
// row-level security does not hold: what pg_dump of the cluster would write.
func takeDump(t *testing.T, super *pgxpool.Pool) dump {
	t.Helper()
	ctx := context.Background()
	d := dump{sealed: map[tenant.ID][][]byte{}, keys: map[tenant.ID][]keyring.Wrapped{}}
	rows, err := super.Query(ctx, `SELECT tenant_id, bsn_sealed FROM residents ORDER BY tenant_id, id`)
	if err != nil {
		t.Fatal(err)
	}
	var id string
	var sealed []byte
	if _, err := pgx.ForEachRow(rows, []any{&id, &sealed}, func() error {
		d.sealed[tenant.ID(id)] = append(d.sealed[tenant.ID(id)], bytes.Clone(sealed))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	rows, err = super.Query(ctx, `SELECT tenant_id, version, kek_id, data_wrapped, index_wrapped FROM bsn_keys ORDER BY tenant_id, version`)
	if err != nil {
		t.Fatal(err)
	}
	var w keyring.Wrapped
	var v int16
	if _, err := pgx.ForEachRow(rows, []any{&id, &v, &w.KEKID, &w.Data, &w.Index}, func() error {
		w.Version = byte(v)
		d.keys[tenant.ID(id)] = append(d.keys[tenant.ID(id)], w)
		w = keyring.Wrapped{}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return d
}

// open opens tenant id's BSNs of the dump with its wrapped keys and the KMS k.
func (d dump) open(ctx context.Context, k kms.KMS, id tenant.ID) ([]string, error) {
	s, err := keyring.Unwrap(ctx, k, id, d.keys[id], nil)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, ct := range d.sealed[id] {
		b, err := s.Open(ct, []byte(id))
		if err != nil {
			return nil, err
		}
		out = append(out, b.Reveal())
	}
	slices.Sort(out)
	return out, nil
}

// TestPurgeShredsKeys is the crypto-shredding of issue 16: a dump of the database taken
// before zwolle's purge opens zwolle's BSNs before, and after the purge through the
// real offboarding path (export with the BSNs in clear, offboard, purge) no longer
// does with what remains (the KMS), while deventer's BSNs from the same dump still open.
func TestPurgeShredsKeys(t *testing.T) {
	t.Parallel()
	b := setupStore(t, true)
	ctx := context.Background()
	b.applyIDs(t, "deventer", "zwolle")
	kr, k := keyringtest.New(t, b.d.App)
	// The same BSN in both gemeenten, and one of each's own.
	bsns := map[tenant.ID][]string{"zwolle": {"111222333", "999993653"}, "deventer": {"111111110", "999993653"}}
	for id, list := range bsns {
		addSealed(t, b.d.App, kr, id, list)
	}
	super, err := pgxpool.New(ctx, b.d.URL(""))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(super.Close)
	before := takeDump(t, super)
	for id, want := range bsns {
		if got, err := before.open(ctx, k, id); err != nil || !slices.Equal(got, want) {
			t.Fatalf("before the purge, %s's BSNs in the dump open as %v, %v; want %v", id, got, err, want)
		}
	}

	// Offboarding: the export holds zwolle's BSNs in clear, opened with its own keys.
	sealer, err := kr.For(ctx, "zwolle")
	if err != nil {
		t.Fatal(err)
	}
	_, info, files := (&offboardBundle{storeBundle: b}).export(t, "zwolle", sealer)
	for _, nr := range bsns["zwolle"] {
		if !strings.Contains(string(files["tables/residents.jsonl"]), fmt.Sprintf(`"bsn":"%s"`, nr)) {
			t.Errorf("the export lacks zwolle's BSN %s in clear", nr)
		}
	}
	if _, err := b.store.Offboard(ctx, "zwolle", info, "op@coop", "fusie", 0); err != nil {
		t.Fatal(err)
	}
	if _, err := b.store.WithShredder(kr).Purge(ctx, "zwolle", "op@coop"); err != nil {
		t.Fatal(err)
	}

	// After: zwolle's wrapped keys are gone from the database, its KEK from the KMS.
	if n := b.d.Count(t, "zwolle", `SELECT count(*) FROM bsn_keys`); n != 0 {
		t.Errorf("%d bsn_keys rows of zwolle after the purge, want 0", n)
	}
	if ids, err := k.List(ctx); err != nil || !slices.Equal(ids, []string{keyring.KEKID("deventer")}) {
		t.Errorf("KMS keys after the purge = %v, %v; want deventer's only", ids, err)
	}
	// The dump taken before still holds zwolle's sealed BSNs and wrapped keys, but
	// nothing that remains opens them.
	if len(before.sealed["zwolle"]) != 2 || len(before.keys["zwolle"]) != 1 {
		t.Fatalf("the dump holds %d sealed BSNs and %d keys of zwolle, want 2 and 1", len(before.sealed["zwolle"]), len(before.keys["zwolle"]))
	}
	if got, err := before.open(ctx, k, "zwolle"); !errors.Is(err, kms.ErrNotFound) {
		t.Errorf("zwolle's BSNs from the dump after the purge: %v, %v; want kms.ErrNotFound", got, err)
	}
	// Nor does a KEK made again under the same name: it is another key.
	if err := k.Create(ctx, keyring.KEKID("zwolle")); err != nil {
		t.Fatal(err)
	}
	if got, err := before.open(ctx, k, "zwolle"); !errors.Is(err, kms.ErrUnwrap) {
		t.Errorf("zwolle's BSNs from the dump under a re-created KEK: %v, %v; want kms.ErrUnwrap", got, err)
	}
	// Nor deventer's keys: they are bound to deventer.
	if s, err := keyring.Unwrap(ctx, k, "deventer", before.keys["deventer"], nil); err == nil {
		for _, ct := range before.sealed["zwolle"] {
			if _, err := s.Open(ct, []byte("zwolle")); !errors.Is(err, bsn.ErrDecrypt) {
				t.Errorf("zwolle's BSN with deventer's key: %v, want ErrDecrypt", err)
			}
		}
	}
	if got, err := before.open(ctx, k, "deventer"); err != nil || !slices.Equal(got, bsns["deventer"]) {
		t.Errorf("deventer's BSNs from the same dump after zwolle's purge = %v, %v; want %v", got, err, bsns["deventer"])
	}
	// And zwolle gets no key again.
	if _, err := keyring.New(b.d.App, k, nil).For(ctx, "zwolle"); !errors.Is(err, keyring.ErrOffboarded) && !errors.Is(err, kms.ErrUnwrap) {
		t.Errorf("a key for offboarded zwolle: %v, want it refused", err)
	}
}

// addSealed registers a resident per BSN in tenant id, sealed and indexed with the
// gemeente's key from kr (the rows the residents service writes).
func addSealed(t *testing.T, app *pgxpool.Pool, kr *keyring.Keyring, id tenant.ID, bsns []string) {
	t.Helper()
	ctx := tenant.WithID(context.Background(), id)
	s, err := kr.For(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	err = db.InTenant(ctx, app, func(ctx context.Context, tx pgx.Tx) error {
		for i, nr := range bsns {
			b, err := bsn.Parse(nr)
			if err != nil {
				return err
			}
			sealed, err := s.Seal(b, []byte(id))
			if err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `INSERT INTO residents (tenant_id, id, name, birth_date, bsn_sealed, bsn_index, iban, household_kind)
				VALUES ($1, $2, $3, '1990-01-01', $4, $5, 'NL91ABNA0417164300', 'single')`,
				string(id), uuidFor(id, i), fmt.Sprintf("Inwoner %d", i), sealed, s.BlindIndex(b)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
