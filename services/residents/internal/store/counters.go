package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Sources of a row of vrijlating_counters.
const (
	SourceConsulent = "consulent"
	SourceRun       = "run"
)

// CounterRow is a row of vrijlating_counters: an applicant's counters at the start of
// Period (its first day).
type CounterRow struct {
	ResidentID string
	Applicant  int
	Period     time.Time
	Source     string
	RecordedAt time.Time
	NUsed      int
	RUsed      int
	RunID      string // source run only
}

// countersAsOf picks, per applicant, the row in force at the start of $3 (nil: the
// latest row) among the rows of the residents in [$1, $2]: the latest period ≤ $3, a
// consulent's row before a run's of the same period, the latest recorded consulent row
// first; with none ≤ $3, the earliest row (migrations/00015_vrijlating_counters.sql).
const countersAsOf = `
	SELECT DISTINCT ON (resident_id, applicant) resident_id, applicant, n_used, r_used
	FROM vrijlating_counters
	WHERE tenant_id = current_tenant() AND resident_id BETWEEN $1 AND $2
	ORDER BY resident_id, applicant,
	         (period <= coalesce($3, 'infinity'::date)) DESC,
	         CASE WHEN period <= coalesce($3, 'infinity'::date) THEN period END DESC NULLS LAST,
	         period, source = 'consulent' DESC, seq DESC`

// CountersAsOf sets the counters of every applicant of byID's residents (all in
// [first, last]) to those in force at the start of period; a nil period means the
// latest recorded. An applicant without any row keeps the residents columns' values.
func (st *Store) CountersAsOf(ctx context.Context, byID map[string]*Resident, first, last string, period *time.Time) error {
	rows, err := st.tx.Query(ctx, countersAsOf, first, last, period)
	if err != nil {
		return fmt.Errorf("counters: %w", err)
	}
	var id string
	var applicant, n, r int
	_, err = pgx.ForEachRow(rows, []any{&id, &applicant, &n, &r}, func() error {
		res := byID[id]
		switch {
		case res == nil:
		case applicant == 0:
			res.NMonthsUsed, res.RMonthsUsed = n, r
		case res.Partner != nil:
			res.Partner.NMonthsUsed, res.Partner.RMonthsUsed = n, r
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("counters: %w", err)
	}
	return nil
}

// CountersBase returns the residents of ids, their rows locked FOR SHARE, each with its
// applicants' counters in force at the start of period: what a final run's increments
// are added to. A resident whose case has no partner (any more) gets one with zero
// counters, so a partner row the run advanced still has its base. The lock orders the
// read after a consulent's update of the same case (which holds the row FOR UPDATE
// while it records a correction), and that update after this transaction: a correction
// is never lost between the read and the write.
func (st *Store) CountersBase(ctx context.Context, ids []string, period time.Time) (map[string]*Resident, error) {
	rows, err := st.tx.Query(ctx, `
		SELECT id, n_months_used, r_months_used, coalesce(partner_n_months_used, 0), coalesce(partner_r_months_used, 0)
		FROM residents
		WHERE tenant_id = current_tenant() AND id = ANY($1)
		ORDER BY id
		FOR SHARE`, ids)
	if err != nil {
		return nil, fmt.Errorf("counters base: %w", err)
	}
	byID := make(map[string]*Resident, len(ids))
	var first, last string
	var id string
	var n, r, pn, pr int
	_, err = pgx.ForEachRow(rows, []any{&id, &n, &r, &pn, &pr}, func() error {
		byID[id] = &Resident{ID: id, Counters: Counters{NMonthsUsed: n, RMonthsUsed: r},
			Partner: &Partner{Counters: Counters{NMonthsUsed: pn, RMonthsUsed: pr}}}
		if first == "" {
			first = id
		}
		last = id
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("counters base: %w", err)
	}
	if len(byID) == 0 {
		return byID, nil
	}
	return byID, st.CountersAsOf(ctx, byID, first, last, &period)
}

// CountRun returns how many rows run runID recorded.
func (st *Store) CountRun(ctx context.Context, runID string) (int, error) {
	var n int
	err := st.tx.QueryRow(ctx, `
		SELECT count(*) FROM vrijlating_counters
		WHERE tenant_id = current_tenant() AND source = 'run' AND run_id = $1`, runID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("counters of run: %w", err)
	}
	return n, nil
}

// LatestCounterPeriod returns the latest period of a row of resident id, and false when
// it has none.
func (st *Store) LatestCounterPeriod(ctx context.Context, id string) (time.Time, bool, error) {
	var p *time.Time
	err := st.tx.QueryRow(ctx, `
		SELECT max(period) FROM vrijlating_counters WHERE tenant_id = current_tenant() AND resident_id = $1`, id).Scan(&p)
	if err != nil {
		return time.Time{}, false, fmt.Errorf("counters: %w", err)
	}
	if p == nil {
		return time.Time{}, false, nil
	}
	return *p, true, nil
}

// InsertCounters appends rows. A run's row that is already there (the same resident,
// applicant and period: a retried job) is left as it is, so each is written once.
func (st *Store) InsertCounters(ctx context.Context, rows []CounterRow) error {
	if len(rows) == 0 {
		return nil
	}
	ids, sources, runIDs := make([]string, len(rows)), make([]string, len(rows)), make([]*string, len(rows))
	applicants, ns, rs := make([]int32, len(rows)), make([]int32, len(rows)), make([]int32, len(rows))
	periods, at := make([]time.Time, len(rows)), make([]time.Time, len(rows))
	for i, r := range rows {
		ids[i], sources[i], applicants[i], ns[i], rs[i], periods[i], at[i] = r.ResidentID, r.Source, int32(r.Applicant),
			int32(r.NUsed), int32(r.RUsed), r.Period, r.RecordedAt
		if r.RunID != "" {
			runIDs[i] = &rows[i].RunID
		}
	}
	_, err := st.tx.Exec(ctx, `
		INSERT INTO vrijlating_counters (tenant_id, resident_id, applicant, period, source, recorded_at, n_used, r_used, run_id)
		SELECT current_tenant(), u.id, u.a, u.p, u.s, u.t, u.n, u.r, u.run
		FROM unnest($1::text[], $2::smallint[], $3::date[], $4::text[], $5::timestamptz[], $6::int[], $7::int[], $8::text[])
		     AS u(id, a, p, s, t, n, r, run)
		ON CONFLICT (tenant_id, resident_id, applicant, period) WHERE source = 'run' DO NOTHING`,
		ids, applicants, periods, sources, at, ns, rs, runIDs)
	if err != nil {
		return fmt.Errorf("write counters: %w", err)
	}
	return nil
}
