package tenancy

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"

	"github.com/plein-nl/plein/platform/audit"
	"github.com/plein-nl/plein/platform/jobs"
)

// ConfigAppliedArgs is enqueued with every new config version, in the same
// transaction. Its worker records the change in the tenant's own audit log, so the
// gemeente can see who changed its configuration and when.
type ConfigAppliedArgs struct {
	jobs.TenantArgs
	Version int    `json:"version"`
	Author  string `json:"author"`
}

// Kind implements river.JobArgs.
func (ConfigAppliedArgs) Kind() string { return "tenancy.config_applied" }

// InsertOpts puts the job on the notifications queue.
func (ConfigAppliedArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: jobs.QueueNotifications}
}

// AddWorkers registers the tenancy workers; they run as the app pool's role. shred
// destroys the keys of a purged tenant (nil: none are).
func AddWorkers(w *river.Workers, app *pgxpool.Pool, shred Shredder) {
	addPurgeWorker(w, app, shred)
	river.AddWorker(w, jobs.NewTenantWorker(app, func(ctx context.Context, tx pgx.Tx, job *river.Job[ConfigAppliedArgs]) error {
		err := audit.Record(ctx, tx, audit.Entry{
			Actor:      job.Args.Author,
			Role:       "coop-operator",
			Action:     "tenant-config.applied",
			ObjectType: "tenant-config",
			ObjectID:   fmt.Sprintf("v%d", job.Args.Version),
			Purpose:    "configuratiewijziging van de gemeente",
		})
		return err
	}))
}
