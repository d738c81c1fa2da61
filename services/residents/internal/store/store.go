// Package store is the residents service's SQL: the rows of residents,
// resident_children and resident_housemates as the database holds them (BSNs sealed),
// read and written in a unit of work whose transaction has the tenant set. The service
// converts between these rows and its domain types; sealing and opening a BSN is part
// of that crossing, not of the store.
package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/plein-nl/plein/platform/db"
	"github.com/plein-nl/plein/platform/tenant"
)

// Errors the store finds in the database. The service declares them as its own
// sentinels (residents.ErrNotFound is ErrNotFound), so a caller tests one value.
var (
	ErrNotFound        = errors.New("resident not found")
	ErrDuplicateBSN    = errors.New("BSN already belongs to a resident of this tenant")
	ErrVersionConflict = errors.New("resident was changed by someone else (version conflict)")
)

// Resident is a row of residents with its children and housemates. A bulk read
// (Payees) leaves the sealed BSNs and the columns the settlement does not need empty.
type Resident struct {
	ID, Name, IBAN, Kind              string
	BirthDate                         time.Time
	BSNSealed, BSNIndex               []byte
	Institution, ParentsCannotSupport bool
	Counters
	Partner              *Partner // nil: no partner (the schema holds all its columns or none)
	Children             []Child
	Housemates           []Housemate
	Version              int
	CreatedAt, UpdatedAt time.Time
}

// Counters are an applicant's vrijlating columns.
type Counters struct {
	NMonthsUsed, RMonthsUsed int
	MedischUrenbeperkt       bool
}

// Partner is the partner_ columns of a resident's row.
type Partner struct {
	Name                string
	BirthDate           time.Time
	BSNSealed, BSNIndex []byte
	Counters
}

// Child is a row of resident_children.
type Child struct{ BirthDate time.Time }

// Housemate is a row of resident_housemates.
type Housemate struct {
	BirthDate   time.Time
	CostSharer  bool
	Description string
}

// Store runs the SQL of one unit of work: tx has tenant set.
type Store struct {
	tx     pgx.Tx
	tenant tenant.ID
}

// New returns the store of a unit of work of t.
func New(tx pgx.Tx, t tenant.ID) *Store { return &Store{tx: tx, tenant: t} }

// Tx is the unit of work's transaction, for what must commit with it (an audit entry).
func (st *Store) Tx() pgx.Tx { return st.tx }

const selectResident = `
	SELECT id, name, birth_date, bsn_sealed, iban, household_kind, institution, parents_cannot_support,
	       n_months_used, r_months_used, medisch_urenbeperkt,
	       partner_name, partner_birth_date, partner_bsn_sealed,
	       partner_n_months_used, partner_r_months_used, partner_medisch_urenbeperkt,
	       version, created_at, updated_at
	FROM residents`

func scan(row pgx.Row) (Resident, error) {
	var r Resident
	var pName *string
	var pBirth *time.Time
	var pSealed []byte
	var pN, pR *int
	var pMed *bool
	err := row.Scan(&r.ID, &r.Name, &r.BirthDate, &r.BSNSealed, &r.IBAN, &r.Kind, &r.Institution, &r.ParentsCannotSupport,
		&r.NMonthsUsed, &r.RMonthsUsed, &r.MedischUrenbeperkt, &pName, &pBirth, &pSealed, &pN, &pR, &pMed,
		&r.Version, &r.CreatedAt, &r.UpdatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return Resident{}, ErrNotFound
	}
	if err != nil {
		return Resident{}, fmt.Errorf("read resident: %w", err)
	}
	if pName != nil {
		r.Partner = &Partner{Name: *pName, BirthDate: *pBirth, BSNSealed: pSealed,
			Counters: Counters{NMonthsUsed: *pN, RMonthsUsed: *pR, MedischUrenbeperkt: *pMed}}
	}
	return r, nil
}

// Get reads a resident with children and housemates; forUpdate locks the row.
func (st *Store) Get(ctx context.Context, id string, forUpdate bool) (Resident, error) {
	q := selectResident + " WHERE tenant_id = $1 AND id = $2"
	if forUpdate {
		q += " FOR UPDATE"
	}
	r, err := scan(st.tx.QueryRow(ctx, q, string(st.tenant), id))
	if err != nil {
		return Resident{}, err
	}
	return r, st.members(ctx, &r)
}

// GetByIndex finds the resident whose own or partner's BSN has one of the blind
// indexes idx (one BSN's indexes under the current and a prior index key).
func (st *Store) GetByIndex(ctx context.Context, idx [][]byte) (Resident, error) {
	r, err := scan(st.tx.QueryRow(ctx, selectResident+`
		WHERE tenant_id = $1 AND (bsn_index = ANY ($2) OR partner_bsn_index = ANY ($2))`, string(st.tenant), idx))
	if err != nil {
		return Resident{}, err
	}
	return r, st.members(ctx, &r)
}

// MatchIndex finds the case whose resident (0) or partner (1) has one of the blind
// indexes idx: one indexed query whatever the outcome, no case data read.
func (st *Store) MatchIndex(ctx context.Context, idx [][]byte) (string, int, error) {
	var id string
	var applicant int
	err := st.tx.QueryRow(ctx, `
		SELECT id, CASE WHEN bsn_index = ANY ($2) THEN 0 ELSE 1 END FROM residents
		WHERE tenant_id = $1 AND (bsn_index = ANY ($2) OR partner_bsn_index = ANY ($2))`, string(st.tenant), idx).Scan(&id, &applicant)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", 0, ErrNotFound
	}
	return id, applicant, err
}

func (st *Store) members(ctx context.Context, r *Resident) error {
	rows, err := st.tx.Query(ctx, `
		SELECT birth_date FROM resident_children
		WHERE tenant_id = $1 AND resident_id = $2 ORDER BY position`, string(st.tenant), r.ID)
	if err != nil {
		return fmt.Errorf("read children: %w", err)
	}
	r.Children, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (Child, error) {
		var c Child
		return c, row.Scan(&c.BirthDate)
	})
	if err != nil {
		return fmt.Errorf("read children: %w", err)
	}
	rows, err = st.tx.Query(ctx, `
		SELECT birth_date, cost_sharer, description FROM resident_housemates
		WHERE tenant_id = $1 AND resident_id = $2 ORDER BY position`, string(st.tenant), r.ID)
	if err != nil {
		return fmt.Errorf("read housemates: %w", err)
	}
	r.Housemates, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (Housemate, error) {
		var h Housemate
		return h, row.Scan(&h.BirthDate, &h.CostSharer, &h.Description)
	})
	if err != nil {
		return fmt.Errorf("read housemates: %w", err)
	}
	return nil
}

// LockIndex takes a transaction-scoped advisory lock on a blind index: it serialises
// concurrent writers of the same BSN, so two of them cannot both pass IndexTaken.
func (st *Store) LockIndex(ctx context.Context, key int64) error {
	if _, err := st.tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", key); err != nil {
		return fmt.Errorf("lock BSN: %w", err)
	}
	return nil
}

// IndexTaken reports whether a resident or partner of the tenant other than resident
// id has one of the blind indexes idx.
func (st *Store) IndexTaken(ctx context.Context, id string, idx [][]byte) (bool, error) {
	var taken bool
	err := st.tx.QueryRow(ctx, `
		SELECT EXISTS (SELECT 1 FROM residents
		               WHERE tenant_id = $1 AND id <> $2 AND (bsn_index = ANY ($3) OR partner_bsn_index = ANY ($3)))`,
		string(st.tenant), id, idx).Scan(&taken)
	if err != nil {
		return false, fmt.Errorf("check BSN: %w", err)
	}
	return taken, nil
}

// args are the columns of residents in the order of Insert's list, tenant_id first.
func (st *Store) args(r Resident) []any {
	args := []any{string(st.tenant), r.ID, r.Name, r.BirthDate, r.BSNSealed, r.BSNIndex, r.IBAN,
		r.Kind, r.Institution, r.ParentsCannotSupport, r.NMonthsUsed, r.RMonthsUsed, r.MedischUrenbeperkt}
	if p := r.Partner; p != nil {
		args = append(args, p.Name, p.BirthDate, p.BSNSealed, p.BSNIndex, p.NMonthsUsed, p.RMonthsUsed, p.MedischUrenbeperkt)
	} else {
		args = append(args, nil, nil, nil, nil, nil, nil, nil)
	}
	return append(args, r.Version, r.CreatedAt, r.UpdatedAt)
}

// Insert writes a new resident with children and housemates.
func (st *Store) Insert(ctx context.Context, r Resident) error {
	_, err := st.tx.Exec(ctx, `
		INSERT INTO residents (tenant_id, id, name, birth_date, bsn_sealed, bsn_index, iban,
			household_kind, institution, parents_cannot_support, n_months_used, r_months_used, medisch_urenbeperkt,
			partner_name, partner_birth_date, partner_bsn_sealed, partner_bsn_index,
			partner_n_months_used, partner_r_months_used, partner_medisch_urenbeperkt,
			version, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23)`,
		st.args(r)...)
	if err != nil {
		return mapError(err)
	}
	if err := st.insertChildren(ctx, r); err != nil {
		return err
	}
	return st.insertHousemates(ctx, r)
}

// Update writes next over the row at version curVersion (read, locked, in this
// transaction), and replaces the children and housemates when asked. A sealed BSN
// whose blind index did not change is kept, so an unrelated change does not rewrite
// the ciphertext.
func (st *Store) Update(ctx context.Context, next Resident, curVersion int, children, housemates bool) error {
	args := st.args(next)
	tag, err := st.tx.Exec(ctx, `
		UPDATE residents SET name = $3, birth_date = $4,
			bsn_sealed = CASE WHEN bsn_index = $6 THEN bsn_sealed ELSE $5 END, bsn_index = $6, iban = $7,
			household_kind = $8, institution = $9, parents_cannot_support = $10,
			n_months_used = $11, r_months_used = $12, medisch_urenbeperkt = $13,
			partner_name = $14, partner_birth_date = $15,
			partner_bsn_sealed = CASE WHEN partner_bsn_index = $17 THEN partner_bsn_sealed ELSE $16 END,
			partner_bsn_index = $17, partner_n_months_used = $18, partner_r_months_used = $19,
			partner_medisch_urenbeperkt = $20, version = $21, updated_at = $22
		WHERE tenant_id = $1 AND id = $2 AND version = $23`,
		append(args[:21:21], next.UpdatedAt, curVersion)...)
	if err != nil {
		return mapError(err)
	}
	if tag.RowsAffected() != 1 {
		return ErrVersionConflict // the row is locked: only a bug gets here
	}
	if children {
		if _, err := st.tx.Exec(ctx, "DELETE FROM resident_children WHERE tenant_id = $1 AND resident_id = $2",
			string(st.tenant), next.ID); err != nil {
			return fmt.Errorf("replace children: %w", err)
		}
		if err := st.insertChildren(ctx, next); err != nil {
			return err
		}
	}
	if housemates {
		if _, err := st.tx.Exec(ctx, "DELETE FROM resident_housemates WHERE tenant_id = $1 AND resident_id = $2",
			string(st.tenant), next.ID); err != nil {
			return fmt.Errorf("replace housemates: %w", err)
		}
		return st.insertHousemates(ctx, next)
	}
	return nil
}

func (st *Store) insertChildren(ctx context.Context, r Resident) error {
	for i, c := range r.Children {
		if _, err := st.tx.Exec(ctx, `
			INSERT INTO resident_children (tenant_id, resident_id, position, birth_date) VALUES ($1, $2, $3, $4)`,
			string(st.tenant), r.ID, i, c.BirthDate); err != nil {
			return fmt.Errorf("write child: %w", err)
		}
	}
	return nil
}

func (st *Store) insertHousemates(ctx context.Context, r Resident) error {
	for i, h := range r.Housemates {
		if _, err := st.tx.Exec(ctx, `
			INSERT INTO resident_housemates (tenant_id, resident_id, position, birth_date, cost_sharer, description)
			VALUES ($1, $2, $3, $4, $5, $6)`,
			string(st.tenant), r.ID, i, h.BirthDate, h.CostSharer, h.Description); err != nil {
			return fmt.Errorf("write housemate: %w", err)
		}
	}
	return nil
}

// mapError maps a unique violation of a BSN index to ErrDuplicateBSN.
func mapError(err error) error {
	err = db.MapError(err)
	var pgErr *pgconn.PgError
	if errors.Is(err, db.ErrUniqueViolation) && errors.As(err, &pgErr) {
		switch pgErr.ConstraintName {
		case "residents_bsn_index_key", "residents_partner_bsn_index_key":
			return ErrDuplicateBSN
		}
	}
	return fmt.Errorf("write resident: %w", err)
}
