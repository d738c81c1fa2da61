// Package ledger is Plein's double-entry journal in PostgreSQL: every euro the platform
// moves is a balanced entry of lines on a tenant's accounts.
//
// An amount is positive for a debit and negative for a credit; an entry's lines sum to
// zero, and an account's balance is the plain sum of its lines (debits − credits), so
// the bank and the bijstand expense read positive and what is owed to a resident or a
// creditor reads negative.
//
// The rules hold in the database as well as here, checked once per statement over all
// the entries it inserts, so that a settlement of 100,000 entries posts in one
// statement: a trigger refuses an unbalanced entry, one of fewer than two lines or with
// a line of zero, and one on an account the tenant does not have; an entry holds its
// own lines, so none can be added to it later; entries, accounts and the movements that
// balances are read from are append-only (only SELECT and INSERT for plein_app, and a
// trigger refusing UPDATE, DELETE and TRUNCATE even to the owner). A mistake is undone
// by Correct, which posts the reversing entry.
//
// Every function takes a tenant transaction (db.InTenant, or db.SetTenant in a job) and
// never opens or commits one, so an entry commits with the business write it records.
// Post is idempotent by the entry's key: a retry of a settlement step finds the entry it
// posted before instead of paying twice. PostBatch writes many entries at once for a
// caller that guards re-posting itself.
package ledger

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
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
	if err := validate(e, validCode); err != nil {
		return 0, false, err
	}
	accounts, amounts := lineArrays(e.Lines)
	if err := ensureAccounts(ctx, tx, accountUses(e)); err != nil {
		return 0, false, err
	}
	var corrects *int64
	if e.Corrects != 0 {
		// Checked here so that a missing entry is an error of ours, not the trigger's
		// refusal that aborts the caller's transaction. Entries are never deleted, so
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

	// One statement: the entry with its lines, or nothing when the key (or the
	// corrected entry) is taken. ON CONFLICT without a target covers both unique
	// constraints, and waits for a concurrent transaction inserting the same key.
	err = tx.QueryRow(ctx, `
		INSERT INTO journal_entries (tenant_id, idempotency_key, booked_on, description, source, corrects, accounts, amounts)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		ON CONFLICT DO NOTHING
		RETURNING id`,
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

// PostBatch writes entries in tx and returns how many it wrote: all of them, or none
// and an error. It is for a caller that posts many entries at once — the monthly
// settlement posts one per resident — and guards against posting them twice by its own
// state, such as its run's status. Unlike Post it does not look up an existing key: a
// key that exists fails the whole batch with ErrIdempotencyConflict, the unique key
// being the last guard. Every entry is checked as Post checks it before anything is
// written, and an error names the key of the entry at fault; accounts that do not exist
// are created as Post creates them. An entry that corrects another is refused: a
// correction is posted by Correct.
//
// The entries reach the database by COPY, into a temporary table because COPY cannot
// write a table under row-level security, and from there into journal_entries by one
// INSERT, so that the database checks them all at once and writes their movements in
// one statement. A batch that fails in the database leaves tx usable: it runs in a
// savepoint.
func PostBatch(ctx context.Context, tx pgx.Tx, entries []Entry) (int, error) {
	tid, err := tenant.Require(ctx)
	if err != nil {
		return 0, fmt.Errorf("ledger: post batch: %w", err)
	}
	if len(entries) == 0 {
		return 0, nil
	}
	keys := make(map[string]bool, len(entries))
	// Every account posted to, with the first entry that does; each code is checked
	// once however many lines use it.
	uses := make(map[string]string)
	var key string
	checkCode := func(code string) bool {
		if _, seen := uses[code]; seen {
			return true
		}
		uses[code] = key
		return validCode(code)
	}
	for _, e := range entries {
		key = e.IdempotencyKey
		if err := validate(e, checkCode); err != nil {
			return 0, err
		}
		if e.Corrects != 0 {
			return 0, fmt.Errorf("%w: %s corrects entry %d: a correction is posted by Correct, not in a batch",
				ErrInvalidEntry, e.IdempotencyKey, e.Corrects)
		}
		if keys[e.IdempotencyKey] {
			return 0, fmt.Errorf("%w: %s is twice in the batch", ErrInvalidEntry, e.IdempotencyKey)
		}
		keys[e.IdempotencyKey] = true
	}

	sp, err := tx.Begin(ctx)
	if err != nil {
		return 0, fmt.Errorf("ledger: post batch: %w", err)
	}
	defer sp.Rollback(ctx) //nolint:errcheck // a no-op after Commit
	// Dropped before the savepoint is released, and undone with it when it is rolled
	// back, so that a later batch in the same transaction can make it again. Its lines
	// are stored uncompressed (EXTERNAL): the INSERT below compresses them once, for
	// journal_entries, as that table's columns say (lz4); compressed here, with the
	// default pglz, they would keep that slower compression (240 ms per 100,000 lines).
	if _, err := sp.Exec(ctx, `
		CREATE TEMP TABLE ledger_post_batch (idempotency_key text, booked_on date, description text,
			source text, accounts text[], amounts bigint[]);
		ALTER TABLE pg_temp.ledger_post_batch ALTER COLUMN accounts SET STORAGE EXTERNAL,
			ALTER COLUMN amounts SET STORAGE EXTERNAL`); err != nil {
		return 0, fmt.Errorf("ledger: post batch: %w", err)
	}
	_, err = sp.CopyFrom(ctx, pgx.Identifier{"pg_temp", "ledger_post_batch"},
		[]string{"idempotency_key", "booked_on", "description", "source", "accounts", "amounts"},
		pgx.CopyFromSlice(len(entries), func(i int) ([]any, error) {
			e := entries[i]
			accounts, amounts := lineArrays(e.Lines)
			return []any{e.IdempotencyKey, toDate(e.BookedOn), e.Description, e.Source, accounts, amounts}, nil
		}))
	if err != nil {
		return 0, fmt.Errorf("ledger: post batch: %w", err)
	}
	// The accounts the tenant does not have yet, found from the lines copied rather
	// than sent again as a list of codes: a settlement's 100,000 codes once, not twice.
	rows, err := sp.Query(ctx, `
		SELECT DISTINCT c FROM pg_temp.ledger_post_batch b CROSS JOIN LATERAL unnest(b.accounts) AS c
		WHERE NOT EXISTS (SELECT 1 FROM ledger_accounts a WHERE a.code = c)`)
	if err != nil {
		return 0, fmt.Errorf("ledger: post batch: %w", err)
	}
	missing, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return 0, fmt.Errorf("ledger: post batch: %w", err)
	}
	if err := createAccounts(ctx, sp, missing, uses); err != nil {
		return 0, err
	}
	_, err = sp.Exec(ctx, `
		INSERT INTO journal_entries (tenant_id, idempotency_key, booked_on, description, source, accounts, amounts)
		SELECT $1, idempotency_key, booked_on, description, source, accounts, amounts FROM pg_temp.ledger_post_batch`,
		string(tid))
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23505" && pgErr.ConstraintName == "journal_entries_idempotency_key" {
		// Row-level security keeps the key out of the error; look it up.
		if err := sp.Rollback(ctx); err != nil {
			return 0, fmt.Errorf("ledger: post batch: %w", err)
		}
		return 0, fmt.Errorf("%w: %s", ErrIdempotencyConflict, takenKey(ctx, tx, keys))
	}
	if err != nil {
		return 0, fmt.Errorf("ledger: post batch: %w", db.MapError(err))
	}
	if _, err := sp.Exec(ctx, `DROP TABLE pg_temp.ledger_post_batch`); err != nil {
		return 0, fmt.Errorf("ledger: post batch: %w", err)
	}
	if err := sp.Commit(ctx); err != nil {
		return 0, fmt.Errorf("ledger: post batch: %w", err)
	}
	return len(entries), nil
}

// takenKey names a key of keys that an entry has, for the error of a batch that
// failed on one.
func takenKey(ctx context.Context, tx pgx.Tx, keys map[string]bool) string {
	var key string
	err := tx.QueryRow(ctx, `SELECT idempotency_key FROM journal_entries WHERE idempotency_key = ANY($1) LIMIT 1`,
		slices.Collect(maps.Keys(keys))).Scan(&key)
	if err != nil {
		return "a key of the batch, taken by a concurrent transaction"
	}
	return key + " exists"
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
		       (SELECT coalesce(sum(amount_cents), 0)::bigint FROM ledger_movements
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
		SELECT a.code, coalesce(sum(m.amount_cents), 0)::bigint
		FROM ledger_accounts a
		LEFT JOIN ledger_movements m
		       ON m.tenant_id = a.tenant_id AND m.account_code = a.code AND m.booked_on <= $3
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

// validate checks e before anything is written, so that a mistake is an error naming
// its key rather than the database's refusal. checkCode checks an account code:
// validCode, or for a batch one that checks each code once, since a settlement's
// 600,000 lines post to ~100,000 accounts.
func validate(e Entry, checkCode func(string) bool) error {
	switch {
	case strings.TrimSpace(e.IdempotencyKey) == "" || utf8.RuneCountInString(e.IdempotencyKey) > 200:
		return fmt.Errorf("%w: idempotency key must have 1 to 200 characters", ErrInvalidEntry)
	case e.BookedOn.IsZero():
		return fmt.Errorf("%w: %s has no booking date", ErrInvalidEntry, e.IdempotencyKey)
	case strings.TrimSpace(e.Description) == "" || utf8.RuneCountInString(e.Description) > 500:
		return fmt.Errorf("%w: %s: description must have 1 to 500 characters", ErrInvalidEntry, e.IdempotencyKey)
	case strings.TrimSpace(e.Source) == "" || utf8.RuneCountInString(e.Source) > 200:
		return fmt.Errorf("%w: %s: source must have 1 to 200 characters", ErrInvalidEntry, e.IdempotencyKey)
	case e.Corrects < 0:
		return fmt.Errorf("%w: %s corrects entry %d", ErrInvalidEntry, e.IdempotencyKey, e.Corrects)
	case len(e.Lines) < 2:
		return fmt.Errorf("%w: %s has %d", ErrTooFewLines, e.IdempotencyKey, len(e.Lines))
	}
	var sum money.Cents
	for i, l := range e.Lines {
		if !checkCode(l.Account) {
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

// lineArrays returns the accounts and the amounts of lines, as an entry stores them.
func lineArrays(lines []Line) (accounts []string, amounts []int64) {
	accounts, amounts = make([]string, len(lines)), make([]int64, len(lines))
	for i, l := range lines {
		accounts[i], amounts[i] = l.Account, int64(l.Amount)
	}
	return accounts, amounts
}

// accountUses returns the accounts e posts to, each with e's key for an error to name.
func accountUses(e Entry) map[string]string {
	uses := make(map[string]string, len(e.Lines))
	for _, l := range e.Lines {
		uses[l.Account] = e.IdempotencyKey
	}
	return uses
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

const entryColumns = `SELECT id, idempotency_key, booked_on, description, source, coalesce(corrects, 0), posted_at, accounts, amounts FROM journal_entries `

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
		var accounts []string
		var amounts []int64
		err := r.Scan(&e.ID, &e.IdempotencyKey, &e.BookedOn, &e.Description, &e.Source, &e.Corrects, &e.PostedAt, &accounts, &amounts)
		if err == nil && len(accounts) != len(amounts) {
			err = fmt.Errorf("entry %d has %d accounts for %d amounts", e.ID, len(accounts), len(amounts))
		}
		e.Lines = make([]Line, len(accounts))
		for i := range e.Lines {
			e.Lines[i] = Line{Account: accounts[i], Amount: money.Cents(amounts[i])}
		}
		return e, err
	})
	if err != nil {
		return nil, fmt.Errorf("ledger: entries: %w", err)
	}
	return entries, nil
}
