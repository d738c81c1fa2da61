package jobs_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/plein-nl/plein/platform/audit"
	"github.com/plein-nl/plein/platform/db"
	"github.com/plein-nl/plein/platform/db/dbtest"
	"github.com/plein-nl/plein/platform/jobs"
	"github.com/plein-nl/plein/platform/tenant"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// probeArgs is a job that tries to reach beyond its tenant.
type probeArgs struct {
	jobs.TenantArgs
	Other tenant.ID `json:"other"`
}

func (probeArgs) Kind() string { return "test.probe" }

type result struct {
	tenantInCtx     tenant.ID
	ownAudit        int
	otherAudit      int
	allAudit        int
	insertOtherFail bool
}

type testBundle struct {
	d       *dbtest.DB
	client  *jobs.Client
	results chan result
	events  <-chan *river.Event
}

func setup(t *testing.T) *testBundle {
	t.Helper()
	d := dbtest.New(t)
	dbtest.CreateTenants(t, d, "enschede", "zwolle")
	ctx := context.Background()
	// One audit entry per tenant, so that a leak would be visible.
	for _, id := range []tenant.ID{"enschede", "zwolle"} {
		err := db.InTenant(tenant.WithID(ctx, id), d.App, func(ctx context.Context, tx pgx.Tx) error {
			return audit.Record(ctx, tx, audit.Entry{Actor: "seed", Role: "test", Action: "seed", ObjectType: "probe", Purpose: "test"})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	b := &testBundle{d: d, results: make(chan result, 4)}
	workers := river.NewWorkers()
	river.AddWorker(workers, jobs.NewTenantWorker(d.App, func(ctx context.Context, tx pgx.Tx, job *river.Job[probeArgs]) error {
		var r result
		r.tenantInCtx, _ = tenant.FromContext(ctx)
		if err := tx.QueryRow(ctx, "SELECT count(*) FROM audit_log WHERE tenant_id = $1", string(job.Args.Tenant)).Scan(&r.ownAudit); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, "SELECT count(*) FROM audit_log WHERE tenant_id = $1", string(job.Args.Other)).Scan(&r.otherAudit); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, "SELECT count(*) FROM audit_log").Scan(&r.allAudit); err != nil {
			return err
		}
		// Try to write into the other tenant, in a savepoint so the job can go on.
		sp, err := tx.Begin(ctx)
		if err != nil {
			return err
		}
		_, err = sp.Exec(ctx, `INSERT INTO audit_log (tenant_id, actor, role, action, object_type, purpose)
			VALUES ($1, 'job', 'job', 'probe', 'probe', 'test')`, string(job.Args.Other))
		r.insertOtherFail = err != nil
		_ = sp.Rollback(ctx)
		b.results <- r
		return nil
	}))
	client, err := jobs.NewClient(d.App, jobs.Config{Workers: workers, MaxWorkers: 2})
	if err != nil {
		t.Fatal(err)
	}
	b.client = client
	events, cancel := client.Subscribe(river.EventKindJobCompleted, river.EventKindJobCancelled, river.EventKindJobFailed)
	t.Cleanup(cancel)
	b.events = events
	if err := client.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = client.Stop(ctx)
	})
	return b
}

func (b *testBundle) insert(t *testing.T, ctx context.Context, args probeArgs) error {
	t.Helper()
	return db.InTenant(ctx, b.d.App, func(ctx context.Context, tx pgx.Tx) error {
		return jobs.InsertTx(ctx, b.client, tx, args, nil)
	})
}

func (b *testBundle) waitEvent(t *testing.T) *river.Event {
	t.Helper()
	select {
	case ev := <-b.events:
		return ev
	case <-time.After(20 * time.Second):
		t.Fatal("no job event within 20 s")
		return nil
	}
}

func TestJobSeesOnlyItsTenant(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := tenant.WithID(context.Background(), "enschede")
	if err := b.insert(t, ctx, probeArgs{TenantArgs: jobs.TenantArgs{Tenant: "enschede"}, Other: "zwolle"}); err != nil {
		t.Fatal(err)
	}
	ev := b.waitEvent(t)
	if ev.Kind != river.EventKindJobCompleted {
		t.Fatalf("job event %s (%v), want completed", ev.Kind, ev.Job.Errors)
	}
	r := <-b.results
	want := result{tenantInCtx: "enschede", ownAudit: 1, otherAudit: 0, allAudit: 1, insertOtherFail: true}
	if r != want {
		t.Errorf("job saw %+v, want %+v", r, want)
	}
}

func TestInsertForAnotherTenantIsRefused(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := tenant.WithID(context.Background(), "enschede")
	err := b.insert(t, ctx, probeArgs{TenantArgs: jobs.TenantArgs{Tenant: "zwolle"}, Other: "enschede"})
	if !errors.Is(err, jobs.ErrTenantMismatch) {
		t.Errorf("insert for another tenant: err = %v, want ErrTenantMismatch", err)
	}
}

// TestBadTenantInArgsIsCancelled inserts a job behind the wall's back (as if a bug or an
// attacker wrote the args): the worker refuses to run it at all.
func TestBadTenantInArgsIsCancelled(t *testing.T) {
	t.Parallel()
	b := setup(t)
	bad := []tenant.ID{"", "Not A Tenant", "../zwolle"}
	for _, id := range bad {
		if _, err := b.client.Insert(context.Background(), probeArgs{TenantArgs: jobs.TenantArgs{Tenant: id}, Other: "zwolle"}, nil); err != nil {
			t.Fatal(err)
		}
	}
	for range bad {
		ev := b.waitEvent(t)
		if ev.Kind != river.EventKindJobCancelled || ev.Job.State != rivertype.JobStateCancelled {
			t.Errorf("job %s: event %s, want cancelled", ev.Job.EncodedArgs, ev.Kind)
		}
	}
	select {
	case r := <-b.results:
		t.Errorf("the work of a job with a bad tenant ran (%+v), want it never to run", r)
	default:
	}
}
