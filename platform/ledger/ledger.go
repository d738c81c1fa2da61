// Package ledger is Plein's double-entry journal in PostgreSQL: every euro the platform
// moves is a balanced entry of lines on a tenant's accounts.
//
// An amount is positive for a debit and negative for a credit; an entry's lines sum to
// zero, and an account's balance is the plain sum of its lines (debits − credits), so
// the bank and the bijstand expense read positive and what is owed to a resident or a
// creditor reads negative.
//
// The rules hold in the database as well as here: a deferred constraint trigger refuses
// an unbalanced entry, or one of fewer than two lines, at commit; entries, lines and
// accounts are append-only (only SELECT and INSERT for plein_app, and a trigger refusing
// UPDATE, DELETE and TRUNCATE even to the owner); a line can only be added in the
// transaction that posts its entry. A mistake is undone by Correct, which posts the
// reversing entry.
//
// Every function takes a tenant transaction (db.InTenant, or db.SetTenant in a job) and
// never opens or commits one, so an entry commits with the business write it records.
// Post is idempotent by the entry's key: a retry of a settlement step finds the entry it
// posted before instead of paying twice.
package ledger

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/plein-nl/plein/platform/db"
	"github.com/plein-nl/plein/platform/money"
	"github.com/plein-nl/plein/platform/tenant"
)

// Errors of the ledger.
var (
	ErrInvalidEntry        = errors.New("ledger: invalid entry")
	ErrTooFewLines         = errors.New("ledger: an entry needs at least two lines")
	ErrZeroAmount          = errors.New("ledger: a line of zero")
	ErrUnbalanced          = errors.New("ledger: the lines of an entry do not sum to zero")
	ErrInvalidAccount      = errors.New("ledger: invalid account")
	ErrUnknownAccount      = errors.New("ledger: unknown account")
	ErrAccountConflict     = errors.New("ledger: account exists with another kind")
	ErrIdempotencyConflict = errors.New("ledger: idempotency key already used for another entry")
	ErrEntryNotFound       = errors.New("ledger: entry not found")
	ErrAlreadyCorrected    = errors.New("ledger: entry already corrected")
)

// Line is one line of an entry: a debit (Amount > 0) or a credit (Amount < 0).
type Line struct {
	Account string
	Amount  money.Cents
}

// Entry is a journal entry.
type Entry struct {
	// ID is set by the ledger; Post ignores it.
	ID int64
	// IdempotencyKey identifies the economic event, such as
	// "settlement:<run-id>:resident:<id>:payout": posting it again finds the entry.
	IdempotencyKey string
	// BookedOn is the accounting date; only its calendar date (in its own location)
	// counts.
	BookedOn    time.Time
	Description string
	// Source is what posted the entry, such as "settlement:<run-id>", for reconciliation.
	Source string
	// Corrects is the id of the entry this one reverses, or 0.
	Corrects int64
	Lines    []Line
	// PostedAt is set by the ledger; Post ignores it.
	PostedAt time.Time
}

// Post writes e in tx and returns its id. It is idempotent: when an entry with the same
// key exists with the same content (date, description, source, corrects and the same
// lines in any order) Post returns its id and created false and writes nothing; with
// other content it returns ErrIdempotencyConflict. Accounts that do not exist are
// created when KnownAccount knows them, and are ErrUnknownAccount otherwise.
//
// Concurrent Posts of one key in different transactions wait for each other: exactly
// one creates the entry, the others find it once it commits.
func Post(ctx context.Context, tx pgx.Tx, e Entry) (id int64, created bool, err error) {
	tid, err := tenant.Require(ctx)
	if err != nil {
		return 0, false, fmt.Errorf("ledger: post: %w", err)
	}
	if err := validate(e); err != nil {
		return 0, false, err
	}
	accounts := make([]string, len(e.Lines))
	amounts := make([]int64, len(e.Lines))
	for i, l := range e.Lines {
		accounts[i], amounts[i] = l.Account, int64(l.Amount)
	}
	codes := slices.Compact(slices.Sorted(slices.Values(accounts)))
	if err := ensureAccounts(ctx, tx, codes); err != nil {
		return 0, false, err
	}
	var corrects *int64
	if e.Corrects != 0 {
		// Checked here so that a missing entry is an error of ours, not a foreign key
		// violation that aborts the caller's transaction. Entries are never deleted, so
		// the answer cannot change before the insert.
		var ok bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM journal_entries WHERE id = $1)`, e.Corrects).Scan(&ok); err != nil {
			return 0, false, fmt.Errorf("ledger: post: %w", err)
		}
		if !ok {
			return 0, false, fmt.Errorf("%w: %d, corrected by %s", ErrEntryNotFound, e.Corrects, e.IdempotencyKey)
		}
		corrects = &e.Corrects
	}

	// One statement: the entry and its lines, or nothing when the key (or the
	// corrected entry) is taken. ON CONFLICT without a target covers both unique
	// constraints, and waits for a concurrent transaction inserting the same key.
	err = tx.QueryRow(ctx, `
		WITH e AS (
			INSERT INTO journal_entries (tenant_id, idempotency_key, booked_on, description, source, corrects)
			VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT DO NOTHING
			RETURNING id, booked_on),
		l AS (
			INSERT INTO journal_lines (tenant_id, entry_id, line_no, account_code, booked_on, amount_cents)
			SELECT $1, e.id, x.n::integer, x.account, e.booked_on, x.amount
			FROM e, unnest($7::text[], $8::bigint[]) WITH ORDINALITY AS x (account, amount, n))
		SELECT id FROM e`,
		string(tid), e.IdempotencyKey, toDate(e.BookedOn), e.Description, e.Source, corrects, accounts, amounts,
	).Scan(&id)
	if err == nil {
		return id, true, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return 0, false, fmt.Errorf("ledger: post %s: %w", e.IdempotencyKey, db.MapError(err))
	}

	existing, err := loadOne(ctx, tx, qEntryByKey, e.IdempotencyKey)
	if errors.Is(err, ErrEntryNotFound) {
		// Not the key: the entry to correct has been corrected by another entry.
		return 0, false, fmt.Errorf("%w: entry %d", ErrAlreadyCorrected, e.Corrects)
	}
	if err != nil {
		return 0, false, err
	}
	if !sameContent(existing, e) {
		return 0, false, fmt.Errorf("%w: %s is entry %d", ErrIdempotencyConflict, e.IdempotencyKey, existing.ID)
	}
	return existing.ID, false, nil
}

// Correct posts the entry that reverses entry id exactly — every line with its amount
// negated — booked on bookedOn, with reason as its description, under the original's
// source so that reconciliation of that source nets to what stands. It is idempotent by
// key like Post. An entry is corrected at most once: a second correction under another
// key is ErrAlreadyCorrected. To change an amount, correct the entry and post the right
// one.
//
// bookedOn is the caller's: usually today (a closed period is not rewritten), or the
// original's date to undo an entry within its own period.
func Correct(ctx context.Context, tx pgx.Tx, id int64, key, reason string, bookedOn time.Time) (int64, bool, error) {
	orig, err := Get(ctx, tx, id)
	if err != nil {
		return 0, false, err
	}
	rev := Entry{
		IdempotencyKey: key,
		BookedOn:       bookedOn,
		Description:    reason,
		Source:         orig.Source,
		Corrects:       id,
		Lines:          make([]Line, len(orig.Lines)),
	}
	for i, l := range orig.Lines {
		rev.Lines[i] = Line{Account: l.Account, Amount: -l.Amount}
	}
	return Post(ctx, tx, rev)
}

// Get returns entry id with its lines, or ErrEntryNotFound (also for another tenant's).
func Get(ctx context.Context, tx pgx.Tx, id int64) (Entry, error) {
	return loadOne(ctx, tx, qEntryByID, id)
}

// Entries returns the entries of source with their lines, oldest first, for
// reconciliation.
func Entries(ctx context.Context, tx pgx.Tx, source string) ([]Entry, error) {
	return load(ctx, tx, qEntriesBySource, source)
}

// Balance returns the balance of account (debits − credits) over the entries booked on
// or before the calendar date of asOf. An account that does not exist is
// ErrUnknownAccount, so that a misspelt code is not read as a zero balance.
func Balance(ctx context.Context, tx pgx.Tx, account string, asOf time.Time) (money.Cents, error) {
	var exists bool
	var sum int64
	err := tx.QueryRow(ctx, `
		SELECT EXISTS (SELECT 1 FROM ledger_accounts WHERE code = $1),
		       (SELECT coalesce(sum(amount_cents), 0)::bigint FROM journal_lines
		        WHERE account_code = $1 AND booked_on <= $2)`,
		account, toDate(asOf)).Scan(&exists, &sum)
	if err != nil {
		return 0, fmt.Errorf("ledger: balance %s: %w", account, err)
	}
	if !exists {
		return 0, fmt.Errorf("%w: %s", ErrUnknownAccount, account)
	}
	return money.Cents(sum), nil
}

// Balances returns the balance as of asOf (as Balance) of every account whose code
// starts with prefix — "resident:" for all residents, "" for the whole chart — with 0
// for an account without lines by then.
func Balances(ctx context.Context, tx pgx.Tx, prefix string, asOf time.Time) (map[string]money.Cents, error) {
	lo, hi, err := prefixRange(prefix)
	if err != nil {
		return nil, err
	}
	// A range rather than LIKE: codes are COLLATE "C", so the range is exactly the
	// codes with the prefix, and it stays on the index in a generic plan.
	rows, err := tx.Query(ctx, `
		SELECT a.code, coalesce(sum(l.amount_cents), 0)::bigint
		FROM ledger_accounts a
		LEFT JOIN journal_lines l
		       ON l.tenant_id = a.tenant_id AND l.account_code = a.code AND l.booked_on <= $3
		WHERE a.code >= $1 AND a.code < $2
		GROUP BY a.code`, lo, hi, toDate(asOf))
	if err != nil {
		return nil, fmt.Errorf("ledger: balances %q: %w", prefix, err)
	}
	out := map[string]money.Cents{}
	var code string
	var sum int64
	_, err = pgx.ForEachRow(rows, []any{&code, &sum}, func() error {
		out[code] = money.Cents(sum)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("ledger: balances %q: %w", prefix, err)
	}
	return out, nil
}

// prefixRange returns the bytewise range [lo, hi) of the codes that start with prefix.
func prefixRange(prefix string) (lo, hi string, err error) {
	for _, c := range []byte(prefix) {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			c == '_' || c == ':' || c == '.' || c == '-'
		if !ok {
			return "", "", fmt.Errorf("%w: prefix %q", ErrInvalidAccount, prefix)
		}
	}
	if prefix == "" {
		return "", "\x7f", nil // above every character a code may hold
	}
	b := []byte(prefix)
	b[len(b)-1]++ // stays ASCII: the largest allowed character is 'z'
	return prefix, string(b), nil
}

func validate(e Entry) error {
	switch {
	case strings.TrimSpace(e.IdempotencyKey) == "" || len([]rune(e.IdempotencyKey)) > 200:
		return fmt.Errorf("%w: idempotency key must have 1 to 200 characters", ErrInvalidEntry)
	case e.BookedOn.IsZero():
		return fmt.Errorf("%w: %s has no booking date", ErrInvalidEntry, e.IdempotencyKey)
	case strings.TrimSpace(e.Description) == "" || len([]rune(e.Description)) > 500:
		return fmt.Errorf("%w: %s: description must have 1 to 500 characters", ErrInvalidEntry, e.IdempotencyKey)
	case strings.TrimSpace(e.Source) == "" || len([]rune(e.Source)) > 200:
		return fmt.Errorf("%w: %s: source must have 1 to 200 characters", ErrInvalidEntry, e.IdempotencyKey)
	case e.Corrects < 0:
		return fmt.Errorf("%w: %s corrects entry %d", ErrInvalidEntry, e.IdempotencyKey, e.Corrects)
	case len(e.Lines) < 2:
		return fmt.Errorf("%w: %s has %d", ErrTooFewLines, e.IdempotencyKey, len(e.Lines))
	}
	var sum money.Cents
	for i, l := range e.Lines {
		if !codeRE.MatchString(l.Account) {
			return fmt.Errorf("%w: %s line %d: code %q", ErrInvalidAccount, e.IdempotencyKey, i+1, l.Account)
		}
		if l.Amount == 0 {
			return fmt.Errorf("%w: %s line %d (%s)", ErrZeroAmount, e.IdempotencyKey, i+1, l.Account)
		}
		// A sum that wraps around could come back to zero: refuse it.
		if l.Amount > 0 && sum > math.MaxInt64-l.Amount || l.Amount < 0 && sum < math.MinInt64-l.Amount {
			return fmt.Errorf("%w: %s: %w", ErrUnbalanced, e.IdempotencyKey, money.ErrOutOfRange)
		}
		sum += l.Amount
	}
	if sum != 0 {
		return fmt.Errorf("%w: %s sums to %d cents", ErrUnbalanced, e.IdempotencyKey, int64(sum))
	}
	return nil
}

// sameContent reports whether a posted entry is e: the same date, description,
// source, corrected entry and lines, in any order.
func sameContent(posted, e Entry) bool {
	if !toDate(posted.BookedOn).Time.Equal(toDate(e.BookedOn).Time) ||
		posted.Description != e.Description || posted.Source != e.Source || posted.Corrects != e.Corrects ||
		len(posted.Lines) != len(e.Lines) {
		return false
	}
	byLine := func(a, b Line) int {
		return cmp.Or(strings.Compare(a.Account, b.Account), cmp.Compare(a.Amount, b.Amount))
	}
	return slices.Equal(slices.SortedFunc(slices.Values(posted.Lines), byLine), slices.SortedFunc(slices.Values(e.Lines), byLine))
}

// toDate is the calendar date of t in its own location, the way a caller wrote it.
func toDate(t time.Time) pgtype.Date {
	y, m, d := t.Date()
	return pgtype.Date{Time: time.Date(y, m, d, 0, 0, 0, 0, time.UTC), Valid: true}
}

const entryColumns = `SELECT id, idempotency_key, booked_on, description, source, coalesce(corrects, 0), posted_at FROM journal_entries `

const (
	qEntryByID       = entryColumns + `WHERE id = $1`
	qEntryByKey      = entryColumns + `WHERE idempotency_key = $1`
	qEntriesBySource = entryColumns + `WHERE source = $1 ORDER BY id`
)

func loadOne(ctx context.Context, tx pgx.Tx, query string, arg any) (Entry, error) {
	es, err := load(ctx, tx, query, arg)
	if err != nil {
		return Entry{}, err
	}
	if len(es) == 0 {
		return Entry{}, fmt.Errorf("%w: %v", ErrEntryNotFound, arg)
	}
	return es[0], nil
}

// load returns the entries query finds, with their lines in order.
func load(ctx context.Context, tx pgx.Tx, query string, arg any) ([]Entry, error) {
	rows, err := tx.Query(ctx, query, arg)
	if err != nil {
		return nil, fmt.Errorf("ledger: entries: %w", err)
	}
	entries, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Entry, error) {
		var e Entry
		err := r.Scan(&e.ID, &e.IdempotencyKey, &e.BookedOn, &e.Description, &e.Source, &e.Corrects, &e.PostedAt)
		return e, err
	})
	if err != nil {
		return nil, fmt.Errorf("ledger: entries: %w", err)
	}
	if len(entries) == 0 {
		return nil, nil
	}
	ids := make([]int64, len(entries))
	at := make(map[int64]int, len(entries))
	for i, e := range entries {
		ids[i], at[e.ID] = e.ID, i
	}
	rows, err = tx.Query(ctx, `
		SELECT entry_id, account_code, amount_cents FROM journal_lines
		WHERE entry_id = ANY($1) ORDER BY entry_id, line_no`, ids)
	if err != nil {
		return nil, fmt.Errorf("ledger: lines: %w", err)
	}
	var entryID int64
	var l Line
	_, err = pgx.ForEachRow(rows, []any{&entryID, &l.Account, &l.Amount}, func() error {
		e := &entries[at[entryID]]
		e.Lines = append(e.Lines, l)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("ledger: lines: %w", err)
	}
	return entries, nil
}
