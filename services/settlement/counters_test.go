package settlement

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"

	"github.com/plein-nl/plein/platform/bijstand"
	"github.com/plein-nl/plein/platform/jobs"
	"github.com/plein-nl/plein/platform/jobs/jobstest"
	"github.com/plein-nl/plein/platform/tenant"
	"github.com/plein-nl/plein/services/residents"
)

// withCounters is the testBundle with resident A in her third month of art. 31.2 n
// vrijlating: a final run of it inserts a counters job.
func withCounters(t *testing.T) testBundle {
	t.Helper()
	b := setup(t)
	b.months[0].Result.Applicants = []bijstand.ApplicantResult{{VrijlatingKind: bijstand.VrijlatingN, NMonthsUsed: 3}}
	return b
}

// settleAsync runs Settle of o in the background; its error comes on the channel.
func (b settleBundle) settleAsync(t *testing.T, o SettleOptions) <-chan error {
	t.Helper()
	done := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
		defer cancel()
		var stdout, stderr bytes.Buffer
		done <- Settle(ctx, b.svc, o, &stdout, &stderr)
	}()
	return done
}

// counterStates returns the states of zwolle's counters jobs, in id order.
func (b settleBundle) counterStates(t *testing.T) []string {
	t.Helper()
	var states []string
	err := b.d.App.QueryRow(t.Context(), `
		SELECT coalesce(array_agg(state::text ORDER BY id), '{}') FROM river.river_job
		WHERE kind = 'residents.counters' AND args ->> 'tenant' = 'zwolle'`).Scan(&states)
	if err != nil {
		t.Fatal(err)
	}
	return states
}

// waitFor polls cond for up to a minute.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); !cond(); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("after a minute: not %s", what)
		}
	}
}

// TestSettleWaitsForCounters (plein settle): Settle of a final run returns only once
// the counters job the run inserted is completed, not when the run is final and its
// files are written.
func TestSettleWaitsForCounters(t *testing.T) {
	t.Parallel()
	gate := jobstest.NewGate[residents.CountersArgs](river.WorkFunc(func(context.Context, *river.Job[residents.CountersArgs]) error {
		return nil
	}))
	b := setupSettleWith(t, withCounters(t), func(*pgxpool.Pool) river.Worker[residents.CountersArgs] { return gate })
	o := SettleOptions{Tenant: "zwolle", Period: march, Out: filepath.Join(t.TempDir(), "zwolle"), Starter: "cli:alice", Approver: "cli:bob"}
	done := b.settleAsync(t, o)

	waitFor(t, "final, with its files", func() bool {
		_, err := os.Stat(o.Out)
		return err == nil
	})
	select {
	case err := <-done:
		t.Fatalf("Settle returned (%v) with the counters job %v", err, b.counterStates(t))
	case <-time.After(time.Second):
	}
	if got := b.counterStates(t); len(got) != 1 || got[0] != "running" {
		t.Fatalf("counters jobs %v, want one running (held)", got)
	}
	gate.Open()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Settle: %v", err)
		}
	case <-time.After(time.Minute):
		t.Fatal("Settle did not return a minute after the counters job was let through")
	}
	if got := b.counterStates(t); len(got) != 1 || got[0] != "completed" {
		t.Errorf("counters jobs when Settle returned: %v, want one completed", got)
	}
}

// TestLostCountersFailNextRun: when River gives up on a counters job, Settle of its
// run says so after writing the files, and the next month's run fails, naming the job,
// the earlier run and why, without computing a month.
func TestLostCountersFailNextRun(t *testing.T) {
	t.Parallel()
	b := setupSettleWith(t, withCounters(t), workFunc(func(context.Context, *river.Job[residents.CountersArgs]) error {
		return river.JobCancel(errors.New("resident a: no such resident"))
	}))
	o := SettleOptions{Tenant: "zwolle", Period: march, Out: filepath.Join(t.TempDir(), "march"), Starter: "cli:alice", Approver: "cli:bob"}
	err := <-b.settleAsync(t, o)
	want := regexp.MustCompile(`^plein settle: run (\S+) of 2026-03 is final and its files are written, but its vrijlating counters ` +
		`were not recorded: job (\d+) \(residents\.counters\) is cancelled: JobCancelError: resident a: no such resident; ` +
		`the next month's run fails until job (\d+) is retried$`)
	m := want.FindStringSubmatch(errString(err))
	if m == nil || m[2] != m[3] {
		t.Fatalf("Settle of March: %v\nwant %s", err, want)
	}
	marchRun, jobID := m[1], m[2]
	if files, _ := os.ReadDir(o.Out); len(files) == 0 {
		t.Errorf("March is final but no files were written to %s", o.Out)
	}

	april, err := b.settleApril(t)
	wantReason := "the vrijlating counters of final run " + marchRun + " (2026-03) were never recorded: job " + jobID +
		" (residents.counters) is cancelled: JobCancelError: resident a: no such resident. Computed without them, this month could pay " +
		"vrijlating a resident has used up: retry job " + jobID + " once its cause is fixed, then start the run again"
	if april.Status != StatusFailed || april.Error != wantReason || april.BatchesTotal != 0 || !strings.Contains(errString(err), wantReason) {
		t.Errorf("April: %s, %d batches, error %q (Settle: %v)\nwant failed, 0 batches, %q", april.Status, april.BatchesTotal, april.Error, err, wantReason)
	}
}

// settleApril settles a dry-run of April on its start date, returning the run and
// Settle's error.
func (b settleBundle) settleApril(t *testing.T) (Run, error) {
	t.Helper()
	b.clock.Set(time.Date(2026, 4, 24, 9, 0, 0, 0, time.UTC))
	o := SettleOptions{Tenant: "zwolle", Period: march.Next(), Out: filepath.Join(t.TempDir(), "april"), DryRun: true, Starter: "cli:alice"}
	err := <-b.settleAsync(t, o)
	runs, lerr := b.svc.List(t.Context(), "zwolle", 1)
	if lerr != nil || len(runs) != 1 || runs[0].Period != o.Period {
		t.Fatalf("April's run: %v, %v", runs, lerr)
	}
	return runs[0], err
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// TestLost: only a job River gave up on is lost; one that waits or retries is not.
func TestLost(t *testing.T) {
	t.Parallel()
	for _, state := range []string{"available", "scheduled", "retryable", "running", "pending"} {
		if j, ok := lost([]counterJob{{ID: 1, State: state}}); ok {
			t.Errorf("a %s job is lost: %+v", state, j)
		}
	}
	for _, state := range []string{"discarded", "cancelled"} {
		j, ok := lost([]counterJob{{ID: 1, State: "running"}, {ID: 2, State: state}})
		if !ok || j.ID != 2 {
			t.Errorf("a %s job: lost %+v, %v; want job 2", state, j, ok)
		}
	}
}

// TestKickDeadCountersJob: a counters job River calls running, for longer than
// counterStale, whose worker holds no live lock (its process was killed) gets a copy
// that records the chunk, and the chunk then counts as recorded though River still
// calls the dead job running; a job whose worker holds the lock gets no copy.
func TestKickDeadCountersJob(t *testing.T) {
	t.Parallel()
	kicks := make(chan int64, 4)
	// Like the residents' worker, it holds the chunk's live lock in the transaction
	// that completes the job.
	b := setupSettleWith(t, withCounters(t), func(app *pgxpool.Pool) river.Worker[residents.CountersArgs] {
		return jobs.NewTenantWorker(app, func(ctx context.Context, tx pgx.Tx, job *river.Job[residents.CountersArgs]) error {
			if err := jobs.HoldLive(ctx, tx, job.Args.LiveKey()); err != nil {
				return err
			}
			kicks <- job.Args.Kick
			return nil
		})
	})
	ctx := t.Context()
	const runID = "0b0e4b7e-5d1c-4b6a-9d6e-3f1a2b3c4d5e"
	args := residents.CountersArgs{TenantArgs: jobs.TenantArgs{Tenant: "zwolle"}, RunID: runID, Chunk: 1, Period: "2026-02",
		Counters: []residents.AdvancedCounters{{ResidentID: "8a1e6f0e-3c55-4f7e-9b1a-2d4c6e8f0a1b", Kind: residents.CounterN}}}
	// The job as a killed worker leaves it: inserted where no worker looks, then
	// running since a minute ago.
	res, err := b.svc.cfg.Jobs.Insert(ctx, args, &river.InsertOpts{Queue: "nobody"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.d.Owner.Exec(ctx, `UPDATE river.river_job SET state = 'running', queue = $2,
		attempted_at = now() - interval '1 minute', attempt = 1 WHERE id = $1`, res.Job.ID, jobs.QueueSettlement); err != nil {
		t.Fatal(err)
	}
	open, err := b.svc.openCounters(ctx, "zwolle", "", runID)
	if err != nil || len(open) != 1 || !open[0].stale {
		t.Fatalf("open counters %+v, %v; want the dead job, stale", open, err)
	}

	// A live worker's lock: no copy.
	tx, err := b.d.App.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := jobs.HoldLive(ctx, tx, args.LiveKey()); err != nil {
		t.Fatal(err)
	}
	if err := b.svc.kickCounters(ctx, "zwolle", open); err != nil {
		t.Fatal(err)
	}
	_ = tx.Rollback(ctx)
	if got := b.counterStates(t); len(got) != 1 {
		t.Fatalf("counters jobs %v with a live worker, want only the running one", got)
	}

	// No lock: a copy, which records the chunk.
	if err := b.svc.kickCounters(ctx, "zwolle", open); err != nil {
		t.Fatal(err)
	}
	select {
	case k := <-kicks:
		if want := res.Job.ID<<8 | 1; k != want {
			t.Errorf("the copy's kick is %d, want %d (the dead job's id and attempt)", k, want)
		}
	case <-time.After(time.Minute):
		t.Fatalf("no copy ran; counters jobs %v", b.counterStates(t))
	}
	waitFor(t, "the chunk recorded", func() bool {
		open, err := b.svc.openCounters(ctx, "zwolle", "", runID)
		return err == nil && len(open) == 0
	})
	if got := b.counterStates(t); len(got) != 2 || got[0] != "running" || got[1] != "completed" {
		t.Errorf("counters jobs %v, want the dead one still running and its copy completed", got)
	}
	// The same dead attempt kicked again, under a clock that stands still: the same
	// copy, which River does not insert twice.
	if err := b.svc.kickCounters(ctx, "zwolle", open); err != nil {
		t.Fatal(err)
	}
	if got := b.counterStates(t); len(got) != 2 {
		t.Errorf("counters jobs %v after a second kick of the same attempt, want no new copy", got)
	}
}

// workFunc is a counters worker of fn that needs no pool.
func workFunc(fn func(context.Context, *river.Job[residents.CountersArgs]) error) func(*pgxpool.Pool) river.Worker[residents.CountersArgs] {
	return func(*pgxpool.Pool) river.Worker[residents.CountersArgs] { return river.WorkFunc(fn) }
}

// TestCopyPending: a stale job whose chunk has a copy waiting, retrying or running
// gets no other; a copy given up on or stale itself does not count.
func TestCopyPending(t *testing.T) {
	t.Parallel()
	dead := counterJob{ID: 1, State: "running", RunID: "r", Chunk: 1, stale: true}
	tests := []struct {
		other counterJob
		want  bool
	}{
		{counterJob{ID: 2, State: "available", RunID: "r", Chunk: 1}, true},
		{counterJob{ID: 2, State: "retryable", RunID: "r", Chunk: 1}, true},
		{counterJob{ID: 2, State: "running", RunID: "r", Chunk: 1}, true},
		{counterJob{ID: 2, State: "running", RunID: "r", Chunk: 1, stale: true}, false},
		{counterJob{ID: 2, State: "discarded", RunID: "r", Chunk: 1}, false},
		{counterJob{ID: 2, State: "available", RunID: "r", Chunk: 2}, false},
		{counterJob{ID: 2, State: "available", RunID: "s", Chunk: 1}, false},
	}
	for _, tt := range tests {
		if got := copyPending([]counterJob{dead, tt.other}, dead); got != tt.want {
			t.Errorf("copyPending with %+v = %v, want %v", tt.other, got, tt.want)
		}
	}
}

// recordedCounters is a residents service that has recorded that many counters rows
// for every run.
type recordedCounters int

func (n recordedCounters) RecordedFor(context.Context, tenant.ID, string) (int, error) {
	return int(n), nil
}

// TestCountersNeverRecorded: a final run stores how many counters rows it has
// recorded, and the next month's run fails, saying why, when fewer were recorded and
// no job is left to record them (the job completed without, or River's cleaner
// deleted it), and computes when all were.
func TestCountersNeverRecorded(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		recorded recordedCounters
		want     Status
	}{{0, StatusFailed}, {1, StatusDryRunDone}} {
		t.Run(strconv.Itoa(int(tt.recorded)), func(t *testing.T) {
			t.Parallel()
			bundle := withCounters(t)
			bundle.counters = tt.recorded
			b := setupSettleWith(t, bundle, workFunc(func(context.Context, *river.Job[residents.CountersArgs]) error { return nil }))
			o := SettleOptions{Tenant: "zwolle", Period: march, Out: filepath.Join(t.TempDir(), "march"), Starter: "cli:alice", Approver: "cli:bob"}
			if err := <-b.settleAsync(t, o); err != nil {
				t.Fatalf("Settle of March: %v", err)
			}
			marchRun, ok, err := b.svc.Current(t.Context(), "zwolle", march)
			var expected *int
			if err == nil && ok {
				err = b.svc.in(t.Context(), "zwolle", func(ctx context.Context, tx pgx.Tx) error {
					return tx.QueryRow(ctx, `SELECT counters_expected FROM settlement_runs WHERE id = $1`, marchRun.ID).Scan(&expected)
				})
			}
			if err != nil || expected == nil || *expected != 1 {
				t.Fatalf("March's counters_expected %v, %v; want 1", expected, err)
			}

			april, err := b.settleApril(t)
			wantReason := ""
			if tt.want == StatusFailed {
				wantReason = "the vrijlating counters of final run " + marchRun.ID + " (2026-03) were never recorded: 0 of 1 rows are, "
			}
			if april.Status != tt.want || !strings.HasPrefix(april.Error, wantReason) || (wantReason == "") != (april.Error == "") {
				t.Errorf("April: %s, error %q (Settle: %v); want %s, error starting %q", april.Status, april.Error, err, tt.want, wantReason)
			}
		})
	}
}
