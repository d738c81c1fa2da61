package bsn

import (
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

// keyVersion is the first byte of every ciphertext. Rotation adds a key under the next
// version and lets Open pick the key by this byte, so old rows stay readable while they
// are re-sealed. The blind index cannot rotate that way: a new index key means
// recomputing every index.
const keyVersion byte = 1

const nonceSize = 12 // the standard GCM nonce

// Sealer encrypts BSNs for storage and computes their blind index for lookup. It is
// safe for concurrent use.
//
// A sealed BSN is version (1 byte) ‖ nonce (12 random bytes) ‖ AES-256-GCM ciphertext
// and tag; the version byte is authenticated as associated data too.
type Sealer struct {
	// The keys sit behind a pointer so that printing a Sealer, even as an unexported
	// field of another struct, shows an address and never key bytes.
	k *sealerKeys
}

type sealerKeys struct {
	aead     cipher.AEAD
	indexKey []byte
}

// NewSealer returns a Sealer with an AES-256-GCM key and an HMAC-SHA256 index key, 32
// bytes each. The two must differ: one key for two algorithms couples their security.
// The keys are copied.
func NewSealer(encKey, indexKey []byte) (*Sealer, error) {
	if len(encKey) != KeySize {
		return nil, fmt.Errorf("encryption key has %d bytes: %w", len(encKey), ErrKeySize)
	}
	if len(indexKey) != KeySize {
		return nil, fmt.Errorf("index key has %d bytes: %w", len(indexKey), ErrKeySize)
	}
	if hmac.Equal(encKey, indexKey) {
		return nil, ErrSameKeys
	}
	block, err := aes.NewCipher(encKey)
	if err != nil {
		return nil, fmt.Errorf("new AES cipher: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("new GCM: %w", err)
	}
	return &Sealer{k: &sealerKeys{aead: aead, indexKey: append([]byte(nil), indexKey...)}}, nil
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
func (s *Sealer) String() string { return fmt.Sprintf("bsn.Sealer{key version %d}", keyVersion) }

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
	out := make([]byte, 1+nonceSize, 1+nonceSize+len(plain)+s.k.aead.Overhead())
	out[0] = keyVersion
	nonce := out[1 : 1+nonceSize]
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("nonce: %w", err)
	}
	return s.k.aead.Seal(out, nonce, plain, associatedData(out[0], aad)), nil
}

// Open decrypts a ciphertext from Seal, given the same aad.
func (s *Sealer) Open(ct, aad []byte) (BSN, error) {
	if len(ct) < 1+nonceSize+s.k.aead.Overhead() {
		return BSN{}, fmt.Errorf("%d bytes: %w", len(ct), ErrMalformed)
	}
	if ct[0] != keyVersion {
		return BSN{}, fmt.Errorf("version %d: %w", ct[0], ErrKeyVersion)
	}
	plain, err := s.k.aead.Open(nil, ct[1:1+nonceSize], ct[1+nonceSize:], associatedData(ct[0], aad))
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
	m := hmac.New(sha256.New, s.k.indexKey)
	m.Write([]byte(b.Reveal()))
	return m.Sum(nil)
}
