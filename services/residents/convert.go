package residents

import (
	"context"
	"encoding/binary"
	"fmt"
	"time"

	"github.com/plein-nl/plein/platform/bijstand"
	"github.com/plein-nl/plein/platform/bsn"
	"github.com/plein-nl/plein/platform/iban"
	"github.com/plein-nl/plein/platform/tenant"
	"github.com/plein-nl/plein/services/residents/internal/store"
)

// unit is a unit of work in the service's terms: the store's rows converted to and
// from residents, the BSNs sealed on the way in and opened on the way out.
type unit struct {
	st     *store.Store
	tenant tenant.ID
	sealer *bsn.Sealer
}

// aad binds a sealed BSN to its tenant: copied into another tenant's row, it does not open.
func (u *unit) aad() []byte { return []byte(u.tenant) }

// get reads a resident with children, housemates and the latest counters; forUpdate
// locks the row.
func (u *unit) get(ctx context.Context, id string, forUpdate bool) (Resident, error) {
	row, err := u.st.Get(ctx, id, forUpdate)
	if err != nil {
		return Resident{}, err
	}
	if err := u.countersAt(ctx, &row, nil); err != nil {
		return Resident{}, err
	}
	return u.toDomainResident(row)
}

// getAsOf reads a resident's case, without opening the BSNs, with the counters in force
// at the start of period (nil: the latest).
func (u *unit) getAsOf(ctx context.Context, id string, period *bijstand.Period) (Resident, error) {
	row, err := u.st.Get(ctx, id, false)
	if err != nil {
		return Resident{}, err
	}
	if err := u.countersAt(ctx, &row, period); err != nil {
		return Resident{}, err
	}
	return toDomainCase(row), nil
}

// getByIndex finds the resident whose own or partner's BSN has one of the indexes idx.
func (u *unit) getByIndex(ctx context.Context, idx [][]byte) (Resident, error) {
	row, err := u.st.GetByIndex(ctx, idx)
	if err != nil {
		return Resident{}, err
	}
	if err := u.countersAt(ctx, &row, nil); err != nil {
		return Resident{}, err
	}
	return u.toDomainResident(row)
}

// matchIndex finds the case whose resident (0) or partner (1) has one of the indexes idx.
func (u *unit) matchIndex(ctx context.Context, idx [][]byte) (string, int, error) {
	return u.st.MatchIndex(ctx, idx)
}

// checkBSNsFree returns ErrDuplicateBSN if the BSN of r or of its partner belongs to
// another resident or partner of the tenant. The unique constraints hold each column
// on its own; this covers a BSN that is one case's resident and another's partner.
// A transaction-scoped advisory lock per index serialises concurrent writers of the
// same BSN, so two of them cannot both pass the check; the lock is on the current
// index, which every writer computes alike, and the check covers a row still indexed
// under the legacy key too.
func (u *unit) checkBSNsFree(ctx context.Context, r Resident) error {
	bsns := []bsn.BSN{r.BSN}
	if r.Partner != nil {
		bsns = append(bsns, r.Partner.BSN)
	}
	for _, b := range bsns {
		idx := u.sealer.BlindIndexes(b)
		if err := u.st.LockIndex(ctx, int64(binary.BigEndian.Uint64(idx[0]))); err != nil {
			return err
		}
		taken, err := u.st.IndexTaken(ctx, r.ID, idx)
		if err != nil {
			return err
		}
		if taken {
			return ErrDuplicateBSN
		}
	}
	return nil
}

// save stores r with write (the insert of a new case or the update of one) once its
// BSNs are known to be free, records the counters of the applicants given (0: the
// resident, 1: the partner) and returns r as stored: Create and Update differ only in
// the write and in whose counters they record.
func (u *unit) save(ctx context.Context, r Resident, write func(context.Context, Resident) error, today time.Time, applicants ...int) (Resident, error) {
	if err := u.checkBSNsFree(ctx, r); err != nil {
		return Resident{}, err
	}
	if err := write(ctx, r); err != nil {
		return Resident{}, err
	}
	if err := u.recordCounters(ctx, r, today, applicants...); err != nil {
		return Resident{}, err
	}
	return u.get(ctx, r.ID, false)
}

func (u *unit) insert(ctx context.Context, r Resident) error {
	row, err := u.toDBResident(r)
	if err != nil {
		return err
	}
	return u.st.Insert(ctx, row)
}

// update writes next over the row; cur is what was read (locked) in this transaction.
func (u *unit) update(ctx context.Context, next, cur Resident, children, housemates bool) error {
	row, err := u.toDBResident(next)
	if err != nil {
		return err
	}
	return u.st.Update(ctx, row, cur.Version, children, housemates)
}

// toDBResident is the converter to a row: it seals and indexes the BSNs.
func (u *unit) toDBResident(r Resident) (store.Resident, error) {
	sealed, err := u.sealer.Seal(r.BSN, u.aad())
	if err != nil {
		return store.Resident{}, fmt.Errorf("seal BSN: %w", err)
	}
	row := store.Resident{ID: r.ID, Name: r.Name, IBAN: string(r.IBAN), Kind: string(r.Kind), BirthDate: r.BirthDate,
		BSNSealed: sealed, BSNIndex: u.sealer.BlindIndex(r.BSN),
		Institution: r.Institution, ParentsCannotSupport: r.ParentsCannotSupport, Counters: store.Counters(r.Counters),
		Version: r.Version, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
	if p := r.Partner; p != nil {
		psealed, err := u.sealer.Seal(p.BSN, u.aad())
		if err != nil {
			return store.Resident{}, fmt.Errorf("seal partner BSN: %w", err)
		}
		row.Partner = &store.Partner{Name: p.Name, BirthDate: p.BirthDate, BSNSealed: psealed,
			BSNIndex: u.sealer.BlindIndex(p.BSN), Counters: store.Counters(p.Counters)}
	}
	for _, c := range r.Children {
		row.Children = append(row.Children, store.Child(c))
	}
	for _, h := range r.Housemates {
		row.Housemates = append(row.Housemates, store.Housemate(h))
	}
	return row, nil
}

// toDomainResident is the converter from a row: it opens the sealed BSNs.
func (u *unit) toDomainResident(row store.Resident) (Resident, error) {
	r := toDomainCase(row)
	var err error
	if r.BSN, err = u.sealer.Open(row.BSNSealed, u.aad()); err != nil {
		return Resident{}, fmt.Errorf("resident %s: open BSN: %w", row.ID, err)
	}
	if r.Partner != nil {
		if r.Partner.BSN, err = u.sealer.Open(row.Partner.BSNSealed, u.aad()); err != nil {
			return Resident{}, fmt.Errorf("resident %s: open partner BSN: %w", row.ID, err)
		}
	}
	return r, nil
}

// toDomainCase converts a row without its BSNs, which stay zero: what the settlement's
// bulk read needs, and the start of toDomainResident.
func toDomainCase(row store.Resident) Resident {
	r := Resident{ID: row.ID, Name: row.Name, BirthDate: row.BirthDate, IBAN: iban.IBAN(row.IBAN),
		Kind: bijstand.HouseholdKind(row.Kind), Institution: row.Institution, ParentsCannotSupport: row.ParentsCannotSupport,
		Counters: Counters(row.Counters), Version: row.Version, CreatedAt: row.CreatedAt, UpdatedAt: row.UpdatedAt}
	if p := row.Partner; p != nil {
		r.Partner = &Partner{Name: p.Name, BirthDate: p.BirthDate, Counters: Counters(p.Counters)}
	}
	// An empty list stays empty, not nil: the API answers [] for it, not null.
	if row.Children != nil {
		r.Children = make([]Child, len(row.Children))
		for i, c := range row.Children {
			r.Children[i] = Child(c)
		}
	}
	if row.Housemates != nil {
		r.Housemates = make([]Housemate, len(row.Housemates))
		for i, h := range row.Housemates {
			r.Housemates[i] = Housemate(h)
		}
	}
	return r
}
