package bsn_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/plein-nl/plein/platform/bsn"
)

type testBundle struct {
	sealer   *bsn.Sealer
	encKey   []byte
	indexKey []byte
}

func setup(t testing.TB) *testBundle {
	t.Helper()
	enc, idx := bytes.Repeat([]byte{0x11}, 32), bytes.Repeat([]byte{0x22}, 32)
	s, err := bsn.NewSealer(enc, idx)
	if err != nil {
		t.Fatalf("NewSealer: %v", err)
	}
	return &testBundle{sealer: s, encKey: enc, indexKey: idx}
}

// seal seals b with aad, failing the test on an error.
func (bundle *testBundle) seal(t testing.TB, b bsn.BSN, aad []byte) []byte {
	t.Helper()
	ct, err := bundle.sealer.Seal(b, aad)
	if err != nil {
		t.Fatalf("Seal: %v", err)
	}
	return ct
}

func TestNewSealerKeys(t *testing.T) {
	t.Parallel()
	k32a, k32b := bytes.Repeat([]byte{1}, 32), bytes.Repeat([]byte{2}, 32)
	tests := []struct {
		name     string
		enc, idx []byte
		wantErr  error
	}{
		{"valid", k32a, k32b, nil},
		{"encryption key 16 bytes", k32a[:16], k32b, bsn.ErrKeySize},
		{"encryption key 33 bytes", append(bytes.Clone(k32a), 1), k32b, bsn.ErrKeySize},
		{"index key empty", k32a, nil, bsn.ErrKeySize},
		{"index key 31 bytes", k32a, k32b[:31], bsn.ErrKeySize},
		{"same keys", k32a, bytes.Clone(k32a), bsn.ErrSameKeys},
	}
	for _, tt := range tests {
		s, err := bsn.NewSealer(tt.enc, tt.idx)
		if !errors.Is(err, tt.wantErr) || (err == nil) != (s != nil) {
			t.Errorf("%s: NewSealer = %v, %v; want error %v", tt.name, s, err, tt.wantErr)
		}
	}
}

func TestKeysFromBase64(t *testing.T) {
	t.Parallel()
	k32a, k32b := bytes.Repeat([]byte{1}, 32), bytes.Repeat([]byte{2}, 32)
	a, b := base64.StdEncoding.EncodeToString(k32a), base64.StdEncoding.EncodeToString(k32b)
	tests := []struct {
		name     string
		enc, idx string
		wantErr  error
	}{
		{"valid", a, b, nil},
		{"trailing newline", a + "\n", " " + b, nil},
		{"not base64", "not*base64", b, bsn.ErrKeyEncoding},
		{"index not base64", a, "%%%", bsn.ErrKeyEncoding},
		{"16 bytes", base64.StdEncoding.EncodeToString(k32a[:16]), b, bsn.ErrKeySize},
		{"empty index", a, "", bsn.ErrKeySize},
	}
	for _, tt := range tests {
		enc, idx, err := bsn.KeysFromBase64(tt.enc, tt.idx)
		if !errors.Is(err, tt.wantErr) {
			t.Errorf("%s: KeysFromBase64 error = %v, want %v", tt.name, err, tt.wantErr)
			continue
		}
		if err == nil && (!bytes.Equal(enc, k32a) || !bytes.Equal(idx, k32b)) {
			t.Errorf("%s: KeysFromBase64 = %x, %x; want %x, %x", tt.name, enc, idx, k32a, k32b)
		}
	}
}

func TestSealOpen(t *testing.T) {
	t.Parallel()
	bundle := setup(t)
	b := mustParse(t, "999993653")
	tenant := []byte("enschede")

	ct := bundle.seal(t, b, tenant)
	// version + nonce + 9 digits + GCM tag.
	if got, want := len(ct), 1+12+9+16; got != want {
		t.Errorf("len(ciphertext) = %d, want %d", got, want)
	}
	if ct[0] != 1 {
		t.Errorf("ciphertext version byte = %d, want 1", ct[0])
	}
	if bytes.Contains(ct, []byte("999993653")) {
		t.Errorf("ciphertext %x holds the plaintext", ct)
	}
	got, err := bundle.sealer.Open(ct, tenant)
	if err != nil || got != b {
		t.Fatalf("Open(Seal(b)) = %v, %v; want %v", got.Reveal(), err, b.Reveal())
	}

	again := bundle.seal(t, b, tenant)
	if bytes.Equal(ct, again) {
		t.Errorf("two Seals of the same BSN are equal (%x): the nonce is not random", ct)
	}

	if _, err := bundle.sealer.Seal(bsn.BSN{}, tenant); !errors.Is(err, bsn.ErrZeroBSN) {
		t.Errorf("Seal(zero BSN) error = %v, want %v", err, bsn.ErrZeroBSN)
	}

	// nil and empty aad are the same associated data.
	noAAD := bundle.seal(t, b, nil)
	if got, err := bundle.sealer.Open(noAAD, []byte{}); err != nil || got != b {
		t.Errorf("Open(Seal(b, nil), []byte{}) = %v, %v; want %v", got, err, b)
	}
}

func TestOpenRejects(t *testing.T) {
	t.Parallel()
	bundle := setup(t)
	b := mustParse(t, "111222333")
	tenant := []byte("enschede")
	ct := bundle.seal(t, b, tenant)
	flip := func(i int) []byte {
		c := bytes.Clone(ct)
		c[i] ^= 0x01
		return c
	}
	otherKey, err := bsn.NewSealer(bytes.Repeat([]byte{0x33}, 32), bundle.indexKey)
	if err != nil {
		t.Fatalf("NewSealer: %v", err)
	}

	tests := []struct {
		name    string
		sealer  *bsn.Sealer
		ct, aad []byte
		wantErr error
	}{
		{"empty", bundle.sealer, nil, tenant, bsn.ErrMalformed},
		{"short", bundle.sealer, ct[:1+12+15], tenant, bsn.ErrMalformed},
		{"truncated by one", bundle.sealer, ct[:len(ct)-1], tenant, bsn.ErrDecrypt},
		{"unknown version", bundle.sealer, append([]byte{2}, ct[1:]...), tenant, bsn.ErrKeyVersion},
		{"nonce flipped", bundle.sealer, flip(1), tenant, bsn.ErrDecrypt},
		{"ciphertext flipped", bundle.sealer, flip(1 + 12), tenant, bsn.ErrDecrypt},
		{"tag flipped", bundle.sealer, flip(len(ct) - 1), tenant, bsn.ErrDecrypt},
		{"other tenant", bundle.sealer, ct, []byte("hengelo"), bsn.ErrDecrypt},
		{"no aad", bundle.sealer, ct, nil, bsn.ErrDecrypt},
		{"other key", otherKey, ct, tenant, bsn.ErrDecrypt},
	}
	for _, tt := range tests {
		got, err := tt.sealer.Open(tt.ct, tt.aad)
		if !errors.Is(err, tt.wantErr) || !got.IsZero() {
			t.Errorf("%s: Open = %v, %v; want the zero BSN, %v", tt.name, got, err, tt.wantErr)
		}
	}
}

func TestBlindIndex(t *testing.T) {
	t.Parallel()
	bundle := setup(t)
	b := mustParse(t, "999993653")

	// The spec: HMAC-SHA256 over the 9 ASCII digits with the index key.
	m := hmac.New(sha256.New, bundle.indexKey)
	m.Write([]byte("999993653"))
	want := m.Sum(nil)

	if got := bundle.sealer.BlindIndex(b); !bytes.Equal(got, want) {
		t.Errorf("BlindIndex = %x, want %x", got, want)
	}
	if got := bundle.sealer.BlindIndex(mustParse(t, "999993653")); !bytes.Equal(got, want) {
		t.Errorf("BlindIndex not deterministic: %x, want %x", got, want)
	}
	if got := bundle.sealer.BlindIndex(mustParse(t, "111222333")); bytes.Equal(got, want) {
		t.Errorf("BlindIndex of two BSNs equal: %x", got)
	}
	other, err := bsn.NewSealer(bundle.encKey, bytes.Repeat([]byte{0x44}, 32))
	if err != nil {
		t.Fatalf("NewSealer: %v", err)
	}
	if got := other.BlindIndex(b); bytes.Equal(got, want) {
		t.Errorf("BlindIndex under another index key = %x, equal to the first key's", got)
	}
	if got := bundle.sealer.BlindIndex(bsn.BSN{}); got != nil {
		t.Errorf("BlindIndex(zero BSN) = %x, want nil", got)
	}
}

func TestSealerHidesKeys(t *testing.T) {
	t.Parallel()
	bundle := setup(t)
	type holder struct{ s bsn.Sealer }
	for _, out := range []string{
		fmt.Sprintf("%v", bundle.sealer),
		fmt.Sprintf("%+v", *bundle.sealer),
		fmt.Sprintf("%#v", *bundle.sealer),
		fmt.Sprintf("%+v", holder{*bundle.sealer}),
	} {
		// The index key is 32 × 0x22: %v prints it as "[34 34 …", %#v as "{0x22, 0x22, …".
		if strings.Contains(out, "34 34 34") || strings.Contains(out, "0x22, 0x22") {
			t.Errorf("printing a Sealer gives %q, which shows key bytes", out)
		}
	}
}

func FuzzSealOpen(f *testing.F) {
	f.Add(uint32(99999365), []byte("enschede"))
	f.Add(uint32(11122233), []byte(nil))
	f.Add(uint32(1234567), []byte{0})
	bundle := setup(f)
	f.Fuzz(func(t *testing.T, n uint32, aad []byte) {
		// Build a valid BSN from 8 digits by choosing the ninth by the 11-proef.
		d := fmt.Sprintf("%08d", n%100_000_000)
		sum := 0
		for i := range 8 {
			sum += (9 - i) * int(d[i]-'0')
		}
		last := sum % 11
		if last == 10 || sum == 0 {
			return // no check digit makes these 8 digits a BSN: nothing to seal
		}
		b := mustParse(t, d+fmt.Sprint(last))

		ct := bundle.seal(t, b, aad)
		got, err := bundle.sealer.Open(ct, aad)
		if err != nil || got != b {
			t.Fatalf("Open(Seal(%v)) = %v, %v", b, got, err)
		}
		if _, err := bundle.sealer.Open(ct, append(bytes.Clone(aad), 'x')); !errors.Is(err, bsn.ErrDecrypt) {
			t.Fatalf("Open with other aad: error %v, want %v", err, bsn.ErrDecrypt)
		}
	})
}
