// Package store is the income service's SQL: payslips as the payslips table holds
// them, read and written in a transaction with the tenant set (db.InTenant). The
// service converts between these rows and its domain types.
package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
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
