package keyring_test

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/plein-nl/plein/platform/bsn"
	"github.com/plein-nl/plein/platform/db/dbtest"
	"github.com/plein-nl/plein/platform/keyring"
	"github.com/plein-nl/plein/platform/keyring/keyringtest"
	"github.com/plein-nl/plein/platform/kms"
	"github.com/plein-nl/plein/platform/tenant"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

type testBundle struct {
	d   *dbtest.DB
	kr  *keyring.Keyring
	kms *kms.Dir
	ctx context.Context
}

func setup(t *testing.T) *testBundle {
	t.Helper()
	d := dbtest.New(t)
	dbtest.CreateTenants(t, d, "zwolle", "enschede")
	kr, k := keyringtest.New(t, d.App)
	return &testBundle{d: d, kr: kr, kms: k, ctx: context.Background()}
}

func (b *testBundle) sealer(t *testing.T, id tenant.ID) *bsn.Sealer {
	t.Helper()
	s, err := b.kr.For(b.ctx, id)
	if err != nil {
		t.Fatalf("For(%s): %v", id, err)
	}
	return s
}

func mustBSN(t *testing.T, s string) bsn.BSN {
	t.Helper()
	b, err := bsn.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func seal(t *testing.T, s *bsn.Sealer, b bsn.BSN, id tenant.ID) []byte {
	t.Helper()
	ct, err := s.Seal(b, []byte(id))
	if err != nil {
		t.Fatal(err)
	}
	return ct
}

// TestGemeentenHaveTheirOwnKeys: the same BSN seals and indexes differently in two
// gemeenten, and one's seal does not open with the other's key, even with the right
// associated data.
func TestGemeentenHaveTheirOwnKeys(t *testing.T) {
	t.Parallel()
	b := setup(t)
	nr := mustBSN(t, "999993653")
	zw, en := b.sealer(t, "zwolle"), b.sealer(t, "enschede")
	if zw.Current() != 2 || en.Current() != 2 {
		t.Errorf("first versions = %d, %d; want 2 (1 is the global key of before)", zw.Current(), en.Current())
	}
	if bytes.Equal(zw.BlindIndex(nr), en.BlindIndex(nr)) {
		t.Error("the same BSN has the same blind index in two gemeenten")
	}
	ct := seal(t, zw, nr, "zwolle")
	if got, err := zw.Open(ct, []byte("zwolle")); err != nil || got != nr {
		t.Errorf("zwolle opens its own seal: %v, %v", got, err)
	}
	if _, err := en.Open(ct, []byte("zwolle")); !errors.Is(err, bsn.ErrDecrypt) {
		t.Errorf("enschede's key on zwolle's seal: err = %v, want ErrDecrypt", err)
	}
	if n := b.d.Count(t, "zwolle", `SELECT count(*) FROM bsn_keys`); n != 1 {
		t.Errorf("zwolle sees %d key rows, want 1 (its own: row-level security)", n)
	}
	// Without a tenant set, not even the table's owner reads a row.
	var data []byte
	if err := b.d.Owner.QueryRow(b.ctx, `SELECT data_wrapped FROM bsn_keys WHERE tenant_id = 'zwolle'`).Scan(&data); err == nil {
		t.Error("the owner read bsn_keys without a tenant: row-level security is not forced")
	}
}

// TestConcurrentFirstUseMakesOneKey: eight "processes" (keyrings, each with its own
// handle on one KMS directory) ask for a new gemeente's key at once; all get the same.
func TestConcurrentFirstUseMakesOneKey(t *testing.T) {
	t.Parallel()
	b := setup(t)
	nr := mustBSN(t, "111222333")
	const n = 8
	idx := make([][]byte, n)
	cts := make([][]byte, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			k, err := kms.NewDir(b.kms.Path())
			if err != nil {
				t.Error(err)
				return
			}
			s, err := keyring.New(b.d.App, k, nil).For(b.ctx, "zwolle")
			if err != nil {
				t.Error(err)
				return
			}
			idx[i] = s.BlindIndex(nr)
			cts[i], err = s.Seal(nr, []byte("zwolle"))
			if err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	if got := b.d.Count(t, "zwolle", `SELECT count(*) FROM bsn_keys`); got != 1 {
		t.Errorf("%d key rows, want 1", got)
	}
	one := b.sealer(t, "zwolle")
	for i := range n {
		if !bytes.Equal(idx[i], idx[0]) {
			t.Errorf("process %d indexes differently from process 0", i)
		}
		if got, err := one.Open(cts[i], []byte("zwolle")); err != nil || got != nr {
			t.Errorf("process %d's seal: Open = %v, %v", i, got, err)
		}
	}
}

// TestRotation: seal, rotate the data key and the KEK, and the old seal still opens, the
// new one uses the new version, and the blind index has not changed.
func TestRotation(t *testing.T) {
	t.Parallel()
	b := setup(t)
	nr := mustBSN(t, "999993653")
	before := b.sealer(t, "zwolle")
	old := seal(t, before, nr, "zwolle")
	v, err := b.kr.Rotate(b.ctx, "zwolle")
	if err != nil || v != 3 {
		t.Fatalf("Rotate = %d, %v; want 3", v, err)
	}
	kekV, n, err := b.kr.RotateKEK(b.ctx, "zwolle")
	if err != nil || kekV != 2 || n != 2 {
		t.Fatalf("RotateKEK = %d, %d, %v; want KEK version 2, 2 rows re-wrapped", kekV, n, err)
	}
	// Another process (a fresh keyring on the same KMS) sees the rotation.
	k, err := kms.NewDir(b.kms.Path())
	if err != nil {
		t.Fatal(err)
	}
	after, err := keyring.New(b.d.App, k, nil).For(b.ctx, "zwolle")
	if err != nil {
		t.Fatal(err)
	}
	if after.Current() != 3 {
		t.Errorf("Current after rotation = %d, want 3", after.Current())
	}
	fresh := seal(t, after, nr, "zwolle")
	if fresh[0] != 3 || old[0] != 2 {
		t.Errorf("versions of old and new seal = %d, %d; want 2, 3", old[0], fresh[0])
	}
	for name, ct := range map[string][]byte{"old": old, "new": fresh} {
		if got, err := after.Open(ct, []byte("zwolle")); err != nil || got != nr {
			t.Errorf("%s seal after rotation: Open = %v, %v", name, got, err)
		}
	}
	if !bytes.Equal(before.BlindIndex(nr), after.BlindIndex(nr)) {
		t.Error("the blind index changed with the rotation")
	}
	// This process's cached sealer follows too.
	if s := b.sealer(t, "zwolle"); s.Current() != 3 {
		t.Errorf("cached sealer Current = %d, want 3", s.Current())
	}
}

// TestLegacyKeyStaysReadable: a keyring given the global key of before opens version 1
// seals for every gemeente and looks up under both index keys.
func TestLegacyKeyStaysReadable(t *testing.T) {
	t.Parallel()
	b := setup(t)
	legacy := keyring.Legacy{Enc: bytes.Repeat([]byte{1}, 32), Index: bytes.Repeat([]byte{2}, 32)}
	global, err := bsn.NewSealer(legacy.Enc, legacy.Index)
	if err != nil {
		t.Fatal(err)
	}
	nr := mustBSN(t, "999993653")
	old := seal(t, global, nr, "zwolle")
	s, err := keyring.New(b.d.App, b.kms, &legacy).For(b.ctx, "zwolle")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := s.Open(old, []byte("zwolle")); err != nil || got != nr {
		t.Errorf("Open of a version 1 seal = %v, %v", got, err)
	}
	if fresh := seal(t, s, nr, "zwolle"); fresh[0] != 2 {
		t.Errorf("new seal has version %d, want 2", fresh[0])
	}
	idx := s.BlindIndexes(nr)
	if len(idx) != 2 || !bytes.Equal(idx[0], s.BlindIndex(nr)) || !bytes.Equal(idx[1], global.BlindIndex(nr)) {
		t.Errorf("BlindIndexes = %x; want the gemeente's and the legacy index", idx)
	}
}

// TestShred: after Shred the gemeente's wrapped keys no longer unwrap, the other
// gemeente's still do, and an unknown or offboarded gemeente gets no key.
func TestShred(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.sealer(t, "zwolle")
	b.sealer(t, "enschede")
	if err := b.kr.Shred(b.ctx, "zwolle"); err != nil {
		t.Fatal(err)
	}
	if _, err := keyring.New(b.d.App, b.kms, nil).For(b.ctx, "zwolle"); !errors.Is(err, kms.ErrNotFound) {
		t.Errorf("For after Shred: err = %v, want kms.ErrNotFound", err)
	}
	if _, err := keyring.New(b.d.App, b.kms, nil).For(b.ctx, "enschede"); err != nil {
		t.Errorf("enschede after zwolle's shred: %v", err)
	}
	if _, err := b.kr.For(b.ctx, "utrecht"); !errors.Is(err, tenant.ErrUnknownTenant) {
		t.Errorf("For(utrecht): err = %v, want ErrUnknownTenant", err)
	}
}

// BenchmarkFor is the cost a unit of work pays for its gemeente's sealer once the keys
// are cached: one query for the newest version.
func BenchmarkFor(b *testing.B) {
	d := dbtest.New(b)
	dbtest.CreateTenants(b, d, "zwolle")
	kr, _ := keyringtest.New(b, d.App)
	ctx := context.Background()
	if _, err := kr.For(ctx, "zwolle"); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := kr.For(ctx, "zwolle"); err != nil {
			b.Fatal(err)
		}
	}
}
