package ledger_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/plein-nl/plein/platform/db"
	"github.com/plein-nl/plein/platform/db/dbtest"
	"github.com/plein-nl/plein/platform/ledger"
	"github.com/plein-nl/plein/platform/money"
	"github.com/plein-nl/plein/platform/tenant"
)

// benchResidents is the size of a large gemeente's monthly settlement.
const benchResidents = 100_000

// settlement returns the entries of month m for n residents: six lines each, the shape
// of services/settlement's resident entry (bijstand, reserve, payout, a verrekening and
// two creditors paid on the resident's behalf).
func settlement(m, n int) []ledger.Entry {
	on := time.Date(2026, time.Month(m), 28, 0, 0, 0, 0, time.UTC)
	out := make([]ledger.Entry, n)
	for i := range n {
		bijstand := money.Cents(1_300_00 + i%5_000)
		lines := []ledger.Line{
			{Account: ledger.BijstandExpense, Amount: bijstand},
			{Account: ledger.VakantietoeslagReserve, Amount: -62_00},
			{Account: ledger.GemeenteClaims, Amount: -20_00},
			{Account: ledger.CreditorAccount(fmt.Sprintf("creditor-%d", i%50)), Amount: -150_00},
			{Account: ledger.CreditorAccount(fmt.Sprintf("creditor-%d", 50+i%30)), Amount: -45_00},
		}
		lines = append(lines, ledger.Line{Account: ledger.ResidentAccount(benchResident(i)), Amount: -(bijstand - 62_00 - 20_00 - 150_00 - 45_00)})
		out[i] = ledger.Entry{
			IdempotencyKey: fmt.Sprintf("settlement:2026-%02d:resident:%s", m, benchResident(i)),
			BookedOn:       on,
			Description:    fmt.Sprintf("Bijstand 2026-%02d", m),
			Source:         fmt.Sprintf("settlement:run-2026-%02d", m),
			Lines:          lines,
		}
	}
	return out
}

// benchResident is a resident id of the form migration 00002 accepts (a UUID v4).
func benchResident(i int) string { return fmt.Sprintf("%08x-0000-4000-8000-%012x", i, i) }

// BenchmarkPostBatch posts a monthly settlement of 100,000 entries of 6 lines in one
// transaction and, for scale, copies the same 100,000 + 600,000 rows (entries and
// lines) into plain tables without constraints, indexes, triggers or row-level
// security. It reports both times, each with its commit, and their ratio: what the
// ledger's rules cost over the bare write.
//
// A first month creates the 100,000 resident accounts and is reported apart
// (first-post-s); the timed months post to accounts that exist, as every month after
// the first does.
func BenchmarkPostBatch(b *testing.B) {
	d := dbtest.New(b)
	dbtest.CreateTenants(b, d, enschede)
	ctx := tenant.WithID(context.Background(), enschede)
	post := func(es []ledger.Entry) time.Duration {
		start := time.Now()
		err := db.InTenant(ctx, d.App, func(ctx context.Context, tx pgx.Tx) error {
			n, err := ledger.PostBatch(ctx, tx, es)
			if err == nil && n != len(es) {
				err = fmt.Errorf("posted %d entries, want %d", n, len(es))
			}
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
		return time.Since(start)
	}
	_, err := d.Owner.Exec(ctx, `
		CREATE TABLE bench_entries (tenant_id text, id bigint, idempotency_key text, booked_on date,
			description text, source text);
		CREATE TABLE bench_lines (tenant_id text, entry_id bigint, line_no integer, account_code text,
			booked_on date, amount_cents bigint)`)
	if err != nil {
		b.Fatal(err)
	}
	// copyRows writes the rows of es the way the ledger holds them, with COPY and nothing else.
	var nextID int64
	copyRows := func(es []ledger.Entry) time.Duration {
		entries := make([][]any, 0, len(es))
		lines := make([][]any, 0, 6*len(es))
		for _, e := range es {
			nextID++
			entries = append(entries, []any{string(enschede), nextID, e.IdempotencyKey, e.BookedOn, e.Description, e.Source})
			for j, l := range e.Lines {
				lines = append(lines, []any{string(enschede), nextID, int32(j + 1), l.Account, e.BookedOn, int64(l.Amount)})
			}
		}
		start := time.Now()
		tx, err := d.Owner.Begin(ctx)
		if err != nil {
			b.Fatal(err)
		}
		defer tx.Rollback(ctx) //nolint:errcheck // a no-op after Commit
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"bench_entries"},
			[]string{"tenant_id", "id", "idempotency_key", "booked_on", "description", "source"}, pgx.CopyFromRows(entries)); err != nil {
			b.Fatal(err)
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"bench_lines"},
			[]string{"tenant_id", "entry_id", "line_no", "account_code", "booked_on", "amount_cents"}, pgx.CopyFromRows(lines)); err != nil {
			b.Fatal(err)
		}
		if err := tx.Commit(ctx); err != nil {
			b.Fatal(err)
		}
		return time.Since(start)
	}

	first := post(settlement(1, benchResidents))
	var posting, copying time.Duration
	b.ResetTimer()
	for i := range b.N {
		b.StopTimer()
		es := settlement(2+i, benchResidents)
		b.StartTimer()
		// The bare COPY before and after the post, so that a machine busy with
		// something else for a while weighs on both sides of the ratio alike.
		copying += copyRows(es) / 2
		posting += post(es)
		copying += copyRows(es) / 2
	}
	b.StopTimer()
	n := float64(b.N)
	b.ReportMetric(first.Seconds(), "first-post-s")
	b.ReportMetric(posting.Seconds()/n, "post-s")
	b.ReportMetric(copying.Seconds()/n, "copy-s")
	b.ReportMetric(posting.Seconds()/copying.Seconds(), "ratio")
}
