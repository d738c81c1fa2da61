package ledger_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/plein-nl/plein/platform/db"
	"github.com/plein-nl/plein/platform/db/dbtest"
	"github.com/plein-nl/plein/platform/ledger"
	"github.com/plein-nl/plein/platform/money"
	"github.com/plein-nl/plein/platform/tenant"
)

// Shape of services/settlement's posting (MonthEntries, then the payments): the
// residents' month in compound entries of settlementChunk residents each, then the
// payouts in entries of up to settlementPayChunk residents against the bank.
const (
	settlementChunk     = 2_500
	settlementPayChunk  = 50_000
	settlementCreditors = 80
)

// settlementShape returns the two batches services/settlement posts in one transaction
// for run: monthly compound entries (bijstand_expense debit, the reserve, gemeente
// claims and creditor credits, one credit per resident) and payment entries (one debit
// per resident, one bank credit).
func settlementShape(run string, on time.Time, residents []string) (month, pay []ledger.Entry) {
	for n, i := 1, 0; i < len(residents); n, i = n+1, i+settlementChunk {
		chunk := residents[i:min(i+settlementChunk, len(residents))]
		var expense money.Cents
		creditors := map[string]money.Cents{}
		lines := make([]ledger.Line, 0, len(chunk)+8)
		for j, r := range chunk {
			bijstand := money.Cents(1_300_00 + (i+j)%5_000)
			expense += bijstand
			creditors[ledger.CreditorAccount(fmt.Sprintf("creditor-%d", (i+j)%settlementCreditors))] -= 150_00
			lines = append(lines, ledger.Line{Account: ledger.ResidentAccount(r), Amount: -(bijstand - 62_00 - 20_00 - 150_00)})
		}
		shared := []ledger.Line{
			{Account: ledger.BijstandExpense, Amount: expense},
			{Account: ledger.VakantietoeslagReserve, Amount: -62_00 * money.Cents(len(chunk))},
			{Account: ledger.GemeenteClaims, Amount: -20_00 * money.Cents(len(chunk))},
		}
		for _, c := range slices.Sorted(func(yield func(string) bool) {
			for c := range creditors {
				if !yield(c) {
					return
				}
			}
		}) {
			shared = append(shared, ledger.Line{Account: c, Amount: creditors[c]})
		}
		month = append(month, ledger.Entry{
			IdempotencyKey: fmt.Sprintf("settlement:%s:month:%d", run, n),
			BookedOn:       on,
			Description:    fmt.Sprintf("Bijstand, deel %d (%d bewoners)", n, len(chunk)),
			Source:         "settlement:" + run,
			Lines:          append(shared, lines...),
		})
	}
	for n, i := 1, 0; i < len(residents); n, i = n+1, i+settlementPayChunk {
		chunk := residents[i:min(i+settlementPayChunk, len(residents))]
		lines := make([]ledger.Line, 0, len(chunk)+1)
		var total money.Cents
		for j, r := range chunk {
			a := money.Cents(1_300_00+(i+j)%5_000) - 62_00 - 20_00 - 150_00
			total += a
			lines = append(lines, ledger.Line{Account: ledger.ResidentAccount(r), Amount: a})
		}
		pay = append(pay, ledger.Entry{
			IdempotencyKey: fmt.Sprintf("settlement:%s:payment:%d", run, n),
			BookedOn:       on,
			Description:    fmt.Sprintf("Uitbetaling, bestand %d", n),
			Source:         "settlement:" + run,
			Lines:          append(lines, ledger.Line{Account: ledger.Bank, Amount: -total}),
		})
	}
	return month, pay
}

// BenchmarkPostBatchSettlementShape posts services/settlement's two batches for
// 100,000 residents in one transaction, as a first run does (the resident accounts are
// new: first-*) and as every later run does (they exist: next-*), and reports the
// seconds of each PostBatch and of the whole transaction with its commit.
func BenchmarkPostBatchSettlementShape(b *testing.B) {
	d := dbtest.New(b)
	dbtest.CreateTenants(b, d, enschede)
	ctx := tenant.WithID(context.Background(), enschede)
	rng := rand.New(rand.NewPCG(1, 2))
	residents := make([]string, benchResidents)
	for i := range residents {
		residents[i] = fmt.Sprintf("%08x-%04x-4%03x-%x%03x-%012x", rng.Uint32(), rng.Uint32()&0xffff,
			rng.Uint32()&0xfff, 8+rng.Uint32()%4, rng.Uint32()&0xfff, rng.Uint64()&0xffffffffffff)
	}
	run := func(m int) (month, pay, total time.Duration) {
		me, pe := settlementShape(fmt.Sprintf("run-%d", m), time.Date(2026, time.Month(m), 1, 0, 0, 0, 0, time.UTC), residents)
		start := time.Now()
		err := db.InTenant(ctx, d.App, func(ctx context.Context, tx pgx.Tx) error {
			if _, err := ledger.PostBatch(ctx, tx, me); err != nil {
				return err
			}
			month = time.Since(start)
			if _, err := ledger.PostBatch(ctx, tx, pe); err != nil {
				return err
			}
			pay = time.Since(start) - month
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		return month, pay, time.Since(start)
	}
	fm, fp, ft := run(1)
	var nm, np, nt time.Duration
	b.ResetTimer()
	for i := range b.N {
		m, p, t := run(2 + i)
		nm, np, nt = nm+m, np+p, nt+t
	}
	b.StopTimer()
	n := float64(b.N)
	b.ReportMetric(fm.Seconds(), "first-month-s")
	b.ReportMetric(fp.Seconds(), "first-pay-s")
	b.ReportMetric(ft.Seconds(), "first-total-s")
	b.ReportMetric(nm.Seconds()/n, "next-month-s")
	b.ReportMetric(np.Seconds()/n, "next-pay-s")
	b.ReportMetric(nt.Seconds()/n, "next-total-s")
}
