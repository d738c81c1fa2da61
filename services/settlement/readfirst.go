package settlement

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"

	"github.com/plein-nl/plein/platform/jobs"
	"github.com/plein-nl/plein/platform/tenant"
)

// readFirst is a tenant worker for a step whose input other services read, each in a
// unit of work of its own (the Caseload): read runs first, with no transaction of the
// step open, and step then runs in the tenant's transaction with what read returned
// and completes the job in it (jobs.TenantWorker). Reading while the step's
// transaction holds a connection would make every worker wait for a second one: with
// as many workers as connections, none would get it. The step locks and checks the
// run again, so a copy of the job that read the same input finds the work done.
type readFirst[T jobs.Scoped, I any] struct {
	river.WorkerDefaults[T]
	pool *pgxpool.Pool
	read func(ctx context.Context, job *river.Job[T]) (I, error)
	step func(ctx context.Context, tx pgx.Tx, job *river.Job[T], in I) error
}

// Work implements river.Worker.
func (w *readFirst[T, I]) Work(ctx context.Context, job *river.Job[T]) error {
	var in I
	if t := job.Args.TenantID(); t.Valid() {
		var err error
		if in, err = w.read(tenant.WithID(ctx, t), job); err != nil {
			return err
		}
	}
	// An invalid tenant is cancelled by the tenant worker, as for every tenant job.
	return jobs.NewTenantWorker(w.pool, func(ctx context.Context, tx pgx.Tx, job *river.Job[T]) error {
		return w.step(ctx, tx, job, in)
	}).Work(ctx, job)
}

// errInputStale is a step that finds work its read found none of: the job is retried,
// and reads again.
var errInputStale = errors.New("settlement: the step's input was read before the run got to it; reading again")

// readCreditors reads the tenant's creditors for a step that assembles payments
// (close, post).
func readCreditors[T jobs.Scoped](s *Service) func(ctx context.Context, job *river.Job[T]) (map[string]CreditorInfo, error) {
	return func(ctx context.Context, job *river.Job[T]) (map[string]CreditorInfo, error) {
		return s.cfg.Caseload.Creditors(ctx, job.Args.TenantID())
	}
}

// planInput is what the plan step splits: the tenant's residents, read when the run
// was planning, or why the run cannot compute (countersLost).
type planInput struct {
	read    bool
	ids     []string
	lost    string
	started time.Time
}

// readPlan reads the tenant's residents once the counters of earlier final runs are
// recorded (countersReady): while a counters job is pending it snoozes the job, and
// writes nothing but, for a job that keeps failing, why the run waits (noteStuck).
func (s *Service) readPlan(ctx context.Context, job *river.Job[PlanArgs]) (planInput, error) {
	in := planInput{started: time.Now()}
	var r Run
	err := s.in(ctx, job.Args.Tenant, func(ctx context.Context, tx pgx.Tx) error {
		var err error
		r, err = getRun(ctx, tx, job.Args.RunID, false)
		return err
	})
	if err != nil || r.Status != StatusPlanning {
		// The step reports a run that is not found, and does nothing for one planned.
		return in, nil
	}
	wait, err := s.countersReady(ctx, job.Args.Tenant, r.Period)
	if err == nil {
		if wait.lost != "" {
			in.read, in.lost = true, wait.lost
			return in, nil
		}
		if len(wait.open) > 0 {
			if err := s.kickCounters(ctx, job.Args.Tenant, wait.open); err != nil {
				return in, fmt.Errorf("settlement: plan %s: %w", job.Args.RunID, err)
			}
			if err := s.noteStuck(ctx, r, wait.open); err != nil {
				return in, fmt.Errorf("settlement: plan %s: %w", job.Args.RunID, err)
			}
			return in, river.JobSnooze(countersWait)
		}
		if in.ids, err = s.cfg.Caseload.ResidentIDs(ctx, job.Args.Tenant); err != nil {
			err = fmt.Errorf("residents: %w", err)
		}
	}
	if err != nil {
		err = fmt.Errorf("settlement: plan %s: %w", job.Args.RunID, err)
		s.cfg.Metrics.step("plan", job.Args.Tenant, in.started, &err)
		return in, err
	}
	in.read = true
	return in, nil
}

// batchInput is what the batch step stores: the months of the batch's residents,
// those the engine could not compute among them (ResidentMonth.Uncomputed).
type batchInput struct {
	read        bool
	first, last string
	months      []ResidentMonth
	compute     *ComputeError
	started     time.Time
}

func (s *Service) readBatch(ctx context.Context, job *river.Job[BatchArgs]) (batchInput, error) {
	in := batchInput{started: time.Now()}
	var r Run
	var done bool
	err := s.in(ctx, job.Args.Tenant, func(ctx context.Context, tx pgx.Tx) error {
		var err error
		if r, err = getRun(ctx, tx, job.Args.RunID, false); err != nil || r.Status != StatusComputing {
			return err
		}
		return tx.QueryRow(ctx, `
			SELECT first_resident, last_resident, done_at IS NOT NULL FROM settlement_batches
			WHERE tenant_id = current_tenant() AND run_id = $1 AND batch_no = $2`,
			r.ID, job.Args.BatchNo).Scan(&in.first, &in.last, &done)
	})
	if err != nil || r.Status != StatusComputing || done {
		// The step reports what is not found, and does nothing for what is done.
		return in, nil
	}
	// A month the engine cannot compute for a resident's data comes back marked, not as
	// an error; a ComputeError is the law data (the run fails); any other error is
	// systemic (the database, a cancelled context), and the job is retried.
	in.months, err = s.cfg.Caseload.Months(ctx, job.Args.Tenant, r.Period, in.first, in.last)
	if errors.As(err, &in.compute) {
		in.read = true
		return in, nil
	}
	if err != nil {
		err = fmt.Errorf("settlement: batch %s/%d: %w", job.Args.RunID, job.Args.BatchNo, err)
		s.cfg.Metrics.step("batch", job.Args.Tenant, in.started, &err)
		return in, err
	}
	in.read = true
	return in, nil
}
