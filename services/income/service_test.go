package income_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/plein-nl/plein/platform/httpapi/httpapitest"
	"github.com/plein-nl/plein/platform/money"
	"github.com/plein-nl/plein/platform/tenant"
	"github.com/plein-nl/plein/services/income"
)

// noIncome2026 is a 2026 single month without income: norm 1401.50 (art. 21 a),
// reserve round(4.8 % × 1401.50 = 67.272) = 67.27, payout 1401.50 − 67.27 = 1334.23.
var noIncome2026 = figures{Norm: 140150, Bijstand: 140150, Reserve: 6727, Payout: 133423}

func TestPayslipCountsInTheMonthItWasPaid(t *testing.T) {
	t.Parallel()
	b, id := setupResident(t)
	ctx := context.Background()

	// February's wage, net 1000.00, paid 2026-03-05: counts in March.
	feb := b.submit(t, enschede, id, slip("Albert Heijn", 100000))
	// March's wage, net 500.00, paid 2026-04-02: counts in April, not in March.
	mar := slip("Albert Heijn", 50000)
	mar.PeriodStart, mar.PeriodEnd, mar.PayDate = date("2026-03-01"), date("2026-03-31"), date("2026-04-02")
	apr := b.submit(t, enschede, id, mar)

	tests := []struct {
		period   string
		want     figures
		payslips []string
		payDate  string
	}{
		// docs/domain.md §2 worked example with March's norm: 25 % of 1000.00 = 250.00 (n,
		// age 35, 0 months used, under the 285.00 cap); counted 750.00; bijstand
		// 1401.50 − 750.00 = 651.50; reserve round(4.8 % × 651.50 = 31.272) = 31.27;
		// payout 651.50 − 31.27 = 620.23. Paid on the 25th, a Wednesday.
		{"2026-03", figures{Norm: 140150, Income: 100000, Vrijlating: 25000, Counted: 75000, Bijstand: 65150, Reserve: 3127, Payout: 62023},
			[]string{feb.ID}, "2026-03-25"},
		// Nothing was paid in February.
		{"2026-02", noIncome2026, nil, "2026-02-25"},
		// 25 % of 500.00 = 125.00; counted 375.00; bijstand 1026.50; reserve
		// round(49.272) = 49.27; payout 977.23. The 25th is a Saturday: Friday the 24th.
		{"2026-04", figures{Norm: 140150, Income: 50000, Vrijlating: 12500, Counted: 37500, Bijstand: 102650, Reserve: 4927, Payout: 97723},
			[]string{apr.ID}, "2026-04-24"},
	}
	for _, tt := range tests {
		t.Run(tt.period, func(t *testing.T) {
			m, err := b.svc.Month(ctx, enschede, id, period(tt.period))
			if err != nil {
				t.Fatal(err)
			}
			if got := figuresOf(m.Result); got != tt.want {
				t.Errorf("month %s:\n got %+v\nwant %+v", tt.period, got, tt.want)
			}
			var got []string
			for _, p := range m.Payslips {
				got = append(got, p.ID)
			}
			if strings.Join(got, ",") != strings.Join(tt.payslips, ",") {
				t.Errorf("payslips of %s = %v, want %v", tt.period, got, tt.payslips)
			}
			if got := m.PayDate.Format(time.DateOnly); got != tt.payDate {
				t.Errorf("pay date of %s = %s, want %s", tt.period, got, tt.payDate)
			}
			slips, err := b.svc.Payslips(ctx, enschede, id, period(tt.period))
			if err != nil {
				t.Fatal(err)
			}
			if len(slips) != len(tt.payslips) {
				t.Errorf("Payslips(%s) has %d, want %d", tt.period, len(slips), len(tt.payslips))
			}
		})
	}
}

func TestSubmitPayslipStoresWhatWasHandedIn(t *testing.T) {
	t.Parallel()
	b, id := setupResident(t)
	in := slip("  Albert Heijn  ", 100000)
	in.PDF, in.PDFName = []byte("%PDF-1.7\n%…"), "februari.pdf"
	got := b.submit(t, enschede, id, in)

	slips, err := b.svc.Payslips(context.Background(), enschede, id, period("2026-03"))
	if err != nil {
		t.Fatal(err)
	}
	if len(slips) != 1 {
		t.Fatalf("Payslips = %d, want 1", len(slips))
	}
	p := slips[0]
	want := income.Payslip{ID: got.ID, ResidentID: id, Applicant: 0, Employer: "Albert Heijn",
		PeriodStart: date("2026-02-01"), PeriodEnd: date("2026-02-28"), Gross: 120000, Net: 100000, HoursCenti: 8000,
		PayDate: date("2026-03-05"), Source: income.SourceResident, HasPDF: true, CreatedAt: p.CreatedAt, Actor: "digid:test"}
	if !p.PeriodStart.Equal(want.PeriodStart) || !p.PeriodEnd.Equal(want.PeriodEnd) || !p.PayDate.Equal(want.PayDate) {
		t.Errorf("dates = %v %v %v, want %v %v %v", p.PeriodStart, p.PeriodEnd, p.PayDate, want.PeriodStart, want.PeriodEnd, want.PayDate)
	}
	p.PeriodStart, p.PeriodEnd, p.PayDate = want.PeriodStart, want.PeriodEnd, want.PayDate
	if p != want {
		t.Errorf("stored payslip:\n got %+v\nwant %+v", p, want)
	}
	if got.Employer != want.Employer || got.Source != want.Source || !got.HasPDF || got.Supersedes != "" {
		t.Errorf("returned payslip = %+v, want employer %q, source %q, a PDF, no supersedes", got, want.Employer, want.Source)
	}
}

func TestCorrectionReplacesPayslipOfSameEmployerApplicantAndPeriod(t *testing.T) {
	t.Parallel()
	b, id := setupResident(t)
	ctx := context.Background()
	march := period("2026-03")

	first := b.submit(t, enschede, id, slip("Albert Heijn B.V.", 100000))
	// The same employer, written differently, the same period: a correction, net 800.00.
	corr := slip("  albert   HEIJN b.v. ", 80000)
	corr.PayDate = date("2026-03-06")
	second := b.submit(t, enschede, id, corr)
	if second.Supersedes != first.ID {
		t.Errorf("correction supersedes %q, want %q", second.Supersedes, first.ID)
	}
	slips, err := b.svc.Payslips(ctx, enschede, id, march)
	if err != nil {
		t.Fatal(err)
	}
	if len(slips) != 1 || slips[0].ID != second.ID || slips[0].Supersedes != first.ID || slips[0].Net != 80000 {
		t.Fatalf("Payslips after correction = %+v, want only %s (net 80000, supersedes %s)", slips, second.ID, first.ID)
	}
	if all, current := b.countPayslips(t, enschede); all != 2 || current != 1 {
		t.Errorf("rows = %d (%d current), want 2 (1 current): the corrected one stays for the record", all, current)
	}
	m, err := b.svc.Month(ctx, enschede, id, march)
	if err != nil {
		t.Fatal(err)
	}
	// 25 % of 800.00 = 200.00; counted 600.00; bijstand 801.50; reserve
	// round(4.8 % × 801.50 = 38.472) = 38.47; payout 763.03.
	want := figures{Norm: 140150, Income: 80000, Vrijlating: 20000, Counted: 60000, Bijstand: 80150, Reserve: 3847, Payout: 76303}
	if got := figuresOf(m.Result); got != want {
		t.Errorf("month after correction:\n got %+v\nwant %+v", got, want)
	}

	// Another period of the same employer (a weekly slip, paid in March) and another
	// employer for the same period are new payslips, not corrections.
	week := slip("Albert Heijn B.V.", 20000)
	week.PeriodStart, week.PeriodEnd, week.PayDate = date("2026-03-02"), date("2026-03-08"), date("2026-03-09")
	w := b.submit(t, enschede, id, week)
	j := b.submit(t, enschede, id, slip("Jumbo", 10000))
	if w.Supersedes != "" || j.Supersedes != "" {
		t.Errorf("supersedes = %q, %q; want none", w.Supersedes, j.Supersedes)
	}
	slips, err = b.svc.Payslips(ctx, enschede, id, march)
	if err != nil {
		t.Fatal(err)
	}
	if len(slips) != 3 {
		t.Fatalf("Payslips = %d, want 3", len(slips))
	}
	m, err = b.svc.Month(ctx, enschede, id, march)
	if err != nil {
		t.Fatal(err)
	}
	// Net 800 + 200 + 100 = 1100.00; 25 % = 275.00 (under the 285.00 cap); counted
	// 825.00; bijstand 576.50; reserve round(27.672) = 27.67; payout 548.83.
	want = figures{Norm: 140150, Income: 110000, Vrijlating: 27500, Counted: 82500, Bijstand: 57650, Reserve: 2767, Payout: 54883}
	if got := figuresOf(m.Result); got != want {
		t.Errorf("month with three payslips:\n got %+v\nwant %+v", got, want)
	}
}

func TestCorrectionIsPerApplicant(t *testing.T) {
	t.Parallel()
	b := setup(t)
	id := b.resident(t, enschede, couple())
	own := b.submit(t, enschede, id, slip("Jumbo", 60000))
	p := slip("Jumbo", 40000)
	p.Applicant = 1
	partner := b.submit(t, enschede, id, p)
	if partner.Supersedes != "" {
		t.Errorf("the partner's payslip supersedes %q, want none (own is %s)", partner.Supersedes, own.ID)
	}
	m, err := b.svc.Month(context.Background(), enschede, id, period("2026-03"))
	if err != nil {
		t.Fatal(err)
	}
	// Couple norm 2002.13 (21 b). Each applicant has their own vrijlating: 25 % of
	// 600.00 = 150.00 and 25 % of 400.00 = 100.00. Counted 1000.00 − 250.00 = 750.00;
	// bijstand 1252.13; reserve round(4.8 % × 1252.13 = 60.10224) = 60.10; payout 1192.03.
	want := figures{Norm: 200213, Income: 100000, Vrijlating: 25000, Counted: 75000, Bijstand: 125213, Reserve: 6010, Payout: 119203}
	if got := figuresOf(m.Result); got != want {
		t.Errorf("couple's month:\n got %+v\nwant %+v", got, want)
	}
}

func TestSubmitPayslipValidation(t *testing.T) {
	t.Parallel()
	b, id := setupResident(t)
	// The clock says 2026-03-10: a month ahead is 2026-04-10.
	tests := []struct {
		name   string
		change func(p *income.NewPayslip)
		fields []string // nil: valid
	}{
		{"valid", func(p *income.NewPayslip) {}, nil},
		{"missing employer", func(p *income.NewPayslip) { p.Employer = "  " }, []string{"employer"}},
		{"employer too long", func(p *income.NewPayslip) { p.Employer = strings.Repeat("a", 201) }, []string{"employer"}},
		{"period end before start", func(p *income.NewPayslip) { p.PeriodEnd = date("2026-01-31") }, []string{"period_end"}},
		{"period longer than 35 days", func(p *income.NewPayslip) { p.PeriodStart = date("2026-01-01") }, []string{"period_end"}},
		{"pay date a month ahead", func(p *income.NewPayslip) {
			p.PeriodStart, p.PeriodEnd, p.PayDate = date("2026-03-01"), date("2026-03-31"), date("2026-04-10")
		}, nil},
		{"pay date more than a month ahead", func(p *income.NewPayslip) {
			p.PeriodStart, p.PeriodEnd, p.PayDate = date("2026-03-01"), date("2026-03-31"), date("2026-04-11")
		}, []string{"pay_date"}},
		{"missing pay date", func(p *income.NewPayslip) { p.PayDate = time.Time{} }, []string{"pay_date"}},
		{"net above gross", func(p *income.NewPayslip) { p.Gross, p.Net = 99999, 100000 }, []string{"net_cents"}},
		{"negative gross", func(p *income.NewPayslip) { p.Gross, p.Net = -1, 0 }, []string{"gross_cents", "net_cents"}},
		{"negative net", func(p *income.NewPayslip) { p.Net = -1 }, []string{"net_cents"}},
		{"hours above 744", func(p *income.NewPayslip) { p.HoursCenti = 74401 }, []string{"hours"}},
		{"744 hours", func(p *income.NewPayslip) { p.HoursCenti = 74400 }, nil},
		{"negative hours", func(p *income.NewPayslip) { p.HoursCenti = -1 }, []string{"hours"}},
		{"partner of a single", func(p *income.NewPayslip) { p.Applicant = 1 }, []string{"applicant"}},
		{"not a PDF", func(p *income.NewPayslip) { p.PDF = []byte("<html>loonstrook</html>") }, []string{"pdf"}},
		{"PDF over 5 MB", func(p *income.NewPayslip) {
			p.PDF = append([]byte("%PDF-1.7\n"), make([]byte, 5<<20)...)
		}, []string{"pdf"}},
		{"everything wrong at once", func(p *income.NewPayslip) {
			p.Employer, p.HoursCenti, p.Applicant = "", 80000, 2
		}, []string{"applicant", "employer", "hours"}},
	}
	stored := 0
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := slip("Albert Heijn", 100000)
			// Every valid case is its own employer, so that none corrects another.
			p.Employer += " " + tt.name
			tt.change(&p)
			before, _ := b.countPayslips(t, enschede)
			_, err := b.svc.SubmitPayslip(context.Background(), enschede, id, p, income.SourceResident)
			after, _ := b.countPayslips(t, enschede)
			if tt.fields == nil {
				if err != nil {
					t.Fatalf("err = %v, want nil", err)
				}
				stored++
				if after != before+1 {
					t.Errorf("rows %d → %d, want one more", before, after)
				}
				return
			}
			httpapitest.CheckValidation(t, err, tt.fields)
			if !errors.Is(err, income.ErrInvalid) {
				t.Fatalf("err = %v, want a *ValidationError wrapping ErrInvalid", err)
			}
			if after != before {
				t.Errorf("rows %d → %d, want nothing stored", before, after)
			}
		})
	}
	b.wantStored(t, enschede, stored, "the valid cases only")
}

func TestSubmitPayslipUnknownResident(t *testing.T) {
	t.Parallel()
	b := setup(t)
	_, err := b.svc.SubmitPayslip(context.Background(), enschede, "00000000-0000-4000-8000-000000000000", slip("Jumbo", 1000), income.SourceResident)
	if !errors.Is(err, income.ErrNotFound) {
		t.Errorf("err = %v, want ErrNotFound", err)
	}
}

func TestWhatIf(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	single := b.resident(t, enschede, single(bsnResident))
	// A payslip of applicant 0 that the planned job replaces.
	b.submit(t, enschede, single, slip("Albert Heijn", 100000))
	cpl := b.resident(t, zwolle, couple())
	p := slip("Jumbo", 40000)
	p.Applicant = 1
	b.submit(t, zwolle, cpl, p)

	// 16 hours a week at 14.71: 1471 ct × 1600 centi-hours × 13 weeks / (100 × 3
	// months) = 30,596,800 / 300 = 101,989.33 → 1019.89.
	job := income.WhatIf{HoursPerWeekCenti: 1600, HourlyWage: 1471}
	if got, want := job.MonthlyGross(), money.Cents(101989); got != want {
		t.Errorf("MonthlyGross = %d, want %d", got, want)
	}
	tests := []struct {
		name     string
		tn       tenant.ID
		resident string
		w        income.WhatIf
		want     figures
	}{
		// Work income 1019.89 instead of the 1000.00 payslip: 25 % = 254.9725 →
		// 254.97; counted 764.92; bijstand 636.58; reserve round(30.55584) = 30.56;
		// payout 606.02.
		{"gross estimate replaces own payslips", enschede, single, job,
			figures{Norm: 140150, Income: 101989, Vrijlating: 25497, Counted: 76492, Bijstand: 63658, Reserve: 3056, Payout: 60602}},
		// A given net of 800.00: 25 % = 200.00; counted 600.00; bijstand 801.50;
		// reserve 38.47; payout 763.03.
		{"given net overrides", enschede, single, income.WhatIf{HoursPerWeekCenti: 1600, HourlyWage: 1471, Net: 80000},
			figures{Norm: 140150, Income: 80000, Vrijlating: 20000, Counted: 60000, Bijstand: 80150, Reserve: 3847, Payout: 76303}},
		// A couple: the partner's 400.00 stays (vrijlating 100.00), the resident's job
		// adds 1019.89 (vrijlating 254.97): income 1419.89, vrijlating 354.97, counted
		// 1064.92; bijstand 2002.13 − 1064.92 = 937.21; reserve round(44.98608) =
		// 44.99; payout 892.22.
		{"partner's payslips stay", zwolle, cpl, job,
			figures{Norm: 200213, Income: 141989, Vrijlating: 35497, Counted: 106492, Bijstand: 93721, Reserve: 4499, Payout: 89222}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := b.svc.WhatIf(ctx, tt.tn, tt.resident, period("2026-03"), tt.w)
			if err != nil {
				t.Fatal(err)
			}
			if got := figuresOf(m.Result); got != tt.want {
				t.Errorf("what if:\n got %+v\nwant %+v", got, tt.want)
			}
		})
	}
	// The preview changes nothing: the month still counts the payslip.
	m, err := b.svc.Month(ctx, enschede, single, period("2026-03"))
	if err != nil {
		t.Fatal(err)
	}
	if m.Result.Payout != 62023 {
		t.Errorf("payout after a what-if = %d, want 62023 (unchanged)", m.Result.Payout)
	}
}

func TestWhatIfValidation(t *testing.T) {
	t.Parallel()
	b, id := setupResident(t)
	tests := []struct {
		name   string
		w      income.WhatIf
		fields []string
	}{
		{"no hours", income.WhatIf{HourlyWage: 1471}, []string{"hours"}},
		{"negative hours", income.WhatIf{HoursPerWeekCenti: -100, HourlyWage: 1471}, []string{"hours"}},
		{"over 60 hours", income.WhatIf{HoursPerWeekCenti: 6001, HourlyWage: 1471}, []string{"hours"}},
		{"no wage", income.WhatIf{HoursPerWeekCenti: 1600}, []string{"wage"}},
		{"wage over 200.00", income.WhatIf{HoursPerWeekCenti: 1600, HourlyWage: 20001}, []string{"wage"}},
		{"both", income.WhatIf{}, []string{"hours", "wage"}},
		{"negative net", income.WhatIf{HoursPerWeekCenti: 1600, HourlyWage: 1471, Net: -1}, []string{"net"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := b.svc.WhatIf(context.Background(), enschede, id, period("2026-03"), tt.w)
			httpapitest.CheckValidation(t, err, tt.fields)
		})
	}
}

func TestTenantIsolation(t *testing.T) {
	t.Parallel()
	b, id := setupResident(t)
	ctx := context.Background()
	b.submit(t, enschede, id, slip("Albert Heijn", 100000))
	march := period("2026-03")

	slips, err := b.svc.Payslips(ctx, zwolle, id, march)
	if err != nil || len(slips) != 0 {
		t.Errorf("Payslips via zwolle = %v, %v; want none", slips, err)
	}
	if _, err := b.svc.Month(ctx, zwolle, id, march); !errors.Is(err, income.ErrNotFound) {
		t.Errorf("Month via zwolle: err = %v, want ErrNotFound", err)
	}
	if _, err := b.svc.WhatIf(ctx, zwolle, id, march, income.WhatIf{HoursPerWeekCenti: 1600, HourlyWage: 1471}); !errors.Is(err, income.ErrNotFound) {
		t.Errorf("WhatIf via zwolle: err = %v, want ErrNotFound", err)
	}
	if _, err := b.svc.SubmitPayslip(ctx, zwolle, id, slip("Jumbo", 1000), income.SourceResident); !errors.Is(err, income.ErrNotFound) {
		t.Errorf("SubmitPayslip via zwolle: err = %v, want ErrNotFound", err)
	}
	b.wantStored(t, zwolle, 0, "none of zwolle's")
	b.wantStored(t, enschede, 1, "the one of enschede")
	// Enschede still sees its own.
	if slips, err := b.svc.Payslips(ctx, enschede, id, march); err != nil || len(slips) != 1 {
		t.Errorf("Payslips via enschede = %d, %v; want 1", len(slips), err)
	}
	// An invalid tenant is refused before anything runs.
	if _, err := b.svc.Payslips(ctx, "", id, march); err == nil {
		t.Error("Payslips with an empty tenant: err = nil, want an error")
	}
}

func TestConcurrentCorrectionsLeaveOneCurrent(t *testing.T) {
	t.Parallel()
	b, id := setupResident(t)
	const n = 20
	errs := make(chan error, n)
	start := make(chan struct{})
	for i := range n {
		go func() {
			<-start
			_, err := b.svc.SubmitPayslip(context.Background(), enschede, id, slip("Albert Heijn", money.Cents(50000+i)), income.SourceResident)
			errs <- err
		}()
	}
	close(start)
	for range n {
		// Every submit is a payslip or a correction of one: none may fail.
		if err := <-errs; err != nil {
			t.Errorf("concurrent submit: %v", err)
		}
	}
	all, current := b.countPayslips(t, enschede)
	if all != n || current != 1 {
		t.Errorf("rows = %d (%d current), want %d (1 current)", all, current, n)
	}
	slips, err := b.svc.Payslips(context.Background(), enschede, id, period("2026-03"))
	if err != nil || len(slips) != 1 {
		t.Fatalf("Payslips = %v, %v; want 1", slips, err)
	}
	// The corrections form one chain: each superseded row is superseded exactly once.
	chained := b.d.Count(t, enschede, `SELECT count(DISTINCT supersedes) FROM payslips WHERE supersedes IS NOT NULL`)
	if chained != n-1 {
		t.Errorf("distinct superseded payslips = %d, want %d", chained, n-1)
	}
}
