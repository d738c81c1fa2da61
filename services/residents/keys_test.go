package residents

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/plein-nl/plein/platform/bsn"
	"github.com/plein-nl/plein/platform/bsn/bsntest"
	"github.com/plein-nl/plein/platform/db/dbtest"
	"github.com/plein-nl/plein/platform/jobs"
	"github.com/plein-nl/plein/platform/keyring"
	"github.com/plein-nl/plein/platform/keyring/keyringtest"
	"github.com/plein-nl/plein/platform/tenant"
)

// The tests of this file use the real keyring: a key per gemeente in a KMS directory,
// wrapped in bsn_keys of the test database.

// validBSN returns the nth BSN (n < 10^7) that passes the 11-proef, counting from
// 10000000: the ninth digit is what makes the weighted sum divisible by 11.
func validBSN(t *testing.T, n int) string {
	t.Helper()
	for x := 10_000_000 + n*11; ; x++ {
		s := fmt.Sprintf("%08d", x)
		sum := 0
		for i, c := range s {
			sum += (9 - i) * int(c-'0')
		}
		if d := sum % 11; d < 10 {
			return s + string(rune('0'+d))
		}
	}
}

// sealedRow reads a case's sealed BSN and index as the owner, with its tenant set: what
// a dump of the table holds.
func sealedRow(t *testing.T, d *dbtest.DB, tn tenant.ID, id string) (sealed, index []byte) {
	t.Helper()
	tx := dbtest.Begin(t, d.Owner)
	ctx := context.Background()
	defer tx.Rollback(ctx) //nolint:errcheck // read only; frees the connection now
	if _, err := tx.Exec(ctx, `SELECT set_config('plein.tenant_id', $1, true)`, string(tn)); err != nil {
		t.Fatal(err)
	}
	if err := tx.QueryRow(ctx, `SELECT bsn_sealed, bsn_index FROM residents WHERE tenant_id = $1 AND id = $2`, string(tn), id).
		Scan(&sealed, &index); err != nil {
		t.Fatal(err)
	}
	return sealed, index
}

// TestKeysPerGemeente: the same BSN, registered in two gemeenten, is sealed and
// indexed differently in each, and one gemeente's row does not open with the other's key.
func TestKeysPerGemeente(t *testing.T) {
	t.Parallel()
	d := dbtest.New(t)
	dbtest.CreateTenants(t, d, enschede, zwolle)
	kr, _ := keyringtest.New(t, d.App)
	svc := NewService(d.App, kr, clock)
	ctx := context.Background()
	ids := map[tenant.ID]string{}
	for _, tn := range []tenant.ID{enschede, zwolle} {
		r, err := svc.Create(ctx, tn, single(bsnA))
		if err != nil {
			t.Fatalf("create in %s: %v", tn, err)
		}
		ids[tn] = r.ID
	}
	enSealed, enIndex := sealedRow(t, d, enschede, ids[enschede])
	zwSealed, zwIndex := sealedRow(t, d, zwolle, ids[zwolle])
	if bytes.Equal(enIndex, zwIndex) {
		t.Error("one BSN has the same blind index in two gemeenten")
	}
	if enSealed[0] != 2 || zwSealed[0] != 2 {
		t.Errorf("key versions = %d, %d; want each gemeente's first, 2", enSealed[0], zwSealed[0])
	}
	want, _ := bsn.Parse(bsnA)
	en, err := kr.For(ctx, enschede)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := en.Open(enSealed, []byte(enschede)); err != nil || got != want {
		t.Errorf("enschede opens its row: %v, %v", got, err)
	}
	if _, err := en.Open(zwSealed, []byte(zwolle)); !errors.Is(err, bsn.ErrDecrypt) {
		t.Errorf("enschede's key on zwolle's row: err = %v, want ErrDecrypt", err)
	}
	for tn, id := range ids {
		if got, _, err := svc.MatchBSN(ctx, tn, want); err != nil || got != id {
			t.Errorf("MatchBSN in %s = %q, %v; want %q", tn, got, err, id)
		}
	}
}

// TestRotationAndReseal: rows sealed with the global key of before (version 1), with
// the gemeente's first key and, after a rotation, with its second, all open and match
// by BSN; the re-seal job, in batches of 2, leaves no row under an old version and
// every BSN still matches, the old global index replaced by the gemeente's.
func TestRotationAndReseal(t *testing.T) {
	t.Parallel()
	d := dbtest.New(t)
	dbtest.CreateTenants(t, d, zwolle)
	ctx := context.Background()
	// Before: the global key (bsntest's, as PLEIN_BSN_KEY was).
	legacy := NewService(d.App, bsntest.Keyring(t), clock)
	var ids []string
	var bsns []string
	add := func(svc Service) {
		b := validBSN(t, len(bsns))
		r, err := svc.Create(ctx, zwolle, single(b))
		if err != nil {
			t.Fatalf("create %d: %v", len(bsns), err)
		}
		ids, bsns = append(ids, r.ID), append(bsns, b)
	}
	add(legacy)
	add(legacy)
	k := keyringtest.KMS(t)
	kr := keyring.New(d.App, k, &keyring.Legacy{Enc: bytes.Repeat([]byte{1}, 32), Index: bytes.Repeat([]byte{2}, 32)})
	svc := NewService(d.App, kr, clock)
	add(svc) // version 2
	if _, err := kr.Rotate(ctx, zwolle); err != nil {
		t.Fatal(err)
	}
	add(svc) // version 3
	add(svc)
	wantVersions := []byte{1, 1, 2, 3, 3}
	for i, id := range ids {
		if s, _ := sealedRow(t, d, zwolle, id); s[0] != wantVersions[i] {
			t.Errorf("case %d: version %d, want %d", i, s[0], wantVersions[i])
		}
	}
	checkAll := func(when string) {
		t.Helper()
		for i, b := range bsns {
			nr, _ := bsn.Parse(b)
			if id, _, err := svc.MatchBSN(ctx, zwolle, nr); err != nil || id != ids[i] {
				t.Errorf("%s: MatchBSN of case %d = %q, %v; want %q", when, i, id, err, ids[i])
			}
			r, err := inTenantV(ctx, svc.(*service), zwolle, func(ctx context.Context, st *unit) (Resident, error) {
				return st.get(ctx, ids[i], false)
			})
			if err != nil || r.BSN != nr {
				t.Errorf("%s: case %d opens as %v, %v; want %v", when, i, r.BSN, err, nr)
			}
		}
		// A BSN that is taken stays taken, whichever key indexed it.
		if _, err := svc.Create(ctx, zwolle, single(bsns[0])); !errors.Is(err, ErrDuplicateBSN) {
			t.Errorf("%s: a second case with case 0's BSN: err = %v, want ErrDuplicateBSN", when, err)
		}
	}
	checkAll("before the re-seal")
	rs := NewResealer(d.App, kr, nil)
	rs.batch = 2
	if n, err := rs.Stale(ctx, zwolle); err != nil || n != 3 {
		t.Fatalf("Stale = %d, %v; want 3 (two of the global key, one of version 2)", n, err)
	}
	runReseal(t, d, rs, zwolle)
	checkAll("after the re-seal")
	sealer, err := kr.For(ctx, zwolle)
	if err != nil {
		t.Fatal(err)
	}
	for i, id := range ids {
		s, idx := sealedRow(t, d, zwolle, id)
		nr, _ := bsn.Parse(bsns[i])
		if s[0] != 3 || !bytes.Equal(idx, sealer.BlindIndex(nr)) {
			t.Errorf("case %d after the re-seal: version %d, gemeente's index %v; want 3, true", i, s[0], bytes.Equal(idx, sealer.BlindIndex(nr)))
		}
	}
}

// runReseal starts the re-seal of tn on a River client that works the job and waits,
// at most 30 s, until no stale case is left and no job waits.
func runReseal(t *testing.T, d *dbtest.DB, rs *Resealer, tn tenant.ID) {
	t.Helper()
	ctx := context.Background()
	w := river.NewWorkers()
	rs.AddWorker(w)
	jc, err := jobs.Start(ctx, d.App, jobs.Config{Workers: w})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { jobs.Stop(context.Background(), jc, 5*time.Second, slog.Default()) })
	if err := rs.Enqueue(ctx, tn); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		n, err := rs.Stale(ctx, tn)
		if err != nil {
			t.Fatal(err)
		}
		var waiting, done int
		if err := d.Owner.QueryRow(ctx, `SELECT count(*) FILTER (WHERE state <> 'completed'), count(*) FILTER (WHERE state = 'completed')
			FROM river.river_job WHERE kind = 'residents.reseal'`).Scan(&waiting, &done); err != nil {
			t.Fatal(err)
		}
		if n == 0 && waiting == 0 {
			// 3 stale cases in batches of 2: a full batch, then one of 1.
			if done != 2 {
				t.Errorf("%d re-seal jobs completed, want 2", done)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 30 s: %d stale cases, %d jobs not completed", n, waiting)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
