package ledger_test

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/plein-nl/plein/platform/clocktest"
	"github.com/plein-nl/plein/platform/db"
	"github.com/plein-nl/plein/platform/db/dbtest"
	"github.com/plein-nl/plein/platform/ledger"
	"github.com/plein-nl/plein/platform/money"
	"github.com/plein-nl/plein/platform/tenant"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

const (
	resident = "0b7c3f1e-2d4a-4c8b-9e6f-1a2b3c4d5e6f"
	creditor = "zilveren-kruis"
)

var (
	enschede = tenant.MustParse("enschede")
	zwolle   = tenant.MustParse("zwolle")
	rAcc     = ledger.ResidentAccount(resident)
	cAcc     = ledger.CreditorAccount(creditor)
)

type testBundle struct {
	d   *dbtest.DB
	ctx context.Context // enschede
}

func setup(t *testing.T) *testBundle {
	t.Helper()
	d := dbtest.New(t)
	dbtest.CreateTenants(t, d, enschede, zwolle)
	return &testBundle{d: d, ctx: tenant.WithID(context.Background(), enschede)}
}

// day is a date literal of the tests.
var day = clocktest.Date

// do runs fn in one committed tenant transaction of ctx's tenant as plein_app.
func (b *testBundle) do(ctx context.Context, fn func(ctx context.Context, tx pgx.Tx) error) error {
	return db.InTenant(ctx, b.d.App, fn)
}

// post posts e for enschede in its own transaction and fails the test on an error.
func (b *testBundle) post(t *testing.T, e ledger.Entry) int64 {
	t.Helper()
	var id int64
	err := b.do(b.ctx, func(ctx context.Context, tx pgx.Tx) (err error) {
		id, _, err = ledger.Post(ctx, tx, e)
		return err
	})
	if err != nil {
		t.Fatalf("post %s: %v", e.IdempotencyKey, err)
	}
	return id
}

func (b *testBundle) balance(t *testing.T, account string, asOf time.Time) money.Cents {
	t.Helper()
	var got money.Cents
	err := b.do(b.ctx, func(ctx context.Context, tx pgx.Tx) (err error) {
		got, err = ledger.Balance(ctx, tx, account, asOf)
		return err
	})
	if err != nil {
		t.Fatalf("balance %s: %v", account, err)
	}
	return got
}

// must runs fn as do does and fails the test on an error.
func (b *testBundle) must(t *testing.T, ctx context.Context, fn func(ctx context.Context, tx pgx.Tx) error) {
	t.Helper()
	if err := b.do(ctx, fn); err != nil {
		t.Fatal(err)
	}
}

// postIn posts e in its own transaction of ctx's tenant and returns the error.
func (b *testBundle) postIn(ctx context.Context, e ledger.Entry) error {
	return b.do(ctx, func(ctx context.Context, tx pgx.Tx) error {
		_, _, err := ledger.Post(ctx, tx, e)
		return err
	})
}

// wantBalance checks enschede's balance of account as of asOf.
func (b *testBundle) wantBalance(t *testing.T, account string, asOf time.Time, want money.Cents) {
	t.Helper()
	if got := b.balance(t, account, asOf); got != want {
		t.Errorf("Balance(%s, %s) = %d, want %d", account, asOf.Format(time.DateOnly), got, want)
	}
}

// wantRows checks how many rows of table ctx's tenant sees.
func (b *testBundle) wantRows(t *testing.T, ctx context.Context, table string, want int) {
	t.Helper()
	id, _ := tenant.FromContext(ctx)
	if got := b.count(t, ctx, "SELECT count(*) FROM "+table); got != want {
		t.Errorf("%s's rows of %s = %d, want %d", id, table, got, want)
	}
}

func (b *testBundle) count(t *testing.T, ctx context.Context, sql string, args ...any) int {
	t.Helper()
	var n int
	err := b.do(ctx, func(ctx context.Context, tx pgx.Tx) error { return tx.QueryRow(ctx, sql, args...).Scan(&n) })
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

// grant is the bijstand of the docs/domain.md §2 worked example: 651.50, of which 31.27 is
// reserved as vakantietoeslag and 620.23 is payable to the resident.
func grant(key string, on time.Time) ledger.Entry {
	return ledger.Entry{
		IdempotencyKey: key, BookedOn: on, Description: "Bijstand januari 2026", Source: "settlement:run-1",
		Lines: []ledger.Line{
			{Account: ledger.BijstandExpense, Amount: 651_50},
			{Account: ledger.VakantietoeslagReserve, Amount: -31_27},
			{Account: rAcc, Amount: -620_23},
		},
	}
}

// edit returns a copy of e, with lines of its own, changed by f.
func edit(e ledger.Entry, f func(e *ledger.Entry)) ledger.Entry {
	e.Lines = slices.Clone(e.Lines)
	f(&e)
	return e
}

func TestPostAndBalances(t *testing.T) {
	t.Parallel()
	b := setup(t)
	jan31, feb2 := day("2026-01-31"), day("2026-02-02")

	idGrant := b.post(t, grant("run-1:grant", jan31))
	// Zorgpremie paid on the resident's behalf, and the gemeente's own claim kept back.
	b.post(t, ledger.Entry{IdempotencyKey: "run-1:on-behalf", BookedOn: jan31, Description: "Zorgpremie", Source: "settlement:run-1",
		Lines: []ledger.Line{{Account: rAcc, Amount: 150_00}, {Account: cAcc, Amount: -150_00}}})
	b.post(t, ledger.Entry{IdempotencyKey: "run-1:verrekening", BookedOn: jan31, Description: "Terugvordering", Source: "settlement:run-1",
		Lines: []ledger.Line{{Account: rAcc, Amount: 20_00}, {Account: ledger.GemeenteClaims, Amount: -20_00}}})
	// Paid by SEPA on 2 February: 620.23 − 150.00 − 20.00 = 450.23 to the resident.
	b.post(t, ledger.Entry{IdempotencyKey: "run-1:pay", BookedOn: feb2, Description: "Betaling", Source: "settlement:run-1",
		Lines: []ledger.Line{{Account: rAcc, Amount: 450_23}, {Account: cAcc, Amount: 150_00}, {Account: ledger.Bank, Amount: -600_23}}})

	for _, tc := range []struct {
		asOf time.Time
		want map[string]money.Cents
	}{
		{jan31, map[string]money.Cents{
			ledger.BijstandExpense: 651_50, ledger.VakantietoeslagReserve: -31_27, rAcc: -450_23,
			cAcc: -150_00, ledger.GemeenteClaims: -20_00, ledger.Bank: 0,
		}},
		{feb2, map[string]money.Cents{
			ledger.BijstandExpense: 651_50, ledger.VakantietoeslagReserve: -31_27, rAcc: 0,
			cAcc: 0, ledger.GemeenteClaims: -20_00, ledger.Bank: -600_23,
		}},
	} {
		var got map[string]money.Cents
		err := b.do(b.ctx, func(ctx context.Context, tx pgx.Tx) (err error) {
			got, err = ledger.Balances(ctx, tx, "", tc.asOf)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("balances as of %s:\n got %v\nwant %v", tc.asOf.Format(time.DateOnly), got, tc.want)
		}
		var trial money.Cents
		for _, c := range got {
			trial += c
		}
		if trial != 0 {
			t.Errorf("trial balance as of %s = %d, want 0", tc.asOf.Format(time.DateOnly), trial)
		}
		for code, want := range tc.want {
			b.wantBalance(t, code, tc.asOf, want)
		}
	}

	b.must(t, b.ctx, func(ctx context.Context, tx pgx.Tx) error {
		got, err := ledger.Balances(ctx, tx, "resident:", feb2)
		if err != nil {
			return err
		}
		if want := map[string]money.Cents{rAcc: 0}; fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("Balances(resident:) = %v, want %v", got, want)
		}
		e, err := ledger.Get(ctx, tx, idGrant)
		if err != nil {
			return err
		}
		want := grant("run-1:grant", jan31)
		if e.ID != idGrant || !e.BookedOn.Equal(jan31) || e.Source != want.Source || e.Description != want.Description ||
			fmt.Sprint(e.Lines) != fmt.Sprint(want.Lines) || e.PostedAt.IsZero() {
			t.Errorf("Get(%d) = %+v, want %+v", idGrant, e, want)
		}
		es, err := ledger.Entries(ctx, tx, "settlement:run-1")
		if err != nil {
			return err
		}
		var keys []string
		for _, e := range es {
			keys = append(keys, e.IdempotencyKey)
		}
		if got, want := strings.Join(keys, " "), "run-1:grant run-1:on-behalf run-1:verrekening run-1:pay"; got != want {
			t.Errorf("Entries = %s, want %s", got, want)
		}
		// Accounts made on first use have the kind of their family.
		var kind string
		if err := tx.QueryRow(ctx, "SELECT kind FROM ledger_accounts WHERE code = $1", rAcc).Scan(&kind); err != nil {
			return err
		}
		if kind != "liability" {
			t.Errorf("kind of %s = %s, want liability", rAcc, kind)
		}
		return nil
	})
}

func TestPostValidates(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ok := grant("k", day("2026-01-31"))
	with := func(f func(e *ledger.Entry)) ledger.Entry { return edit(ok, f) }
	for _, tc := range []struct {
		name string
		e    ledger.Entry
		want error
	}{
		{"one line", with(func(e *ledger.Entry) { e.Lines = e.Lines[:1] }), ledger.ErrTooFewLines},
		{"no lines", with(func(e *ledger.Entry) { e.Lines = nil }), ledger.ErrTooFewLines},
		{"unbalanced", with(func(e *ledger.Entry) { e.Lines[0].Amount++ }), ledger.ErrUnbalanced},
		{"sum wraps to zero", with(func(e *ledger.Entry) {
			e.Lines = []ledger.Line{{Account: ledger.Bank, Amount: 1 << 62}, {Account: ledger.Bank, Amount: 1 << 62},
				{Account: ledger.Bank, Amount: 1 << 62}, {Account: ledger.Bank, Amount: 1 << 62}}
		}), ledger.ErrUnbalanced},
		{"zero amount", with(func(e *ledger.Entry) { e.Lines = append(e.Lines, ledger.Line{Account: ledger.Bank}) }), ledger.ErrZeroAmount},
		{"no key", with(func(e *ledger.Entry) { e.IdempotencyKey = " " }), ledger.ErrInvalidEntry},
		{"no date", with(func(e *ledger.Entry) { e.BookedOn = time.Time{} }), ledger.ErrInvalidEntry},
		{"no description", with(func(e *ledger.Entry) { e.Description = "" }), ledger.ErrInvalidEntry},
		{"no source", with(func(e *ledger.Entry) { e.Source = "" }), ledger.ErrInvalidEntry},
		{"bad account code", with(func(e *ledger.Entry) { e.Lines[0].Account = "Bank Account" }), ledger.ErrInvalidAccount},
		{"unknown account", with(func(e *ledger.Entry) { e.Lines[0].Account = "suspense" }), ledger.ErrUnknownAccount},
		{"resident account without a uuid", with(func(e *ledger.Entry) { e.Lines[2].Account = "resident:42" }), ledger.ErrUnknownAccount},
		{"corrects a missing entry", with(func(e *ledger.Entry) { e.Corrects = 999 }), ledger.ErrEntryNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := b.postIn(b.ctx, tc.e)
			if !errors.Is(err, tc.want) {
				t.Errorf("err = %v, want %v", err, tc.want)
			}
		})
	}
	err := b.do(context.Background(), func(ctx context.Context, tx pgx.Tx) error { return nil })
	if !errors.Is(err, tenant.ErrNoTenant) {
		t.Fatalf("unit of work without tenant: %v", err)
	}
	err = b.do(b.ctx, func(ctx context.Context, tx pgx.Tx) error {
		_, _, err := ledger.Post(context.Background(), tx, ok)
		return err
	})
	if !errors.Is(err, tenant.ErrNoTenant) {
		t.Errorf("Post without tenant in ctx: err = %v, want ErrNoTenant", err)
	}
	b.wantRows(t, b.ctx, "journal_entries", 0)
}

// exec runs statements in one enschede transaction as pool, and returns the error of
// the first that fails or of the commit.
func (b *testBundle) exec(pool db.Beginner, stmts ...string) error {
	return db.InTenant(b.ctx, pool, func(ctx context.Context, tx pgx.Tx) error {
		for _, s := range stmts {
			if _, err := tx.Exec(ctx, s); err != nil {
				return err
			}
		}
		return nil
	})
}

func pgCode(err error) (code, constraint string) {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code, pgErr.ConstraintName
	}
	return "", ""
}

// TestDatabaseRefuses writes entries with SQL, past the checks in Go, as plein_app:
// the database itself refuses them, naming the entry's key.
func TestDatabaseRefuses(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.must(t, b.ctx, func(ctx context.Context, tx pgx.Tx) error {
		if err := ledger.EnsureAccount(ctx, tx, ledger.Bank, ledger.Asset, "Bank"); err != nil {
			return err
		}
		return ledger.EnsureAccount(ctx, tx, ledger.BijstandExpense, ledger.Expense, "Bijstand")
	})
	// An account of zwolle's only: enschede cannot post to it.
	b.must(t, tenant.WithID(context.Background(), zwolle), func(ctx context.Context, tx pgx.Tx) error {
		return ledger.EnsureAccount(ctx, tx, "recoveries", ledger.Income, "Terugontvangsten")
	})
	const insert = `INSERT INTO journal_entries (tenant_id, idempotency_key, booked_on, description, source, corrects, accounts, amounts) VALUES `
	entry := func(key, accounts, amounts string) string {
		return fmt.Sprintf(`('enschede', '%s', '2026-01-31', 'by hand', 'test', NULL, %s, %s)`, key, accounts, amounts)
	}

	for _, tc := range []struct {
		name  string
		stmt  string
		code  string // "" for a commit
		check string // the constraint named
	}{
		{"unbalanced", insert + entry("sql-1", `'{bank,bijstand_expense}'`, `'{-100,101}'`), "23514", "journal_entries_balanced"},
		{"one line", insert + entry("sql-2", `'{bank}'`, `'{100}'`), "23514", "journal_entries_balanced"},
		{"no lines", insert + entry("sql-3", `'{}'`, `'{}'`), "23514", "journal_entries_balanced"},
		{"two lines of one sign", insert + entry("sql-4", `'{bank,bank}'`, `'{100,100}'`), "23514", "journal_entries_balanced"},
		{"a line of zero", insert + entry("sql-5", `'{bank,bijstand_expense,bank}'`, `'{-100,100,0}'`), "23514", "journal_entries_balanced"},
		{"an amount without a line", insert + entry("sql-6", `'{bank,bijstand_expense}'`, `'{-100,100,0}'`), "23514", "journal_entries_balanced"},
		{"a line without an account", insert + entry("sql-7", `'{bank,NULL}'`, `'{-100,100}'`), "23514", "journal_entries_balanced"},
		{"a line without an amount", insert + entry("sql-8", `'{bank,bijstand_expense,bank}'`, `'{-100,100,NULL}'`), "23514", "journal_entries_balanced"},
		{"lines in two dimensions", insert + entry("sql-9", `'{{bank,bijstand_expense}}'`, `'{{-100,100}}'`), "23514", "journal_entries_balanced"},
		{"without lines at all", insert + entry("sql-10", `NULL`, `NULL`), "23502", ""},
		{"an unknown account", insert + entry("sql-11", `'{bank,suspense}'`, `'{-100,100}'`), "23503", "journal_lines_account_fkey"},
		{"another tenant's account", insert + entry("sql-12", `'{bank,recoveries}'`, `'{-100,100}'`), "23503", "journal_lines_account_fkey"},
		{"corrects a missing entry", strings.Replace(insert+entry("sql-13", `'{bank,bijstand_expense}'`, `'{100,-100}'`), "NULL", "999", 1),
			"23503", "journal_entries_corrects_fkey"},
		// Another entry of the same statement does not rescue an unbalanced one, and
		// one bad entry fails them all.
		{"two entries that balance only together", insert + entry("sql-14", `'{bank,bijstand_expense}'`, `'{-100,50}'`) + ", " +
			entry("sql-15", `'{bank,bijstand_expense}'`, `'{100,-50}'`), "23514", "journal_entries_balanced"},
		{"a bad entry among good ones", insert + entry("sql-16", `'{bank,bijstand_expense}'`, `'{-100,100}'`) + ", " +
			entry("sql-17", `'{bank,bijstand_expense}'`, `'{-100,99}'`), "23514", "journal_entries_balanced"},
		{"balanced", insert + entry("sql-18", `'{bank,bijstand_expense}'`, `'{-100,100}'`), "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := b.exec(b.d.App, tc.stmt)
			if tc.code == "" {
				if err != nil {
					t.Fatalf("err = %v, want a commit", err)
				}
				return
			}
			code, constraint := pgCode(err)
			if code != tc.code || constraint != tc.check {
				t.Fatalf("err = %v (code %s, constraint %s), want %s from %q", err, code, constraint, tc.code, tc.check)
			}
			// The trigger's refusals name the entry at fault by its key.
			if tc.check != "" && !regexp.MustCompile(`journal entry sql-\d+ `).MatchString(err.Error()) {
				t.Errorf("err = %v, want it to name the entry's key", err)
			}
		})
	}
	for _, q := range []struct {
		sql  string
		want int
	}{
		{"SELECT count(*) FROM journal_entries", 1},
		{"SELECT count(*) FROM journal_lines", 2},
		{"SELECT count(*) FROM ledger_movements", 2},
		{"SELECT count(*) FROM journal_lines WHERE entry_id = (SELECT id FROM journal_entries WHERE idempotency_key = 'sql-18') AND line_no = 2 AND account_code = 'bijstand_expense' AND amount_cents = 100", 1},
	} {
		if got := b.count(t, b.ctx, q.sql); got != q.want {
			t.Errorf("%s = %d, want %d", q.sql, got, q.want)
		}
	}
	// The balanced entry only.
	b.wantBalance(t, ledger.BijstandExpense, day("2026-01-31"), 100)
}

// TestLinesAreDerived checks that lines and movements are written by posting an entry
// and in no other way: a posted entry takes no more lines, not even lines that balance
// each other, from the application or from the owner.
func TestLinesAreDerived(t *testing.T) {
	t.Parallel()
	b := setup(t)
	id := b.post(t, grant("g", day("2026-01-31")))
	for _, role := range []struct {
		name string
		pool db.Beginner
	}{{"plein_app", b.d.App}, {"plein_owner", b.d.Owner}} {
		for _, sql := range []string{
			fmt.Sprintf(`INSERT INTO journal_lines VALUES ('enschede', %d, 4, 'bank', '2026-01-31', -5), ('enschede', %[1]d, 5, 'bijstand_expense', '2026-01-31', 5)`, id),
			fmt.Sprintf(`INSERT INTO journal_lines VALUES ('enschede', %d, 4, 'bank', '2026-01-31', -5)`, id),
			fmt.Sprintf(`INSERT INTO ledger_movements VALUES ('enschede', 'bank', '2026-01-31', %d, -5)`, id),
			// Nor by rewriting the entry's lines.
			fmt.Sprintf(`UPDATE journal_entries SET accounts = accounts || '{bank,bank}', amounts = amounts || '{-5,5}' WHERE id = %d`, id),
		} {
			if code, _ := pgCode(b.exec(role.pool, sql)); code != "42501" {
				t.Errorf("%s: %q: code %s, want refused (42501)", role.name, sql, code)
			}
		}
	}
	b.must(t, b.ctx, func(ctx context.Context, tx pgx.Tx) error {
		var may bool
		err := tx.QueryRow(ctx, `SELECT has_table_privilege('plein_app', 'journal_lines', 'INSERT')
			OR has_table_privilege('plein_app', 'ledger_movements', 'INSERT')`).Scan(&may)
		if err == nil && may {
			t.Error("plein_app may insert into journal_lines or ledger_movements, want neither")
		}
		return err
	})
	b.wantRows(t, b.ctx, "journal_lines", 3)
	// The entry's only.
	b.wantBalance(t, rAcc, day("2026-01-31"), -620_23)
}

func TestAppendOnly(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.post(t, grant("g", day("2026-01-31")))
	for _, role := range []struct {
		name string
		pool db.Beginner
	}{{"plein_app", b.d.App}, {"plein_owner", b.d.Owner}} {
		for _, sql := range []string{
			"UPDATE journal_entries SET description = 'rewritten'",
			"UPDATE journal_entries SET booked_on = booked_on + 1",
			"UPDATE journal_entries SET amounts = amounts",
			"DELETE FROM journal_entries",
			"TRUNCATE journal_entries CASCADE",
			"UPDATE ledger_movements SET amount_cents = amount_cents * 2",
			"DELETE FROM ledger_movements",
			"TRUNCATE ledger_movements",
			"UPDATE ledger_accounts SET kind = 'asset'",
			"DELETE FROM ledger_accounts",
			"TRUNCATE ledger_accounts CASCADE",
			"UPDATE journal_lines SET amount_cents = amount_cents * 2",
			"DELETE FROM journal_lines",
		} {
			err := b.exec(role.pool, sql)
			if code, _ := pgCode(err); code != "42501" {
				t.Errorf("%s: %q: err = %v, want refused (42501)", role.name, sql, err)
			}
			// The owner has the privilege: what refuses it is the trigger.
			if role.name == "plein_owner" && (err == nil || !strings.Contains(err.Error(), "append-only")) {
				t.Errorf("%s: %q: err = %v, want the append-only trigger", role.name, sql, err)
			}
		}
		// A view cannot be truncated at all.
		if err := b.exec(role.pool, "TRUNCATE journal_lines"); err == nil {
			t.Errorf("%s: TRUNCATE journal_lines succeeded, want refused", role.name)
		}
	}
	// The application may only read and insert.
	var granted []string
	err := b.do(b.ctx, func(ctx context.Context, tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `
			SELECT t || ' ' || p FROM unnest(ARRAY['ledger_accounts', 'journal_entries', 'journal_lines', 'ledger_movements']) t,
			       unnest(ARRAY['UPDATE', 'DELETE', 'TRUNCATE']) p
			WHERE has_table_privilege('plein_app', t, p)`)
		if err != nil {
			return err
		}
		granted, err = pgx.CollectRows(rows, pgx.RowTo[string])
		return err
	})
	if err != nil || len(granted) != 0 {
		t.Errorf("plein_app may %v (%v), want none of UPDATE, DELETE, TRUNCATE", granted, err)
	}
	b.wantBalance(t, ledger.BijstandExpense, day("2026-12-31"), 651_50)
	b.wantRows(t, b.ctx, "journal_lines", 3)
}

func TestPostIsIdempotent(t *testing.T) {
	t.Parallel()
	b := setup(t)
	e := grant("run-1:grant", day("2026-01-31"))
	first := b.post(t, e)

	// The same entry again, once as written and once with its lines in another order
	// and its date in another location: the same content.
	reordered := e
	reordered.Lines = []ledger.Line{e.Lines[2], e.Lines[0], e.Lines[1]}
	reordered.BookedOn = time.Date(2026, 1, 31, 23, 30, 0, 0, time.FixedZone("CET", 3600))
	for _, again := range []ledger.Entry{e, reordered} {
		err := b.do(b.ctx, func(ctx context.Context, tx pgx.Tx) error {
			id, created, err := ledger.Post(ctx, tx, again)
			if err != nil {
				return err
			}
			if id != first || created {
				t.Errorf("re-post: id %d created %v, want %d false", id, created, first)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	b.wantRows(t, b.ctx, "journal_entries", 1)
	b.wantRows(t, b.ctx, "journal_lines", 3)
	b.wantBalance(t, rAcc, day("2026-01-31"), -620_23)
}

func TestIdempotencyConflict(t *testing.T) {
	t.Parallel()
	b := setup(t)
	e := grant("run-1:grant", day("2026-01-31"))
	b.post(t, e)
	change := func(f func(e *ledger.Entry)) ledger.Entry { return edit(e, f) }
	for _, tc := range []struct {
		name string
		e    ledger.Entry
	}{
		{"amounts", change(func(e *ledger.Entry) { e.Lines[0].Amount += 100; e.Lines[2].Amount -= 100 })},
		{"account", change(func(e *ledger.Entry) { e.Lines[2].Account = ledger.CreditorAccount("cz") })},
		{"one line more", change(func(e *ledger.Entry) {
			e.Lines[2].Amount += 100
			e.Lines = append(e.Lines, ledger.Line{Account: ledger.Bank, Amount: -100})
		})},
		{"date", change(func(e *ledger.Entry) { e.BookedOn = day("2026-02-01") })},
		{"description", change(func(e *ledger.Entry) { e.Description = "Bijstand februari 2026" })},
		{"source", change(func(e *ledger.Entry) { e.Source = "settlement:run-2" })},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := b.postIn(b.ctx, tc.e)
			if !errors.Is(err, ledger.ErrIdempotencyConflict) {
				t.Errorf("err = %v, want ErrIdempotencyConflict", err)
			}
		})
	}
	b.wantRows(t, b.ctx, "journal_lines", 3)
}

func TestCorrect(t *testing.T) {
	t.Parallel()
	b := setup(t)
	jan31, feb5 := day("2026-01-31"), day("2026-02-05")
	b.post(t, ledger.Entry{IdempotencyKey: "earlier", BookedOn: day("2026-01-01"), Description: "Eerder", Source: "settlement:run-0",
		Lines: []ledger.Line{{Account: ledger.BijstandExpense, Amount: 10_00}, {Account: ledger.VakantietoeslagReserve, Amount: -48}, {Account: rAcc, Amount: -9_52}}})
	before := map[string]money.Cents{ledger.BijstandExpense: 10_00, ledger.VakantietoeslagReserve: -48, rAcc: -9_52}
	for code, want := range before {
		b.wantBalance(t, code, feb5, want)
	}
	wrong := b.post(t, grant("run-1:grant", jan31))

	var corr int64
	b.must(t, b.ctx, func(ctx context.Context, tx pgx.Tx) (err error) {
		var created bool
		corr, created, err = ledger.Correct(ctx, tx, wrong, "run-1:grant:correction", "Verkeerde norm", feb5)
		if err == nil && !created {
			t.Error("correction: created false, want true")
		}
		return err
	})

	for code, want := range before {
		b.wantBalance(t, code, feb5, want)
	}
	// The history up to the original's date is not rewritten.
	b.wantBalance(t, rAcc, jan31, -629_75)

	b.must(t, b.ctx, func(ctx context.Context, tx pgx.Tx) error {
		e, err := ledger.Get(ctx, tx, corr)
		if err != nil {
			return err
		}
		want := []ledger.Line{{Account: ledger.BijstandExpense, Amount: -651_50},
			{Account: ledger.VakantietoeslagReserve, Amount: 31_27}, {Account: rAcc, Amount: 620_23}}
		if e.Corrects != wrong || fmt.Sprint(e.Lines) != fmt.Sprint(want) || e.Source != "settlement:run-1" ||
			e.Description != "Verkeerde norm" || !e.BookedOn.Equal(feb5) {
			t.Errorf("correction = %+v, want corrects %d, lines %v, source settlement:run-1", e, wrong, want)
		}
		// Again under its key: the same correction, nothing new.
		id, created, err := ledger.Correct(ctx, tx, wrong, "run-1:grant:correction", "Verkeerde norm", feb5)
		if err != nil || id != corr || created {
			t.Errorf("correction again = %d %v %v, want %d false nil", id, created, err, corr)
		}
		// Under another key: refused, the entry is corrected already.
		if _, _, err := ledger.Correct(ctx, tx, wrong, "run-1:grant:correction-2", "Nog eens", feb5); !errors.Is(err, ledger.ErrAlreadyCorrected) {
			t.Errorf("second correction: err = %v, want ErrAlreadyCorrected", err)
		}
		if _, _, err := ledger.Correct(ctx, tx, 424242, "x", "y", feb5); !errors.Is(err, ledger.ErrEntryNotFound) {
			t.Errorf("correcting a missing entry: err = %v, want ErrEntryNotFound", err)
		}
		if _, _, err := ledger.Correct(ctx, tx, wrong, "run-1:grant:correction-3", "", feb5); !errors.Is(err, ledger.ErrInvalidEntry) {
			t.Errorf("correction without a reason: err = %v, want ErrInvalidEntry", err)
		}
		es, err := ledger.Entries(ctx, tx, "settlement:run-1")
		if err != nil {
			return err
		}
		var sum money.Cents
		for _, e := range es {
			for _, l := range e.Lines {
				if l.Account == rAcc {
					sum += l.Amount
				}
			}
		}
		if len(es) != 2 || sum != 0 {
			t.Errorf("run-1 after its correction: %d entries netting %d on %s, want 2 netting 0", len(es), sum, rAcc)
		}
		return nil
	})
	b.wantRows(t, b.ctx, "journal_entries", 3)
}

func TestBalanceAsOf(t *testing.T) {
	t.Parallel()
	b := setup(t)
	for i, on := range []string{"2026-01-15", "2026-01-31", "2026-02-01"} {
		b.post(t, ledger.Entry{IdempotencyKey: on, BookedOn: day(on), Description: "x", Source: "test",
			Lines: []ledger.Line{{Account: ledger.BijstandExpense, Amount: money.Cents(100 << i)}, {Account: ledger.Bank, Amount: money.Cents(-100 << i)}}})
	}
	ams := time.FixedZone("CEST", 2*3600)
	for _, tc := range []struct {
		asOf time.Time
		want money.Cents
	}{
		{day("2026-01-14"), 0},
		{day("2026-01-15"), 100},
		{day("2026-01-30"), 100},
		{day("2026-01-31"), 300},
		// The calendar date in the caller's location, not the instant in UTC.
		{time.Date(2026, 1, 31, 23, 59, 0, 0, ams), 300},
		{time.Date(2026, 2, 1, 0, 30, 0, 0, ams), 700},
		{day("2026-02-01"), 700},
		{day("2027-01-01"), 700},
	} {
		b.wantBalance(t, ledger.BijstandExpense, tc.asOf, tc.want)
		b.wantBalance(t, ledger.Bank, tc.asOf, -tc.want)
	}
	err := b.do(b.ctx, func(ctx context.Context, tx pgx.Tx) error {
		_, err := ledger.Balance(ctx, tx, "bnak", day("2026-02-01"))
		return err
	})
	if !errors.Is(err, ledger.ErrUnknownAccount) {
		t.Errorf("balance of a misspelt account: err = %v, want ErrUnknownAccount", err)
	}
}

func TestEnsureAccount(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.must(t, b.ctx, func(ctx context.Context, tx pgx.Tx) error {
		if err := ledger.EnsureAccount(ctx, tx, "recoveries", ledger.Income, "Terugontvangsten"); err != nil {
			return err
		}
		// Again, same kind: fine, whatever the name.
		if err := ledger.EnsureAccount(ctx, tx, "recoveries", ledger.Income, "Other name"); err != nil {
			return err
		}
		if err := ledger.EnsureAccount(ctx, tx, "recoveries", ledger.Asset, "x"); !errors.Is(err, ledger.ErrAccountConflict) {
			t.Errorf("other kind: err = %v, want ErrAccountConflict", err)
		}
		for _, bad := range []struct{ code, kind, name string }{
			{"Recoveries", "income", "x"}, {"recoveries", "equity", "x"}, {"recoveries", "income", " "},
		} {
			if err := ledger.EnsureAccount(ctx, tx, bad.code, ledger.Kind(bad.kind), bad.name); !errors.Is(err, ledger.ErrInvalidAccount) {
				t.Errorf("EnsureAccount(%q, %q, %q): err = %v, want ErrInvalidAccount", bad.code, bad.kind, bad.name, err)
			}
		}
		// An account made this way can then be posted to.
		_, _, err := ledger.Post(ctx, tx, ledger.Entry{IdempotencyKey: "r", BookedOn: day("2026-03-01"), Description: "Terugbetaling", Source: "test",
			Lines: []ledger.Line{{Account: ledger.Bank, Amount: 5_00}, {Account: "recoveries", Amount: -5_00}}})
		return err
	})
}

func TestTenantIsolation(t *testing.T) {
	t.Parallel()
	b := setup(t)
	id := b.post(t, grant("run-1:grant", day("2026-01-31")))
	ctxZ := tenant.WithID(context.Background(), zwolle)
	asOf := day("2026-12-31")

	b.must(t, ctxZ, func(ctx context.Context, tx pgx.Tx) error {
		if _, err := ledger.Get(ctx, tx, id); !errors.Is(err, ledger.ErrEntryNotFound) {
			t.Errorf("zwolle Get(enschede's entry): err = %v, want ErrEntryNotFound", err)
		}
		if es, err := ledger.Entries(ctx, tx, "settlement:run-1"); err != nil || len(es) != 0 {
			t.Errorf("zwolle Entries = %d (%v), want 0", len(es), err)
		}
		if bs, err := ledger.Balances(ctx, tx, "", asOf); err != nil || len(bs) != 0 {
			t.Errorf("zwolle Balances = %v (%v), want none", bs, err)
		}
		if _, err := ledger.Balance(ctx, tx, ledger.BijstandExpense, asOf); !errors.Is(err, ledger.ErrUnknownAccount) {
			t.Errorf("zwolle Balance: err = %v, want ErrUnknownAccount", err)
		}
		if _, _, err := ledger.Correct(ctx, tx, id, "steal", "x", asOf); !errors.Is(err, ledger.ErrEntryNotFound) {
			t.Errorf("zwolle Correct(enschede's entry): err = %v, want ErrEntryNotFound", err)
		}
		e := grant("zwolle:1", asOf)
		e.Corrects = id
		if _, _, err := ledger.Post(ctx, tx, e); !errors.Is(err, ledger.ErrEntryNotFound) {
			t.Errorf("zwolle Post correcting enschede's entry: err = %v, want ErrEntryNotFound", err)
		}
		return nil
	})

	// Posting for enschede in a zwolle transaction: refused by row-level security.
	err := b.do(ctxZ, func(ctx context.Context, tx pgx.Tx) error {
		_, _, err := ledger.Post(b.ctx, tx, grant("run-9", asOf))
		return err
	})
	if code, _ := pgCode(err); code != "42501" {
		t.Errorf("enschede entry in a zwolle transaction: err = %v, want 42501", err)
	}
	// Lines or an entry for enschede, by SQL from zwolle: refused by the policy, or as
	// any line written on its own is.
	for _, sql := range []string{
		fmt.Sprintf(`INSERT INTO journal_lines VALUES ('enschede', %d, 9, 'bank', '2026-01-31', 1)`, id),
		fmt.Sprintf(`INSERT INTO journal_lines VALUES ('zwolle', %d, 9, 'bank', '2026-01-31', 1)`, id),
		fmt.Sprintf(`INSERT INTO ledger_movements VALUES ('enschede', 'bank', '2026-01-31', %d, 1)`, id),
		`INSERT INTO journal_entries (tenant_id, idempotency_key, booked_on, description, source, accounts, amounts)
		 VALUES ('enschede', 'x', '2026-01-31', 'x', 'x', '{bank,bijstand_expense}', '{-1,1}')`,
	} {
		err := db.InTenant(ctxZ, b.d.App, func(ctx context.Context, tx pgx.Tx) error {
			_, err := tx.Exec(ctx, sql)
			return err
		})
		if code, _ := pgCode(err); code != "42501" {
			t.Errorf("%s from zwolle: err = %v, want refused (42501)", sql, err)
		}
	}

	// Keys are per tenant: zwolle's own entry under the same key is its own.
	b.must(t, ctxZ, func(ctx context.Context, tx pgx.Tx) error {
		zid, created, err := ledger.Post(ctx, tx, grant("run-1:grant", day("2026-01-31")))
		if err == nil && (!created || zid == id) {
			t.Errorf("zwolle post under enschede's key: id %d created %v, want a new entry", zid, created)
		}
		return err
	})
	// Untouched by zwolle.
	b.wantBalance(t, rAcc, asOf, -620_23)
	b.wantRows(t, b.ctx, "journal_entries", 1)
}

// TestConcurrentPostSameKey posts one entry from 20 transactions at once: exactly one
// creates it, every one gets its id.
func TestConcurrentPostSameKey(t *testing.T) {
	t.Parallel()
	b := setup(t)
	const n = 20
	e := grant("run-1:grant", day("2026-01-31"))
	ids := make([]int64, n)
	created := make([]bool, n)
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			errs[i] = b.do(b.ctx, func(ctx context.Context, tx pgx.Tx) (err error) {
				ids[i], created[i], err = ledger.Post(ctx, tx, e)
				return err
			})
		})
	}
	close(start)
	wg.Wait()
	var made int
	for i := range n {
		if errs[i] != nil {
			t.Errorf("poster %d: %v", i, errs[i])
		}
		if ids[i] != ids[0] {
			t.Errorf("poster %d got id %d, poster 0 got %d: want one entry", i, ids[i], ids[0])
		}
		if created[i] {
			made++
		}
	}
	if made != 1 {
		t.Errorf("%d posters created the entry, want exactly 1", made)
	}
	b.wantRows(t, b.ctx, "journal_entries", 1)
	b.wantRows(t, b.ctx, "journal_lines", 3)
	b.wantBalance(t, rAcc, day("2026-01-31"), -620_23)
}

// settlementBatch returns n entries of the worked example's shape, one per resident,
// posted by run: a bijstand of 100.00 + i cents, 4.80 reserved, 25.00 to a creditor,
// the rest payable to the resident.
func settlementBatch(run string, n int) []ledger.Entry {
	es := make([]ledger.Entry, n)
	for i := range es {
		res := ledger.ResidentAccount(fmt.Sprintf("%08x-0000-4000-8000-000000000000", i))
		bijstand := money.Cents(100_00 + i)
		es[i] = ledger.Entry{
			IdempotencyKey: fmt.Sprintf("%s:resident:%d", run, i), BookedOn: day("2026-01-31"),
			Description: "Bijstand januari 2026", Source: "settlement:" + run,
			Lines: []ledger.Line{
				{Account: ledger.BijstandExpense, Amount: bijstand},
				{Account: ledger.VakantietoeslagReserve, Amount: -4_80},
				{Account: cAcc, Amount: -25_00},
				{Account: res, Amount: -(bijstand - 4_80 - 25_00)},
			},
		}
	}
	return es
}

func (b *testBundle) postBatch(ctx context.Context, es []ledger.Entry) error {
	return b.do(ctx, func(ctx context.Context, tx pgx.Tx) error {
		n, err := ledger.PostBatch(ctx, tx, es)
		if err == nil && n != len(es) {
			return fmt.Errorf("PostBatch wrote %d entries, want %d", n, len(es))
		}
		return err
	})
}

func TestPostBatch(t *testing.T) {
	t.Parallel()
	b := setup(t)
	const n = 1000
	es := settlementBatch("run-1", n)
	if err := b.postBatch(b.ctx, es); err != nil {
		t.Fatal(err)
	}

	var bijstand money.Cents
	want := map[string]money.Cents{ledger.VakantietoeslagReserve: -4_80 * n, cAcc: -25_00 * n}
	for _, e := range es {
		bijstand += e.Lines[0].Amount
		want[e.Lines[3].Account] = e.Lines[3].Amount
	}
	want[ledger.BijstandExpense] = bijstand
	b.must(t, b.ctx, func(ctx context.Context, tx pgx.Tx) error {
		got, err := ledger.Balances(ctx, tx, "", day("2026-01-31"))
		if err != nil {
			return err
		}
		if len(got) != len(want) {
			t.Errorf("Balances has %d accounts, want %d", len(got), len(want))
		}
		var trial money.Cents
		for code, c := range got {
			trial += c
			if c != want[code] {
				t.Errorf("balance of %s = %d, want %d", code, c, want[code])
			}
		}
		if trial != 0 {
			t.Errorf("trial balance = %d, want 0", trial)
		}
		if got, err := ledger.Balances(ctx, tx, "", day("2026-01-30")); err != nil || got[ledger.BijstandExpense] != 0 {
			t.Errorf("bijstand as of the day before = %d (%v), want 0", got[ledger.BijstandExpense], err)
		}
		posted, err := ledger.Entries(ctx, tx, "settlement:run-1")
		if err != nil {
			return err
		}
		if len(posted) != n {
			t.Fatalf("Entries = %d, want %d", len(posted), n)
		}
		byKey := make(map[string]ledger.Entry, n)
		for _, e := range posted {
			byKey[e.IdempotencyKey] = e
		}
		for _, w := range es {
			e := byKey[w.IdempotencyKey]
			if !e.BookedOn.Equal(w.BookedOn) || e.Description != w.Description || fmt.Sprint(e.Lines) != fmt.Sprint(w.Lines) {
				t.Fatalf("entry %s = %+v, want %+v", w.IdempotencyKey, e, w)
			}
		}
		var kind string
		if err := tx.QueryRow(ctx, "SELECT kind FROM ledger_accounts WHERE code = $1", es[7].Lines[3].Account).Scan(&kind); err != nil {
			return err
		}
		if kind != "liability" {
			t.Errorf("kind of a resident account made by the batch = %s, want liability", kind)
		}
		// A batch's entry is corrected like any other, and a retried Post finds it.
		if _, _, err := ledger.Correct(ctx, tx, byKey[es[7].IdempotencyKey].ID, "run-1:resident:7:correction", "Verkeerd", day("2026-02-05")); err != nil {
			return err
		}
		id, created, err := ledger.Post(ctx, tx, es[8])
		if want := byKey[es[8].IdempotencyKey].ID; err != nil || created || id != want {
			t.Errorf("Post of a batch's entry = %d %v %v, want %d false nil", id, created, err, want)
		}
		// A second batch in the same transaction.
		_, err = ledger.PostBatch(ctx, tx, settlementBatch("run-2", 3))
		return err
	})
	if got := b.count(t, b.ctx, "SELECT count(*) FROM journal_lines"); got != 4*(n+1+3) {
		t.Errorf("lines = %d, want %d", got, 4*(n+1+3))
	}
	b.wantBalance(t, es[7].Lines[3].Account, day("2026-02-05"), 0)
}

func TestPostBatchWritesAllOrNothing(t *testing.T) {
	t.Parallel()
	b := setup(t)
	good := settlementBatch("run-1", 10)
	with := func(f func(e *ledger.Entry)) []ledger.Entry {
		es := slices.Clone(good)
		es[5] = edit(es[5], f)
		return es
	}
	for _, tc := range []struct {
		name string
		es   []ledger.Entry
		want error
	}{
		{"unbalanced", with(func(e *ledger.Entry) { e.Lines[0].Amount++ }), ledger.ErrUnbalanced},
		{"one line", with(func(e *ledger.Entry) { e.Lines = e.Lines[:1] }), ledger.ErrTooFewLines},
		{"zero amount", with(func(e *ledger.Entry) { e.Lines = append(e.Lines, ledger.Line{Account: ledger.Bank}) }), ledger.ErrZeroAmount},
		{"bad account code", with(func(e *ledger.Entry) { e.Lines[1].Account = "Reserve!" }), ledger.ErrInvalidAccount},
		{"unknown account", with(func(e *ledger.Entry) { e.Lines[1].Account = "suspense" }), ledger.ErrUnknownAccount},
		{"no description", with(func(e *ledger.Entry) { e.Description = "" }), ledger.ErrInvalidEntry},
		{"a correction", with(func(e *ledger.Entry) { e.Corrects = 1 }), ledger.ErrInvalidEntry},
		{"a key twice", with(func(e *ledger.Entry) { e.IdempotencyKey = good[4].IdempotencyKey }), ledger.ErrInvalidEntry},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := b.postBatch(b.ctx, tc.es)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if key := tc.es[5].IdempotencyKey; !strings.Contains(err.Error(), key) {
				t.Errorf("err = %v, want it to name %s", err, key)
			}
		})
	}
	for _, table := range []string{"journal_entries", "ledger_accounts", "ledger_movements"} {
		if got := b.count(t, b.ctx, "SELECT count(*) FROM "+table); got != 0 {
			t.Errorf("%s after refused batches = %d, want 0", table, got)
		}
	}
	if err := b.postBatch(b.ctx, nil); err != nil {
		t.Errorf("empty batch: %v", err)
	}
}

// TestPostBatchExistingKey posts a batch one of whose keys is taken: the batch writes
// nothing, and the transaction goes on.
func TestPostBatchExistingKey(t *testing.T) {
	t.Parallel()
	b := setup(t)
	es := settlementBatch("run-1", 10)
	id := b.post(t, es[5])
	b.must(t, b.ctx, func(ctx context.Context, tx pgx.Tx) error {
		_, err := ledger.PostBatch(ctx, tx, es)
		if !errors.Is(err, ledger.ErrIdempotencyConflict) || !strings.Contains(err.Error(), es[5].IdempotencyKey) {
			t.Errorf("err = %v, want ErrIdempotencyConflict naming %s", err, es[5].IdempotencyKey)
		}
		// The same transaction still works: the failed batch ran in a savepoint.
		_, _, err = ledger.Post(ctx, tx, grant("after", day("2026-01-31")))
		return err
	})
	// The one posted before and the one after.
	b.wantRows(t, b.ctx, "journal_entries", 2)
	b.must(t, b.ctx, func(ctx context.Context, tx pgx.Tx) error {
		e, err := ledger.Get(ctx, tx, id)
		if err == nil && fmt.Sprint(e.Lines) != fmt.Sprint(es[5].Lines) {
			t.Errorf("entry %d = %v, want it untouched", id, e.Lines)
		}
		return err
	})
}

// TestPostBatchTenantIsolation posts a batch of zwolle's in a transaction of
// enschede's: row-level security refuses it, and nothing of either tenant is written.
func TestPostBatchTenantIsolation(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctxZ := tenant.WithID(context.Background(), zwolle)
	for _, accountsExist := range []bool{false, true} {
		if accountsExist {
			// enschede has the accounts, so the batch gets as far as its entries.
			if err := b.postBatch(b.ctx, settlementBatch("before", 3)); err != nil {
				t.Fatal(err)
			}
		}
		err := b.do(b.ctx, func(_ context.Context, tx pgx.Tx) error {
			_, err := ledger.PostBatch(ctxZ, tx, settlementBatch("run-1", 3))
			return err
		})
		if code, _ := pgCode(err); code != "42501" {
			t.Errorf("accounts exist %v: zwolle's batch in enschede's transaction: err = %v, want 42501", accountsExist, err)
		}
	}
	for _, table := range []string{"journal_entries", "ledger_accounts", "ledger_movements"} {
		if got := b.count(t, ctxZ, "SELECT count(*) FROM "+table); got != 0 {
			t.Errorf("zwolle's %s = %d, want 0", table, got)
		}
	}
	// Its own batch.
	b.wantRows(t, b.ctx, "journal_entries", 3)

	// The trigger that writes movements is the owner's, and row-level security holds
	// it to the transaction's tenant too: a statement that switches tenants half-way
	// gets its entries past their policy, one row at a time, but not their movements.
	if err := b.postBatch(ctxZ, settlementBatch("zwolle", 3)); err != nil {
		t.Fatal(err)
	}
	err := b.exec(b.d.App, `
		INSERT INTO journal_entries (tenant_id, idempotency_key, booked_on, description, source, accounts, amounts)
		SELECT t, 'switch', '2026-01-31', 'x', 'x', '{bijstand_expense,vakantietoeslag_reserve}', '{1,-1}'
		FROM (VALUES ('enschede'), ('zwolle')) AS v (t)
		WHERE set_config('plein.tenant_id', t, true) IS NOT NULL`)
	if code, _ := pgCode(err); code != "42501" {
		t.Errorf("entries of two tenants in one statement: err = %v, want 42501", err)
	}
	b.wantRows(t, ctxZ, "journal_entries", 3)
}

// TestAccountCodeCheck holds the database's check on account codes and the one in Go
// to the same form, at the edges of each part.
func TestAccountCodeCheck(t *testing.T) {
	t.Parallel()
	b := setup(t)
	family, id := "a"+strings.Repeat("b", 62), "X"+strings.Repeat("y", 63) // the longest of each
	for _, tc := range []struct {
		code string
		ok   bool
	}{
		{"bank", true}, {family, true}, {family + "b", false},
		{"creditor:" + id, true}, {"creditor:" + id + "y", false}, {family + ":" + id, true},
		{"creditor:zilveren-kruis.nl_1", true}, {"a_9:0", true},
		{"", false}, {"Bank", false}, {"9a", false}, {"_a", false}, {"a-b", false}, {"bänk", false},
		{"bank:", false}, {":x", false}, {"a:b:c", false}, {"a:-x", false}, {"a:x y", false}, {"bank\n", false},
	} {
		err := b.do(b.ctx, func(ctx context.Context, tx pgx.Tx) error {
			sp, err := tx.Begin(ctx)
			if err != nil {
				return err
			}
			_, err = sp.Exec(ctx, `INSERT INTO ledger_accounts (tenant_id, code, kind, name) VALUES ('enschede', $1, 'asset', 'x')`, tc.code)
			if code, constraint := pgCode(err); tc.ok && err != nil || !tc.ok && (code != "23514" || constraint != "ledger_accounts_code_check") {
				t.Errorf("database: account %q: err = %v, want accepted %v", tc.code, err, tc.ok)
			}
			if err := sp.Rollback(ctx); err != nil {
				return err
			}
			err = ledger.EnsureAccount(ctx, tx, tc.code, ledger.Asset, "x")
			if tc.ok && err != nil || !tc.ok && !errors.Is(err, ledger.ErrInvalidAccount) {
				t.Errorf("EnsureAccount(%q): err = %v, want accepted %v", tc.code, err, tc.ok)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}
