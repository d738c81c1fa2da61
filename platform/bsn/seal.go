package bsn

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// KeySize is the length in bytes of both Sealer keys: AES-256 and a 256-bit HMAC key.
const KeySize = 32

// Sentinel errors of the Sealer. None of them, nor their wrapping, ever holds key
// material or plaintext.
var (
	ErrKeySize     = errors.New("BSN key must be 32 bytes")
	ErrSameKeys    = errors.New("BSN encryption key and index key must differ")
	ErrKeyEncoding = errors.New("BSN key is not valid base64")
	ErrZeroBSN     = errors.New("cannot seal the zero BSN")
	ErrMalformed   = errors.New("sealed BSN is malformed")
	ErrKeyVersion  = errors.New("sealed BSN has an unknown key version")
	ErrDecrypt     = errors.New("sealed BSN does not authenticate (tampered with, other key, or other associated data)")
)

// LegacyVersion is the key version of the one global key Plein had before a key per
// gemeente (PLEIN_BSN_KEY): NewSealer seals with it, and a gemeente's sealer still opens
// it (platform/keyring) until its rows are re-sealed. A gemeente's own data keys take
// the versions after it.
const LegacyVersion byte = 1

const nonceSize = 12 // the standard GCM nonce

// Sealer encrypts BSNs for storage and computes their blind index for lookup. It is
// safe for concurrent use.
//
// A sealed BSN is version (1 byte) ‖ nonce (12 random bytes) ‖ AES-256-GCM ciphertext
// and tag; the version byte is authenticated as associated data too. Open picks the key
// by that byte, so a sealer with several versions reads rows sealed before a rotation
// while Seal uses the newest.
type Sealer struct {
	// The keys sit behind a pointer so that printing a Sealer, even as an unexported
	// field of another struct, shows an address and never key bytes.
	k *sealerKeys
}

type sealerKeys struct {
	current  byte
	aeads    map[byte]cipher.AEAD
	indexKey []byte
	// priorIndexKey made indexes that may still be stored (nil: none).
	priorIndexKey []byte
}

// Keys are the keys of a Sealer with versions.
type Keys struct {
	// Enc holds the AES-256 key of every version the sealer opens.
	Enc map[byte][]byte
	// Current is the version Seal uses; Enc must hold it.
	Current byte
	// Index is the HMAC key of BlindIndex.
	Index []byte
	// PriorIndex, if set, is an index key whose indexes may still be stored (rows not
	// yet re-indexed): BlindIndexes gives both.
	PriorIndex []byte
}

// NewSealer returns a Sealer with an AES-256-GCM key and an HMAC-SHA256 index key, 32
// bytes each, sealing under LegacyVersion. The two must differ: one key for two
// algorithms couples their security. The keys are copied.
func NewSealer(encKey, indexKey []byte) (*Sealer, error) {
	return NewSealerFromKeys(Keys{Enc: map[byte][]byte{LegacyVersion: encKey}, Current: LegacyVersion, Index: indexKey})
}

// NewSealerFromKeys returns a Sealer with the keys of k, each 32 bytes, no encryption
// key equal to an index key. The keys are copied.
func NewSealerFromKeys(k Keys) (*Sealer, error) {
	if len(k.Index) != KeySize {
		return nil, fmt.Errorf("index key has %d bytes: %w", len(k.Index), ErrKeySize)
	}
	if k.PriorIndex != nil && len(k.PriorIndex) != KeySize {
		return nil, fmt.Errorf("prior index key has %d bytes: %w", len(k.PriorIndex), ErrKeySize)
	}
	if _, ok := k.Enc[k.Current]; !ok || k.Current == 0 {
		return nil, fmt.Errorf("no encryption key of the current version %d: %w", k.Current, ErrKeyVersion)
	}
	keys := &sealerKeys{current: k.Current, aeads: make(map[byte]cipher.AEAD, len(k.Enc)),
		indexKey: bytes.Clone(k.Index), priorIndexKey: bytes.Clone(k.PriorIndex)}
	for v, enc := range k.Enc {
		if len(enc) != KeySize {
			return nil, fmt.Errorf("encryption key of version %d has %d bytes: %w", v, len(enc), ErrKeySize)
		}
		if hmac.Equal(enc, k.Index) || (k.PriorIndex != nil && hmac.Equal(enc, k.PriorIndex)) {
			return nil, ErrSameKeys
		}
		block, err := aes.NewCipher(enc)
		if err != nil {
			return nil, fmt.Errorf("new AES cipher: %w", err)
		}
		if keys.aeads[v], err = cipher.NewGCM(block); err != nil {
			return nil, fmt.Errorf("new GCM: %w", err)
		}
	}
	return &Sealer{k: keys}, nil
}

// KeysFromBase64 decodes the two keys as they appear in config or a secret store:
// standard base64, surrounding white space ignored (secret files end in a newline).
func KeysFromBase64(encB64, indexB64 string) (encKey, indexKey []byte, err error) {
	encKey, err = decodeKey("encryption", encB64)
	if err != nil {
		return nil, nil, err
	}
	indexKey, err = decodeKey("index", indexB64)
	if err != nil {
		return nil, nil, err
	}
	return encKey, indexKey, nil
}

func decodeKey(name, b64 string) ([]byte, error) {
	key, err := base64.StdEncoding.DecodeString(strings.TrimSpace(b64))
	if err != nil {
		// base64's error names only an offset, never the key's content.
		return nil, fmt.Errorf("%s key: %w: %w", name, ErrKeyEncoding, err)
	}
	if len(key) != KeySize {
		return nil, fmt.Errorf("%s key decodes to %d bytes: %w", name, len(key), ErrKeySize)
	}
	return key, nil
}

// String describes s without its keys, for logs and debugging.
func (s *Sealer) String() string { return fmt.Sprintf("bsn.Sealer{key version %d}", s.k.current) }

// Current returns the key version Seal uses.
func (s *Sealer) Current() byte { return s.k.current }

// Seal encrypts b with a fresh random nonce, so sealing the same BSN twice gives
// different bytes; look BSNs up by BlindIndex, never by ciphertext.
//
// aad is bound to the ciphertext without being stored in it: callers pass the tenant id,
// so a ciphertext copied to another tenant's row fails to open. Open must get the same aad.
func (s *Sealer) Seal(b BSN, aad []byte) ([]byte, error) {
	if b.IsZero() {
		return nil, ErrZeroBSN
	}
	plain := []byte(b.Reveal())
	aead := s.k.aeads[s.k.current]
	out := make([]byte, 1+nonceSize, 1+nonceSize+len(plain)+aead.Overhead())
	out[0] = s.k.current
	nonce := out[1 : 1+nonceSize]
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("nonce: %w", err)
	}
	return aead.Seal(out, nonce, plain, associatedData(out[0], aad)), nil
}

// Open decrypts a ciphertext from Seal, given the same aad.
func (s *Sealer) Open(ct, aad []byte) (BSN, error) {
	if len(ct) < 1+nonceSize+16 {
		return BSN{}, fmt.Errorf("%d bytes: %w", len(ct), ErrMalformed)
	}
	aead, ok := s.k.aeads[ct[0]]
	if !ok {
		return BSN{}, fmt.Errorf("version %d: %w", ct[0], ErrKeyVersion)
	}
	plain, err := aead.Open(nil, ct[1:1+nonceSize], ct[1+nonceSize:], associatedData(ct[0], aad))
	if err != nil {
		return BSN{}, ErrDecrypt
	}
	b, err := Parse(string(plain))
	if err != nil {
		// Authentic yet invalid means a bug on the sealing side; the plaintext stays out.
		return BSN{}, fmt.Errorf("%w: plaintext is not a valid BSN", ErrMalformed)
	}
	return b, nil
}

// associatedData authenticates the version byte along with the caller's aad; the
// version has a fixed length, so the concatenation is unambiguous.
func associatedData(version byte, aad []byte) []byte {
	return append([]byte{version}, aad...)
}

// BlindIndex returns HMAC-SHA256(indexKey, the 9 digits): deterministic, so a BSN is
// found by its index without decrypting any row, and keyed, so the 10^9 possible BSNs
// cannot be hashed by someone with only the database. It returns nil for the zero BSN,
// which then matches no stored index.
func (s *Sealer) BlindIndex(b BSN) []byte {
	if b.IsZero() {
		return nil
	}
	return blindIndex(s.k.indexKey, b)
}

// BlindIndexes returns the blind index of b under the current index key and, while
// rows indexed with a prior index key may remain, under that one too: a lookup matches
// any of them. Nil for the zero BSN.
func (s *Sealer) BlindIndexes(b BSN) [][]byte {
	if b.IsZero() {
		return nil
	}
	out := [][]byte{blindIndex(s.k.indexKey, b)}
	if s.k.priorIndexKey != nil {
		out = append(out, blindIndex(s.k.priorIndexKey, b))
	}
	return out
}

func blindIndex(key []byte, b BSN) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(b.Reveal()))
	return m.Sum(nil)
}
