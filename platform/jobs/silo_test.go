package jobs_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/plein-nl/plein/platform/db"
	"github.com/plein-nl/plein/platform/db/dbtest"
	"github.com/plein-nl/plein/platform/jobs"
	"github.com/plein-nl/plein/platform/tenant"
)

type siloSet struct {
	mu sync.Mutex
	m  map[tenant.ID]bool
}

func (s *siloSet) Silo(t tenant.ID) bool    { s.mu.Lock(); defer s.mu.Unlock(); return s.m[t] }
func (s *siloSet) set(t tenant.ID, on bool) { s.mu.Lock(); s.m[t] = on; s.mu.Unlock() }

type pingArgs struct{ jobs.TenantArgs }

func (pingArgs) Kind() string { return "test.ping" }

func queueOf(t *testing.T, d *dbtest.DB, id int64) (string, string) {
	t.Helper()
	var q, meta string
	if err := d.Owner.QueryRow(context.Background(), "SELECT queue, coalesce(metadata->>'plein_queue', '') FROM river.river_job WHERE id = $1", id).Scan(&q, &meta); err != nil {
		t.Fatal(err)
	}
	return q, meta
}

func insert(t *testing.T, d *dbtest.DB, c *jobs.Client, ten tenant.ID) int64 {
	t.Helper()
	var id int64
	ctx := tenant.WithID(context.Background(), ten)
	err := db.InTenant(ctx, d.App, func(ctx context.Context, tx pgx.Tx) error {
		res, err := c.InsertTx(ctx, tx, pingArgs{jobs.TenantArgs{Tenant: ten}}, &river.InsertOpts{Queue: jobs.QueueSignals})
		if err != nil {
			return err
		}
		id = res.Job.ID
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// TestSiloQueues: a silo tenant's jobs go to its own queue, only its own workers work
// them, and they move back when it returns to the shared tier (and the other way).
func TestSiloQueues(t *testing.T) {
	d, silos, ins := setupSilos(t)
	ctx := t.Context()
	big := insert(t, d, ins, "enschede")
	small := insert(t, d, ins, "zwolle")
	if q, meta := queueOf(t, d, big); q != "silo_enschede" || meta != jobs.QueueSignals {
		t.Errorf("silo job: queue %q, kept queue %q", q, meta)
	}
	if q, _ := queueOf(t, d, small); q != jobs.QueueSignals {
		t.Errorf("shared job: queue %q", q)
	}

	// The silo's workers work its job and not the shared one.
	worked := make(chan tenant.ID, 4)
	w := river.NewWorkers()
	river.AddWorker(w, jobs.NewTenantWorker(d.App, func(ctx context.Context, _ pgx.Tx, job *river.Job[pingArgs]) error {
		worked <- job.Args.Tenant
		return nil
	}))
	sc, err := jobs.NewClient(d.App, jobs.Config{Workers: w, SiloTenant: "enschede", Router: silos})
	if err != nil {
		t.Fatal(err)
	}
	if err := sc.Start(ctx); err != nil {
		t.Fatal(err)
	}
	select {
	case got := <-worked:
		if got != "enschede" {
			t.Errorf("the silo worker worked %s's job", got)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the silo's job was not worked")
	}
	select {
	case got := <-worked:
		t.Errorf("the silo worker also worked %s's job", got)
	case <-time.After(300 * time.Millisecond):
	}
	stopCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := sc.Stop(stopCtx); err != nil {
		t.Fatal(err)
	}

	// Enschede goes back to the shared tier: its pending job returns to its own queue.
	pendingBig := insert(t, d, ins, "enschede")
	silos.set("enschede", false)
	n, err := jobs.ReleaseSilos(ctx, d.App, silos)
	if err != nil || n != 1 {
		t.Fatalf("released %d, err %v: want 1", n, err)
	}
	if q, meta := queueOf(t, d, pendingBig); q != jobs.QueueSignals || meta != "" {
		t.Errorf("released job: queue %q, meta %q", q, meta)
	}
	// Zwolle becomes a silo: its pending shared job is adopted into its queue.
	silos.set("zwolle", true)
	if n, err := jobs.AdoptSilo(ctx, d.App, "zwolle"); err != nil || n != 1 {
		t.Fatalf("adopted %d, err %v: want 1", n, err)
	}
	if q, meta := queueOf(t, d, small); q != "silo_zwolle" || meta != jobs.QueueSignals {
		t.Errorf("adopted job: queue %q, kept %q", q, meta)
	}
	if q, _ := queueOf(t, d, pendingBig); q != jobs.QueueSignals {
		t.Errorf("another tenant's job was adopted: %q", q)
	}
}
