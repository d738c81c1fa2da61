package tenancy

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"

	"github.com/plein-nl/plein/platform/jobs"
)

// PurgeActor is who purges the tenants whose grace period is over.
const PurgeActor = "system:tenant-purge"

// PurgeDueArgs is the periodic job that purges every offboarding tenant whose grace
// period is over. It carries no tenant: a tenant's purge deletes that tenant's jobs,
// which must not include the one doing it.
type PurgeDueArgs struct{}

// Kind implements river.JobArgs.
func (PurgeDueArgs) Kind() string { return "tenancy.purge_due" }

// InsertOpts puts the job on the default queue.
func (PurgeDueArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{Queue: jobs.QueueDefault} }

// addPurgeWorker registers the purge job's worker on pool. As plein_app it may only
// call tenant_purge, which refuses every tenant that is not due. Each purge is recorded
// as the tenant's event and in its offboarding, and destroys the tenant's keys with
// shred (nil: none); the keys of tenants offboarded before are destroyed again, in
// case that failed then. A failure is the job's error.
func addPurgeWorker(w *river.Workers, pool *pgxpool.Pool, shred Shredder) {
	store := NewStore(pool, nil)
	if shred != nil {
		store.WithShredder(shred)
	}
	river.AddWorker(w, river.WorkFunc(func(ctx context.Context, _ *river.Job[PurgeDueArgs]) error {
		_, err := store.PurgeDue(ctx, PurgeActor)
		return errors.Join(err, store.ShredOffboarded(ctx))
	}))
}

// PeriodicJobs are the tenancy's periodic jobs: the purge of tenants that are due,
// every hour.
func PeriodicJobs() []*river.PeriodicJob {
	return []*river.PeriodicJob{river.NewPeriodicJob(river.PeriodicInterval(time.Hour),
		func() (river.JobArgs, *river.InsertOpts) { return PurgeDueArgs{}, nil },
		&river.PeriodicJobOpts{RunOnStart: true})}
}
