// Package jobs wires River into Plein and carries the tenant across the job wall.
//
// River's tables have no row-level security, so a job's tenant is an explicit field of
// its args (TenantArgs). A worker never reads it from anywhere else: TenantWorker
// validates it, puts it in the context, opens a transaction as plein_app with the
// tenant set, runs the work and completes the job in that same transaction, so that
// the work and its completion commit together or not at all. A job for tenant A can
// therefore read and change only A's rows, whatever its code tries.
package jobs

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivertype"

	"github.com/plein-nl/plein/platform/db"
	"github.com/plein-nl/plein/platform/tenant"
)

// Queues. River has no fairness between tenants in its open-source edition, so work is
// split by kind, never by tenant, except that a silo-tier tenant's jobs go to a queue of
// its own (silo.go).
const (
	QueueDefault       = river.QueueDefault
	QueueSettlement    = "settlement"
	QueueSignals       = "signals"
	QueueNotifications = "notifications"
)

// ErrTenantMismatch is returned when a job is inserted for another tenant than the one
// of the inserting context.
var ErrTenantMismatch = errors.New("jobs: job args carry another tenant than the context")

// TenantArgs is embedded in the args of every job that touches tenant data.
type TenantArgs struct {
	Tenant tenant.ID `json:"tenant"`
}

// TenantID returns the job's tenant.
func (a TenantArgs) TenantID() tenant.ID { return a.Tenant }

// Scoped is the args of a job that belongs to one tenant.
type Scoped interface {
	river.JobArgs
	TenantID() tenant.ID
}

// Client is Plein's River client.
type Client = river.Client[pgx.Tx]

// Config configures a client.
type Config struct {
	// Workers registered with AddWorker; nil for an insert-only client.
	Workers *river.Workers
	// MaxWorkers per queue; zero means a default suited to 2 cores.
	MaxWorkers int
	Logger     *slog.Logger
	// PeriodicJobs are run by the elected leader only.
	PeriodicJobs []*river.PeriodicJob
	// Router, when set, sends the jobs of silo tenants to their own queue.
	Router Router
	// SiloTenant, when set, makes the client work only that silo tenant's queue (the
	// workers in the tenant's own namespace); else it works the shared queues.
	SiloTenant tenant.ID
	// JobTimeout bounds one job; zero means 30 minutes (a settlement's posting of
	// half a million residents takes about a minute; River's default of one minute is
	// too tight for it).
	JobTimeout time.Duration
}

// NewClient returns a River client on pool (schema river). Without workers it can
// only insert.
func NewClient(pool *pgxpool.Pool, cfg Config) (*Client, error) {
	rc := &river.Config{
		Schema:       db.RiverSchema,
		Logger:       cfg.Logger,
		PeriodicJobs: cfg.PeriodicJobs,
		JobTimeout:   cmp.Or(cfg.JobTimeout, 30*time.Minute),
	}
	if cfg.Workers != nil {
		n := cfg.MaxWorkers
		if n <= 0 {
			n = 10
		}
		rc.Workers = cfg.Workers
		rc.Queues = map[string]river.QueueConfig{
			QueueDefault:       {MaxWorkers: n},
			QueueSettlement:    {MaxWorkers: n},
			QueueSignals:       {MaxWorkers: n},
			QueueNotifications: {MaxWorkers: n},
		}
		if cfg.SiloTenant != "" {
			rc.Queues = map[string]river.QueueConfig{SiloQueue(cfg.SiloTenant): {MaxWorkers: n}}
		}
	}
	if cfg.Router != nil {
		rc.Middleware = []rivertype.Middleware{&siloRouting{r: cfg.Router}}
	}
	c, err := river.NewClient(riverpgxv5.New(pool), rc)
	if err != nil {
		return nil, fmt.Errorf("jobs: new client: %w", err)
	}
	return c, nil
}

// InsertTx inserts a tenant job in tx, the transaction of the business write that
// causes it. The args' tenant must be the context's: a service of tenant A cannot
// enqueue work for tenant B.
func InsertTx(ctx context.Context, c *Client, tx pgx.Tx, args Scoped, opts *river.InsertOpts) error {
	id, err := tenant.Require(ctx)
	if err != nil {
		return fmt.Errorf("jobs: insert %s: %w", args.Kind(), err)
	}
	if args.TenantID() != id {
		return fmt.Errorf("%w: insert %s: args %q, context %q", ErrTenantMismatch, args.Kind(), args.TenantID(), id)
	}
	if _, err := c.InsertTx(ctx, tx, args, opts); err != nil {
		return fmt.Errorf("jobs: insert %s: %w", args.Kind(), err)
	}
	return nil
}

// WorkFunc does a tenant job's work inside the tenant's transaction. ctx carries the
// tenant.
type WorkFunc[T Scoped] func(ctx context.Context, tx pgx.Tx, job *river.Job[T]) error

// TenantWorker runs WorkFunc for the job's tenant, in a transaction as the pool's role
// (plein_app) with the tenant set, and completes the job in the same transaction.
type TenantWorker[T Scoped] struct {
	river.WorkerDefaults[T]
	pool *pgxpool.Pool
	fn   WorkFunc[T]
}

// NewTenantWorker returns a worker running fn for each job's own tenant.
func NewTenantWorker[T Scoped](pool *pgxpool.Pool, fn WorkFunc[T]) *TenantWorker[T] {
	return &TenantWorker[T]{pool: pool, fn: fn}
}

// Work implements river.Worker.
func (w *TenantWorker[T]) Work(ctx context.Context, job *river.Job[T]) error {
	id, err := tenant.Parse(string(job.Args.TenantID()))
	if err != nil {
		// Retrying cannot make bad args good.
		return river.JobCancel(fmt.Errorf("jobs: %s %d: %w", job.Kind, job.ID, err))
	}
	ctx = tenant.WithID(ctx, id)
	return db.InTenant(ctx, w.pool, func(ctx context.Context, tx pgx.Tx) error {
		if err := w.fn(ctx, tx, job); err != nil {
			return err
		}
		if _, err := river.JobCompleteTx[*riverpgxv5.Driver](ctx, tx, job); err != nil {
			return fmt.Errorf("jobs: complete %s %d: %w", job.Kind, job.ID, err)
		}
		return nil
	})
}
