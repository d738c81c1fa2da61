package kms_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"github.com/plein-nl/plein/platform/kms"
)

func newDir(t *testing.T) *kms.Dir {
	t.Helper()
	d, err := kms.NewDir(filepath.Join(t.TempDir(), "kms"))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestDirWrapUnwrapRotateDestroy(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := newDir(t)
	plain := bytes.Repeat([]byte{7}, 32)
	if _, err := d.Wrap(ctx, "zwolle", plain, nil); !errors.Is(err, kms.ErrNotFound) {
		t.Fatalf("Wrap before Create: err = %v, want ErrNotFound", err)
	}
	if err := d.Create(ctx, "zwolle"); err != nil {
		t.Fatal(err)
	}
	w1, err := d.Wrap(ctx, "zwolle", plain, []byte("aad"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(w1, plain) {
		t.Fatal("the wrapped key holds the plaintext")
	}
	if _, err := d.Unwrap(ctx, "zwolle", w1, []byte("other")); !errors.Is(err, kms.ErrUnwrap) {
		t.Errorf("Unwrap with other aad: err = %v, want ErrUnwrap", err)
	}
	if v, err := d.Rotate(ctx, "zwolle"); err != nil || v != 2 {
		t.Fatalf("Rotate = %d, %v; want 2", v, err)
	}
	w2, err := d.Wrap(ctx, "zwolle", plain, []byte("aad"))
	if err != nil {
		t.Fatal(err)
	}
	for i, w := range [][]byte{w1, w2} {
		if got, err := d.Unwrap(ctx, "zwolle", w, []byte("aad")); err != nil || !bytes.Equal(got, plain) {
			t.Errorf("Unwrap of wrap %d = %x, %v; want %x", i+1, got, err, plain)
		}
	}
	if w1[3] != 1 || w2[3] != 2 {
		t.Errorf("wrapped versions = %d, %d; want 1, 2", w1[3], w2[3])
	}
	// Files are private to the owner.
	fi, err := os.Stat(filepath.Join(d.Path(), "zwolle", "1"))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("key file mode = %v, %v; want 0600", fi.Mode().Perm(), err)
	}
	if err := d.Create(ctx, "enschede"); err != nil {
		t.Fatal(err)
	}
	if ids, err := d.List(ctx); err != nil || !slices.Equal(ids, []string{"enschede", "zwolle"}) {
		t.Errorf("List = %v, %v", ids, err)
	}
	if err := d.Destroy(ctx, "zwolle"); err != nil {
		t.Fatal(err)
	}
	if err := d.Destroy(ctx, "zwolle"); err != nil {
		t.Errorf("second Destroy: %v, want nil", err)
	}
	if _, err := d.Unwrap(ctx, "zwolle", w1, []byte("aad")); !errors.Is(err, kms.ErrNotFound) {
		t.Errorf("Unwrap after Destroy: err = %v, want ErrNotFound", err)
	}
	// A key re-created under the same id is another key: the old wraps stay unreadable.
	if err := d.Create(ctx, "zwolle"); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Unwrap(ctx, "zwolle", w1, []byte("aad")); !errors.Is(err, kms.ErrUnwrap) {
		t.Errorf("Unwrap under a re-created key: err = %v, want ErrUnwrap", err)
	}
}

// TestDirConcurrentCreate: many creators of one key, one key: every wrap unwraps with
// every other handle on the same directory.
func TestDirConcurrentCreate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "kms")
	const n = 16
	wraps := make([][]byte, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d, err := kms.NewDir(dir)
			if err == nil {
				err = d.Create(ctx, "zwolle")
			}
			if err == nil {
				wraps[i], err = d.Wrap(ctx, "zwolle", []byte{byte(i)}, nil)
			}
			if err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	d, err := kms.NewDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for i, w := range wraps {
		if got, err := d.Unwrap(ctx, "zwolle", w, nil); err != nil || !bytes.Equal(got, []byte{byte(i)}) {
			t.Errorf("wrap %d: Unwrap = %x, %v", i, got, err)
		}
	}
}

func TestDirRefusesBadID(t *testing.T) {
	t.Parallel()
	d := newDir(t)
	for _, id := range []string{"", "../etc", "Zwolle", ".hidden", "a/b"} {
		if err := d.Create(context.Background(), id); !errors.Is(err, kms.ErrKeyID) {
			t.Errorf("Create(%q): err = %v, want ErrKeyID", id, err)
		}
	}
}
