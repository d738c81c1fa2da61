package tenancy

import (
	"context"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/plein-nl/plein/platform/db/dbtest"
)

// TestFollow: a directory that follows the registry sees a newly applied gemeente and a
// suspension at once (the periodic reload is an hour away), and stops with its context.
func TestFollow(t *testing.T) {
	t.Parallel()
	b := setupStore(t, false)
	dir, err := NewDirectory(context.Background(), b.d.App)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); dir.Follow(ctx, b.d.App, time.Hour, slog.New(slog.DiscardHandler)) }()
	dbtest.AwaitListening(t, b.d.App, NotifyChannel)

	await := func(what string, ok func() bool) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for !ok() {
			if time.Now().After(deadline) {
				t.Fatalf("the directory does not see %s after 10 s", what)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	b.apply(t, filepath.Join(b.tenants, "zwolle.yaml"), "ops")
	await("zwolle applied", func() bool { _, ok := dir.ByID("zwolle"); return ok })
	if _, err := b.store.Transition(context.Background(), "zwolle", StatusSuspended, "ops", "test"); err != nil {
		t.Fatal(err)
	}
	await("zwolle suspended", func() bool { z, ok := dir.ByID("zwolle"); return ok && z.Status == StatusSuspended })

	cancel()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Follow did not return after its context ended")
	}
}
