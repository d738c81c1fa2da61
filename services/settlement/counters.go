package settlement

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/plein-nl/plein/platform/bijstand"
	"github.com/plein-nl/plein/platform/jobs"
	"github.com/plein-nl/plein/platform/tenant"
	"github.com/plein-nl/plein/services/residents"
)

// The vrijlating counters a month advances (docs/domain.md §2): the engine returns each
// applicant's vrijlating kind and months of art. 31.2 n and r used after the month; a
// batch stores those of the applicants whose counters moved with the resident's item,
// and the post of a final run has the residents service add the month each counted to
// the counters in force and record them as those of the next month, through a job
// inserted in the post's transaction. Only a final run advances them: a dry run
// and a read of a month never do.

// itemCounters is an applicant's counters after the month, as an item stores them.
type itemCounters struct {
	Applicant int
	Kind      bijstand.VrijlatingKind
	N, R      int
}

// advanced returns the applicants of r whose n or r vrijlating counted this month: the
// only ones whose counters moved.
func advanced(r bijstand.Result) []itemCounters {
	var out []itemCounters
	for i, a := range r.Applicants {
		if a.VrijlatingKind == bijstand.VrijlatingN || a.VrijlatingKind == bijstand.VrijlatingR {
			out = append(out, itemCounters{Applicant: i, Kind: a.VrijlatingKind, N: a.NMonthsUsed, R: a.RMonthsUsed})
		}
	}
	return out
}

// encodeCounters writes counters as settlement_items.counters holds them: a line per
// applicant, "applicant<TAB>kind<TAB>n<TAB>r".
func encodeCounters(cs []itemCounters) string {
	var b strings.Builder
	for i, c := range cs {
		if i > 0 {
			b.WriteByte('\n')
		}
		fmt.Fprintf(&b, "%d\t%s\t%d\t%d", c.Applicant, c.Kind, c.N, c.R)
	}
	return b.String()
}

// decodeCounters reads what encodeCounters wrote back into r's applicants, so that
// advanced(r) gives them again.
func decodeCounters(s string, r *bijstand.Result) error {
	if s == "" {
		return nil
	}
	for i, l := range strings.Split(s, "\n") {
		f := strings.Split(l, "\t")
		if len(f) != 4 {
			return fmt.Errorf("counters %d: %d fields, want 4", i, len(f))
		}
		var v [3]int
		for j, k := range []int{0, 2, 3} {
			n, err := strconv.Atoi(f[k])
			if err != nil || n < 0 {
				return fmt.Errorf("counters %d: %q", i, f[k])
			}
			v[j] = n
		}
		if v[0] > 1 {
			return fmt.Errorf("counters %d: applicant %d", i, v[0])
		}
		for len(r.Applicants) <= v[0] {
			r.Applicants = append(r.Applicants, bijstand.ApplicantResult{})
		}
		r.Applicants[v[0]] = bijstand.ApplicantResult{VrijlatingKind: bijstand.VrijlatingKind(f[1]), NMonthsUsed: v[1], RMonthsUsed: v[2]}
	}
	return nil
}

// countersChunk is the most applicants one counters job carries.
const countersChunk = 1000

// insertCounters inserts, in the transaction that makes run r final, the jobs that
// record the counters its months advanced as those of the month after r's. A job
// carries the vrijlating each applicant's month counted (one n or r month more), not
// the counters after it: the residents worker adds it to the counters in force at the
// month's start when it records, so a consulent's correction of this month made while
// the run was approved is the base rather than overwritten.
func (s *Service) insertCounters(ctx context.Context, tx pgx.Tx, ta jobs.TenantArgs, r Run, months []ResidentMonth) (int, error) {
	var all []residents.AdvancedCounters
	for _, m := range months {
		if m.Uncomputed != "" {
			continue // a month not computed used no vrijlating: nothing to count
		}
		for _, c := range advanced(m.Result) {
			all = append(all, residents.AdvancedCounters{ResidentID: m.ResidentID, Applicant: c.Applicant,
				Kind: string(c.Kind)})
		}
	}
	for i := 0; i < len(all); i += countersChunk {
		args := residents.CountersArgs{TenantArgs: ta, RunID: r.ID, Chunk: i/countersChunk + 1, Period: r.Period.String(),
			Counters: all[i:min(i+countersChunk, len(all))]}
		if err := jobs.InsertTx(ctx, s.client(ctx), tx, args, nil); err != nil {
			return 0, fmt.Errorf("counters: %w", err)
		}
	}
	// One row per applicant whose vrijlating counted: what the residents worker records.
	return len(all), nil
}

// A month is computed with the counters in force at its start, so the counters jobs of
// the final runs of earlier months must be done before a run computes: a run planned
// while they are pending would pay vrijlating a resident has used up. The plan step
// waits for them (countersWait at a time, without counting an attempt), and fails the
// run when River gave up on one: its counters were never recorded.

// countersWait is how long a plan waits before it looks at the counters jobs again.
const countersWait = 2 * time.Second

// counterJob is a counters job that has not completed.
type counterJob struct {
	ID            int64
	State         string
	RunID, Period string
	Chunk         int
	Attempt       int
	LastError     string // of its latest failed attempt, if any
	args          []byte // the job's args, for a copy (kickCounters)
	stale         bool   // running for longer than counterStale
}

// counterStale is how long a counters job may run before kickCounters asks whether
// its worker is alive: a chunk takes well under a second, and a worker that has just
// picked its job up has not yet taken its lock.
const counterStale = 10 * time.Second

// openCounters lists t's counters jobs of chunks not recorded yet (no copy of the
// chunk's job completed): of the final runs of months before before when it is set, of
// run runID when that is set.
func (s *Service) openCounters(ctx context.Context, t tenant.ID, before, runID string) ([]counterJob, error) {
	var out []counterJob
	err := s.in(ctx, t, func(ctx context.Context, tx pgx.Tx) error {
		// River's table has no row-level security: the tenant is matched in the args.
		rows, err := tx.Query(ctx, `
			SELECT j.id, j.state::text, coalesce(j.args ->> 'run_id', ''), coalesce(j.args ->> 'period', ''),
			       coalesce((j.args ->> 'chunk')::int, 0), j.attempt, coalesce(j.errors[array_length(j.errors, 1)] ->> 'error', ''), j.args,
			       j.state = 'running' AND j.attempted_at < now() - $5::interval
			FROM river.river_job j
			WHERE j.kind = $1 AND j.args ->> 'tenant' = $2 AND j.state <> 'completed'
			  AND ($3::text = '' OR j.args ->> 'period' < $3) AND ($4::text = '' OR j.args ->> 'run_id' = $4)
			  AND NOT EXISTS (
			      SELECT 1 FROM river.river_job c
			      WHERE c.kind = j.kind AND c.state = 'completed' AND c.args ->> 'tenant' = j.args ->> 'tenant'
			        AND c.args ->> 'run_id' = j.args ->> 'run_id' AND c.args ->> 'chunk' = j.args ->> 'chunk')
			ORDER BY j.id`, residents.CountersArgs{}.Kind(), string(t), before, runID, counterStale)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (counterJob, error) {
			var j counterJob
			return j, r.Scan(&j.ID, &j.State, &j.RunID, &j.Period, &j.Chunk, &j.Attempt, &j.LastError, &j.args, &j.stale)
		})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("counters jobs: %w", err)
	}
	return out, nil
}

// kickCounters inserts a copy of each job of open that River calls running, for
// longer than counterStale, but no worker works on (its worker was killed: see
// jobs.Alive), so that a kill in the middle of recording the counters delays the next
// month's run by seconds, not by the hour River's rescuer takes. The copy records what
// the dead job would have, once. A chunk that has a copy waiting or running gets no
// other, and a copy is named by the job it replaces and that job's attempt, not by the
// clock (which a test or a rehearsal holds still): a second kick of the same dead
// attempt is the same job, which River's uniqueness by args inserts once.
func (s *Service) kickCounters(ctx context.Context, t tenant.ID, open []counterJob) error {
	kicked := map[string]bool{}
	for _, j := range open {
		chunk := j.RunID + ":" + strconv.Itoa(j.Chunk)
		if !j.stale || kicked[chunk] || copyPending(open, j) {
			continue
		}
		var args residents.CountersArgs
		if err := json.Unmarshal(j.args, &args); err != nil {
			return fmt.Errorf("counters job %d: %w", j.ID, err)
		}
		args.Kick = j.ID<<8 | int64(min(j.Attempt, 255))
		err := s.in(ctx, t, func(ctx context.Context, tx pgx.Tx) error {
			if alive, err := jobs.Alive(ctx, tx, args.LiveKey()); err != nil || alive {
				return err
			}
			return jobs.InsertTx(ctx, s.client(ctx), tx, args, nil)
		})
		if err != nil {
			return fmt.Errorf("kick counters job %d: %w", j.ID, err)
		}
		kicked[chunk] = true
	}
	return nil
}

// copyPending reports whether another job of j's chunk may still record it: one that
// waits, retries, or runs without being stale.
func copyPending(open []counterJob, j counterJob) bool {
	for _, o := range open {
		if o.ID != j.ID && o.RunID == j.RunID && o.Chunk == j.Chunk && !o.stale && o.State != "discarded" && o.State != "cancelled" {
			return true
		}
	}
	return false
}

// countersStuckAttempt is the attempt from which a counters job that keeps failing is
// taken for one a retry may not fix (a resident gone, a bad row): the run that waits
// for it says so in its error, and keeps waiting, for River retries it up to its
// attempts' end (weeks) and the plan fails the run once River gives up on it. Until
// then a retry may still succeed (a database back up, a fixed deploy).
const countersStuckAttempt = 5

// noteStuck writes in r's error why it waits when a job of open keeps failing, for the
// staff and operators who look at a run that does not compute; the plan step clears it
// when the run computes.
func (s *Service) noteStuck(ctx context.Context, r Run, open []counterJob) error {
	var note string
	for _, j := range open {
		if j.State == "retryable" && j.Attempt >= countersStuckAttempt {
			note = fmt.Sprintf("waiting for the vrijlating counters of final run %s (%s): %s (attempt %d); "+
				"the run computes once they are recorded, and fails if River gives up on the job", j.RunID, j.Period, j, j.Attempt)
			break
		}
	}
	if note == "" || note == r.Error {
		return nil
	}
	return s.in(ctx, r.Tenant, func(ctx context.Context, tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE settlement_runs SET error = $2 WHERE tenant_id = current_tenant() AND id = $1 AND status = 'planning'`,
			r.ID, note)
		return err
	})
}

// lost returns the first job of jobs River gave up on, if any.
func lost(jobs []counterJob) (counterJob, bool) {
	for _, j := range jobs {
		if j.State == "discarded" || j.State == "cancelled" {
			return j, true
		}
	}
	return counterJob{}, false
}

// String says what became of the job, and why.
func (j counterJob) String() string {
	why := j.LastError
	if why == "" {
		why = "no error recorded"
	}
	return fmt.Sprintf("job %d (%s) is %s: %s", j.ID, residents.CountersArgs{}.Kind(), j.State, why)
}

// countersLost is why a run cannot compute its months when River gave up on j, a
// counters job of an earlier final run: for the staff and operators who read the
// run's error.
func countersLost(j counterJob) string {
	return fmt.Sprintf("the vrijlating counters of final run %s (%s) were never recorded: %s. "+
		"Computed without them, this month could pay vrijlating a resident has used up: "+
		"retry job %d once its cause is fixed, then start the run again", j.RunID, j.Period, j, j.ID)
}
