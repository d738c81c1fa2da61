package portal

import (
	"strings"
	"testing"
	"time"

	"github.com/plein-nl/plein/platform/input"
)

// FuzzReadPayslip feeds the payslip form's fields to readPayslip. A field without an
// error holds a usable value (a named employer, a real date, an amount of more than
// 0 cents, net at most gross, hours of 0 or more); a field with an error is one whose
// own value, or its pair's order (period, net and gross), is wrong: a good field never
// carries another's error.
func FuzzReadPayslip(f *testing.F) {
	f.Add("Bakkerij De Korenschoof", "01-03-2026", "31-03-2026", "1.019,89", "850,00", "64", "25-03-2026")
	f.Add("Jansen B.V.", "2026-03-01", "2026-03-31", "1019.89", "850", "69,5", "2026-03-25")
	f.Add("  ", "31-02-2026", "1-3-2026", "0", "-5", "-1", "")
	f.Add("A\u200b", "31/3/2026", "1.3.2026", "€ 1.000,00", "1.000,01", "abc", "32-01-2026")
	f.Add("X", "01-04-2026", "01-03-2026", "99999999999999999999", "1,999", "1e3", "01-01-0000")
	f.Fuzz(func(t *testing.T, employer, start, end, gross, net, hours, payDate string) {
		view := &payslipView{Employer: &field{Name: "werkgever", Value: employer},
			PeriodStart: &field{Name: "periode_begin", Value: start}, PeriodEnd: &field{Name: "periode_eind", Value: end},
			Gross: &field{Name: "bruto", Value: gross}, Net: &field{Name: "netto", Value: net},
			Hours: &field{Name: "uren", Value: hours}, PayDate: &field{Name: "betaaldatum", Value: payDate}, PDF: &field{Name: "pdf"}}
		errs := &formErrors{lang: "nl", fields: view.ordered()}
		np := readPayslip(view, errs, "nl")
		if view.PDF.Error != "" {
			t.Fatalf("the PDF field got an error without a file: %q", view.PDF.Error)
		}
		if e := view.Employer.Error; e == "" && np.Employer == "" || e != "" && ownText(employer) {
			t.Fatalf("employer %q: error %q, read %q", employer, e, np.Employer)
		}
		checkDate(t, "period start", view.PeriodStart, np.PeriodStart, false)
		checkDate(t, "period end", view.PeriodEnd, np.PeriodEnd, !np.PeriodStart.IsZero() && np.PeriodEnd.Before(np.PeriodStart))
		checkDate(t, "pay date", view.PayDate, np.PayDate, false)
		_, grossMsg := parseAmount(gross)
		_, netMsg := parseAmount(net)
		if (view.Gross.Error != "") != (grossMsg != nil) || view.Gross.Error == "" && np.Gross <= 0 {
			t.Fatalf("gross %q: error %q, read %d", gross, view.Gross.Error, np.Gross)
		}
		netOrder := np.Gross > 0 && np.Net > np.Gross
		if (view.Net.Error != "") != (netMsg != nil || netOrder) || view.Net.Error == "" && np.Net <= 0 {
			t.Fatalf("net %q (gross %q): error %q, read %d", net, gross, view.Net.Error, np.Net)
		}
		if view.Hours.Error == "" && np.HoursCenti < 0 {
			t.Fatalf("hours %q read as %d", hours, np.HoursCenti)
		}
	})
}

// ownText reports whether the employer's name is one the form must accept.
func ownText(s string) bool {
	_, p := input.Text(s, 0)
	return p.Kind == input.OK
}

// checkDate checks a date field: an error exactly when the value is no date (or order
// is broken), and a real date when there is none.
func checkDate(t *testing.T, name string, f *field, got time.Time, order bool) {
	t.Helper()
	_, ok := parseDate(f.Value)
	if (f.Error != "") != (!ok || order) || f.Error == "" && got.IsZero() {
		t.Fatalf("%s %q: error %q, read %v", name, f.Value, f.Error, got)
	}
}

// FuzzReadWhatIf feeds the what-if form to readWhatIf: what it accepts is within the
// form's limits (hours per week over 0 and at most 60, a wage over € 0 and at most
// € 200 an hour, a net amount over 0 when given), and each error is on its own field.
func FuzzReadWhatIf(f *testing.F) {
	f.Add("16", "14,71", "")
	f.Add("32,5", "€ 20,00", "1.250,00")
	f.Add("0", "200,01", "-1")
	f.Add("60,01", "0,00", "abc")
	f.Add("", "", " ")
	f.Add("9223372036854775807", "1.000.000,00", "1,2,3")
	f.Fuzz(func(t *testing.T, hours, wage, net string) {
		view := &whatIfView{Hours: &field{Name: "uren", Value: hours}, Wage: &field{Name: "uurloon", Value: wage},
			Net: &field{Name: "netto", Value: net}}
		plan := readWhatIf(view, &formErrors{lang: "en", fields: []*field{view.Hours, view.Wage, view.Net}}, "en")
		if view.Hours.Error == "" && (plan.HoursPerWeekCenti <= 0 || plan.HoursPerWeekCenti > 6000) {
			t.Fatalf("hours %q accepted as %d", hours, plan.HoursPerWeekCenti)
		}
		if view.Wage.Error == "" && (plan.HourlyWage <= 0 || plan.HourlyWage > 20000) {
			t.Fatalf("wage %q accepted as %d", wage, plan.HourlyWage)
		}
		if view.Net.Error == "" && plan.Net < 0 {
			t.Fatalf("net %q accepted as %d", net, plan.Net)
		}
		if _, m := parseAmount(net); (view.Net.Error != "") != (m != nil && strings.TrimSpace(net) != "") {
			t.Fatalf("net %q: error %q", net, view.Net.Error)
		}
	})
}
