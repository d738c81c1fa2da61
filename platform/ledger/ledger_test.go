package ledger_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

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

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

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

func (b *testBundle) count(t *testing.T, ctx context.Context, sql string, args ...any) int {
	t.Helper()
	var n int
	err := b.do(ctx, func(ctx context.Context, tx pgx.Tx) error { return tx.QueryRow(ctx, sql, args...).Scan(&n) })
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

// grant is the bijstand of the DOMAIN §2 worked example: 651.50, of which 31.27 is
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
			if got := b.balance(t, code, tc.asOf); got != want {
				t.Errorf("Balance(%s, %s) = %d, want %d", code, tc.asOf.Format(time.DateOnly), got, want)
			}
		}
	}

	err := b.do(b.ctx, func(ctx context.Context, tx pgx.Tx) error {
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
	if err != nil {
		t.Fatal(err)
	}
}

func TestPostValidates(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ok := grant("k", day("2026-01-31"))
	with := func(f func(e *ledger.Entry)) ledger.Entry {
		e := ok
		e.Lines = append([]ledger.Line(nil), ok.Lines...)
		f(&e)
		return e
	}
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
			err := b.do(b.ctx, func(ctx context.Context, tx pgx.Tx) error {
				_, _, err := ledger.Post(ctx, tx, tc.e)
				return err
			})
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
	if n := b.count(t, b.ctx, "SELECT count(*) FROM journal_entries"); n != 0 {
		t.Errorf("entries after refusals = %d, want 0", n)
	}
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

// TestDatabaseRefusesUnbalanced writes entries with SQL, past the checks in Go: the
// database itself refuses them at commit.
func TestDatabaseRefusesUnbalanced(t *testing.T) {
	t.Parallel()
	b := setup(t)
	err := b.do(b.ctx, func(ctx context.Context, tx pgx.Tx) error {
		if err := ledger.EnsureAccount(ctx, tx, ledger.Bank, ledger.Asset, "Bank"); err != nil {
			return err
		}
		return ledger.EnsureAccount(ctx, tx, ledger.BijstandExpense, ledger.Expense, "Bijstand")
	})
	if err != nil {
		t.Fatal(err)
	}
	const entry = `INSERT INTO journal_entries (tenant_id, id, idempotency_key, booked_on, description, source)
		OVERRIDING SYSTEM VALUE VALUES ('enschede', %d, 'sql-%[1]d', '2026-01-31', 'by hand', 'test')`
	const line = `INSERT INTO journal_lines (tenant_id, entry_id, line_no, account_code, booked_on, amount_cents)
		VALUES ('enschede', %d, %d, '%s', '2026-01-31', %d)`

	for _, tc := range []struct {
		name  string
		stmts []string
		want  string // "" for a commit
	}{
		{"unbalanced", []string{fmt.Sprintf(entry, 1),
			fmt.Sprintf(line, 1, 1, "bank", -100), fmt.Sprintf(line, 1, 2, "bijstand_expense", 101)},
			"journal_entries_balanced"},
		{"one line", []string{fmt.Sprintf(entry, 2), fmt.Sprintf(line, 2, 1, "bank", 100)}, "journal_entries_balanced"},
		{"two lines of one sign", []string{fmt.Sprintf(entry, 7),
			fmt.Sprintf(line, 7, 1, "bank", 100), fmt.Sprintf(line, 7, 2, "bank", 100)}, "journal_entries_balanced"},
		{"no lines", []string{fmt.Sprintf(entry, 3)}, "journal_entries_balanced"},
		// The check waits for the commit: between the two statements the entry is
		// unbalanced, and that is allowed.
		{"balanced, line by line", []string{fmt.Sprintf(entry, 4),
			fmt.Sprintf(line, 4, 1, "bank", -100), fmt.Sprintf(line, 4, 2, "bijstand_expense", 100)}, ""},
		// A posted entry takes no more lines, not even lines that balance each other.
		{"lines added to a posted entry", []string{
			fmt.Sprintf(line, 4, 3, "bank", -5), fmt.Sprintf(line, 4, 4, "bijstand_expense", 5)},
			"journal_lines_same_transaction"},
		{"unbalanced line added to a posted entry", []string{fmt.Sprintf(line, 4, 3, "bank", -5)},
			"journal_lines_same_transaction"},
		// Another entry in the same transaction does not rescue an unbalanced one.
		{"two entries that balance only together", []string{fmt.Sprintf(entry, 5), fmt.Sprintf(entry, 6),
			fmt.Sprintf(line, 5, 1, "bank", -100), fmt.Sprintf(line, 5, 2, "bijstand_expense", 50),
			fmt.Sprintf(line, 6, 1, "bank", 100), fmt.Sprintf(line, 6, 2, "bijstand_expense", -50)},
			"journal_entries_balanced"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := b.exec(b.d.App, tc.stmts...)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("err = %v, want a commit", err)
				}
				return
			}
			if code, constraint := pgCode(err); code != "23514" || constraint != tc.want {
				t.Errorf("err = %v (code %s, constraint %s), want 23514 from %s", err, code, constraint, tc.want)
			}
		})
	}
	if got := b.count(t, b.ctx, "SELECT count(*) FROM journal_entries"); got != 1 {
		t.Errorf("entries = %d, want 1 (the balanced one)", got)
	}
	if got := b.count(t, b.ctx, "SELECT count(*) FROM journal_lines"); got != 2 {
		t.Errorf("lines = %d, want 2", got)
	}
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
			"DELETE FROM journal_entries",
			"TRUNCATE journal_entries CASCADE",
			"UPDATE journal_lines SET amount_cents = amount_cents * 2",
			"DELETE FROM journal_lines",
			"TRUNCATE journal_lines",
			"UPDATE ledger_accounts SET kind = 'asset'",
			"DELETE FROM ledger_accounts",
			"TRUNCATE ledger_accounts CASCADE",
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
	}
	// The application may only read and insert.
	var granted []string
	err := b.do(b.ctx, func(ctx context.Context, tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `
			SELECT t || ' ' || p FROM unnest(ARRAY['ledger_accounts', 'journal_entries', 'journal_lines']) t,
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
	if got := b.balance(t, ledger.BijstandExpense, day("2026-12-31")); got != 651_50 {
		t.Errorf("balance after refused changes = %d, want 65150", got)
	}
	if got := b.count(t, b.ctx, "SELECT count(*) FROM journal_lines"); got != 3 {
		t.Errorf("lines = %d, want 3", got)
	}
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
	if got := b.count(t, b.ctx, "SELECT count(*) FROM journal_entries"); got != 1 {
		t.Errorf("entries = %d, want 1", got)
	}
	if got := b.count(t, b.ctx, "SELECT count(*) FROM journal_lines"); got != 3 {
		t.Errorf("lines = %d, want 3", got)
	}
	if got := b.balance(t, rAcc, day("2026-01-31")); got != -620_23 {
		t.Errorf("balance = %d, want -62023", got)
	}
}

func TestIdempotencyConflict(t *testing.T) {
	t.Parallel()
	b := setup(t)
	e := grant("run-1:grant", day("2026-01-31"))
	b.post(t, e)
	change := func(f func(e *ledger.Entry)) ledger.Entry {
		c := e
		c.Lines = append([]ledger.Line(nil), e.Lines...)
		f(&c)
		return c
	}
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
			err := b.do(b.ctx, func(ctx context.Context, tx pgx.Tx) error {
				_, _, err := ledger.Post(ctx, tx, tc.e)
				return err
			})
			if !errors.Is(err, ledger.ErrIdempotencyConflict) {
				t.Errorf("err = %v, want ErrIdempotencyConflict", err)
			}
		})
	}
	if got := b.count(t, b.ctx, "SELECT count(*) FROM journal_lines"); got != 3 {
		t.Errorf("lines = %d, want 3", got)
	}
}

func TestCorrect(t *testing.T) {
	t.Parallel()
	b := setup(t)
	jan31, feb5 := day("2026-01-31"), day("2026-02-05")
	b.post(t, ledger.Entry{IdempotencyKey: "earlier", BookedOn: day("2026-01-01"), Description: "Eerder", Source: "settlement:run-0",
		Lines: []ledger.Line{{Account: ledger.BijstandExpense, Amount: 10_00}, {Account: ledger.VakantietoeslagReserve, Amount: -48}, {Account: rAcc, Amount: -9_52}}})
	before := map[string]money.Cents{ledger.BijstandExpense: 10_00, ledger.VakantietoeslagReserve: -48, rAcc: -9_52}
	for code, want := range before {
		if got := b.balance(t, code, feb5); got != want {
			t.Fatalf("balance of %s before = %d, want %d", code, got, want)
		}
	}
	wrong := b.post(t, grant("run-1:grant", jan31))

	var corr int64
	err := b.do(b.ctx, func(ctx context.Context, tx pgx.Tx) (err error) {
		var created bool
		corr, created, err = ledger.Correct(ctx, tx, wrong, "run-1:grant:correction", "Verkeerde norm", feb5)
		if err == nil && !created {
			t.Error("correction: created false, want true")
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}

	for code, want := range before {
		if got := b.balance(t, code, feb5); got != want {
			t.Errorf("balance of %s after the correction = %d, want %d as before", code, got, want)
		}
	}
	// The history up to the original's date is not rewritten.
	if got := b.balance(t, rAcc, jan31); got != -629_75 {
		t.Errorf("balance of %s as of %s = %d, want -62975", rAcc, jan31.Format(time.DateOnly), got)
	}

	err = b.do(b.ctx, func(ctx context.Context, tx pgx.Tx) error {
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
	if err != nil {
		t.Fatal(err)
	}
	if got := b.count(t, b.ctx, "SELECT count(*) FROM journal_entries"); got != 3 {
		t.Errorf("entries = %d, want 3", got)
	}
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
		if got := b.balance(t, ledger.BijstandExpense, tc.asOf); got != tc.want {
			t.Errorf("Balance as of %s = %d, want %d", tc.asOf, got, tc.want)
		}
		if got := b.balance(t, ledger.Bank, tc.asOf); got != -tc.want {
			t.Errorf("Balance of bank as of %s = %d, want %d", tc.asOf, got, -tc.want)
		}
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
	err := b.do(b.ctx, func(ctx context.Context, tx pgx.Tx) error {
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
	if err != nil {
		t.Fatal(err)
	}
}

func TestTenantIsolation(t *testing.T) {
	t.Parallel()
	b := setup(t)
	id := b.post(t, grant("run-1:grant", day("2026-01-31")))
	ctxZ := tenant.WithID(context.Background(), zwolle)
	asOf := day("2026-12-31")

	err := b.do(ctxZ, func(ctx context.Context, tx pgx.Tx) error {
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
	if err != nil {
		t.Fatal(err)
	}

	// Posting for enschede in a zwolle transaction: refused by row-level security.
	err = b.do(ctxZ, func(ctx context.Context, tx pgx.Tx) error {
		_, _, err := ledger.Post(b.ctx, tx, grant("run-9", asOf))
		return err
	})
	if code, _ := pgCode(err); code != "42501" {
		t.Errorf("enschede entry in a zwolle transaction: err = %v, want 42501", err)
	}
	// Lines into enschede's entry, by SQL from zwolle: as enschede's rows they break
	// the policy; as zwolle's they reference an entry zwolle does not have.
	for _, sql := range []string{
		fmt.Sprintf(`INSERT INTO journal_lines VALUES ('enschede', %d, 9, 'bank', '2026-01-31', 1)`, id),
		fmt.Sprintf(`INSERT INTO journal_lines VALUES ('zwolle', %d, 9, 'bank', '2026-01-31', 1)`, id),
	} {
		err := db.InTenant(ctxZ, b.d.App, func(ctx context.Context, tx pgx.Tx) error {
			_, err := tx.Exec(ctx, sql)
			return err
		})
		if err == nil {
			t.Errorf("%s from zwolle succeeded, want refused", sql)
		}
	}

	// Keys are per tenant: zwolle's own entry under the same key is its own.
	err = b.do(ctxZ, func(ctx context.Context, tx pgx.Tx) error {
		zid, created, err := ledger.Post(ctx, tx, grant("run-1:grant", day("2026-01-31")))
		if err == nil && (!created || zid == id) {
			t.Errorf("zwolle post under enschede's key: id %d created %v, want a new entry", zid, created)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := b.balance(t, rAcc, asOf); got != -620_23 {
		t.Errorf("enschede balance = %d, want -62023 (untouched by zwolle)", got)
	}
	if got := b.count(t, b.ctx, "SELECT count(*) FROM journal_entries"); got != 1 {
		t.Errorf("enschede entries = %d, want 1", got)
	}
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
	if got := b.count(t, b.ctx, "SELECT count(*) FROM journal_entries"); got != 1 {
		t.Errorf("entries = %d, want 1", got)
	}
	if got := b.count(t, b.ctx, "SELECT count(*) FROM journal_lines"); got != 3 {
		t.Errorf("lines = %d, want 3", got)
	}
	if got := b.balance(t, rAcc, day("2026-01-31")); got != -620_23 {
		t.Errorf("balance = %d, want -62023", got)
	}
}
