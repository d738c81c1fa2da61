package jobs_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/plein-nl/plein/platform/db/dbtest"
	"github.com/plein-nl/plein/platform/jobs"
	"github.com/plein-nl/plein/platform/tenant"
)

// setupSilos is a database with enschede (a silo) and zwolle, and an inserting client
// that routes by silos.
func setupSilos(t *testing.T) (*dbtest.DB, *siloSet, *jobs.Client) {
	t.Helper()
	d := dbtest.New(t)
	dbtest.CreateTenants(t, d, "enschede", "zwolle")
	silos := &siloSet{m: map[tenant.ID]bool{"enschede": true}}
	ins, err := jobs.NewClient(d.App, jobs.Config{Router: silos})
	if err != nil {
		t.Fatal(err)
	}
	return d, silos, ins
}

// messages is a log handler that passes each message on, for a test to wait for.
type messages chan string

func (m messages) Enabled(context.Context, slog.Level) bool { return true }
func (m messages) WithAttrs([]slog.Attr) slog.Handler       { return m }
func (m messages) WithGroup(string) slog.Handler            { return m }
func (m messages) Handle(_ context.Context, r slog.Record) error {
	select {
	case m <- r.Message:
	default: // nobody waits for it
	}
	return nil
}

// keepSilos runs KeepSilos for silo until the test ends; its log messages come on the
// channel it returns.
func keepSilos(t *testing.T, d *dbtest.DB, r jobs.Router, silo tenant.ID) messages {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	log := make(messages, 16)
	go func() {
		defer close(done)
		jobs.KeepSilos(ctx, d.App, r, silo, 20*time.Millisecond, slog.New(log))
	}()
	t.Cleanup(func() { cancel(); <-done })
	return log
}

// awaitQueue waits until job id is in queue want.
func awaitQueue(t *testing.T, d *dbtest.DB, id int64, want string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if q, _ := queueOf(t, d, id); q == want {
			return
		}
		if time.Now().After(deadline) {
			q, _ := queueOf(t, d, id)
			t.Fatalf("job %d is in queue %q, want %q", id, q, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestKeepSilos: a silo worker of a tenant on the shared tier moves nothing and says
// why; the silo's workers adopt their tenant's shared jobs, and the shared workers
// release a former silo's jobs.
func TestKeepSilos(t *testing.T) {
	t.Parallel()
	d, silos, ins := setupSilos(t)
	shared := insert(t, d, ins, "zwolle")
	former := insert(t, d, ins, "enschede")
	awaitQueue(t, d, former, "silo_enschede")

	log := keepSilos(t, d, silos, "zwolle")
	select {
	case msg := <-log:
		if want := "work: the tenant is not on the silo tier; its jobs stay with the shared workers"; msg != want {
			t.Fatalf("a silo worker of a shared tenant logs %q, want %q", msg, want)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a silo worker of a shared tenant says nothing")
	}
	if q, _ := queueOf(t, d, shared); q != jobs.QueueSignals {
		t.Errorf("a shared tenant's job moved to %q", q)
	}

	silos.set("zwolle", true)
	silos.set("enschede", false)
	keepSilos(t, d, silos, "")
	awaitQueue(t, d, shared, "silo_zwolle")
	awaitQueue(t, d, former, jobs.QueueSignals)
}
