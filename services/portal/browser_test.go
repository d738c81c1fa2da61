package portal_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/plein-nl/plein/platform/bijstand"
	"github.com/plein-nl/plein/services/portal/browsertest"
)

// TestBrowserPortal walks every resident page in chromium with the fake income,
// payments and debts services: the pages work without JavaScript, pass axe-core
// (WCAG 2.1 AA), the payslip form changes the month, and a payment is asked for
// and stopped. services/plein has the same walk on the real stack.
func TestBrowserPortal(t *testing.T) {
	tb := setup(t, options{})
	srv := browsertest.Serve(t, tb.portal)
	b := browsertest.Start(t)
	tab := b.NewTab(t)

	tab.Navigate(t, srv.URL+"/t/zwolle/")
	browsertest.Check(t, tab, "home")
	tab.Follow(t, `a.button[href$="/login"]`)
	browsertest.Check(t, tab, "login")
	tab.DevLogin(t, "bewoner")
	tab.Follow(t, `a.button[href$="/mijn/"]`)
	if got := tab.Text(t, `[data-testid="payout"]`); got != "€ 1.184,23" {
		t.Errorf("payout before the payslip = %q, want € 1.184,23", got)
	}
	browsertest.Check(t, tab, "deze-maand")

	tab.Follow(t, `nav.menu a[href$="/loonstrook"]`)
	tab.Follow(t, `form button[type="submit"].button`) // empty: every field gets its message
	if got := tab.Text(t, ".error-summary"); !strings.Contains(got, "Vul de naam van uw werkgever in.") {
		t.Errorf("error summary = %q, want the employer's message", got)
	}
	browsertest.Check(t, tab, "loonstrook-fouten")
	for sel, v := range map[string]string{
		"#werkgever": "Bakkerij De Korenschoof", "#periode_begin": "1-3-2026", "#periode_eind": "31-3-2026",
		"#bruto": "1.019,89", "#netto": "851,20", "#uren": "69,5", "#betaaldatum": "25-3-2026",
	} {
		tab.Type(t, sel, v)
	}
	browsertest.Check(t, tab, "loonstrook")
	tab.Follow(t, `form button[type="submit"].button`)
	if got := tab.Text(t, `[data-testid="payout"]`); got != "€ 576,47" {
		t.Errorf("payout after the payslip = %q, want € 576,47", got)
	}
	if got := tab.Text(t, "tr.line--vrijlating"); !strings.Contains(got, "€ 212,80") {
		t.Errorf("vrijlating line = %q, want € 212,80", got)
	}
	browsertest.Check(t, tab, "deze-maand-na-loonstrook")

	tab.Follow(t, `nav.menu a[href$="/wat-als"]`)
	tab.Type(t, "#uren", "16")
	tab.Type(t, "#uurloon", "14,71")
	tab.Follow(t, `form button[type="submit"].button`)
	if got := tab.Text(t, `[data-testid="difference"]`); got == "" {
		t.Errorf("no difference shown on the what-if page")
	}
	browsertest.Check(t, tab, "wat-als")

	tab.Follow(t, `nav.menu a[href$="/toestemming"]`)
	browsertest.Check(t, tab, "toestemming")
	tab.Follow(t, `table.consents button`)
	if got := tab.Text(t, ".confirmation"); got != "Uw toestemming is opgeslagen." {
		t.Errorf("confirmation = %q", got)
	}

	tab.Follow(t, `nav.lang a[hreflang="en"]`)
	browsertest.Check(t, tab, "toestemming-en")

	walkMoneyPages(t, tab, srv.URL)
	walkStatements(t, tab, srv.URL)

	// A month in which not everything could be paid says so.
	tb.income.mu.Lock()
	tb.income.deductions["zwolle/"+zwolleResident] = append(tb.income.deductions["zwolle/"+zwolleResident],
		bijstand.Deduction{ID: "Deurwaarder Van Dijk", Kind: bijstand.DeductBeslag, Amount: 9000})
	tb.income.mu.Unlock()
	tab.Navigate(t, srv.URL+"/t/zwolle/mijn/")
	if !tab.Has(t, ".notice--shortfall") {
		t.Errorf("no shortfall notice on Deze maand")
	}
	browsertest.Check(t, tab, "deze-maand-tekort")

	// While the session cannot be checked (PostgreSQL restarting, say), a page says so
	// in the gemeente's frame and sends no one to the login.
	tb.revocations.Fail(errors.New("connection refused"))
	if code := tab.Navigate(t, srv.URL+"/t/zwolle/mijn/"); code != http.StatusServiceUnavailable {
		t.Errorf("Deze maand with the session store down: status %d, want 503", code)
	}
	browsertest.Check(t, tab, "inlog-niet-te-controleren")
	tab.Do(t, chromedp.EmulateViewport(390, 844))
	browsertest.Check(t, tab, "inlog-niet-te-controleren-telefoon")
	if wide := browsertest.Run(t, tab, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > document.documentElement.clientWidth`)); wide {
		t.Errorf("the page scrolls sideways at 390 px")
	}
	tab.Do(t, chromedp.EmulateViewport(1280, 900))
	tb.revocations.Fail(nil)
}

// walkMoneyPages is TestBrowserPortal's walk through Mijn betalingen, on the portal
// at base: ask for the zorgpremie, with a mistake first, and stop a payment; then
// Mijn schulden and the Geldkalender, in Dutch and English.
func walkMoneyPages(t *testing.T, tab *browsertest.Tab, base string) {
	tab.Navigate(t, base+"/t/zwolle/betalingen/")
	browsertest.Check(t, tab, "betalingen")
	tab.Follow(t, `a.button[href$="/betalingen/nieuw"]`)
	browsertest.Check(t, tab, "betaling-aanvragen")
	tab.Follow(t, `form button[type="submit"].button`) // empty: every field gets its message
	if got := tab.Text(t, ".error-summary"); !strings.Contains(got, "Kies aan wie wij moeten betalen.") {
		t.Errorf("error summary = %q, want the creditor's message", got)
	}
	browsertest.Check(t, tab, "betaling-aanvragen-fouten")
	tab.Click(t, `input[value="zilveren-kruis"]`)
	tab.Type(t, "#kenmerk", "123456789")
	tab.Type(t, "#bedrag", "152,35")
	tab.Follow(t, `form button[type="submit"].button`)
	if got := tab.Text(t, ".confirmation"); got != "Uw aanvraag is verstuurd. Een consulent kijkt ernaar." {
		t.Errorf("confirmation = %q", got)
	}
	browsertest.Check(t, tab, "betalingen-aangevraagd")
	tab.Follow(t, `a[href$="/betalingen/`+planZorg+`/stoppen"]`)
	browsertest.Check(t, tab, "betaling-stoppen")
	tab.Follow(t, `form button[type="submit"].button`)
	if got := tab.Text(t, ".confirmation"); !strings.HasPrefix(got, "Wij stoppen deze betaling.") {
		t.Errorf("confirmation = %q", got)
	}

	tab.Follow(t, `nav.menu a[href$="/schulden/"]`)
	browsertest.Check(t, tab, "schulden")
	tab.Follow(t, `nav.menu a[href$="/kalender/"]`)
	if got := tab.Text(t, `[data-testid="calendar-payout"]`); got != "€ 1.184,23" {
		t.Errorf("calendar payout = %q, want € 1.184,23", got)
	}
	browsertest.Check(t, tab, "geldkalender")
	tab.Follow(t, `nav.lang a[hreflang="en"]`)
	browsertest.Check(t, tab, "geldkalender-en")
	tab.Navigate(t, base+"/t/zwolle/betalingen/nieuw?lang=en")
	tab.Follow(t, `form button[type="submit"].button`)
	browsertest.Check(t, tab, "betaling-aanvragen-fouten-en")
}

// walkStatements is TestBrowserPortal's walk through Mijn specificaties, on the portal
// at base: from Deze maand to the list, a month explained line by line, a held month
// without its explanation, and the year; each at 1280 and 390 px, where nothing may
// scroll sideways (the tables reflow).
func walkStatements(t *testing.T, tab *browsertest.Tab, base string) {
	check := func(name string) {
		t.Helper()
		for _, w := range []int64{1280, 390} {
			tab.Do(t, chromedp.EmulateViewport(w, 900))
			shot := name
			if w == 390 {
				shot += "-telefoon"
			}
			browsertest.Check(t, tab, shot)
			if wide := browsertest.Run(t, tab, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > document.documentElement.clientWidth`)); wide {
				t.Errorf("%s scrolls sideways at %d px", name, w)
			}
		}
		tab.Do(t, chromedp.EmulateViewport(1280, 900))
	}
	tab.Navigate(t, base+"/t/zwolle/mijn/")
	tab.Follow(t, `a[data-testid="to-statements"]`)
	check("specificaties")
	tab.Follow(t, `table.statements a[href$="/specificaties/2026-03"]`)
	if got := tab.Text(t, `[data-testid="paid"]`); got != "€ 1.923,06" {
		t.Errorf("March paid %q, want € 1.923,06 (€ 961,53 = 1.176,50 − 56,47 − 158,50, and February's as a nabetaling)", got)
	}
	if got := tab.Text(t, "tr.line--vrijlating"); !strings.Contains(got, "Pw art. 31 lid 2 onder n") {
		t.Errorf("the vrijlating line %q does not name its article", got)
	}
	check("specificatie-maart")
	tab.Navigate(t, base+"/t/zwolle/specificaties/2026-02")
	if !tab.Has(t, `[data-testid="held"]`) || tab.Has(t, `[data-testid="lines"]`) {
		t.Errorf("February: want the held notice and no line-by-line explanation")
	}
	check("specificatie-februari-vastgehouden")
	tab.Navigate(t, base+"/t/zwolle/specificaties/jaar/2026")
	check("jaaroverzicht")
	tab.Follow(t, `nav.lang a[hreflang="en"]`)
	check("jaaroverzicht-en")
	tab.Navigate(t, base+"/t/zwolle/specificaties/2026-03?lang=en")
	check("specificatie-maart-en")
}

// TestBrowserStaleLaw: the month of a resident in July 2026, computed with the norms of
// 1 January 2026 whose indexation is overdue, says so in a notice that passes axe-core
// and fits a phone without sideways scrolling.
func TestBrowserStaleLaw(t *testing.T) {
	tb := setup(t, options{now: func() time.Time { return time.Date(2026, 7, 10, 11, 0, 0, 0, time.UTC) }})
	srv := browsertest.Serve(t, tb.portal)
	b := browsertest.Start(t)
	tab := b.NewTab(t)
	tab.Navigate(t, srv.URL+"/t/zwolle/login")
	tab.DevLogin(t, "bewoner")
	tab.Navigate(t, srv.URL+"/t/zwolle/mijn/")
	if got := tab.Text(t, `[data-testid="stale-law"]`); !strings.HasPrefix(got, "De bedragen zijn berekend met de normen van 1 januari 2026.") {
		t.Errorf("stale law notice = %q", got)
	}
	browsertest.Check(t, tab, "deze-maand-verouderde-normen")
	tab.Do(t, chromedp.EmulateViewport(390, 844))
	browsertest.Check(t, tab, "deze-maand-verouderde-normen-telefoon")
	if w := browsertest.Run(t, tab, chromedp.Evaluate[int](`document.documentElement.scrollWidth - document.documentElement.clientWidth`)); w > 0 {
		t.Errorf("at 390 px the page scrolls sideways by %d px", w)
	}
	// Nor does a table: on a phone each line stacks, its amount and its why labelled.
	if w := browsertest.Run(t, tab, chromedp.Evaluate[int](`Math.max(0, ...[...document.querySelectorAll('table')].map(t => t.scrollWidth - document.documentElement.clientWidth))`)); w > 0 {
		t.Errorf("at 390 px a table is %d px wider than the page", w)
	}
}
