package portal_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/plein-nl/plein/platform/auth"
	"github.com/plein-nl/plein/platform/auth/authtest"
	"github.com/plein-nl/plein/platform/bijstand"
	"github.com/plein-nl/plein/services/portal"
)

// moneyPages are the new pages with the h1 they must have.
var moneyPages = []struct{ path, h1NL, h1EN string }{
	{"betalingen/", "Mijn betalingen", "My payments"},
	{"betalingen/nieuw", "Nieuwe betaling aanvragen", "Ask for a new payment"},
	{"betalingen/" + planZorg + "/stoppen", "Weet u het zeker?", "Are you sure?"},
	{"schulden/", "Mijn schulden", "My debts"},
	{"kalender/", "Geldkalender april 2026", "Money calendar April 2026"},
}

func TestMoneyPagesRender(t *testing.T) {
	t.Parallel()
	tb, cookie := setupResident(t, options{})
	for _, pg := range moneyPages {
		for _, lang := range []string{"nl", "en"} {
			target, want := "/t/zwolle/"+pg.path, pg.h1NL
			if lang == "en" {
				target, want = target+"?lang=en", pg.h1EN
			}
			res := tb.get(t, devHost, target, cookie)
			if res.status != http.StatusOK {
				t.Errorf("GET %s: status = %d, want 200; body:\n%s", target, res.status, res.body)
				continue
			}
			doc := checkStructure(t, target, res.body)
			if doc.Lang != lang || !slices.Equal(doc.H1, []string{want}) {
				t.Errorf("GET %s: lang %q, h1 %q; want %q, %q", target, doc.Lang, doc.H1, lang, want)
			}
			checkNoScripts(t, target, res)
			if !strings.Contains(res.body, `href="/t/zwolle/betalingen/`+map[bool]string{true: "?lang=en", false: ""}[lang == "en"]+`" aria-current="page"`) &&
				strings.HasPrefix(pg.path, "betalingen/") {
				t.Errorf("GET %s: the menu does not mark Mijn betalingen as current", target)
			}
		}
	}
}

func TestMoneyPagesNeedAResident(t *testing.T) {
	t.Parallel()
	tb := setup(t, options{})
	staff := tb.loginAs(t, "zwolle", "consulent")
	for _, pg := range moneyPages {
		for name, cookies := range map[string][]*http.Cookie{"no session": nil, "staff": {staff}} {
			res := tb.do(t, http.MethodGet, "/t/zwolle/"+pg.path, nil, "", cookies...)
			if res.status != http.StatusSeeOther || res.header.Get("Location") != "/t/zwolle/login" {
				t.Errorf("GET %s with %s: status %d, Location %q; want 303 to login", pg.path, name, res.status, res.header.Get("Location"))
			}
		}
	}
	for _, path := range []string{"betalingen/nieuw", "betalingen/" + planZorg + "/stoppen"} {
		res := tb.postForm(t, "/t/zwolle/"+path, url.Values{"crediteur": {"cz"}}, staff)
		if res.status != http.StatusSeeOther || res.header.Get("Location") != "/t/zwolle/login" {
			t.Errorf("POST %s as staff: status %d; want 303 to login", path, res.status)
		}
	}
	if tb.payments.stops != 0 || len(tb.payments.requests) != 0 {
		t.Errorf("refused posts changed plans: %d stops, %d requests", tb.payments.stops, len(tb.payments.requests))
	}
	// Without the trailing slash the page moves, keeping the language.
	res := tb.do(t, http.MethodGet, "/t/zwolle/kalender?lang=en", nil, "")
	if res.status != http.StatusMovedPermanently || res.header.Get("Location") != "/t/zwolle/kalender/?lang=en" {
		t.Errorf("GET kalender: status %d, Location %q; want 301 to kalender/?lang=en", res.status, res.header.Get("Location"))
	}
}

func TestPaymentsPage(t *testing.T) {
	t.Parallel()
	tb, cookie := setupResident(t, options{})
	_, doc := tb.page(t, devHost, "/t/zwolle/betalingen/", "betalingen", cookie)
	text := mainText(doc)
	wantText(t, text,
		"Zilveren Kruis Zorgpremie € 150,00 Wij betalen dit 25 maart 2026 Polisnummer 123456789 Stop deze betaling aan Zilveren Kruis",
		"Vitens Water € 23,50 Goedgekeurd Wij beginnen in april 2026. U heeft hiervoor een machtiging op papier getekend. 25 april 2026 Klantnummer 4455667 Stop deze betaling aan Vitens",
		"Deurwaarder Van Dijk Beslag € 70,07 Wij betalen dit Dit kunt u niet zelf stoppen. Vraag het uw consulent. 25 maart 2026 Dossier VD-2026-114",
		"Gestopte en afgewezen betalingen",
		"Essent Energie € 95,00 Gestopt Laatste betaling in januari 2026. Klantnummer 99887766",
	)
	hrefs := doc.hrefs()
	for _, h := range []string{"/t/zwolle/betalingen/nieuw", "/t/zwolle/betalingen/" + planZorg + "/stoppen", "/t/zwolle/betalingen/" + planWater + "/stoppen"} {
		if !slices.Contains(hrefs, h) {
			t.Errorf("links %q lack %q", hrefs, h)
		}
	}
	for _, h := range []string{planBeslag, planEnded} {
		if slices.Contains(hrefs, "/t/zwolle/betalingen/"+h+"/stoppen") {
			t.Errorf("plan %s offers a stop; the resident may not stop it", h)
		}
	}
	// The English page has the plan in English.
	wantText(t, tb.text(t, "/t/zwolle/betalingen/?lang=en", cookie), "Zilveren Kruis Health insurance €150.00 We pay this 25 March 2026")
}

// validRequest is a request for the zorgpremie to Zilveren Kruis from April 2026.
func validRequest(csrf string) url.Values {
	return url.Values{auth.CSRFField: {csrf}, "crediteur": {"zilveren-kruis"}, "kenmerk": {"123 456 789"}, "bedrag": {"152,35"}, "vanaf": {"2026-04"}}
}

func TestPaymentRequest(t *testing.T) {
	t.Parallel()
	tb, cookie := setupResident(t, options{})
	form, doc := tb.page(t, devHost, "/t/zwolle/betalingen/nieuw", "nieuw", cookie)
	var radios []string
	for _, in := range doc.Inputs {
		if in["type"] == "radio" {
			radios = append(radios, in["value"])
		}
	}
	if want := []string{"zilveren-kruis", "cz", "essent", "vitens"}; !slices.Equal(radios, want) {
		t.Errorf("creditors = %q, want %q (zorgverzekeraars first)", radios, want)
	}
	wantText(t, mainText(doc), "Aan wie moeten wij betalen? Staat de organisatie er niet bij?",
		"Zorgverzekeraars Zilveren Kruis Uw polisnummer staat op uw zorgpas.", "Energie Essent", "Vanaf welke maand?")
	if !strings.Contains(form.body, `<option value="2026-04" selected>april 2026</option>`) {
		t.Errorf("the form does not start next month by default")
	}
	// A creditor named in the query is chosen, and the reference is asked by its name.
	chosen := tb.get(t, devHost, "/t/zwolle/betalingen/nieuw?crediteur=zilveren-kruis", cookie)
	if !strings.Contains(chosen.body, `value="zilveren-kruis" checked`) || !strings.Contains(chosen.body, `<label for="kenmerk">Polisnummer</label>`) {
		t.Errorf("?crediteur= does not choose the creditor and name its reference")
	}

	res := tb.postForm(t, "/t/zwolle/betalingen/nieuw", validRequest(authtest.CSRFToken(t, form.body)), cookie)
	if res.status != http.StatusSeeOther || res.header.Get("Location") != "/t/zwolle/betalingen/?aangevraagd=1" {
		t.Fatalf("POST: status %d, Location %q; want 303 to betalingen/?aangevraagd=1; body:\n%s", res.status, res.header.Get("Location"), res.body)
	}
	want := portal.PaymentRequest{CreditorID: "zilveren-kruis", Reference: "123 456 789", Amount: 15235, Start: "2026-04"}
	if len(tb.payments.requests) != 1 || tb.payments.requests[0] != want {
		t.Errorf("requests = %+v, want [%+v]", tb.payments.requests, want)
	}
	_, after := tb.page(t, devHost, res.header.Get("Location"), "after request", cookie)
	if !slices.Contains(after.Status, "Uw aanvraag is verstuurd. Een consulent kijkt ernaar.") {
		t.Errorf("status = %q, want the confirmation", after.Status)
	}
	if !strings.Contains(mainText(after), "Zilveren Kruis Zorgpremie € 152,35 Aangevraagd Een consulent kijkt ernaar.") {
		t.Errorf("the new request is not listed:\n%s", mainText(after))
	}

	en := tb.postForm(t, "/t/zwolle/betalingen/nieuw?lang=en", validRequest(authtest.CSRFToken(t, form.body)), cookie)
	if got := en.header.Get("Location"); got != "/t/zwolle/betalingen/?aangevraagd=1&lang=en" {
		t.Errorf("English POST: Location = %q, want the English list", got)
	}
}

func TestPaymentRequestValidation(t *testing.T) {
	t.Parallel()
	tb, cookie := setupResident(t, options{})
	csrf := authtest.CSRFToken(t, tb.get(t, devHost, "/t/zwolle/betalingen/nieuw", cookie).body)
	with := func(changes map[string]string) url.Values { return withChanges(validRequest(csrf), changes) }
	tests := []struct {
		name   string
		form   url.Values
		errors map[string]string // field → Dutch message
	}{
		{"everything empty", url.Values{auth.CSRFField: {csrf}}, map[string]string{
			"crediteur": "Kies aan wie wij moeten betalen.", "kenmerk": "Vul uw polisnummer of klantnummer in.", "bedrag": "Vul een bedrag in.",
		}},
		{"reference of the chosen creditor", with(map[string]string{"kenmerk": " "}), map[string]string{"kenmerk": "Vul uw polisnummer in."}},
		{"unknown creditor", with(map[string]string{"crediteur": "domijn"}), map[string]string{"crediteur": "Kies een organisatie uit de lijst."}},
		{"invalid reference", with(map[string]string{"kenmerk": "12345AB"}), map[string]string{"kenmerk": "Een polisnummer van Zilveren Kruis heeft 9 cijfers."}},
		{"reference too long", with(map[string]string{"kenmerk": strings.Repeat("1", 36)}), map[string]string{"kenmerk": "Dit nummer is te lang. Het mag hoogstens 35 tekens hebben."}},
		{"negative amount", with(map[string]string{"bedrag": "-150,00"}), map[string]string{"bedrag": "Het bedrag moet meer dan € 0,00 zijn."}},
		{"unreadable amount", with(map[string]string{"bedrag": "veel"}), map[string]string{"bedrag": "Schrijf het bedrag zo: 1.019,89."}},
		{"amount above the norm", with(map[string]string{"bedrag": "1.500,00"}), map[string]string{"bedrag": "Dit bedrag is hoger dan uw bijstand. Kijk het bedrag na."}},
		{"month not offered", with(map[string]string{"vanaf": "2025-01"}), map[string]string{"vanaf": "Kies een maand uit de lijst."}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := tb.postForm(t, "/t/zwolle/betalingen/nieuw", tt.form, cookie)
			doc := checkFormErrors(t, tt.name, res, "Nieuwe betaling aanvragen", "id", tt.errors)
			var links []string
			for _, a := range doc.Anchors {
				if strings.HasPrefix(a.Href, "#") && a.Href != "#inhoud" {
					links = append(links, a.Href)
				}
			}
			if len(links) != len(tt.errors) {
				t.Errorf("summary links %q, want one for each of %v", links, tt.errors)
			}
			// What the resident typed stays in the form.
			if v := tt.form.Get("bedrag"); v != "" && !strings.Contains(res.body, `value="`+v+`"`) {
				t.Errorf("the form lost the amount %q", v)
			}
		})
	}
	en := tb.postForm(t, "/t/zwolle/betalingen/nieuw?lang=en", with(map[string]string{"kenmerk": "12345AB"}), cookie)
	if !strings.Contains(en.body, "A Zilveren Kruis policy number has 9 digits.") {
		t.Errorf("English form lacks the service's English message")
	}
	t.Cleanup(func() {
		if n := len(tb.payments.requests); n != 0 {
			t.Errorf("%d requests stored by invalid forms, want 0", n)
		}
	})
}

func TestPaymentStop(t *testing.T) {
	t.Parallel()
	tb, cookie := setupResident(t, options{})
	confirm, doc := tb.page(t, devHost, "/t/zwolle/betalingen/"+planZorg+"/stoppen", "stoppen", cookie)
	if text := mainText(doc); !strings.Contains(text, "Aan wie Zilveren Kruis Waarvoor Zorgpremie Bedrag per maand € 150,00") ||
		!strings.Contains(text, "U moet hem dan zelf betalen.") {
		t.Errorf("confirmation does not say what stops:\n%s", text)
	}
	if !slices.Contains(doc.hrefs(), "/t/zwolle/betalingen/") {
		t.Errorf("no way back: %q", doc.hrefs())
	}
	if p := tb.payments.plan("zwolle", zwolleResident, planZorg); p.Status != portal.PlanActive {
		t.Fatalf("the GET changed the plan: %+v", p)
	}
	csrf := authtest.CSRFToken(t, confirm.body)

	tests := []struct {
		name, path string
		form       url.Values
		status     int
		says       string
	}{
		{"someone else's plan", "/t/zwolle/betalingen/" + planOfOther + "/stoppen", url.Values{auth.CSRFField: {csrf}}, http.StatusForbidden, "Deze betaling is niet van u. Er is niets veranderd."},
		{"a beslag", "/t/zwolle/betalingen/" + planBeslag + "/stoppen", url.Values{auth.CSRFField: {csrf}}, http.StatusConflict, "Deze betaling kunt u niet zelf stoppen."},
		{"an ended plan", "/t/zwolle/betalingen/" + planEnded + "/stoppen", url.Values{auth.CSRFField: {csrf}}, http.StatusConflict, "Deze betaling kunt u niet zelf stoppen."},
		{"no CSRF token", "/t/zwolle/betalingen/" + planZorg + "/stoppen", url.Values{}, http.StatusForbidden, "Dit formulier is verlopen."},
		{"request without CSRF token", "/t/zwolle/betalingen/nieuw", validRequest(""), http.StatusForbidden, "Dit formulier is verlopen."},
	}
	for _, tt := range tests {
		res := tb.postForm(t, tt.path, tt.form, cookie)
		if res.status != tt.status || !strings.Contains(res.body, tt.says) {
			t.Errorf("%s: status %d, want %d saying %q; body:\n%s", tt.name, res.status, tt.status, tt.says, res.body)
		}
		checkStructure(t, tt.name, res.body)
	}
	if tb.payments.stops != 0 || len(tb.payments.requests) != 0 {
		t.Fatalf("refused posts changed plans: %d stops, %d requests", tb.payments.stops, len(tb.payments.requests))
	}
	if p := tb.payments.plan("enschede", enschedeResident, planOfOther); p.Status != portal.PlanActive {
		t.Errorf("the other resident's plan changed: %+v", p)
	}
	// A cross-site post is refused before anything else.
	cross := tb.postFrom(t, "cross-site", "/t/zwolle/betalingen/"+planZorg+"/stoppen", url.Values{auth.CSRFField: {csrf}}, cookie)
	if cross.StatusCode != http.StatusForbidden || tb.payments.stops != 0 {
		t.Errorf("cross-site POST: status %d, %d stops; want 403 and none", cross.StatusCode, tb.payments.stops)
	}

	// The confirmation page refuses what cannot be stopped, and another's plan.
	for id, status := range map[string]int{planBeslag: http.StatusConflict, planOfOther: http.StatusNotFound, "nope": http.StatusNotFound} {
		res := tb.get(t, devHost, "/t/zwolle/betalingen/"+id+"/stoppen", cookie)
		if res.status != status {
			t.Errorf("GET stoppen of %s: status %d, want %d", id, res.status, status)
		}
		checkStructure(t, "stoppen "+id, res.body)
		if strings.Contains(res.body, "Domijn") {
			t.Errorf("GET stoppen of %s shows the other resident's plan", id)
		}
	}

	res := tb.postForm(t, "/t/zwolle/betalingen/"+planZorg+"/stoppen?lang=en", url.Values{auth.CSRFField: {csrf}}, cookie)
	if res.status != http.StatusSeeOther || res.header.Get("Location") != "/t/zwolle/betalingen/?gestopt=1&lang=en" {
		t.Fatalf("stop: status %d, Location %q; want 303 to betalingen/?gestopt=1&lang=en", res.status, res.header.Get("Location"))
	}
	if p := tb.payments.plan("zwolle", zwolleResident, planZorg); p.Status != portal.PlanEnded {
		t.Errorf("plan after stop = %+v, want ended", p)
	}
	_, after := tb.page(t, devHost, res.header.Get("Location"), "after stop", cookie)
	if !slices.Contains(after.Status, "We will stop this payment. From now on, pay this bill yourself again.") {
		t.Errorf("status = %q, want the English confirmation", after.Status)
	}
}

func TestDebtsPage(t *testing.T) {
	t.Parallel()
	tb, cookie := setupResident(t, options{})
	_, doc := tb.page(t, devHost, "/t/zwolle/schulden/", "schulden", cookie)
	text := mainText(doc)
	wantText(t, text,
		"Niet alles is betaald Uw geld was niet genoeg voor alle betalingen. Wij konden in maart 2026 € 20,00 van uw zorgpremie niet betalen aan Zilveren Kruis. Wij helpen u. Uw consulent neemt contact met u op.",
		"Zilveren Kruis € 480,00 € 320,00 In een regeling",
		"Belastingdienst € 1.250,00 € 1.250,00 Nog niet geregeld Deze schuld gaat volgens de wet voor.",
		"Vitens € 80,00 € 0,00 Betaald",
		"Samen nog te betalen € 1.570,00",
		"Wat wij regelen Wij betalen elke maand € 70,07 aan uw schuldeisers. Wij vragen de Belastingdienst om uitstel.",
		"Wat gebeurt er nu? Uw consulent belt u voor 24 maart 2026.",
	)
	en := tb.get(t, devHost, "/t/zwolle/schulden/?lang=en", cookie)
	if text := mainText(checkStructure(t, "schulden en", en.body)); !strings.Contains(text, "In March 2026 we could not pay €20.00 of your health insurance premium to Zilveren Kruis.") {
		t.Errorf("English page lacks the shortfall in English:\n%s", text)
	}
	// The service's Dutch sentences stay Dutch, marked so for a screen reader.
	if !strings.Contains(en.body, `<ul class="arranging" lang="nl">`) || !strings.Contains(en.body, `<p class="next-step" lang="nl">`) {
		t.Errorf("English page does not mark the Dutch sentences as Dutch")
	}
	// Another gemeente's resident sees only her own.
	other := tb.text(t, "/t/enschede/schulden/", tb.loginAs(t, "enschede", "bewoner"))
	if !strings.Contains(other, "Twentse Incasso") || strings.Contains(other, "Belastingdienst") || strings.Contains(other, "Niet alles is betaald") {
		t.Errorf("enschede page:\n%s", other)
	}
}

func TestCalendar(t *testing.T) {
	t.Parallel()
	tb, cookie := setupResident(t, options{})
	_, doc := tb.page(t, devHost, "/t/zwolle/kalender/", "kalender", cookie)
	text := mainText(doc)
	// April 2026: payout 1184.23 on the 25th (the fake income); the zorgpremie, the
	// water (approved from April) and the beslag on the same day; Essent has ended.
	wantText(t, text, "25 april 2026 Wij betalen uw zorgpremie aan Zilveren Kruis € 150,00 "+
		"25 april 2026 Wij betalen uw waterrekening aan Vitens € 23,50 "+
		"25 april 2026 Wij houden geld in voor Deurwaarder Van Dijk (beslag) € 70,07 "+
		"25 april 2026 Uw geld op uw rekening € 1.184,23")
	if !strings.Contains(text, "Samen betaald voor u: € 243,57") || strings.Contains(text, "Essent") {
		t.Errorf("total or ended plan wrong:\n%s", text)
	}
	wantText(t, tb.text(t, "/t/zwolle/kalender/?lang=en", cookie), "25 April 2026 We pay your health insurance premium to Zilveren Kruis €150.00")
}

func TestMonthShowsShortfall(t *testing.T) {
	t.Parallel()
	tb, cookie := setupResident(t, options{})
	if text := tb.text(t, "/t/zwolle/mijn/", cookie); strings.Contains(text, "Niet alles is betaald") {
		t.Errorf("a month with everything paid shows a shortfall:\n%s", text)
	}
	// A beslag of 90.00 against a capacity of 70.07 (5 % of the norm): 19.93 short.
	tb.income.mu.Lock()
	tb.income.deductions["zwolle/"+zwolleResident] = append(tb.income.deductions["zwolle/"+zwolleResident],
		bijstand.Deduction{ID: "Deurwaarder Van Dijk", Kind: bijstand.DeductBeslag, Amount: 9000})
	tb.income.mu.Unlock()
	_, doc := tb.page(t, devHost, "/t/zwolle/mijn/", "mijn with shortfall", cookie)
	if text := mainText(doc); !strings.Contains(text, "Niet alles is betaald Uw geld was niet genoeg voor alle betalingen. Wij konden in maart 2026 € 19,93 niet betalen aan Deurwaarder Van Dijk. Wij helpen u.") {
		t.Errorf("month lacks the shortfall notice:\n%s", text)
	}
	// Next month's calendar has the shortfall too.
	wantText(t, tb.text(t, "/t/zwolle/kalender/", cookie), "Wij konden in april 2026 € 19,93 niet betalen aan Deurwaarder Van Dijk.")
}

func TestMoneyPagesDutchIsShort(t *testing.T) {
	t.Parallel()
	tb, cookie := setupResident(t, options{})
	tb.income.deductions["zwolle/"+zwolleResident] = append(tb.income.deductions["zwolle/"+zwolleResident],
		bijstand.Deduction{ID: "Deurwaarder Van Dijk", Kind: bijstand.DeductBeslag, Amount: 9000})
	csrf := authtest.CSRFToken(t, tb.get(t, devHost, "/t/zwolle/betalingen/", cookie).body)
	bodies := map[string]string{
		"invalid request": tb.postForm(t, "/t/zwolle/betalingen/nieuw", url.Values{auth.CSRFField: {csrf}, "vanaf": {"x"}}, cookie).body,
	}
	for _, path := range []string{"betalingen/?aangevraagd=1", "betalingen/nieuw", "betalingen/" + planZorg + "/stoppen", "schulden/", "kalender/", "mijn/"} {
		bodies[path] = tb.get(t, devHost, "/t/zwolle/"+path, cookie).body
	}
	for name, body := range bodies {
		ss := sentences(parseHTML(body))
		wantShortSentences(t, name, ss)
		if n := len(ss); n < 8 {
			t.Errorf("%s: only %d sentences read; the check would pass on an empty page", name, n)
		}
	}
}

func TestMoneyPagesUnavailable(t *testing.T) {
	t.Parallel()
	tb, cookie := setupResident(t, options{noMoney: true})
	for _, pg := range moneyPages {
		res := tb.get(t, devHost, "/t/zwolle/"+pg.path, cookie)
		if res.status != http.StatusServiceUnavailable || !strings.Contains(res.body, "Dit deel van het portaal is er nog niet.") {
			t.Errorf("GET %s without the services: status %d, want 503 with the message", pg.path, res.status)
		}
		checkStructure(t, pg.path, res.body)
	}
	doc := parseHTML(tb.get(t, devHost, "/t/zwolle/mijn/", cookie).body)
	for _, h := range doc.hrefs() {
		if strings.Contains(h, "betalingen") || strings.Contains(h, "schulden") || strings.Contains(h, "kalender") {
			t.Errorf("the menu links %q, a page that is not there", h)
		}
	}
}
