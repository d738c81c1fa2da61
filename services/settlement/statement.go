package settlement

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/plein-nl/plein/platform/bijstand"
	"github.com/plein-nl/plein/platform/db"
	"github.com/plein-nl/plein/platform/law"
	"github.com/plein-nl/plein/platform/money"
	"github.com/plein-nl/plein/platform/tenant"
)

// A resident's specificatie of a settled month is not stored as rendered lines: it is
// derived again from the item's stored inputs by the engine its receipt names, and its
// lines (the trace, with rule and article) are shown only when that replay gives the
// stored cents (Statement.Verified). Rendered lines would be some 20 lines of text per
// item, about 2 KB, a gigabyte a month at 500,000 residents; the inputs are already
// stored for the replay (about 240 bytes). A month that cannot be replayed (before
// receipts, another engine version) or that does not replay to its cents still shows
// its stored amounts, without the explanation.

// Statement is a resident's settled month, as the resident's specificatie shows it.
type Statement struct {
	Period bijstand.Period
	RunID  string
	// PayDate is the execution date of the run's payments.
	PayDate *time.Time
	// The stored amounts: what the run booked and paid.
	Bijstand, Reserve, Applied, Payout, Shortfall, Vakantietoeslag money.Cents
	// Released is what this run paid of payouts held in earlier runs (a nabetaling).
	Released   money.Cents
	Deductions []StatementDeduction
	// Wages are the payslips the month counted: gross and net (nil before receipts).
	Wages []Wage
	// Hold is why the payout was held, Uncomputed why the month was not computed.
	Hold, Uncomputed string
	// Result is the month derived again from the stored inputs, with its trace; only
	// set when Verified: it gives every stored cent.
	Result   bijstand.Result
	Verified bool
	// Receipt is the month's receipt; zero before receipts.
	LawFile, EngineVersion string
	ConfigVersion          int
	InputsSHA256           string // hex
}

// StatementDeduction is a deduction of a settled month and where its money went.
type StatementDeduction struct {
	ID, Label, Kind               string
	Requested, Applied, Shortfall money.Cents
	CreditorID, Reference         string
}

// StatementReader reads residents' settled months for the portal, each call in a unit
// of work of its own: only final runs, only the resident asked for.
type StatementReader struct {
	app  db.Beginner
	book *law.Book
}

// NewStatementReader returns the reader over the application pool, computing with book
// (nil: the embedded law).
func NewStatementReader(app db.Beginner, book *law.Book) (*StatementReader, error) {
	if book == nil {
		var err error
		if book, err = law.Load(); err != nil {
			return nil, err
		}
	}
	return &StatementReader{app: app, book: book}, nil
}

// Months lists the periods of t's final runs that settled residentID, newest first.
func (r *StatementReader) Months(ctx context.Context, t tenant.ID, residentID string) ([]bijstand.Period, error) {
	var out []bijstand.Period
	err := r.in(ctx, t, func(ctx context.Context, tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `
			SELECT r.period FROM settlement_runs r
			JOIN settlement_items i ON i.tenant_id = r.tenant_id AND i.run_id = r.id
			WHERE r.tenant_id = current_tenant() AND r.status = 'final' AND i.resident_id = $1
			ORDER BY r.period DESC`, residentID)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (bijstand.Period, error) {
			var d time.Time
			err := row.Scan(&d)
			return bijstand.PeriodOf(d), err
		})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("settlement: settled months: %w", err)
	}
	return out, nil
}

// Month returns residentID's settled month period; ErrNotFound when no final run of t
// settled the resident in it.
func (r *StatementReader) Month(ctx context.Context, t tenant.ID, residentID string, period bijstand.Period) (Statement, error) {
	var st Statement
	err := r.in(ctx, t, func(ctx context.Context, tx pgx.Tx) error {
		var it storedItem
		var wages *string
		var cfg *int32
		var hold *string
		dest := append(it.dest(), &st.RunID, &st.PayDate, &wages, &cfg, &hold, &st.Released)
		err := tx.QueryRow(ctx, `
			SELECT i.resident_id, i.bijstand_cents, i.reserve_cents, i.applied_cents, i.payout_cents, i.shortfall_cents,
			       i.vakantietoeslag_cents, i.deductions, i.counters, coalesce(i.uncomputed, ''),
			       i.inputs, i.inputs_sha256, i.law_file, i.engine_version,
			       r.id, r.execution_date, i.wages, i.config_version, i.hold, i.released_cents
			FROM settlement_runs r
			JOIN settlement_items i ON i.tenant_id = r.tenant_id AND i.run_id = r.id
			WHERE r.tenant_id = current_tenant() AND r.status = 'final' AND r.period = $1 AND i.resident_id = $2`,
			period.First(), residentID).Scan(dest...)
		if err == pgx.ErrNoRows {
			return fmt.Errorf("%w: no settled month %s for this resident", ErrNotFound, period)
		}
		if err != nil {
			return err
		}
		return r.fill(&st, period, it, wages, cfg, hold)
	})
	if err != nil {
		return Statement{}, fmt.Errorf("settlement: statement: %w", err)
	}
	return st, nil
}

// fill makes the statement of the stored item it, derived again when it replays.
func (r *StatementReader) fill(st *Statement, period bijstand.Period, it storedItem, wages *string, cfg *int32, hold *string) error {
	st.Period, st.Uncomputed = period, it.Uncomputed
	st.Bijstand, st.Reserve, st.Applied = money.Cents(it.Bijstand), money.Cents(it.Reserve), money.Cents(it.Applied)
	st.Payout, st.Shortfall, st.Vakantietoeslag = money.Cents(it.Payout), money.Cents(it.Shortfall), money.Cents(it.Vakantietoeslag)
	if hold != nil {
		st.Hold = *hold
	}
	deds, err := decodeDeductions(it.Deductions)
	if err != nil {
		return err
	}
	for _, d := range deds {
		st.Deductions = append(st.Deductions, StatementDeduction{ID: d.ID, Kind: d.Kind, Requested: d.Requested, Applied: d.Applied,
			Shortfall: d.Shortfall, CreditorID: d.Creditor, Reference: d.Reference})
	}
	if it.Inputs == nil || it.LawFile == nil || it.EngineVersion == nil {
		return nil // before receipts: the stored amounts only
	}
	st.LawFile, st.EngineVersion, st.InputsSHA256 = *it.LawFile, *it.EngineVersion, fmt.Sprintf("%x", it.Hash)
	if cfg != nil {
		st.ConfigVersion = int(*cfg)
	}
	c, _, _, err := decodeInputs([]byte(*it.Inputs))
	if err != nil {
		return nil // not readable: shown without the explanation, as replay reports it
	}
	if wages != nil {
		if st.Wages, err = decodeWages(*wages, c); err != nil {
			return err
		}
	}
	p, ok := r.book.File(*it.LawFile)
	if !ok || *it.EngineVersion != bijstand.EngineVersion || it.Uncomputed != "" || len(replayItem(p, it)) > 0 {
		return nil
	}
	res, err := bijstand.Compute(p, c)
	if err != nil {
		return nil
	}
	st.Result, st.Verified = res, true
	for i := range st.Deductions {
		if i < len(res.Deductions) && res.Deductions[i].ID == st.Deductions[i].ID {
			st.Deductions[i].Label = res.Deductions[i].Label
		}
	}
	return nil
}

func (r *StatementReader) in(ctx context.Context, t tenant.ID, fn func(ctx context.Context, tx pgx.Tx) error) error {
	if !t.Valid() {
		return fmt.Errorf("settlement: %w", tenant.ErrInvalidID)
	}
	return db.InTenant(tenant.WithID(ctx, t), r.app, fn)
}
