// Package store is the income service's SQL: payslips, employers and the residents'
// consents as the database holds them, read and written in a transaction with the
// tenant set (db.InTenant). The service converts between these rows and its domain
// types and decides; the store only reads and writes.
package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/plein-nl/plein/platform/db"
)

// Payslip is a row of payslips, without the PDF.
type Payslip struct {
	ID, ResidentID       string
	Applicant            int
	Employer, EmployerID string // EmployerID "" when no partner sent it
	PeriodStart          time.Time
	PeriodEnd            time.Time
	Gross, Net           int64
	HoursCenti           int64
	PayDate              time.Time
	Source               string
	HasPDF               bool
	Supersedes           string
	CreatedAt            time.Time
	Actor                string
	Review               string // "" for none
	Superseded           bool   // a later payslip replaced it
}

// columns are the columns scan reads.
const columns = `id, resident_id, applicant, employer, coalesce(employer_id, ''), period_start, period_end,
		gross_cents, net_cents, hours_centi, pay_date, source, pdf IS NOT NULL, coalesce(supersedes, ''), created_at,
		actor, coalesce(review, ''), superseded_by IS NOT NULL`

func scan(r pgx.CollectableRow) (Payslip, error) {
	var p Payslip
	err := r.Scan(&p.ID, &p.ResidentID, &p.Applicant, &p.Employer, &p.EmployerID, &p.PeriodStart, &p.PeriodEnd, &p.Gross,
		&p.Net, &p.HoursCenti, &p.PayDate, &p.Source, &p.HasPDF, &p.Supersedes, &p.CreatedAt, &p.Actor, &p.Review, &p.Superseded)
	return p, err
}

// counting selects the payslips that count: the current version of each, and a
// correction only once a consulent confirmed it.
const counting = `superseded_by IS NULL AND (review IS NULL OR review = 'confirmed')`

// Counting reads a resident's payslips that count, paid in [from, to), in pay date
// order.
func Counting(ctx context.Context, tx pgx.Tx, residentID string, from, to time.Time) ([]Payslip, error) {
	rows, err := tx.Query(ctx, `
		SELECT `+columns+`
		FROM payslips
		WHERE resident_id = $1 AND `+counting+`
		  AND pay_date >= $2 AND pay_date < $3
		ORDER BY pay_date, created_at`, residentID, from, to)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, scan)
}

// CountingIn reads, like Counting, the payslips of every resident whose id is in
// [first, last], by resident: one query, planned for its own parameters, for a whole
// batch of the settlement.
func CountingIn(ctx context.Context, tx pgx.Tx, first, last string, from, to time.Time) ([]Payslip, error) {
	if _, err := tx.Exec(ctx, `SET LOCAL plan_cache_mode = force_custom_plan`); err != nil {
		return nil, fmt.Errorf("plan mode: %w", err)
	}
	rows, err := tx.Query(ctx, `
		SELECT `+columns+`
		FROM payslips
		WHERE tenant_id = current_tenant() AND resident_id BETWEEN $1 AND $2
		  AND `+counting+` AND pay_date >= $3 AND pay_date < $4
		ORDER BY resident_id, pay_date, created_at`, first, last, from, to)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, scan)
}

// All reads every payslip of a resident paid in [from, to), superseded, pending and
// declined ones included, oldest first.
func All(ctx context.Context, tx pgx.Tx, residentID string, from, to time.Time) ([]Payslip, error) {
	rows, err := tx.Query(ctx, `
		SELECT `+columns+` FROM payslips
		WHERE resident_id = $1 AND pay_date >= $2 AND pay_date < $3
		ORDER BY pay_date, created_at`, residentID, from, to)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, scan)
}

// Locked reads a payslip and locks its row; pgx.ErrNoRows when there is none.
func Locked(ctx context.Context, tx pgx.Tx, residentID, id string) (Payslip, error) {
	rows, err := tx.Query(ctx, `SELECT `+columns+` FROM payslips WHERE resident_id = $1 AND id = $2 FOR UPDATE`,
		residentID, id)
	if err != nil {
		return Payslip{}, err
	}
	return pgx.CollectExactlyOneRow(rows, scan)
}

// Lock takes, for the rest of tx, the advisory lock named key: the lock of one
// payslip's versions, on which submissions and reviews queue.
func Lock(ctx context.Context, tx pgx.Tx, key string) error {
	_, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", key)
	return err
}

// Version identifies the versions of one payslip: an applicant's payslips for one
// employer (by its key) and pay period.
type Version struct {
	ResidentID  string
	Applicant   int
	EmployerKey string
	Start, End  time.Time
}

// Counted reads and locks the version of v that counts now: its id, source and review;
// found is false when there is none.
func Counted(ctx context.Context, tx pgx.Tx, v Version) (id, source, review string, found bool, err error) {
	err = tx.QueryRow(ctx, `
		SELECT id, source, coalesce(review, '') FROM payslips
		WHERE resident_id = $1 AND applicant = $2 AND employer_key = $3 AND period_start = $4 AND period_end = $5
		  AND `+counting+`
		FOR UPDATE`, v.ResidentID, v.Applicant, v.EmployerKey, v.Start, v.End).Scan(&id, &source, &review)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", "", "", false, nil
	}
	return id, source, review, err == nil, err
}

// SupersedePending marks the pending correction of v, if any, as superseded by by.
func SupersedePending(ctx context.Context, tx pgx.Tx, v Version, by string) error {
	_, err := tx.Exec(ctx, `
		UPDATE payslips SET superseded_by = $1
		WHERE resident_id = $2 AND applicant = $3 AND employer_key = $4 AND period_start = $5 AND period_end = $6
		  AND superseded_by IS NULL AND review = 'pending'`,
		by, v.ResidentID, v.Applicant, v.EmployerKey, v.Start, v.End)
	return err
}

// Supersede marks payslip id as superseded by by.
func Supersede(ctx context.Context, tx pgx.Tx, id, by string) error {
	_, err := tx.Exec(ctx, "UPDATE payslips SET superseded_by = $1 WHERE id = $2", by, id)
	return err
}

// Insert writes a new payslip of version v (p's period and applicant are v's) with its
// PDF (nil for none) and returns when it was stored.
func Insert(ctx context.Context, tx pgx.Tx, p Payslip, employerKey string, pdf []byte, pdfName string) (time.Time, error) {
	var name, empID *string
	if len(pdf) > 0 {
		name = &pdfName
	} else {
		pdf = nil // NULL: no PDF
	}
	if p.EmployerID != "" {
		empID = &p.EmployerID
	}
	var created time.Time
	err := tx.QueryRow(ctx, `
		INSERT INTO payslips (tenant_id, id, resident_id, applicant, employer, employer_key, employer_id, period_start, period_end,
			gross_cents, net_cents, hours_centi, pay_date, source, pdf, pdf_name, supersedes, actor, review)
		VALUES (current_tenant(), $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, NULLIF($16, ''), $17, NULLIF($18, ''))
		RETURNING created_at`,
		p.ID, p.ResidentID, p.Applicant, p.Employer, employerKey, empID, p.PeriodStart, p.PeriodEnd,
		p.Gross, p.Net, p.HoursCenti, p.PayDate, p.Source, pdf, name, p.Supersedes,
		p.Actor, p.Review).Scan(&created)
	if err != nil {
		return time.Time{}, db.MapError(err)
	}
	return created, nil
}

// VersionOf reads which versions payslip id belongs to; pgx.ErrNoRows when there is
// no such payslip.
func VersionOf(ctx context.Context, tx pgx.Tx, residentID, id string) (Version, error) {
	v := Version{ResidentID: residentID}
	err := tx.QueryRow(ctx, `SELECT employer_key, applicant, period_start, period_end FROM payslips WHERE resident_id = $1 AND id = $2`,
		residentID, id).Scan(&v.EmployerKey, &v.Applicant, &v.Start, &v.End)
	return v, err
}

// SupersedeCounted marks whatever version of payslip id's versions counts now, other
// than id, as superseded by id: a confirmed correction replaces it.
func SupersedeCounted(ctx context.Context, tx pgx.Tx, id, residentID string, applicant int, start, end time.Time) error {
	_, err := tx.Exec(ctx, `
		UPDATE payslips SET superseded_by = $1
		WHERE resident_id = $2 AND applicant = $3 AND employer_key = (SELECT employer_key FROM payslips WHERE id = $1)
		  AND period_start = $4 AND period_end = $5
		  AND `+counting+` AND id <> $1`,
		id, residentID, applicant, start, end)
	return err
}

// SetReview records a consulent's review of payslip id; reason "" is stored as NULL.
func SetReview(ctx context.Context, tx pgx.Tx, id, review, by string, at time.Time, reason string) error {
	if _, err := tx.Exec(ctx, `UPDATE payslips SET review = $2, reviewed_by = $3, reviewed_at = $4, review_reason = NULLIF($5, '')
		WHERE id = $1`, id, review, by, at, reason); err != nil {
		return db.MapError(err)
	}
	return nil
}
