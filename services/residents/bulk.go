package residents

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/plein-nl/plein/platform/bijstand"
	"github.com/plein-nl/plein/platform/iban"
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

// IDsIn returns the ids of all residents of the transaction's tenant in id order: the
// caseload a settlement run splits into batches. tx must have the tenant set
// (db.InTenant, or a tenant job's transaction).
func IDsIn(ctx context.Context, tx pgx.Tx) ([]string, error) {
	rows, err := tx.Query(ctx, `SELECT id FROM residents WHERE tenant_id = current_tenant() ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("residents: ids: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("residents: ids: %w", err)
	}
	return ids, nil
}

// PayeesIn reads, in tx, every resident whose id is in [first, last] (in id order),
// with the household mapped to the engine's input by the same converter as Household.
// Three queries however many residents: the settlement reads its caseload in batches,
// not one resident at a time. Like Household it is the system's own use, not audited.
func PayeesIn(ctx context.Context, tx pgx.Tx, first, last string) ([]Payee, error) {
	rows, err := tx.Query(ctx, `
		SELECT id, name, iban, birth_date, household_kind, institution, parents_cannot_support,
		       n_months_used, r_months_used, medisch_urenbeperkt,
		       partner_birth_date, partner_n_months_used, partner_r_months_used, partner_medisch_urenbeperkt
		FROM residents
		WHERE tenant_id = current_tenant() AND id BETWEEN $1 AND $2
		ORDER BY id`, first, last)
	if err != nil {
		return nil, fmt.Errorf("residents: payees: %w", err)
	}
	var rs []Resident
	for rows.Next() {
		var r Resident
		var kind, ibanText string
		var pBirth *time.Time
		var pN, pR *int
		var pMed *bool
		if err := rows.Scan(&r.ID, &r.Name, &ibanText, &r.BirthDate, &kind, &r.Institution, &r.ParentsCannotSupport,
			&r.NMonthsUsed, &r.RMonthsUsed, &r.MedischUrenbeperkt,
			&pBirth, &pN, &pR, &pMed); err != nil {
			rows.Close()
			return nil, fmt.Errorf("residents: payees: %w", err)
		}
		r.Kind, r.IBAN = bijstand.HouseholdKind(kind), iban.IBAN(ibanText)
		if pBirth != nil {
			// The schema holds every partner column set or none.
			r.Partner = &Partner{BirthDate: *pBirth,
				Counters: Counters{NMonthsUsed: *pN, RMonthsUsed: *pR, MedischUrenbeperkt: *pMed}}
		}
		rs = append(rs, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("residents: payees: %w", err)
	}
	if len(rs) == 0 {
		return nil, nil
	}
	byID := make(map[string]*Resident, len(rs))
	for i := range rs {
		byID[rs[i].ID] = &rs[i]
	}
	rows, err = tx.Query(ctx, `
		SELECT resident_id, birth_date FROM resident_children
		WHERE tenant_id = current_tenant() AND resident_id BETWEEN $1 AND $2
		ORDER BY resident_id, position`, first, last)
	if err != nil {
		return nil, fmt.Errorf("residents: payees: children: %w", err)
	}
	for rows.Next() {
		var id string
		var c Child
		if err := rows.Scan(&id, &c.BirthDate); err != nil {
			rows.Close()
			return nil, fmt.Errorf("residents: payees: children: %w", err)
		}
		if r := byID[id]; r != nil {
			r.Children = append(r.Children, c)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("residents: payees: children: %w", err)
	}
	rows, err = tx.Query(ctx, `
		SELECT resident_id, birth_date, cost_sharer FROM resident_housemates
		WHERE tenant_id = current_tenant() AND resident_id BETWEEN $1 AND $2
		ORDER BY resident_id, position`, first, last)
	if err != nil {
		return nil, fmt.Errorf("residents: payees: housemates: %w", err)
	}
	for rows.Next() {
		var id string
		var h Housemate
		if err := rows.Scan(&id, &h.BirthDate, &h.CostSharer); err != nil {
			rows.Close()
			return nil, fmt.Errorf("residents: payees: housemates: %w", err)
		}
		if r := byID[id]; r != nil {
			r.Housemates = append(r.Housemates, h)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("residents: payees: housemates: %w", err)
	}
	out := make([]Payee, len(rs))
	for i, r := range rs {
		out[i] = Payee{ID: r.ID, Name: r.Name, IBAN: r.IBAN, Household: toHousehold(r)}
	}
	return out, nil
}
