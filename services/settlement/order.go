package settlement

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/plein-nl/plein/platform/bijstand"
	"github.com/plein-nl/plein/platform/tenant"
)

// Final runs go month by month: a month is computed with the vrijlating counters its
// predecessor's final run recorded (docs/domain.md §2), and those exist only once that
// run is final. Start refuses a final run that would overtake another; the plan step
// then checks, durably, that the counters of the latest final run before it were
// recorded (countersReady).

// ErrOutOfOrder is a final run that would compute a month out of order: an earlier
// month's run has not ended, or a later month already has a run that pays.
var ErrOutOfOrder = errors.New("final runs go month by month")

// CounterReader tells how many vrijlating counters rows a final run recorded: the
// residents service's, which owns them.
type CounterReader interface {
	RecordedFor(ctx context.Context, t tenant.ID, runID string) (int, error)
}

// checkOrder refuses, in the transaction that would start a final run of period, a
// run while a final run of an earlier month has not ended (its counters do not exist
// yet), and a run of a month a later month's run pays after (it would change the
// counters that month was computed with). Runs of a tenant start one at a time (the
// transaction lock), so two months started together cannot both pass.
func checkOrder(ctx context.Context, tx pgx.Tx, period bijstand.Period) error {
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('settlement.start:' || current_tenant(), 0))`); err != nil {
		return fmt.Errorf("lock starts: %w", err)
	}
	var id, status string
	var p time.Time
	err := tx.QueryRow(ctx, `
		SELECT id, period, status FROM settlement_runs
		WHERE tenant_id = current_tenant() AND NOT dry_run AND period <> $1
		  AND (period < $1 AND status NOT IN ('final', 'failed', 'cancelled')
		       OR period > $1 AND status NOT IN ('failed', 'cancelled'))
		ORDER BY period LIMIT 1`, period.First()).Scan(&id, &p, &status)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("runs of other months: %w", err)
	}
	other := bijstand.PeriodOf(p)
	if other.First().Before(period.First()) {
		return fmt.Errorf("%w: run %s of %s is %s; the run of %s can start once it has ended (a dry-run can start now)",
			ErrOutOfOrder, id, other, status, period)
	}
	return fmt.Errorf("%w: run %s of the later month %s is %s; a run of %s now would change the vrijlating counters %s was computed with",
		ErrOutOfOrder, id, other, status, period, other)
}

// priorFinal is the latest final run before a period and the counters rows it has
// recorded when they are known.
type priorFinal struct {
	id       string
	period   bijstand.Period
	expected *int // nil: posted before the count was kept
}

// latestFinal returns t's latest final run of a month before period, if any.
func (s *Service) latestFinal(ctx context.Context, t tenant.ID, period bijstand.Period) (priorFinal, bool, error) {
	var f priorFinal
	var p time.Time
	err := s.in(ctx, t, func(ctx context.Context, tx pgx.Tx) error {
		return tx.QueryRow(ctx, `
			SELECT id, period, counters_expected FROM settlement_runs
			WHERE tenant_id = current_tenant() AND NOT dry_run AND status = 'final' AND period < $1
			ORDER BY period DESC LIMIT 1`, period.First()).Scan(&f.id, &p, &f.expected)
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return priorFinal{}, false, nil
	}
	if err != nil {
		return priorFinal{}, false, fmt.Errorf("latest final run before %s: %w", period, err)
	}
	f.period = bijstand.PeriodOf(p)
	return f, true, nil
}

// countersWaiting is what a plan finds of the counters of earlier final runs: jobs
// still to record them (wait), or why they will never be recorded (lost).
type countersWaiting struct {
	open []counterJob
	lost string
}

// countersReady tells whether a run of period can compute: the counters jobs of
// earlier final runs must be done, none lost, and the latest final run's counters rows
// all recorded. River's job rows say what is pending, the counters rows what is done:
// River's cleaner deletes a cancelled job after a day and a discarded one after a
// week, so a month later only the count shows counters that were never recorded.
// The count is read after the jobs: a job that completes in between has its rows
// committed with it.
func (s *Service) countersReady(ctx context.Context, t tenant.ID, period bijstand.Period) (countersWaiting, error) {
	prior, ok, err := s.latestFinal(ctx, t, period)
	if err != nil {
		return countersWaiting{}, err
	}
	open, err := s.openCounters(ctx, t, period.String(), "")
	if err != nil {
		return countersWaiting{}, err
	}
	if j, ok := lost(open); ok {
		return countersWaiting{lost: countersLost(j)}, nil
	}
	if len(open) > 0 || !ok || prior.expected == nil || s.cfg.Counters == nil {
		return countersWaiting{open: open}, nil
	}
	got, err := s.cfg.Counters.RecordedFor(ctx, t, prior.id)
	if err != nil {
		return countersWaiting{}, fmt.Errorf("counters recorded by run %s: %w", prior.id, err)
	}
	if got < *prior.expected {
		return countersWaiting{lost: countersMissing(prior, got)}, nil
	}
	return countersWaiting{}, nil
}

// countersMissing is why a run cannot compute when the latest final run recorded
// fewer counters rows than it advanced and no job is left to record the rest.
func countersMissing(f priorFinal, got int) string {
	return fmt.Sprintf("the vrijlating counters of final run %s (%s) were never recorded: %d of %d rows are, "+
		"and no job is left to record the rest (River gave up on it and has since deleted it). "+
		"Computed without them, this month could pay vrijlating a resident has used up: "+
		"record them again from the items of run %s, then start the run again",
		f.id, f.period, got, *f.expected, f.id)
}
