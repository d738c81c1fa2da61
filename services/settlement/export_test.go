package settlement

import (
	"io"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/plein-nl/plein/platform/bijstand"
)

// The fixture's residents and what was set up for them, for the portal's test of the
// specificaties (specificatie_test.go, package settlement_test): the portal reads
// what a real final run stored.
const (
	ResA, ResB, ResC = resA, resB, resC
	// ResAInputs are A's stored inputs in the replay fixture (their SHA-256 is her receipt's).
	ResAInputs = resAInputs
	// ZorgpremieCents is A's zorgpremie, paid to the catalogue's zilveren-kruis.
	ZorgpremieCents = int64(zorgpremie)
	// BijstandSingle and ReserveSingle are the fixture's months of held payouts.
	BijstandSingle, ReserveSingle = int64(bijstandSingle), int64(reserveSingle)
)

// SettleMarchWithReceipts settles zwolle's March 2026 as final with receipts
// (replayBundle): A is single, born 1990-05-01, with € 300,00 net (€ 345,00 gross)
// from Bakkerij De Korf and her zorgpremie to zilveren-kruis (reference POL-111).
func SettleMarchWithReceipts(t *testing.T) *pgxpool.Pool {
	return settleFinal(t, replayBundle(t)).d.App
}

// SettleHeldThenReleased settles zwolle's January, February and March 2026 as final
// (setup's months, without receipts) with A's account number invalid until March:
// January and February hold her payout, March pays both as a nabetaling.
func SettleHeldThenReleased(t *testing.T) *pgxpool.Pool {
	sb, invalid := withInvalidA(t)
	for _, m := range []time.Month{time.January, time.February, time.March} {
		if m == time.March {
			invalid.Store(false)
		}
		o := SettleOptions{Tenant: "zwolle", Period: bijstand.Period{Year: 2026, Month: m}, Out: t.TempDir(),
			Starter: "cli:alice", Approver: "cli:bob"}
		if err := Settle(t.Context(), sb.svc, o, io.Discard, io.Discard); err != nil {
			t.Fatalf("settle %s: %v", o.Period, err)
		}
	}
	return sb.d.App
}
