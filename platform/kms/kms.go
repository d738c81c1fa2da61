// Package kms is Plein's key management: named key-encryption keys (KEKs) that wrap
// and unwrap small data keys and never leave the KMS, with versions for rotation and
// destruction for crypto-shredding.
//
// Plein keeps one KEK per gemeente (platform/keyring names it from the tenant id). The
// gemeente's data keys are stored in the database only wrapped under that KEK, so the
// database, and every dump or backup of it, is unreadable without the KMS. Destroying
// the KEK when the gemeente is purged makes every copy of its wrapped keys, and so of
// its sealed BSNs, unreadable at once: a backup made before the purge holds the wrapped
// key, but the KEK that opens it is gone. One global KEK would not do that: it lives on
// after the purge and opens the wrapped key in an old dump.
//
// Dir is the implementation for `plein dev` and tests: a directory of key files. A
// production installation puts a real KMS (an HSM, Vault transit, a cloud KMS) behind
// the same interface; file deletion on a disk with snapshots is no shredding.
package kms

import (
	"context"
	"errors"
)

// Errors of a KMS. None of them holds key material.
var (
	// ErrNotFound is a key that does not exist (never created, or destroyed).
	ErrNotFound = errors.New("kms: key not found")
	// ErrUnwrap is a wrapped key that does not authenticate under the named key:
	// another key, another associated data, a destroyed and re-created key, or damage.
	ErrUnwrap = errors.New("kms: wrapped key does not authenticate")
	// ErrKeyID is a key id the KMS does not accept.
	ErrKeyID = errors.New("kms: key id must be 1 to 100 of a-z, 0-9, '.', '_' and '-', starting with a letter or digit")
)

// KMS holds key-encryption keys by id. Implementations are safe for concurrent use,
// also by several processes: Create by two of them at once yields one key.
type KMS interface {
	// Create makes key id if it does not exist; an existing key is kept as it is.
	Create(ctx context.Context, id string) error
	// Wrap encrypts plain under the newest version of key id, binding aad.
	Wrap(ctx context.Context, id string, plain, aad []byte) ([]byte, error)
	// Unwrap decrypts what Wrap returned, with the version of key id it names.
	Unwrap(ctx context.Context, id string, wrapped, aad []byte) ([]byte, error)
	// Rotate adds a new version of key id, which Wrap uses from then on; the older
	// versions still unwrap. It returns the new version.
	Rotate(ctx context.Context, id string) (int, error)
	// Destroy removes every version of key id; destroying a missing key is no error.
	Destroy(ctx context.Context, id string) error
	// List returns the ids of the existing keys, sorted.
	List(ctx context.Context) ([]string, error)
}

// validID says whether id is a key id every implementation accepts (a file name, a
// Vault key name and a cloud KMS key name alike).
func validID(id string) bool {
	if len(id) == 0 || len(id) > 100 {
		return false
	}
	for i, c := range []byte(id) {
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case i > 0 && (c == '.' || c == '_' || c == '-'):
		default:
			return false
		}
	}
	return true
}
