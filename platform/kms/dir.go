package kms

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// EnvDir is the environment variable of Dir's directory.
const EnvDir = "PLEIN_KMS_DIR"

// Dir is a KMS in a directory: key id is the subdirectory id (0700), each version a
// file of 32 random bytes named by its number (0600). A key file is written under a
// temporary name and linked into place, which fails if the name exists, so concurrent
// creators, in this process or another, agree on one key.
//
// A wrapped key is version (4 bytes, big endian) ‖ nonce (12) ‖ AES-256-GCM of the
// plaintext, with the key id, the version and aad as associated data.
type Dir struct {
	path string
}

// NewDir returns the KMS in directory path, made (0700) if it does not exist.
func NewDir(path string) (*Dir, error) {
	if path == "" {
		return nil, errors.New("kms: directory not set")
	}
	if err := os.MkdirAll(path, 0o700); err != nil {
		return nil, fmt.Errorf("kms: %w", err)
	}
	return &Dir{path: path}, nil
}

// Path returns the directory.
func (d *Dir) Path() string { return d.path }

// String describes d without key material.
func (d *Dir) String() string { return "kms.Dir(" + d.path + ")" }

func (d *Dir) keyDir(id string) (string, error) {
	if !validID(id) {
		return "", fmt.Errorf("%w: %q", ErrKeyID, id)
	}
	return filepath.Join(d.path, id), nil
}

// Create implements KMS.
func (d *Dir) Create(_ context.Context, id string) error {
	dir, err := d.keyDir(id)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("kms: create %s: %w", id, err)
	}
	if err := d.addVersion(dir, 1); err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("kms: create %s: %w", id, err)
	}
	return nil
}

// addVersion writes version v of the key in dir; fs.ErrExist if it is there.
func (d *Dir) addVersion(dir string, v int) error {
	var key [32]byte
	if _, err := rand.Read(key[:]); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, ".new-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(key[:]); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Link(tmp.Name(), filepath.Join(dir, strconv.Itoa(v)))
}

// versions returns the versions of the key in dir, ascending; ErrNotFound if none.
func versions(id, dir string) ([]int, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s", ErrNotFound, id)
	}
	if err != nil {
		return nil, fmt.Errorf("kms: %s: %w", id, err)
	}
	var vs []int
	for _, e := range entries {
		if v, err := strconv.Atoi(e.Name()); err == nil && v > 0 {
			vs = append(vs, v)
		}
	}
	if len(vs) == 0 {
		return nil, fmt.Errorf("%w: %s", ErrNotFound, id)
	}
	slices.Sort(vs)
	return vs, nil
}

func (d *Dir) aead(id, dir string, v int) (cipher.AEAD, error) {
	key, err := os.ReadFile(filepath.Join(dir, strconv.Itoa(v)))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s version %d", ErrNotFound, id, v)
	}
	if err != nil {
		return nil, fmt.Errorf("kms: %s: %w", id, err)
	}
	if len(key) != 32 {
		return nil, fmt.Errorf("kms: %s version %d: key file has %d bytes, want 32", id, v, len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

func associated(id string, v uint32, aad []byte) []byte {
	out := binary.BigEndian.AppendUint32([]byte(id+"\x00"), v)
	return append(out, aad...)
}

// Wrap implements KMS.
func (d *Dir) Wrap(_ context.Context, id string, plain, aad []byte) ([]byte, error) {
	dir, err := d.keyDir(id)
	if err != nil {
		return nil, err
	}
	vs, err := versions(id, dir)
	if err != nil {
		return nil, err
	}
	v := vs[len(vs)-1]
	a, err := d.aead(id, dir, v)
	if err != nil {
		return nil, err
	}
	out := binary.BigEndian.AppendUint32(nil, uint32(v))
	nonce := make([]byte, a.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	out = append(out, nonce...)
	return a.Seal(out, nonce, plain, associated(id, uint32(v), aad)), nil
}

// Unwrap implements KMS.
func (d *Dir) Unwrap(_ context.Context, id string, wrapped, aad []byte) ([]byte, error) {
	dir, err := d.keyDir(id)
	if err != nil {
		return nil, err
	}
	if len(wrapped) < 4+12+16 {
		return nil, fmt.Errorf("%w: %d bytes is too short", ErrUnwrap, len(wrapped))
	}
	v := binary.BigEndian.Uint32(wrapped)
	a, err := d.aead(id, dir, int(v))
	if err != nil {
		return nil, err
	}
	plain, err := a.Open(nil, wrapped[4:16], wrapped[16:], associated(id, v, aad))
	if err != nil {
		return nil, fmt.Errorf("%w: %s version %d", ErrUnwrap, id, v)
	}
	return plain, nil
}

// Rotate implements KMS.
func (d *Dir) Rotate(_ context.Context, id string) (int, error) {
	dir, err := d.keyDir(id)
	if err != nil {
		return 0, err
	}
	for {
		vs, err := versions(id, dir)
		if err != nil {
			return 0, err
		}
		next := vs[len(vs)-1] + 1
		err = d.addVersion(dir, next)
		if err == nil {
			return next, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return 0, fmt.Errorf("kms: rotate %s: %w", id, err)
		}
		// Another rotation took that number: take the next one.
	}
}

// Destroy implements KMS. The files are overwritten with zeros before they are
// removed (which, on a copy-on-write or snapshotted disk, is a gesture: see the
// package comment).
func (d *Dir) Destroy(_ context.Context, id string) error {
	dir, err := d.keyDir(id)
	if err != nil {
		return err
	}
	if vs, err := versions(id, dir); err == nil {
		for _, v := range vs {
			p := filepath.Join(dir, strconv.Itoa(v))
			if err := os.WriteFile(p, make([]byte, 32), 0o600); err != nil {
				return fmt.Errorf("kms: destroy %s: %w", id, err)
			}
		}
	}
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("kms: destroy %s: %w", id, err)
	}
	return nil
}

// List implements KMS.
func (d *Dir) List(_ context.Context) ([]string, error) {
	entries, err := os.ReadDir(d.path)
	if err != nil {
		return nil, fmt.Errorf("kms: list: %w", err)
	}
	var ids []string
	for _, e := range entries {
		if e.IsDir() && validID(e.Name()) && !strings.HasPrefix(e.Name(), ".") {
			if _, err := versions(e.Name(), filepath.Join(d.path, e.Name())); err == nil {
				ids = append(ids, e.Name())
			}
		}
	}
	return ids, nil
}
