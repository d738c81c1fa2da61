package auth_test

import (
	"testing"

	"github.com/plein-nl/plein/platform/db/dbtest"
)

// The revocation store is tested on a real PostgreSQL (revocation_test.go).
func TestMain(m *testing.M) { dbtest.Main(m) }

// configured returns what newFn makes of cfg once mutate (when not nil) has changed
// it, and fails the test when newFn refuses the config: the setup of each bundle.
func configured[C, T any](t *testing.T, cfg C, mutate func(*C), newFn func(C) (T, error)) T {
	t.Helper()
	if mutate != nil {
		mutate(&cfg)
	}
	v, err := newFn(cfg)
	if err != nil {
		t.Fatalf("new %T: %v", v, err)
	}
	return v
}
