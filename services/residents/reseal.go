package residents

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"

	"github.com/plein-nl/plein/platform/bsn"
	"github.com/plein-nl/plein/platform/db"
	"github.com/plein-nl/plein/platform/jobs"
	"github.com/plein-nl/plein/platform/tenant"
	"github.com/plein-nl/plein/services/residents/internal/store"
)

// ResealBatch is how many cases one re-seal job moves to the current key version.
const ResealBatch = 500

// ResealArgs is the job that re-seals a gemeente's BSNs under its current key version
// (after `plein tenant keys rotate`, or to move rows off the global key of before): a
// batch of cases per job, each job inserting the next while cases remain. A case is
// re-indexed with it, so rows indexed under the global index key move to the
// gemeente's.
type ResealArgs struct {
	jobs.TenantArgs
	// Round numbers a gemeente's chained jobs, so that the next is not the running one
	// as far as uniqueness goes.
	Round int `json:"round"`
}

// Kind implements river.JobArgs.
func (ResealArgs) Kind() string { return "residents.reseal" }

// InsertOpts puts the job on the default queue, once per gemeente and round while one
// waits or runs.
func (ResealArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: jobs.QueueDefault, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// Resealer moves a gemeente's sealed BSNs to its current key version.
type Resealer struct {
	app    *pgxpool.Pool
	keys   Keyring
	router jobs.Router
	batch  int // ResealBatch; smaller in tests
}

// NewResealer returns the resealer over the application pool; router, if not nil,
// sends a silo gemeente's job to its own queue.
func NewResealer(app *pgxpool.Pool, keys Keyring, router jobs.Router) *Resealer {
	return &Resealer{app: app, keys: keys, router: router, batch: ResealBatch}
}

// Enqueue starts the re-seal of tenant t's cases (a job of a River client of its own:
// Enqueue is an operator's command).
func (r *Resealer) Enqueue(ctx context.Context, t tenant.ID) error {
	if !t.Valid() {
		return fmt.Errorf("residents: reseal: %w", tenant.ErrInvalidID)
	}
	jc, err := jobs.NewClient(r.app, jobs.Config{Router: r.router})
	if err != nil {
		return fmt.Errorf("residents: reseal: %w", err)
	}
	return db.InTenant(tenant.WithID(ctx, t), r.app, func(ctx context.Context, tx pgx.Tx) error {
		return jobs.InsertTx(ctx, jc, tx, ResealArgs{TenantArgs: jobs.TenantArgs{Tenant: t}}, nil)
	})
}

// Stale counts tenant t's cases with a BSN under another key version than its current.
func (r *Resealer) Stale(ctx context.Context, t tenant.ID) (int, error) {
	sealer, err := r.keys.For(ctx, t)
	if err != nil {
		return 0, fmt.Errorf("residents: stale: %w", err)
	}
	var n int
	err = db.InTenant(tenant.WithID(ctx, t), r.app, func(ctx context.Context, tx pgx.Tx) error {
		n, err = store.New(tx, t).CountStale(ctx, sealer.Current())
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("residents: stale: %w", err)
	}
	return n, nil
}

// work runs a job: the gemeente's sealer is taken before the job's transaction, which
// then re-seals one batch and completes the job.
func (r *Resealer) work(ctx context.Context, job *river.Job[ResealArgs]) error {
	t, err := tenant.Parse(string(job.Args.Tenant))
	if err != nil {
		return river.JobCancel(fmt.Errorf("reseal: %w", err))
	}
	sealer, err := r.keys.For(ctx, t)
	if err != nil {
		return fmt.Errorf("reseal %s: %w", t, err)
	}
	return jobs.NewTenantWorker(r.app, func(ctx context.Context, tx pgx.Tx, job *river.Job[ResealArgs]) error {
		return resealBatch(ctx, tx, sealer, job.Args, r.batch)
	}).Work(ctx, job)
}

// AddWorker registers the re-seal worker.
func (r *Resealer) AddWorker(w *river.Workers) {
	river.AddWorker(w, &resealWorker{r: r})
}

type resealWorker struct {
	river.WorkerDefaults[ResealArgs]
	r *Resealer
}

func (w *resealWorker) Work(ctx context.Context, job *river.Job[ResealArgs]) error {
	return w.r.work(ctx, job)
}

// resealBatch re-seals and re-indexes up to limit cases of a's gemeente, and inserts
// the next job when the batch was full.
func resealBatch(ctx context.Context, tx pgx.Tx, sealer *bsn.Sealer, a ResealArgs, limit int) error {
	st := store.New(tx, a.Tenant)
	aad := []byte(a.Tenant)
	cases, err := st.Stale(ctx, sealer.Current(), limit)
	if err != nil {
		return err
	}
	for _, c := range cases {
		next := store.SealedBSNs{ID: c.ID}
		if next.Sealed, next.Index, err = reseal(sealer, c.Sealed, aad); err != nil {
			return fmt.Errorf("reseal %s: %w", c.ID, err)
		}
		if c.PartnerSealed != nil {
			if next.PartnerSealed, next.PartnerIndex, err = reseal(sealer, c.PartnerSealed, aad); err != nil {
				return fmt.Errorf("reseal %s partner: %w", c.ID, err)
			}
		}
		if err := st.Reseal(ctx, next); err != nil {
			return err
		}
	}
	if len(cases) < limit {
		return nil
	}
	c, err := river.ClientFromContextSafely[pgx.Tx](ctx)
	if err != nil {
		return fmt.Errorf("reseal %s: next batch: %w", a.Tenant, err)
	}
	return jobs.InsertTx(ctx, c, tx, ResealArgs{TenantArgs: a.TenantArgs, Round: a.Round + 1}, nil)
}

// reseal opens ct and seals and indexes its BSN with the current keys.
func reseal(s *bsn.Sealer, ct, aad []byte) (sealed, index []byte, err error) {
	b, err := s.Open(ct, aad)
	if err != nil {
		return nil, nil, err
	}
	if sealed, err = s.Seal(b, aad); err != nil {
		return nil, nil, err
	}
	return sealed, s.BlindIndex(b), nil
}
