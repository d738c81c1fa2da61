package caseload_test

import (
	"context"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/plein-nl/plein/platform/bijstand"
	"github.com/plein-nl/plein/services/residents/residentstest"
	"github.com/plein-nl/plein/services/settlement"
)

// TestFinalRunOfStaleMonthNeedsAcknowledgement: the law data stops at the file of
// 1 January 2026, whose next indexation was due on 1 July 2026. June settles as final
// without a word; July's final run is refused without the acknowledgement, naming the
// file, the due date and the flag, and starts nothing; a dry-run of July is not
// refused but flagged; with the acknowledgement July's run is final, computed with the
// January norms, and records who acknowledged it.
func TestFinalRunOfStaleMonthNeedsAcknowledgement(t *testing.T) {
	t.Parallel()
	b := setupSettle(t)
	b.clock.Set(time.Date(2026, 6, 5, 10, 0, 0, 0, time.UTC))
	fatima := b.resident(t, zwolle, residentstest.Single("999993653")) // born 1990-05-01, n 0
	jun, jul := bijstand.Period{Year: 2026, Month: time.June}, bijstand.Period{Year: 2026, Month: time.July}
	b.wage(t, fatima, jun, wageNet)
	june := b.settle(t, jun, false)
	b.wage(t, fatima, jul, wageNet)
	if june.StaleLawAcknowledgedBy != "" || june.Report.Law != (settlement.LawData{File: "data/2026-01-01.yaml",
		ValidFrom: "2026-01-01", NextIndexationDue: "2026-07-01"}) {
		t.Errorf("June: acknowledged by %q, law %+v; want none, not stale", june.StaleLawAcknowledgedBy, june.Report.Law)
	}

	runs := func() int {
		return b.d.Count(t, zwolle, `SELECT count(*) FROM settlement_runs WHERE period = '2026-07-01'`)
	}
	b.clock.Set(jul.PayDate(25).Add(9 * time.Hour))
	o := settlement.SettleOptions{Tenant: zwolle, Period: jul, Out: filepath.Join(t.TempDir(), "refused"),
		Starter: "consulent:alice", Approver: "admin:bob"}
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	err := settlement.Settle(ctx, b.svc, o, io.Discard, io.Discard)
	if !errors.Is(err, settlement.ErrStaleLaw) {
		t.Fatalf("final run of July without the acknowledgement: %v, want ErrStaleLaw", err)
	}
	for _, s := range []string{"2026-07", "platform/law/data/2026-01-01.yaml", "due on 2026-07-01", "--acknowledge-stale-law"} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("the refusal %q does not say %q", err, s)
		}
	}
	if n := runs(); n != 0 {
		t.Fatalf("the refused run left %d runs of July", n)
	}

	wantLaw := settlement.LawData{File: "data/2026-01-01.yaml", ValidFrom: "2026-01-01", NextIndexationDue: "2026-07-01", Stale: true}
	dry := b.settle(t, jul, true)
	if dry.Status != settlement.StatusDryRunDone || dry.Report.Law != wantLaw || dry.StaleLawAcknowledgedBy != "" {
		t.Errorf("dry-run of July: %s, law %+v, acknowledged by %q; want done, %+v, none", dry.Status, dry.Report.Law, dry.StaleLawAcknowledgedBy, wantLaw)
	}

	// b.settle acknowledges: the run goes on and records who acknowledged it.
	final := b.settle(t, jul, false)
	wantLaw.AcknowledgedBy = "consulent:alice"
	if final.Status != settlement.StatusFinal || final.StaleLawAcknowledgedBy != "consulent:alice" || final.Report.Law != wantLaw {
		t.Errorf("final run of July: %s, acknowledged by %q, law %+v; want final, consulent:alice, %+v",
			final.Status, final.StaleLawAcknowledgedBy, final.Report.Law, wantLaw)
	}
	// Computed with the norm of 1 January 2026 (1401.50), n vrijlating in its second
	// month: 1401.50 − (1200.00 − 285.00) = 486.50.
	if final.Report.BijstandCents != bijstandWithN || b.month(t, fatima, jul).Norm != 140150 {
		t.Errorf("July: bijstand %d, norm %d; want %d, 140150", final.Report.BijstandCents, b.month(t, fatima, jul).Norm, bijstandWithN)
	}
}
