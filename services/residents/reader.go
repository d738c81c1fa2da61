package residents

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/plein-nl/plein/platform/bijstand"
	"github.com/plein-nl/plein/platform/db"
	"github.com/plein-nl/plein/platform/iban"
	"github.com/plein-nl/plein/platform/tenant"
	"github.com/plein-nl/plein/services/residents/internal/store"
)

// Payee is what the monthly settlement needs of a resident: who is paid, to which
// account, and the household the engine computes the month of. It has no BSN: the
// settlement neither needs nor opens one.
type Payee struct {
	ID        string
	Name      string
	IBAN      iban.IBAN
	Household bijstand.Household
}

// PayeeReader reads the caseload in bulk for the settlement, each call in a unit of
// work of its own on the service's pool. Like Household it is the system's own use,
// not a person reading the data, so it is not audited.
type PayeeReader struct{ app db.Beginner }

// NewPayeeReader returns the reader over the application pool (or a transaction).
func NewPayeeReader(app db.Beginner) *PayeeReader { return &PayeeReader{app: app} }

func (r *PayeeReader) in(ctx context.Context, t tenant.ID, fn func(ctx context.Context, st *store.Store) error) error {
	return inStore(ctx, r.app, t, fn)
}

// inStore runs fn in a unit of work of t of its own on app.
func inStore(ctx context.Context, app db.Beginner, t tenant.ID, fn func(ctx context.Context, st *store.Store) error) error {
	if !t.Valid() {
		return fmt.Errorf("residents: %w", tenant.ErrInvalidID)
	}
	return db.InTenant(tenant.WithID(ctx, t), app, func(ctx context.Context, tx pgx.Tx) error {
		return fn(ctx, store.New(tx, t))
	})
}

// IDs returns the ids of all residents of t in id order: the caseload a settlement
// run splits into batches.
func (r *PayeeReader) IDs(ctx context.Context, t tenant.ID) ([]string, error) {
	var ids []string
	err := r.in(ctx, t, func(ctx context.Context, st *store.Store) error {
		var err error
		ids, err = st.IDs(ctx)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("residents: %w", err)
	}
	return ids, nil
}

// Payees reads every resident of t whose id is in [first, last] (in id order), with
// the household mapped to the engine's input by the same converter as Household and
// the vrijlating counters in force at the start of period (HouseholdAsOf). Four
// queries however many residents: the settlement reads its caseload in batches, not
// one resident at a time.
func (r *PayeeReader) Payees(ctx context.Context, t tenant.ID, first, last string, period bijstand.Period) ([]Payee, error) {
	var rows []store.Resident
	err := r.in(ctx, t, func(ctx context.Context, st *store.Store) error {
		if err := st.CustomPlans(ctx); err != nil {
			return err
		}
		var err error
		if rows, err = st.Payees(ctx, first, last); err != nil || len(rows) == 0 {
			return err
		}
		byID := make(map[string]*store.Resident, len(rows))
		for i := range rows {
			byID[rows[i].ID] = &rows[i]
		}
		f := period.First()
		return st.CountersAsOf(ctx, byID, first, last, &f)
	})
	if err != nil {
		return nil, fmt.Errorf("residents: %w", err)
	}
	if len(rows) == 0 {
		return nil, nil
	}
	out := make([]Payee, len(rows))
	for i, row := range rows {
		c := toDomainCase(row)
		out[i] = Payee{ID: c.ID, Name: c.Name, IBAN: c.IBAN, Household: toHousehold(c)}
	}
	return out, nil
}

// FirstNamed returns the id of t's oldest resident named name, or ErrNotFound: how
// `plein dev` finds the demo resident it made on an earlier start.
func (r *PayeeReader) FirstNamed(ctx context.Context, t tenant.ID, name string) (string, error) {
	var id string
	err := r.in(ctx, t, func(ctx context.Context, st *store.Store) error {
		var err error
		id, err = st.FirstNamed(ctx, name)
		return err
	})
	return id, err
}

// CounterReader tells the settlement, from the residents service's own table, whether
// a final run's vrijlating counters were recorded: durable where the run's jobs are
// not (River may clean completed jobs away). Each call is a unit of work of its own on
// the service's pool; like PayeeReader it is the system's use, not audited.
type CounterReader struct{ app db.Beginner }

// NewCounterReader returns the reader over the application pool.
func NewCounterReader(app *pgxpool.Pool) *CounterReader { return &CounterReader{app: app} }

// RecordedFor returns how many applicants' counters final run runID of t recorded (its
// rows of source run): one per applicant the run's month advanced, once all its
// counters jobs have completed.
func (r *CounterReader) RecordedFor(ctx context.Context, t tenant.ID, runID string) (int, error) {
	var n int
	err := inStore(ctx, r.app, t, func(ctx context.Context, st *store.Store) error {
		var err error
		n, err = st.CountRun(ctx, runID)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("residents: %w", err)
	}
	return n, nil
}
