package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/plein-nl/plein/platform/auth"
	"github.com/plein-nl/plein/platform/auth/authtest"
	"github.com/plein-nl/plein/platform/bijstand"
	"github.com/plein-nl/plein/platform/law"
	"github.com/plein-nl/plein/platform/money"
	"github.com/plein-nl/plein/platform/tenant"
	"github.com/plein-nl/plein/services/debts"
	"github.com/plein-nl/plein/services/income"
	"github.com/plein-nl/plein/services/portal/browsertest"
	"github.com/plein-nl/plein/services/residents"
	"github.com/plein-nl/plein/services/tenancy"
)

// browserResident is a resident the browser test seeds and logs in as.
type browserResident struct {
	tenant   tenant.ID
	name     string
	bsn      string
	employer string // an employer partner of the gemeente, by name
	id       string // set when seeded
}

// TestBrowserResidentFlow is the resident's month on the real stack in chromium: a
// resident of Zwolle logs in with the dev login, hands in a payslip and sees the
// month change, asks "what if I work 16 hours at € 14,71?", and opens the employer
// consent; then a resident of Enschede, in a fresh browser context, sees Enschede's
// branding and nothing of the Zwolle resident. Every page is checked with axe-core
// and saved as a screenshot.
func TestBrowserResidentFlow(t *testing.T) {
	w := setupBrowserWalk(t)
	w.zwolleMonth(t)
	w.zwollePayslip(t)
	w.zwolleWhatIfAndConsent(t)
	w.zwolleCorrectionWaits(t)
	w.enschedeSeesOnlyItsOwn(t)
}

// browserWalk is TestBrowserResidentFlow's app, browser and residents, and the month
// it walks through.
type browserWalk struct {
	a                *app
	srv              *httptest.Server
	b                *browsertest.Browser
	tab              *browsertest.Tab // the Zwolle resident's
	zwolle, enschede *browserResident
	now              time.Time
	period           bijstand.Period
	last             time.Time // the period's last day
	// before and after are what the engine says this month, without and with the
	// payslip's net wage.
	before, after bijstand.Result
}

// setupBrowserWalk seeds a resident in Zwolle and one in Enschede, each with an
// employer partner, as the dev login's "bewoner", and serves the app to a browser.
func setupBrowserWalk(t *testing.T) *browserWalk {
	t.Helper()
	ctx := context.Background()
	d, a := sealingApp(t, appConfig{sessionKey: bytes.Repeat([]byte{9}, 32), devLogin: true})
	zwolle := &browserResident{tenant: "zwolle", name: "Anna Jansen", bsn: "999993653", employer: "Bakkerij De Korenschoof"}
	enschede := &browserResident{tenant: "enschede", name: "Karim El Amrani", bsn: "111222333", employer: "Twentse Schoonmaak BV"}
	people := map[tenant.ID][]auth.DevPerson{}
	for i, r := range []*browserResident{zwolle, enschede} {
		res, err := a.residents.Create(ctx, r.tenant, residents.NewResident{Name: r.name, BirthDate: "1990-05-01",
			BSN: residents.BSNInput(r.bsn), IBAN: "NL91ABNA0417164300", Kind: "single"})
		if err != nil {
			t.Fatalf("seed %s: %v", r.tenant, err)
		}
		r.id = res.ID
		if _, err := income.RegisterEmployer(ctx, d.App, r.tenant, fmt.Sprintf("werkgever-%d", i), r.employer); err != nil {
			t.Fatalf("seed %s: %v", r.tenant, err)
		}
		people[r.tenant] = append(auth.DefaultDevPeople(),
			auth.DevPerson{Key: "bewoner", Label: r.name, Name: r.name, Role: auth.RoleResident, ResidentID: r.id})
	}
	a.devLogin.WithPeople(func(t tenant.ID) []auth.DevPerson { return people[t] })
	now := time.Now()
	period := bijstand.PeriodOf(now)
	w := &browserWalk{a: a, srv: browsertest.Serve(t, a.handler), zwolle: zwolle, enschede: enschede,
		now: now, period: period, last: period.Next().First().AddDate(0, 0, -1),
		before: expectMonth(t, period, 0), after: expectMonth(t, period, 85120)}
	w.b = browsertest.Start(t)
	w.tab = w.b.NewTab(t)
	return w
}

// zwolleMonth logs the Zwolle resident in and shows her month before the payslip.
func (w *browserWalk) zwolleMonth(t *testing.T) {
	tab, srv, zwolle, before := w.tab, w.srv, w.zwolle, w.before
	// Zwolle: log in, see the month.
	tab.Navigate(t, srv.URL+"/t/zwolle/")
	browsertest.Check(t, tab, "zwolle-home")
	tab.Follow(t, `a.button[href$="/login"]`)
	browsertest.Check(t, tab, "zwolle-login")
	tab.DevLogin(t, "bewoner")
	if got := tab.Text(t, "main"); !strings.Contains(got, zwolle.name) {
		t.Errorf("zwolle home after login does not name %q:\n%s", zwolle.name, got)
	}
	mustOK(t, tab, tab.Follow(t, `a.button[href$="/mijn/"]`))
	if got := tab.Text(t, `[data-testid="payout"]`); got != before.Payout.String() {
		t.Errorf("payout before the payslip = %q, want %q", got, before.Payout.String())
	}
	browsertest.Check(t, tab, "zwolle-deze-maand")
}

// zwollePayslip hands in a payslip, typed as a resident types it, and shows the
// month it changed.
func (w *browserWalk) zwollePayslip(t *testing.T) {
	tab, zwolle, period, last, now, before, after := w.tab, w.zwolle, w.period, w.last, w.now, w.before, w.after
	tab.Follow(t, `nav.menu a[href$="/loonstrook"]`)
	fields := []struct{ sel, value string }{
		{"#werkgever", zwolle.employer},
		{"#periode_begin", period.First().Format("2-1-2006")},
		{"#periode_eind", last.Format("2-1-2006")},
		{"#bruto", "1.019,89"},
		{"#netto", "851,20"},
		{"#uren", "69,5"},
		{"#betaaldatum", now.Format("2-1-2006")},
	}
	for _, f := range fields {
		tab.Type(t, f.sel, f.value)
	}
	browsertest.Check(t, tab, "zwolle-loonstrook")
	mustOK(t, tab, tab.Follow(t, `form button[type="submit"].button`))
	if u := tab.URL(t); !strings.Contains(u, "/t/zwolle/mijn/?maand="+period.String()+"&ontvangen=1") {
		t.Errorf("after the payslip the browser is at %s, want Deze maand of %s with the confirmation", u, period)
	}
	if got := tab.Text(t, `[data-testid="payout"]`); got != after.Payout.String() {
		t.Errorf("payout after the payslip = %q, want %q", got, after.Payout.String())
	}
	if before.Payout == after.Payout {
		t.Errorf("the payslip did not change the payout (%s)", after.Payout)
	}
	if got := tab.Text(t, "tr.line--income"); !strings.Contains(got, "€ 851,20") {
		t.Errorf("earnings line = %q, want the net € 851,20", got)
	}
	if got, want := tab.Text(t, "tr.line--vrijlating"), after.Vrijlating.String(); !strings.Contains(got, want) || !strings.Contains(got, "25 %") {
		t.Errorf("vrijlating line = %q, want %s and its 25 %%", got, want)
	}
	if got := tab.Text(t, "table.payslips"); !strings.Contains(got, zwolle.employer) {
		t.Errorf("payslips table = %q, want %q in it", got, zwolle.employer)
	}
	browsertest.Check(t, tab, "zwolle-deze-maand-na-loonstrook")
}

// zwolleWhatIfAndConsent asks what 16 hours at € 14,71 would do and gives the
// employer consent.
func (w *browserWalk) zwolleWhatIfAndConsent(t *testing.T) {
	tab, zwolle, enschede := w.tab, w.zwolle, w.enschede
	tab.Follow(t, `nav.menu a[href$="/wat-als"]`)
	browsertest.Check(t, tab, "zwolle-wat-als-formulier")
	tab.Type(t, "#uren", "16")
	tab.Type(t, "#uurloon", "14,71")
	mustOK(t, tab, tab.Follow(t, `form button[type="submit"].button`))
	if got := tab.Text(t, "table.compare"); !strings.Contains(got, "€ 1.019,89") {
		t.Errorf("what-if table = %q, want the planned wage € 1.019,89 (16 × € 14,71 × 13 / 3)", got)
	}
	browsertest.Check(t, tab, "zwolle-wat-als")

	tab.Follow(t, `nav.menu a[href$="/toestemming"]`)
	if got := tab.Text(t, "table.consents"); !strings.Contains(got, zwolle.employer) || strings.Contains(got, enschede.employer) {
		t.Errorf("consent table = %q, want only zwolle's employer", got)
	}
	browsertest.Check(t, tab, "zwolle-toestemming")
	tab.Follow(t, `table.consents button`)
	browsertest.Check(t, tab, "zwolle-toestemming-gegeven")
}

// zwolleCorrectionWaits: the consulent recorded a payslip of a second job from
// paper; the resident hands in her own for the same employer and period. It waits
// for the consulent: the page says so, and the payout stays the one of the
// consulent's payslip.
func (w *browserWalk) zwolleCorrectionWaits(t *testing.T) {
	tab, zwolle, period, last, now := w.tab, w.zwolle, w.period, w.last, w.now
	ctx := context.Background()
	second := income.NewPayslip{Employer: "Sportbedrijf Zwolle", PeriodStart: period.First(), PeriodEnd: last,
		Gross: 30000, Net: 27000, HoursCenti: 1200, PayDate: now.Truncate(24 * time.Hour).UTC(), Actor: "consulent-zwolle"}
	if _, err := w.a.income.SubmitPayslip(ctx, "zwolle", zwolle.id, second, income.SourceConsulent); err != nil {
		t.Fatal(err)
	}
	mustOK(t, tab, tab.Follow(t, `nav.menu a[href$="/mijn/"]`))
	withConsulent := tab.Text(t, `[data-testid="payout"]`)
	tab.Follow(t, `nav.menu a[href$="/loonstrook"]`)
	for _, f := range []struct{ sel, value string }{{"#werkgever", "Sportbedrijf Zwolle"},
		{"#periode_begin", period.First().Format("2-1-2006")}, {"#periode_eind", last.Format("2-1-2006")},
		{"#bruto", "100,00"}, {"#netto", "90,00"}, {"#uren", "4"}, {"#betaaldatum", now.Format("2-1-2006")}} {
		tab.Type(t, f.sel, f.value)
	}
	mustOK(t, tab, tab.Follow(t, `form button[type="submit"].button`))
	if u := tab.URL(t); !strings.Contains(u, "ontvangen=controle") {
		t.Errorf("after a correction of the consulent's payslip the browser is at %s, want the notice that it waits", u)
	}
	if got := tab.Text(t, "main"); !strings.Contains(got, "Uw consulent kijkt eerst naar de wijziging") {
		t.Errorf("the month page does not say the correction waits for the consulent:\n%s", got)
	}
	if got := tab.Text(t, `[data-testid="payout"]`); got != withConsulent {
		t.Errorf("payout while the correction waits = %q, want the consulent's %q", got, withConsulent)
	}
	browsertest.Check(t, tab, "zwolle-correctie-wacht")
	tab.Do(t, chromedp.EmulateViewport(390, 844))
	browsertest.Check(t, tab, "zwolle-correctie-wacht-telefoon")
	tab.Do(t, chromedp.EmulateViewport(1280, 900))
}

// enschedeSeesOnlyItsOwn: Enschede's resident, in a fresh browser context, sees her
// own branding and none of Zwolle's data.
func (w *browserWalk) enschedeSeesOnlyItsOwn(t *testing.T) {
	b, srv, zwolle, enschede := w.b, w.srv, w.zwolle, w.enschede
	et := b.NewTab(t)
	et.Navigate(t, srv.URL+"/t/enschede/login")
	et.DevLogin(t, "bewoner")
	browsertest.Check(t, et, "enschede-home")
	primary := primaryColor(t, "enschede")
	if got := et.ComputedStyle(t, "header.page-header", "background-color"); got != primary {
		t.Errorf("enschede header background = %q, want %q (tenants/enschede.yaml)", got, primary)
	}
	mustOK(t, et, et.Follow(t, `a.button[href$="/mijn/"]`))
	browsertest.Check(t, et, "enschede-deze-maand")
	for _, path := range []string{"/t/enschede/", "/t/enschede/mijn/", "/t/enschede/toestemming", "/t/enschede/wat-als"} {
		et.Navigate(t, srv.URL+path)
		body := et.Text(t, "body")
		for _, secret := range []string{zwolle.name, zwolle.employer, "851,20"} {
			if strings.Contains(body, secret) {
				t.Errorf("%s as the enschede resident shows %q of the zwolle resident", path, secret)
			}
		}
		if got := et.ComputedStyle(t, "header.page-header", "background-color"); got != primary {
			t.Errorf("%s: header background = %q, want enschede's %q", path, got, primary)
		}
	}
	et.Navigate(t, srv.URL+"/t/zwolle/mijn/")
	if u := et.URL(t); u != srv.URL+"/t/zwolle/login" {
		t.Errorf("/t/zwolle/mijn/ with the enschede session ended at %s, want the zwolle login", u)
	}
	// The dev login lists Zwolle's own test people only; the session is not Zwolle's.
	if body := et.Text(t, "body"); strings.Contains(body, enschede.name) || strings.Contains(body, "851,20") {
		t.Errorf("the zwolle login page shows the enschede resident:\n%s", body)
	}
}

// mustOK stops the test when a page answered with anything but 200, showing what
// the page says (the portal's "not available" page when it has no income service).
func mustOK(t *testing.T, tab *browsertest.Tab, status int64) {
	t.Helper()
	if status != 200 {
		t.Fatalf("%s answered %d: %s", tab.URL(t), status, tab.Text(t, "main"))
	}
}

// expectMonth is the engine's month for the seeded single resident (born
// 1990-05-01, no vrijlating months used) with net wage net.
func expectMonth(t *testing.T, period bijstand.Period, net money.Cents) bijstand.Result {
	t.Helper()
	c := bijstand.Case{Period: period, Household: bijstand.Household{Kind: bijstand.KindSingle,
		Applicants: []bijstand.Applicant{{BirthDate: time.Date(1990, 5, 1, 0, 0, 0, 0, time.UTC)}}}}
	if net > 0 {
		c.Income = []bijstand.Income{{Source: bijstand.SourceWork, Net: net}}
	}
	r, _, err := bijstand.NewCalculator(law.MustLoad()).Month(c)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// primaryColor is the gemeente's primary colour from its config, as CSS computes
// it: "#B5121B" is "rgb(181, 18, 27)".
func primaryColor(t *testing.T, id tenant.ID) string {
	loaded, err := tenancy.LoadPath("../../tenants")
	if err != nil {
		t.Fatal(err)
	}
	t.Helper()
	for _, l := range loaded {
		if l.Config.ID == id {
			hex := strings.TrimPrefix(l.Config.Branding.PrimaryColor, "#")
			var rgb [3]int64
			for i := range rgb {
				v, err := strconv.ParseInt(hex[2*i:2*i+2], 16, 64)
				if err != nil {
					t.Fatalf("primary colour %q: %v", l.Config.Branding.PrimaryColor, err)
				}
				rgb[i] = v
			}
			return fmt.Sprintf("rgb(%d, %d, %d)", rgb[0], rgb[1], rgb[2])
		}
	}
	t.Fatalf("tenant %s not loaded", id)
	return ""
}

// TestBrowserPaymentsFlow is Mijn betalingen on the real stack in chromium, with the
// clock at e2eNow (Thursday 2 April 2026): the resident asks for her zorgpremie to be
// paid to Zilveren Kruis by typing the form, sees the request, a consulent approves
// it through the staff API, and she sees it approved, in the Geldkalender of May
// with its effect on her payout, and Vitens' arrears signal in Mijn schulden. Every
// page is checked with axe-core and saved as a screenshot.
func TestBrowserPaymentsFlow(t *testing.T) {
	t.Parallel()
	srv, staff, residentID := setupBrowserPayments(t)
	b := browsertest.Start(t)
	tab := b.NewTab(t)
	tab.Navigate(t, srv.URL+"/t/zwolle/login")
	tab.DevLogin(t, "bewoner")

	mustOK(t, tab, tab.Follow(t, `nav.menu a[href$="/betalingen/"]`))
	browsertest.Check(t, tab, "betalingen-leeg")
	mustOK(t, tab, tab.Follow(t, `a.button[href*="/betalingen/nieuw"]`))
	browsertest.Check(t, tab, "betalingen-nieuw")
	tab.Click(t, `input[name="crediteur"][value="zilveren-kruis"]`)
	tab.Type(t, "#kenmerk", e2ePolis)
	tab.Type(t, "#bedrag", "158,50")
	selected := browsertest.Run(t, tab, chromedp.Evaluate[string](`document.querySelector("#vanaf").selectedOptions[0].textContent`))
	if got := selected; got != "mei 2026" {
		t.Errorf("first month offered = %q, want mei 2026 (the month after April)", got)
	}
	browsertest.Check(t, tab, "betalingen-nieuw-ingevuld")
	mustOK(t, tab, tab.Follow(t, `form button[type="submit"].button`))
	if u := tab.URL(t); !strings.Contains(u, "/t/zwolle/betalingen/?aangevraagd=1") {
		t.Errorf("after the request the browser is at %s, want Mijn betalingen with aangevraagd=1", u)
	}
	row := tab.Text(t, "table.plans--current tbody tr")
	for _, want := range []string{"Zilveren Kruis", "€ 158,50", "Aangevraagd", "Polisnummer " + e2ePolis} {
		if !strings.Contains(row, want) {
			t.Errorf("requested plan row = %q, want %q in it", row, want)
		}
	}
	browsertest.Check(t, tab, "betalingen-aangevraagd")

	// The consulent approves the request through the staff API.
	plans := staff.plans(t, residentID)
	if len(plans) != 1 || plans[0].Status != "requested" {
		t.Fatalf("plans = %+v, want the one request", plans)
	}
	staff.apiJSON(t, http.MethodPost, residentsPath(residentID)+"/plans/"+plans[0].ID+"/approve", staff.consulent, nil, http.StatusOK, nil)

	mustOK(t, tab, tab.Navigate(t, srv.URL+"/t/zwolle/betalingen/"))
	row = tab.Text(t, "table.plans--current tbody tr")
	// Approved in April, in force from May: paid with the bijstand of Monday 25 May.
	for _, want := range []string{"Zilveren Kruis", "€ 158,50", "Goedgekeurd", "mei 2026", "25 mei 2026"} {
		if !strings.Contains(row, want) {
			t.Errorf("approved plan row = %q, want %q in it", row, want)
		}
	}
	browsertest.Check(t, tab, "betalingen-goedgekeurd")

	// Geldkalender of May: 133423 − 15850 = 117573 paid out.
	mustOK(t, tab, tab.Follow(t, `nav.menu a[href$="/kalender/"]`))
	if got := tab.Text(t, `[data-testid="calendar-payout"]`); got != "€ 1.175,73" {
		t.Errorf("calendar payout = %q, want € 1.175,73 (133423 − 15850)", got)
	}
	if got := tab.Text(t, "main"); !strings.Contains(got, "Zilveren Kruis") || !strings.Contains(got, "€ 158,50") {
		t.Errorf("Geldkalender = %q, want the payment to Zilveren Kruis of € 158,50", got)
	}
	browsertest.Check(t, tab, "geldkalender")

	mustOK(t, tab, tab.Follow(t, `nav.menu a[href$="/schulden/"]`))
	if got := tab.Text(t, "table.debts"); !strings.Contains(got, "Vitens") || !strings.Contains(got, "€ 234,17") {
		t.Errorf("Mijn schulden = %q, want Vitens' € 234,17", got)
	}
	browsertest.Check(t, tab, "schulden")

	// Deze maand of May shows the line paid for her.
	mustOK(t, tab, tab.Navigate(t, srv.URL+"/t/zwolle/mijn/?maand="+e2eNextMonth))
	if got := tab.Text(t, "tr.line--deduction"); !strings.Contains(got, "Zilveren Kruis") || !strings.Contains(got, "€ -158,50") {
		t.Errorf("May's payment line = %q, want Zilveren Kruis € -158,50", got)
	}
	if got := tab.Text(t, `[data-testid="payout"]`); got != "€ 1.175,73" {
		t.Errorf("May's payout = %q, want € 1.175,73", got)
	}
	browsertest.Check(t, tab, "deze-maand-mei")
}

// setupBrowserPayments serves the app with the clock at e2eNow, a resident of Zwolle
// as the dev login's "bewoner" and Vitens' report of her arrears of € 234,17 (a debt
// in her register); it returns the server, a bundle for the consulent's staff API
// calls, and the resident's id.
func setupBrowserPayments(t *testing.T) (*httptest.Server, *e2eBundle, string) {
	t.Helper()
	ctx := context.Background()
	iss := authtest.NewIssuer(t)
	d, a := sealingApp(t, appConfig{sessionKey: bytes.Repeat([]byte{9}, 32), devLogin: true,
		verifiers: verifiersOf(t, map[*authtest.Issuer]string{iss: "zwolle"}), now: func() time.Time { return e2eNow }})
	res, err := a.residents.Create(ctx, "zwolle", residents.NewResident{Name: "Fatima Bakker", BirthDate: "1990-05-01",
		BSN: residents.BSNInput(e2eBSN), IBAN: "NL91ABNA0417164300", Kind: "single"})
	if err != nil {
		t.Fatal(err)
	}
	a.devLogin.WithPeople(func(tenant.ID) []auth.DevPerson {
		return append(auth.DefaultDevPeople(),
			auth.DevPerson{Key: "bewoner", Label: "Fatima Bakker", Name: "Fatima Bakker", Role: auth.RoleResident, ResidentID: res.ID})
	})
	srv := browsertest.Serve(t, a.handler)
	staff := &e2eBundle{srv: srv, d: d, consulent: token(iss, "cons-z", "consulent")}

	key, err := debts.RegisterCreditorPartner(ctx, d.App, "zwolle", "vitens", "Vitens N.V.")
	if err != nil {
		t.Fatal(err)
	}
	staff.apiJSON(t, http.MethodPost, "/api/v1/tenants/zwolle/partner/signals", key, map[string]any{
		"reference": "4455667788", "bsn": e2eBSN, "amount_cents": 23417, "days_in_arrears": 62, "threat": "water_cutoff",
		"contact": map[string]any{"name": "F. Bakker"}, "reported_at": "2026-04-01"}, http.StatusCreated, nil)
	return srv, staff, res.ID
}
