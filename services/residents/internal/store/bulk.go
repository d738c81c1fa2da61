package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// CustomPlans makes the rest of the transaction plan each statement for its own
// parameters. A bulk read takes a range of resident ids whose size only the
// parameters tell: a generic plan of a prepared statement (pgx prepares every query)
// guesses a scan of the whole tenant, 100 times slower at 100,000 residents.
func (st *Store) CustomPlans(ctx context.Context) error {
	if _, err := st.tx.Exec(ctx, `SET LOCAL plan_cache_mode = force_custom_plan`); err != nil {
		return fmt.Errorf("plan mode: %w", err)
	}
	return nil
}

// IDs returns the ids of all residents of the tenant in id order.
func (st *Store) IDs(ctx context.Context) ([]string, error) {
	rows, err := st.tx.Query(ctx, `SELECT id FROM residents WHERE tenant_id = current_tenant() ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("ids: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("ids: %w", err)
	}
	return ids, nil
}

// Payees reads every resident whose id is in [first, last], in id order, with children
// and housemates but without BSNs or version: three queries however many residents.
func (st *Store) Payees(ctx context.Context, first, last string) ([]Resident, error) {
	rows, err := st.tx.Query(ctx, `
		SELECT id, name, iban, birth_date, household_kind, institution, parents_cannot_support,
		       n_months_used, r_months_used, medisch_urenbeperkt,
		       partner_birth_date, partner_n_months_used, partner_r_months_used, partner_medisch_urenbeperkt
		FROM residents
		WHERE tenant_id = current_tenant() AND id BETWEEN $1 AND $2
		ORDER BY id`, first, last)
	if err != nil {
		return nil, fmt.Errorf("payees: %w", err)
	}
	rs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Resident, error) {
		var r Resident
		var pBirth *time.Time
		var pN, pR *int
		var pMed *bool
		err := row.Scan(&r.ID, &r.Name, &r.IBAN, &r.BirthDate, &r.Kind, &r.Institution, &r.ParentsCannotSupport,
			&r.NMonthsUsed, &r.RMonthsUsed, &r.MedischUrenbeperkt, &pBirth, &pN, &pR, &pMed)
		if err == nil && pBirth != nil {
			r.Partner = &Partner{BirthDate: *pBirth, Counters: Counters{NMonthsUsed: *pN, RMonthsUsed: *pR, MedischUrenbeperkt: *pMed}}
		}
		return r, err
	})
	if err != nil {
		return nil, fmt.Errorf("payees: %w", err)
	}
	if len(rs) == 0 {
		return nil, nil
	}
	byID := make(map[string]*Resident, len(rs))
	for i := range rs {
		byID[rs[i].ID] = &rs[i]
	}
	if err := st.rangeMembers(ctx, byID, first, last); err != nil {
		return nil, fmt.Errorf("payees: %w", err)
	}
	return rs, nil
}

// rangeMembers adds the children and housemates of the residents in [first, last] to
// byID's.
func (st *Store) rangeMembers(ctx context.Context, byID map[string]*Resident, first, last string) error {
	rows, err := st.tx.Query(ctx, `
		SELECT resident_id, birth_date FROM resident_children
		WHERE tenant_id = current_tenant() AND resident_id BETWEEN $1 AND $2
		ORDER BY resident_id, position`, first, last)
	if err != nil {
		return fmt.Errorf("children: %w", err)
	}
	var id string
	var c Child
	if _, err := pgx.ForEachRow(rows, []any{&id, &c.BirthDate}, func() error {
		if r := byID[id]; r != nil {
			r.Children = append(r.Children, c)
		}
		return nil
	}); err != nil {
		return fmt.Errorf("children: %w", err)
	}
	rows, err = st.tx.Query(ctx, `
		SELECT resident_id, birth_date, cost_sharer FROM resident_housemates
		WHERE tenant_id = current_tenant() AND resident_id BETWEEN $1 AND $2
		ORDER BY resident_id, position`, first, last)
	if err != nil {
		return fmt.Errorf("housemates: %w", err)
	}
	var h Housemate
	if _, err := pgx.ForEachRow(rows, []any{&id, &h.BirthDate, &h.CostSharer}, func() error {
		if r := byID[id]; r != nil {
			r.Housemates = append(r.Housemates, h)
		}
		return nil
	}); err != nil {
		return fmt.Errorf("housemates: %w", err)
	}
	return nil
}

// FirstNamed returns the id of the tenant's oldest resident named name, or
// ErrNotFound.
func (st *Store) FirstNamed(ctx context.Context, name string) (string, error) {
	var id string
	err := st.tx.QueryRow(ctx, `SELECT id FROM residents WHERE name = $1 ORDER BY created_at LIMIT 1`, name).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("first named: %w", err)
	}
	return id, nil
}
