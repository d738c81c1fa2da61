package residents

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/plein-nl/plein/platform/bijstand"
	"github.com/plein-nl/plein/platform/bsn"
	"github.com/plein-nl/plein/platform/db"
	"github.com/plein-nl/plein/platform/iban"
	"github.com/plein-nl/plein/platform/tenant"
)

// store runs the SQL of one unit of work, in a transaction with the tenant set.
type store struct {
	tx     pgx.Tx
	tenant tenant.ID
	sealer *bsn.Sealer
}

// aad binds a sealed BSN to its tenant: copied into another tenant's row, it does not open.
func (st *store) aad() []byte { return []byte(st.tenant) }

const selectResident = `
	SELECT id, name, birth_date, bsn_sealed, iban, household_kind, institution, parents_cannot_support,
	       n_months_used, r_months_used, medisch_urenbeperkt,
	       partner_name, partner_birth_date, partner_bsn_sealed,
	       partner_n_months_used, partner_r_months_used, partner_medisch_urenbeperkt,
	       version, created_at, updated_at
	FROM residents`

// dbResident is a row of residents as scanned.
type dbResident struct {
	id, name, ibanText, kind      string
	birth                         time.Time
	sealed                        []byte
	institution, parents, medisch bool
	nUsed, rUsed                  int
	pName                         *string
	pBirth                        *time.Time
	pSealed                       []byte
	pNUsed, pRUsed                *int
	pMedisch                      *bool
	version                       int
	createdAt, updatedAt          time.Time
}

func (st *store) scan(row pgx.Row) (Resident, error) {
	var d dbResident
	err := row.Scan(&d.id, &d.name, &d.birth, &d.sealed, &d.ibanText, &d.kind, &d.institution, &d.parents,
		&d.nUsed, &d.rUsed, &d.medisch, &d.pName, &d.pBirth, &d.pSealed, &d.pNUsed, &d.pRUsed, &d.pMedisch,
		&d.version, &d.createdAt, &d.updatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return Resident{}, ErrNotFound
	}
	if err != nil {
		return Resident{}, fmt.Errorf("read resident: %w", err)
	}
	return st.toResident(d)
}

// toResident is the converter from a row: it opens the sealed BSNs.
func (st *store) toResident(d dbResident) (Resident, error) {
	b, err := st.sealer.Open(d.sealed, st.aad())
	if err != nil {
		return Resident{}, fmt.Errorf("resident %s: open BSN: %w", d.id, err)
	}
	r := Resident{
		ID: d.id, Name: d.name, BirthDate: d.birth, BSN: b, IBAN: iban.IBAN(d.ibanText),
		Kind: bijstand.HouseholdKind(d.kind), Institution: d.institution, ParentsCannotSupport: d.parents,
		Counters: Counters{NMonthsUsed: d.nUsed, RMonthsUsed: d.rUsed, MedischUrenbeperkt: d.medisch},
		Version:  d.version, CreatedAt: d.createdAt, UpdatedAt: d.updatedAt,
	}
	if d.pName != nil {
		// The schema holds every partner column set or none.
		pb, err := st.sealer.Open(d.pSealed, st.aad())
		if err != nil {
			return Resident{}, fmt.Errorf("resident %s: open partner BSN: %w", d.id, err)
		}
		r.Partner = &Partner{Name: *d.pName, BirthDate: *d.pBirth, BSN: pb,
			Counters: Counters{NMonthsUsed: *d.pNUsed, RMonthsUsed: *d.pRUsed, MedischUrenbeperkt: *d.pMedisch}}
	}
	return r, nil
}

// get reads a resident with children and housemates; forUpdate locks the row.
func (st *store) get(ctx context.Context, id string, forUpdate bool) (Resident, error) {
	q := selectResident + " WHERE tenant_id = $1 AND id = $2"
	if forUpdate {
		q += " FOR UPDATE"
	}
	r, err := st.scan(st.tx.QueryRow(ctx, q, string(st.tenant), id))
	if err != nil {
		return Resident{}, err
	}
	return r, st.members(ctx, &r)
}

// getByIndex finds the resident whose own or partner's BSN has the blind index idx.
func (st *store) getByIndex(ctx context.Context, idx []byte) (Resident, error) {
	r, err := st.scan(st.tx.QueryRow(ctx, selectResident+`
		WHERE tenant_id = $1 AND (bsn_index = $2 OR partner_bsn_index = $2)`, string(st.tenant), idx))
	if err != nil {
		return Resident{}, err
	}
	return r, st.members(ctx, &r)
}

// matchIndex finds the case whose resident (0) or partner (1) has the blind index
// idx: one indexed query whatever the outcome, no case data read.
func (st *store) matchIndex(ctx context.Context, idx []byte) (string, int, error) {
	var id string
	var applicant int
	err := st.tx.QueryRow(ctx, `
		SELECT id, CASE WHEN bsn_index = $2 THEN 0 ELSE 1 END FROM residents
		WHERE tenant_id = $1 AND (bsn_index = $2 OR partner_bsn_index = $2)`, string(st.tenant), idx).Scan(&id, &applicant)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", 0, ErrNotFound
	}
	return id, applicant, err
}

func (st *store) members(ctx context.Context, r *Resident) error {
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

// checkBSNsFree returns ErrDuplicateBSN if the BSN of r or of its partner belongs to
// another resident or partner of the tenant. The unique constraints hold each column
// on its own; this covers a BSN that is one case's resident and another's partner.
// A transaction-scoped advisory lock per index serialises concurrent writers of the
// same BSN, so two of them cannot both pass the check.
func (st *store) checkBSNsFree(ctx context.Context, r Resident) error {
	bsns := []bsn.BSN{r.BSN}
	if r.Partner != nil {
		bsns = append(bsns, r.Partner.BSN)
	}
	for _, b := range bsns {
		idx := st.sealer.BlindIndex(b)
		if _, err := st.tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", int64(binary.BigEndian.Uint64(idx))); err != nil {
			return fmt.Errorf("lock BSN: %w", err)
		}
		var taken bool
		err := st.tx.QueryRow(ctx, `
			SELECT EXISTS (SELECT 1 FROM residents
			               WHERE tenant_id = $1 AND id <> $2 AND (bsn_index = $3 OR partner_bsn_index = $3))`,
			string(st.tenant), r.ID, idx).Scan(&taken)
		if err != nil {
			return fmt.Errorf("check BSN: %w", err)
		}
		if taken {
			return ErrDuplicateBSN
		}
	}
	return nil
}

// row is the converter to the columns of residents, in the order of insert's list.
func (st *store) row(r Resident) ([]any, error) {
	sealed, err := st.sealer.Seal(r.BSN, st.aad())
	if err != nil {
		return nil, fmt.Errorf("seal BSN: %w", err)
	}
	args := []any{string(st.tenant), r.ID, r.Name, r.BirthDate, sealed, st.sealer.BlindIndex(r.BSN), string(r.IBAN),
		string(r.Kind), r.Institution, r.ParentsCannotSupport, r.NMonthsUsed, r.RMonthsUsed, r.MedischUrenbeperkt}
	if p := r.Partner; p != nil {
		psealed, err := st.sealer.Seal(p.BSN, st.aad())
		if err != nil {
			return nil, fmt.Errorf("seal partner BSN: %w", err)
		}
		args = append(args, p.Name, p.BirthDate, psealed, st.sealer.BlindIndex(p.BSN),
			p.NMonthsUsed, p.RMonthsUsed, p.MedischUrenbeperkt)
	} else {
		args = append(args, nil, nil, nil, nil, nil, nil, nil)
	}
	return append(args, r.Version, r.CreatedAt, r.UpdatedAt), nil
}

func (st *store) insert(ctx context.Context, r Resident) error {
	args, err := st.row(r)
	if err != nil {
		return err
	}
	_, err = st.tx.Exec(ctx, `
		INSERT INTO residents (tenant_id, id, name, birth_date, bsn_sealed, bsn_index, iban,
			household_kind, institution, parents_cannot_support, n_months_used, r_months_used, medisch_urenbeperkt,
			partner_name, partner_birth_date, partner_bsn_sealed, partner_bsn_index,
			partner_n_months_used, partner_r_months_used, partner_medisch_urenbeperkt,
			version, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23)`,
		args...)
	if err != nil {
		return mapError(err)
	}
	if err := st.replaceChildren(ctx, r); err != nil {
		return err
	}
	return st.replaceHousemates(ctx, r)
}

// update writes next over the row; cur is what was read (locked) in this transaction.
// Sealing again is skipped when a BSN did not change, so an unrelated change does not
// rewrite the ciphertext.
func (st *store) update(ctx context.Context, next, cur Resident, children, housemates bool) error {
	args, err := st.row(next)
	if err != nil {
		return err
	}
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
		append(args[:21:21], next.UpdatedAt, cur.Version)...)
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
		if err := st.replaceChildren(ctx, next); err != nil {
			return err
		}
	}
	if housemates {
		if _, err := st.tx.Exec(ctx, "DELETE FROM resident_housemates WHERE tenant_id = $1 AND resident_id = $2",
			string(st.tenant), next.ID); err != nil {
			return fmt.Errorf("replace housemates: %w", err)
		}
		return st.replaceHousemates(ctx, next)
	}
	return nil
}

func (st *store) replaceChildren(ctx context.Context, r Resident) error {
	for i, c := range r.Children {
		if _, err := st.tx.Exec(ctx, `
			INSERT INTO resident_children (tenant_id, resident_id, position, birth_date) VALUES ($1, $2, $3, $4)`,
			string(st.tenant), r.ID, i, c.BirthDate); err != nil {
			return fmt.Errorf("write child: %w", err)
		}
	}
	return nil
}

func (st *store) replaceHousemates(ctx context.Context, r Resident) error {
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
