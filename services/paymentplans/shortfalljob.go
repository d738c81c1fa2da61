package paymentplans

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/plein-nl/plein/platform/bijstand"
	"github.com/plein-nl/plein/platform/jobs"
	"github.com/plein-nl/plein/platform/money"
	"github.com/plein-nl/plein/services/paymentplans/internal/store"
)

// ShortfallArgs is the job that records the deduction shortfalls of a final
// settlement run and signals them to schuldhulp. The settlement inserts it in the
// transaction that makes the run final, so a shortfall is recorded where the money is
// decided, never when a month is read. Chunk numbers a run's jobs (a run's residents
// with a shortfall are split into chunks).
type ShortfallArgs struct {
	jobs.TenantArgs
	RunID     string               `json:"run_id"`
	Chunk     int                  `json:"chunk"`
	Period    string               `json:"period"` // YYYY-MM
	Residents []ResidentShortfalls `json:"residents"`
}

// ResidentShortfalls are one resident's deductions of a run that were not paid in full.
type ResidentShortfalls struct {
	ResidentID string          `json:"resident_id"`
	Plans      []PlanShortfall `json:"plans"`
}

// PlanShortfall is what a run requested and applied of one deduction.
type PlanShortfall struct {
	PlanID    string      `json:"plan_id"`
	Requested money.Cents `json:"requested_cents"`
	Applied   money.Cents `json:"applied_cents"`
	Shortfall money.Cents `json:"shortfall_cents"`
}

// Kind implements river.JobArgs.
func (ShortfallArgs) Kind() string { return "paymentplans.shortfalls" }

// InsertOpts puts the job on the signals queue, unique by its args in every state: a
// run posted again by a retried job finds its jobs instead of adding some.
func (ShortfallArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: jobs.QueueSignals, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// shortfallWorker records and signals the shortfalls of a ShortfallArgs job.
type shortfallWorker struct {
	signals Signals
	now     func() time.Time
}

// work runs in the job's tenant transaction: the shortfalls, their signalled marks
// and the job's completion commit together. A signal is raised (in the debts
// service's own transaction) before its mark is written, so a job that fails after
// it offers the shortfall again, and Signals takes it once.
func (w *shortfallWorker) work(ctx context.Context, tx pgx.Tx, job *river.Job[ShortfallArgs]) error {
	a := job.Args
	period, err := bijstand.ParsePeriod(a.Period)
	if err != nil {
		return river.JobCancel(fmt.Errorf("shortfalls of run %s: %w", a.RunID, err))
	}
	u := &unit{st: store.New(tx, a.Tenant), tx: tx, tenant: a.Tenant, now: bijstand.PeriodOf(w.now())}
	for _, r := range a.Residents {
		results := make([]bijstand.DeductionResult, len(r.Plans))
		for i, p := range r.Plans {
			results[i] = bijstand.DeductionResult{ID: p.PlanID, Requested: p.Requested, Applied: p.Applied, Shortfall: p.Shortfall}
		}
		if err := checkResults(results); err != nil || !validID(r.ResidentID) {
			// Retrying cannot make bad args good.
			return river.JobCancel(fmt.Errorf("shortfalls of run %s, resident %q: invalid (%v)", a.RunID, r.ResidentID, err))
		}
		now := w.now().UTC()
		_, pending, err := u.recordShortfalls(ctx, r.ResidentID, period, results, now)
		if err != nil {
			return fmt.Errorf("shortfalls of run %s: %w", a.RunID, err)
		}
		for _, sf := range pending {
			if err := w.signals.Shortfall(ctx, a.Tenant, sf.ResidentID, sf.PlanID, sf.CreditorID, sf.Period.String(), sf.Shortfall); err != nil {
				return fmt.Errorf("shortfalls of run %s: signal: %w", a.RunID, err)
			}
			if err := u.st.MarkSignalled(ctx, sf.PlanID, sf.Period.First(), now); err != nil {
				return fmt.Errorf("shortfalls of run %s: %w", a.RunID, err)
			}
		}
	}
	return nil
}
