package residents

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"

	"github.com/plein-nl/plein/platform/bijstand"
	"github.com/plein-nl/plein/platform/jobs"
	"github.com/plein-nl/plein/platform/uuid"
	"github.com/plein-nl/plein/services/residents/internal/store"
)

// The vrijlating counters as of a period (docs/domain.md §2): the months of art. 31.2 n
// and r vrijlating each applicant used before a month. They are rows of their own, one
// per applicant and period from which they hold, so that a month computed again later
// uses that month's counters, not today's. A consulent sets them through the staff API;
// only a final settlement run advances them, through CountersArgs. The rule that picks
// the row in force, and how a run advances them, is in docs/domain.md §2 (it corrects
// the comment of migrations/00015_vrijlating_counters.sql).

// CountersArgs is the job that records the vrijlating counters a final settlement run
// advanced. It carries, per applicant, which vrijlating the run's month counted (an n
// or an r month more), not the counters after it: the worker adds that month to the
// counters in force at the month's start as it reads them when it records, so a
// consulent's correction recorded for that month after the run computed it, but before
// this job ran, is the base and is not overwritten by a row computed from the old
// counters. The settlement inserts it in the transaction that makes the run final, so
// the counters advance if and only if the run is final; a dry run inserts none. Chunk
// numbers a run's jobs.
type CountersArgs struct {
	jobs.TenantArgs
	RunID  string `json:"run_id"`
	Chunk  int    `json:"chunk"`
	Period string `json:"period"` // YYYY-MM: the run's month; the counters hold from the next
	// Counters are the applicants whose counters the month advanced.
	Counters []AdvancedCounters `json:"counters"`
	// Kick tells apart a copy of a chunk's job inserted because its worker died (the
	// settlement's kickCounters): the job is unique by its args.
	Kick int64 `json:"kick,omitempty"`
}

// LiveKey names the lock a worker holds while it records these counters (in the
// transaction that also completes the job): a job River still calls running whose
// lock is free has lost its worker, and a copy of it may be inserted. Every copy of a
// chunk has the same key, so copies record one after the other, and the second finds
// the rows there.
func (a CountersArgs) LiveKey() string {
	return a.Kind() + ":" + a.RunID + ":" + strconv.Itoa(a.Chunk)
}

// Kinds of vrijlating that advance a counter, as AdvancedCounters.Kind names them.
const (
	CounterN = "n" // art. 31.2 n: n_months_used one more
	CounterR = "r" // art. 31.2 r: r_months_used one more
)

// AdvancedCounters is one applicant whose counters a settled month advanced, and by
// what: Kind is the vrijlating that counted (CounterN or CounterR), one month of it.
type AdvancedCounters struct {
	ResidentID string `json:"resident_id"`
	Applicant  int    `json:"applicant"` // 0 the resident, 1 the partner
	Kind       string `json:"kind"`
}

// Kind implements river.JobArgs.
func (CountersArgs) Kind() string { return "residents.counters" }

// InsertOpts puts the job on the settlement queue, unique by its args in River's default unique states (all but cancelled and discarded):
// a run posted again by a retried job finds its jobs instead of adding some.
func (CountersArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: jobs.QueueSettlement, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// NewCountersWorker returns the worker of CountersArgs over the service's pool, for
// registering with River where the workers are wired; now stamps the rows it records
// (nil: time.Now).
func NewCountersWorker(app *pgxpool.Pool, now func() time.Time) *jobs.TenantWorker[CountersArgs] {
	if now == nil {
		now = time.Now
	}
	return jobs.NewTenantWorker(app, (&countersWorker{now: now}).work)
}

type countersWorker struct{ now func() time.Time }

// work records the job's counters in its tenant transaction, which also completes the
// job: each applicant's counters in force at the start of the run's month, read now
// (after any correction of that month), plus the month the run counted, as the
// counters of the next month. A job retried after a crash writes nothing twice (a
// run's row per applicant and period is unique and kept as first written).
func (w *countersWorker) work(ctx context.Context, tx pgx.Tx, job *river.Job[CountersArgs]) error {
	a := job.Args
	period, err := bijstand.ParsePeriod(a.Period)
	if err != nil || !uuid.Valid(a.RunID) {
		// Retrying cannot make bad args good.
		return river.JobCancel(fmt.Errorf("counters of run %q: invalid period %q or run id", a.RunID, a.Period))
	}
	ids := make([]string, len(a.Counters))
	for i, c := range a.Counters {
		if !uuid.Valid(c.ResidentID) || c.Applicant < 0 || c.Applicant > 1 || (c.Kind != CounterN && c.Kind != CounterR) {
			return river.JobCancel(fmt.Errorf("counters of run %s: invalid counters %+v", a.RunID, c))
		}
		ids[i] = c.ResidentID
	}
	if err := jobs.HoldLive(ctx, tx, a.LiveKey()); err != nil {
		return fmt.Errorf("counters of run %s: %w", a.RunID, err)
	}
	st := store.New(tx, a.Tenant)
	base, err := st.CountersBase(ctx, ids, period.First())
	if err != nil {
		return fmt.Errorf("counters of run %s: %w", a.RunID, err)
	}
	rows, err := advance(a, base, period.Next().First(), w.now().UTC())
	if err != nil {
		return err
	}
	if err := st.InsertCounters(ctx, rows); err != nil {
		return fmt.Errorf("counters of run %s: %w", a.RunID, err)
	}
	return nil
}

// advance returns the run's rows of next: each applicant's base plus the month a's
// run counted.
func advance(a CountersArgs, base map[string]*store.Resident, next, at time.Time) ([]store.CounterRow, error) {
	rows := make([]store.CounterRow, len(a.Counters))
	for i, c := range a.Counters {
		r := base[c.ResidentID]
		if r == nil {
			// Retried: the case may be there once a concurrent change is visible; if it
			// was deleted, River gives up and the settlement reports the job.
			return nil, fmt.Errorf("counters of run %s: %w: %s", a.RunID, ErrNotFound, c.ResidentID)
		}
		n := r.Counters
		if c.Applicant == 1 {
			n = r.Partner.Counters
		}
		if c.Kind == CounterN {
			n.NMonthsUsed++
		} else {
			n.RMonthsUsed++
		}
		if n.NMonthsUsed > maxCounter || n.RMonthsUsed > maxCounter {
			return nil, river.JobCancel(fmt.Errorf("counters of run %s: %+v exceed %d", a.RunID, c, maxCounter))
		}
		rows[i] = store.CounterRow{ResidentID: c.ResidentID, Applicant: c.Applicant, Period: next,
			Source: store.SourceRun, RecordedAt: at, NUsed: n.NMonthsUsed, RUsed: n.RMonthsUsed, RunID: a.RunID}
	}
	return rows, nil
}

// countersAt sets r's counters to those in force at the start of period; nil means the
// latest recorded (what the staff API shows and changes: the counters of the first
// month not yet settled).
func (u *unit) countersAt(ctx context.Context, r *store.Resident, period *bijstand.Period) error {
	var first *time.Time
	if period != nil {
		f := period.First()
		first = &f
	}
	return u.st.CountersAsOf(ctx, map[string]*store.Resident{r.ID: r}, r.ID, r.ID, first)
}

// recordCounters records, as a consulent's, the counters of r's applicants that
// applicants selects (0 the resident, 1 the partner), as of the current month, or of
// the latest month a row holds from when that is later: a final run of this month may
// already have recorded next month's, and a correction must hold from the first month
// not yet settled, not be overtaken by that run's row.
func (u *unit) recordCounters(ctx context.Context, r Resident, today time.Time, applicants ...int) error {
	if len(applicants) == 0 {
		return nil
	}
	period := bijstand.PeriodOf(today).First()
	if latest, ok, err := u.st.LatestCounterPeriod(ctx, r.ID); err != nil {
		return err
	} else if ok && latest.After(period) {
		period = latest
	}
	rows := make([]store.CounterRow, 0, len(applicants))
	for _, a := range applicants {
		c := r.Counters
		if a == 1 {
			if r.Partner == nil {
				continue
			}
			c = r.Partner.Counters
		}
		rows = append(rows, store.CounterRow{ResidentID: r.ID, Applicant: a, Period: period, Source: store.SourceConsulent,
			RecordedAt: r.UpdatedAt, NUsed: c.NMonthsUsed, RUsed: c.RMonthsUsed})
	}
	return u.st.InsertCounters(ctx, rows)
}

// countersChanged lists the applicants whose counters an update from cur to next
// changes: only a counter the request gave can differ, so a request that repeats the
// counters in force, or changes a partner's name without them, records nothing. A
// partner where cur had none is recorded with the counters given (0 if none), as a
// new case's are: rows of an earlier partner must not hold for the new one.
func countersChanged(cur, next Resident) []int {
	var out []int
	if cur.NMonthsUsed != next.NMonthsUsed || cur.RMonthsUsed != next.RMonthsUsed {
		out = append(out, 0)
	}
	if p := next.Partner; p != nil && (cur.Partner == nil ||
		cur.Partner.NMonthsUsed != p.NMonthsUsed || cur.Partner.RMonthsUsed != p.RMonthsUsed) {
		out = append(out, 1)
	}
	return out
}
