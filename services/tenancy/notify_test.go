package tenancy

import (
	"context"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// awaitListening waits until a session of pool's role listens on NotifyChannel, so that
// a change made next is not one made before anyone listened.
func awaitListening(t *testing.T, pool *pgxpool.Pool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var n int
		err := pool.QueryRow(context.Background(), `SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND pid <> pg_backend_pid() AND query = 'LISTEN '||$1`, NotifyChannel).Scan(&n)
		if err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("nobody listens for tenant changes after 10 s")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

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
	awaitListening(t, b.d.App)

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
