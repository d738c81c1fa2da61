package portal_test

import (
	"net"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/plein-nl/plein/platform/bijstand"
	"github.com/plein-nl/plein/services/portal/browsertest"
)

// TestBrowserPortal walks every resident page in chromium with the fake income,
// payments and debts services: the pages work without JavaScript, pass axe-core
// (WCAG 2.1 AA), the payslip form changes the month, and a payment is asked for
// and stopped. services/plein has the same walk on the real stack.
func TestBrowserPortal(t *testing.T) {
	tb := setup(t, options{})
	srv := httptest.NewUnstartedServer(tb.portal)
	ln, err := net.Listen("tcp", "127.0.0.1:0") // loopback: the dev cookie is honoured there
	if err != nil {
		t.Fatal(err)
	}
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)

	b := browsertest.Start(t)
	tab := b.NewTab(t)
	check := func(name string) {
		t.Helper()
		browsertest.Axe(t, tab)
		browsertest.Screenshot(t, tab, name)
	}

	tab.Navigate(t, srv.URL+"/t/zwolle/")
	check("home")
	tab.Follow(t, `a.button[href$="/login"]`)
	check("login")
	tab.Click(t, `input[value="bewoner"]`) // a radio: no page load
	tab.Follow(t, `button[type="submit"]`)
	tab.Follow(t, `a.button[href$="/mijn/"]`)
	if got := tab.Text(t, `[data-testid="payout"]`); got != "€ 1.184,23" {
		t.Errorf("payout before the payslip = %q, want € 1.184,23", got)
	}
	check("deze-maand")

	tab.Follow(t, `nav.menu a[href$="/loonstrook"]`)
	tab.Follow(t, `form button[type="submit"].button`) // empty: every field gets its message
	if got := tab.Text(t, ".error-summary"); !strings.Contains(got, "Vul de naam van uw werkgever in.") {
		t.Errorf("error summary = %q, want the employer's message", got)
	}
	check("loonstrook-fouten")
	for sel, v := range map[string]string{
		"#werkgever": "Bakkerij De Korenschoof", "#periode_begin": "1-3-2026", "#periode_eind": "31-3-2026",
		"#bruto": "1.019,89", "#netto": "851,20", "#uren": "69,5", "#betaaldatum": "25-3-2026",
	} {
		tab.Type(t, sel, v)
	}
	check("loonstrook")
	tab.Follow(t, `form button[type="submit"].button`)
	if got := tab.Text(t, `[data-testid="payout"]`); got != "€ 576,47" {
		t.Errorf("payout after the payslip = %q, want € 576,47", got)
	}
	if got := tab.Text(t, "tr.line--vrijlating"); !strings.Contains(got, "€ 212,80") {
		t.Errorf("vrijlating line = %q, want € 212,80", got)
	}
	check("deze-maand-na-loonstrook")

	tab.Follow(t, `nav.menu a[href$="/wat-als"]`)
	tab.Type(t, "#uren", "16")
	tab.Type(t, "#uurloon", "14,71")
	tab.Follow(t, `form button[type="submit"].button`)
	if got := tab.Text(t, `[data-testid="difference"]`); got == "" {
		t.Errorf("no difference shown on the what-if page")
	}
	check("wat-als")

	tab.Follow(t, `nav.menu a[href$="/toestemming"]`)
	check("toestemming")
	tab.Follow(t, `table.consents button`)
	if got := tab.Text(t, ".confirmation"); got != "Uw toestemming is opgeslagen." {
		t.Errorf("confirmation = %q", got)
	}

	tab.Follow(t, `nav.lang a[hreflang="en"]`)
	check("toestemming-en")

	// Mijn betalingen: ask for the zorgpremie, with a mistake first; stop a payment.
	tab.Navigate(t, srv.URL+"/t/zwolle/betalingen/")
	check("betalingen")
	tab.Follow(t, `a.button[href$="/betalingen/nieuw"]`)
	check("betaling-aanvragen")
	tab.Follow(t, `form button[type="submit"].button`) // empty: every field gets its message
	if got := tab.Text(t, ".error-summary"); !strings.Contains(got, "Kies aan wie wij moeten betalen.") {
		t.Errorf("error summary = %q, want the creditor's message", got)
	}
	check("betaling-aanvragen-fouten")
	tab.Click(t, `input[value="zilveren-kruis"]`)
	tab.Type(t, "#kenmerk", "123456789")
	tab.Type(t, "#bedrag", "152,35")
	tab.Follow(t, `form button[type="submit"].button`)
	if got := tab.Text(t, ".confirmation"); got != "Uw aanvraag is verstuurd. Een consulent kijkt ernaar." {
		t.Errorf("confirmation = %q", got)
	}
	check("betalingen-aangevraagd")
	tab.Follow(t, `a[href$="/betalingen/`+planZorg+`/stoppen"]`)
	check("betaling-stoppen")
	tab.Follow(t, `form button[type="submit"].button`)
	if got := tab.Text(t, ".confirmation"); !strings.HasPrefix(got, "Wij stoppen deze betaling.") {
		t.Errorf("confirmation = %q", got)
	}

	tab.Follow(t, `nav.menu a[href$="/schulden/"]`)
	check("schulden")
	tab.Follow(t, `nav.menu a[href$="/kalender/"]`)
	if got := tab.Text(t, `[data-testid="calendar-payout"]`); got != "€ 1.184,23" {
		t.Errorf("calendar payout = %q, want € 1.184,23", got)
	}
	check("geldkalender")
	tab.Follow(t, `nav.lang a[hreflang="en"]`)
	check("geldkalender-en")
	tab.Navigate(t, srv.URL+"/t/zwolle/betalingen/nieuw?lang=en")
	tab.Follow(t, `form button[type="submit"].button`)
	check("betaling-aanvragen-fouten-en")

	// A month in which not everything could be paid says so.
	tb.income.mu.Lock()
	tb.income.deductions["zwolle/"+zwolleResident] = append(tb.income.deductions["zwolle/"+zwolleResident],
		bijstand.Deduction{ID: "Deurwaarder Van Dijk", Kind: bijstand.DeductBeslag, Amount: 9000})
	tb.income.mu.Unlock()
	tab.Navigate(t, srv.URL+"/t/zwolle/mijn/")
	if !tab.Has(t, ".notice--shortfall") {
		t.Errorf("no shortfall notice on Deze maand")
	}
	check("deze-maand-tekort")
}
