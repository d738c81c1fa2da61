package income_test

import (
	"context"
	"errors"
	"testing"

	"github.com/plein-nl/plein/platform/httpapi"
	"github.com/plein-nl/plein/platform/money"
	"github.com/plein-nl/plein/services/income"
)

// TestCorrectionOfConsulentPayslip: a consulent's payslip is never replaced silently.
// A resident's correction waits (pending, not counted); a newer proposal replaces an
// older one; a decline needs a reason and leaves the consulent's payslip counting; a
// consulent's own correction replaces at once; every act is audited with its actor.
func TestCorrectionOfConsulentPayslip(t *testing.T) {
	t.Parallel()
	b, id := setupResident(t)
	ctx := context.Background()
	cons := slip("Jumbo", 150000)
	orig := b.submitConsulent(t, enschede, id, cons)
	counted := func() money.Cents {
		t.Helper()
		slips, err := b.svc.Payslips(ctx, enschede, id, period("2026-03"))
		if err != nil {
			t.Fatal(err)
		}
		var net money.Cents
		for _, p := range slips {
			net += p.Net
		}
		return net
	}
	first := b.submit(t, enschede, id, slip("jumbo", 90000)) // the same employer, differently typed
	second := b.submit(t, enschede, id, slip("Jumbo", 80000))
	if first.Review != income.ReviewPending || second.Review != income.ReviewPending || second.Supersedes != orig.ID {
		t.Fatalf("resident's corrections: %q, %q (supersedes %q); want pending, pending, %s", first.Review, second.Review, second.Supersedes, orig.ID)
	}
	if got := counted(); got != 150000 {
		t.Errorf("counted while pending: %d, want the consulent's 150000", got)
	}
	// The first proposal gave way to the second.
	if _, err := b.svc.ReviewPayslip(ctx, enschede, id, first.ID, true, "", "consulent-2"); !errors.Is(err, income.ErrNotPending) {
		t.Errorf("confirm the replaced proposal: %v, want ErrNotPending", err)
	}
	var ve *httpapi.ValidationError
	if _, err := b.svc.ReviewPayslip(ctx, enschede, id, second.ID, false, " ", "consulent-2"); !errors.As(err, &ve) || ve.Fields[0].Field != "reason" {
		t.Errorf("decline without a reason: %v, want a field error on reason", err)
	}
	declined, err := b.svc.ReviewPayslip(ctx, enschede, id, second.ID, false, "Loonstrook hoort bij een andere maand", "consulent-2")
	if err != nil || declined.Review != income.ReviewDeclined {
		t.Fatalf("decline: %v, %q", err, declined.Review)
	}
	if got := counted(); got != 150000 {
		t.Errorf("counted after the decline: %d, want the consulent's 150000", got)
	}
	// A consulent corrects her own payslip at once.
	cons.Net, cons.Gross = 120000, 140000
	if p := b.submitConsulent(t, enschede, id, cons); p.Review != income.ReviewNone {
		t.Fatalf("consulent's correction: review %q, want none", p.Review)
	}
	if got := counted(); got != 120000 {
		t.Errorf("counted after the consulent's correction: %d, want 120000", got)
	}
	want := map[string]string{"payslip.submit": "consulent-1", "payslip.correct": "consulent-1",
		"payslip.correction.propose": "digid:test", "payslip.correction.decline": "consulent-2"}
	for action, actor := range want {
		rows := b.auditRows(t, enschede, action)
		if len(rows) == 0 || rows[0].Actor != actor {
			t.Errorf("audit %s: %+v, want an entry by %s", action, rows, actor)
		}
	}
	if n := len(b.auditRows(t, enschede, "payslip.correction.propose")); n != 2 {
		t.Errorf("proposals audited: %d, want 2", n)
	}
}

// TestPayslipNeedsActor: a caller that does not say who hands a payslip in stores
// nothing.
func TestPayslipNeedsActor(t *testing.T) {
	t.Parallel()
	b, id := setupResident(t)
	p := slip("Jumbo", 1000)
	p.Actor = " "
	if _, err := b.svc.SubmitPayslip(context.Background(), enschede, id, p, income.SourceResident); !errors.Is(err, income.ErrInvalid) {
		t.Errorf("no actor: %v, want ErrInvalid", err)
	}
	b.wantStored(t, enschede, 0, "the payslip without an actor refused")
}

// TestCorrectionOfConfirmedOrEmployerPayslip: a resident's correction waits for a
// consulent too when it would replace a correction a consulent confirmed; and a typed
// employer name cannot pose as an employer partner's payslips ("partner:<id>").
func TestCorrectionOfConfirmedOrEmployerPayslip(t *testing.T) {
	t.Parallel()
	b, id := setupResident(t)
	ctx := context.Background()
	b.submitConsulent(t, enschede, id, slip("Jumbo", 150000))
	proposed := b.submit(t, enschede, id, slip("Jumbo", 90000))
	if _, err := b.svc.ReviewPayslip(ctx, enschede, id, proposed.ID, true, "", "consulent-1"); err != nil {
		t.Fatal(err)
	}
	again := b.submit(t, enschede, id, slip("Jumbo", 10000))
	if again.Review != income.ReviewPending {
		t.Errorf("a correction of the confirmed correction: review %q, want pending", again.Review)
	}
	var ve *httpapi.ValidationError
	for _, name := range []string{"partner:acme", "  Partner:ACME ", "PARTNER: acme"} {
		if _, err := b.svc.SubmitPayslip(ctx, enschede, id, slip(name, 1000), income.SourceResident); !errors.As(err, &ve) || ve.Fields[0].Field != "employer" {
			t.Errorf("employer name %q: %v, want a field error on employer", name, err)
		}
	}
}
