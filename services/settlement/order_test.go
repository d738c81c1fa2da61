package settlement

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// TestStartOrder: a final run does not start while an earlier month's final run has
// not ended, nor for a month before one a run pays; a dry-run always does.
func TestStartOrder(t *testing.T) {
	t.Parallel()
	b := setupSettleWith(t, setup(t), nil)
	ctx := t.Context()
	marchRun, _, err := b.svc.Start(ctx, "zwolle", march, false, "staff:alice")
	if err != nil {
		t.Fatal(err)
	}
	b.clock.Set(time.Date(2026, 4, 24, 9, 0, 0, 0, time.UTC))
	april := march.Next()

	_, _, err = b.svc.Start(ctx, "zwolle", april, false, "staff:alice")
	if !errors.Is(err, ErrOutOfOrder) || !strings.Contains(err.Error(), "run "+marchRun.ID+" of 2026-03 is ") ||
		!strings.Contains(err.Error(), "the run of 2026-04 can start once it has ended") {
		t.Errorf("final April while March runs: %v; want %v naming run %s of 2026-03", err, ErrOutOfOrder, marchRun.ID)
	}
	if _, _, err := b.svc.Start(ctx, "zwolle", april, true, "staff:alice"); err != nil {
		t.Errorf("dry-run of April while March runs: %v", err)
	}

	if _, err := b.svc.Cancel(ctx, "zwolle", marchRun.ID, "staff:alice", "test"); err != nil {
		t.Fatal(err)
	}
	aprilRun, _, err := b.svc.Start(ctx, "zwolle", april, false, "staff:alice")
	if err != nil {
		t.Fatalf("final April once March is cancelled: %v", err)
	}
	_, _, err = b.svc.Start(ctx, "zwolle", march, false, "staff:alice")
	if !errors.Is(err, ErrOutOfOrder) || !strings.Contains(err.Error(), "run "+aprilRun.ID+" of the later month 2026-04 is ") {
		t.Errorf("final March with April's run on: %v; want %v naming run %s of 2026-04", err, ErrOutOfOrder, aprilRun.ID)
	}
	if _, _, err := b.svc.Start(ctx, "zwolle", march, true, "staff:alice"); err != nil {
		t.Errorf("dry-run of March with April's run on: %v", err)
	}
}
