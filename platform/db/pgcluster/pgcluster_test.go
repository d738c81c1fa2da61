package pgcluster

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestSocketDirStaysShort(t *testing.T) {
	t.Parallel()
	short := socketDirFor("/srv/plein/.plein/postgres")
	if short != "/srv/plein/.plein/postgres/run" {
		t.Errorf("short path: socket dir %q, want it inside the cluster dir", short)
	}
	long := "/" + strings.Repeat("verylongdirectoryname/", 6) + "postgres"
	got := socketDirFor(long)
	if len(got)+len("/.s.PGSQL.5432") > 107 || strings.HasPrefix(got, long) {
		t.Errorf("long path: socket dir %q (%d bytes), want a short one outside the cluster dir", got, len(got))
	}
	if socketDirFor(long) != got {
		t.Error("socket dir of one cluster dir is not stable")
	}
}

func TestReachable(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	private := filepath.Join(dir, "private")
	if err := os.MkdirAll(filepath.Join(private, "data"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(private, 0o700); err != nil {
		t.Fatal(err)
	}
	err := reachable(filepath.Join(private, "data", "postgres"))
	if err == nil || !strings.Contains(err.Error(), private) {
		t.Errorf("reachable under a 0700 directory: err = %v, want one naming %s", err, private)
	}
}

// clusterDir returns a directory for a cluster, removed after the test: 0755 in the
// system's temporary directory, not under t.TempDir's 0700 one, so that a server run as
// another user (nobody, when the tests run as root) can enter it.
func clusterDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "plein-pgcluster-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// open opens the cluster "pg" under dir.
func open(t *testing.T, dir string) *Cluster {
	t.Helper()
	c, err := Open(filepath.Join(dir, "pg"))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestStartStop(t *testing.T) {
	t.Parallel()
	dir := clusterDir(t)
	ctx := context.Background()
	c := open(t, dir)
	if c.Running(ctx) || c.Initialized() {
		t.Fatal("a new cluster claims to run or exist")
	}
	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if !c.Running(ctx) || !c.StartedByUs() {
		t.Errorf("after Start: running=%v startedByUs=%v, want both", c.Running(ctx), c.StartedByUs())
	}
	// A second handle on the same directory shares the running server.
	other := open(t, dir)
	if err := other.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if other.StartedByUs() {
		t.Error("the second handle claims to have started a server that was running")
	}
	if err := c.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if c.Running(ctx) {
		t.Error("running after Stop")
	}
	if err := c.Remove(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestConcurrentStarts: processes that start the same stopped cluster at the same time
// (a `plein` killed while starting it, and the next one) all end up sharing one
// server that accepts connections; exactly one of them started it.
func TestConcurrentStarts(t *testing.T) {
	t.Parallel()
	dir := clusterDir(t)
	ctx := context.Background()
	first := open(t, dir)
	if err := first.Init(ctx); err != nil {
		t.Fatal(err)
	}
	const n = 4
	cs := make([]*Cluster, n)
	errs := make(chan error, n)
	for i := range cs {
		cs[i] = open(t, dir)
		go func(c *Cluster) { errs <- c.Start(ctx) }(cs[i])
	}
	for range n {
		if err := <-errs; err != nil {
			t.Errorf("a concurrent start: %v", err)
		}
	}
	started := 0
	for _, c := range cs {
		if c.StartedByUs() {
			started++
		}
	}
	if started != 1 {
		t.Errorf("%d handles claim to have started the server, want 1", started)
	}
	if err := first.waitReady(ctx, 5*time.Second); err != nil {
		t.Error(err)
	}
	if err := first.Stop(ctx); err != nil {
		t.Fatal(err)
	}
}
