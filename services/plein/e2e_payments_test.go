package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/plein-nl/plein/platform/auth"
	"github.com/plein-nl/plein/platform/auth/authtest"
	"github.com/plein-nl/plein/platform/bsn"
	"github.com/plein-nl/plein/platform/bsn/bsntest"
	"github.com/plein-nl/plein/platform/db"
	"github.com/plein-nl/plein/platform/db/dbtest"
	"github.com/plein-nl/plein/platform/httpapi/httpapitest"
	"github.com/plein-nl/plein/platform/jobs"
	"github.com/plein-nl/plein/platform/money"
	"github.com/plein-nl/plein/platform/observe"
	"github.com/plein-nl/plein/platform/tenant"
	"github.com/plein-nl/plein/services/creditors"
	"github.com/plein-nl/plein/services/debts"
	"github.com/plein-nl/plein/services/paymentplans"
)

// The end-to-end tests of direct payments and debts: the real HTTP stack (edge, staff
// APIs, portal) on a fresh database with the real gemeenten applied, staff with OIDC
// tokens, residents with portal sessions, creditors with partner keys.
//
// The clock is fixed at Thursday 2 April 2026, 10:00 in the Netherlands, so "next
// month" is May 2026 under the law of 1 January 2026 and the urgent deadline of a
// signal crosses Easter. The month of a single resident (born 1990, no income) in May
// 2026 (docs/domain.md §1–3, tenants/zwolle.yaml):
//
//	norm                  1401.50                      = 140150
//	vakantietoeslag 4.8 % 140150 × 48 / 1000 = 6727.2  →   6727 (half up)
//	cash                  140150 − 6727                = 133423
//	leefgeld (zwolle)     min_cash_payout_cents        =  25000
//	room for on_behalf    133423 − 25000               = 108423
var e2eNow = time.Date(2026, time.April, 2, 10, 0, 0, 0, amsterdam())

const (
	e2eNextMonth = "2026-05"
	e2eBijstand  = 140150
	e2eReserve   = 6727   // 140150 × 4.8 % = 6727.2, half up
	e2eCash      = 133423 // 140150 − 6727
	e2eLeefgeld  = 25000  // zwolle's settlement.min_cash_payout_cents
	e2ePremium   = 15850  // € 158,50 a month to Zilveren Kruis
	e2ePolis     = "123456789"
	e2eBSN       = "999993653"
	e2eOtherBSN  = "111222333"
	e2ePurpose   = "controle betaling zorgpremie"
)

func amsterdam() *time.Location {
	loc, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		panic(err)
	}
	return loc
}

type e2eBundle struct {
	srv        *httptest.Server
	d          *dbtest.DB
	sessions   *auth.Sessions
	consulent  string // zwolle consulent's bearer token
	schuldhulp string // zwolle schuldhulpverlener's bearer token
	enschede   string // enschede consulent's bearer token
	admin      string // zwolle tenant admin's bearer token
}

// setupE2E builds the app on a fresh database with the clock fixed at e2eNow.
func setupE2E(t *testing.T) *e2eBundle {
	t.Helper()
	zwolle, enschede := authtest.NewIssuer(t), authtest.NewIssuer(t)
	_, _, b := startE2E(t, tenantsDB(t), map[*authtest.Issuer]string{zwolle: "zwolle", enschede: "enschede"}, false)
	b.consulent, b.schuldhulp = token(zwolle, "cons-z", "consulent"), token(zwolle, "shv-z", "schuldhulpverlener")
	b.enschede, b.admin = token(enschede, "cons-e", "consulent"), token(zwolle, "admin-z", "tenant-admin")
	return b
}

// startE2E builds the app on d with the clock fixed at e2eNow, signing in with the
// issuers (issuer → gemeente, "" for the coöperatie), with the control pool when
// control is set; it serves the app and returns it with its sealer and the bundle.
func startE2E(t *testing.T, d *dbtest.DB, issuers map[*authtest.Issuer]string, control bool) (*app, *bsn.Sealer, *e2eBundle) {
	t.Helper()
	sealer := bsntest.Sealer(t)
	key := bytes.Repeat([]byte{7}, 32)
	cfg := appConfig{sessionKey: key, verifiers: verifiersOf(t, issuers), keys: bsntest.Keyring(t), now: func() time.Time { return e2eNow }}
	if control {
		cfg.controlPool = d.Control
	}
	a := testApp(t, d, cfg)
	b := &e2eBundle{srv: httptest.NewServer(a.handler), d: d}
	t.Cleanup(b.srv.Close)
	// The same key as the app's: a cookie made here is one the portal accepts.
	var err error
	if b.sessions, err = auth.NewSessions(auth.SessionConfig{Key: key, Now: time.Now,
		Revocations: auth.NewRevocationStore(d.App, time.Now)}); err != nil {
		t.Fatal(err)
	}
	return a, sealer, b
}

// api calls the staff API with a bearer credential and a JSON body (nil: none).
func (b *e2eBundle) api(t *testing.T, method, path, bearer string, body any) (int, []byte) {
	t.Helper()
	var j []byte
	if body != nil {
		var err error
		if j, err = json.Marshal(body); err != nil {
			t.Fatal(err)
		}
	}
	hdr := map[string]string{}
	if bearer != "" {
		hdr["Authorization"] = "Bearer " + bearer
	}
	resp, out := httpapitest.Do(t, b.srv, "", method, path, string(j), hdr)
	return resp.StatusCode, out
}

// apiJSON is api that wants status want and decodes the answer into v.
func (b *e2eBundle) apiJSON(t *testing.T, method, path, bearer string, body any, want int, v any) {
	t.Helper()
	status, out := b.api(t, method, path, bearer, body)
	if status != want {
		t.Fatalf("%s %s: status %d, want %d: %s", method, path, status, want, out)
	}
	if v != nil {
		if err := json.Unmarshal(out, v); err != nil {
			t.Fatalf("%s %s: %v: %s", method, path, err, out)
		}
	}
}

// residentCookie is a production sign-in's session (not the dev login's) of
// residentID in zwolle, with its CSRF token.
func (b *e2eBundle) residentCookie(t *testing.T, residentID string) *http.Cookie {
	t.Helper()
	rec := httptest.NewRecorder()
	if _, err := b.sessions.Issue(rec, auth.Identity{Subject: "digid:" + residentID, Tenant: "zwolle",
		Roles: []string{auth.RoleResident}, ResidentID: residentID, Method: auth.MethodOIDC}); err != nil {
		t.Fatal(err)
	}
	return rec.Result().Cookies()[0]
}

// noRedirect is a client that hands a redirect back to the test instead of following it.
var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// send sends one request to the bundle's app; see sendTo.
func (b *e2eBundle) send(t *testing.T, method, path string, c *http.Cookie, form url.Values) (*http.Response, string) {
	t.Helper()
	return sendTo(t, b.srv, method, path, c, form)
}

// sendTo sends one request to srv with session cookie c and, when form is not nil,
// the form urlencoded, without following redirects; it returns the answer and its
// body.
func sendTo(t *testing.T, srv *httptest.Server, method, path string, c *http.Cookie, form url.Values) (*http.Response, string) {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, srv.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.AddCookie(c)
	resp, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp, string(out)
}

// page requests a portal page with a session cookie, without following redirects;
// form non-nil makes it a POST.
func (b *e2eBundle) page(t *testing.T, path string, c *http.Cookie, form url.Values) (int, string, string) {
	t.Helper()
	method := http.MethodGet
	if form != nil {
		method = http.MethodPost
	}
	resp, body := b.send(t, method, path, c, form)
	return resp.StatusCode, body, resp.Header.Get("Location")
}

// e2ePlan is a plan as the staff API shows it, the fields the tests read.
type e2ePlan struct {
	ID          string  `json:"id"`
	Kind        string  `json:"kind"`
	CreditorID  string  `json:"creditor_id"`
	Reference   string  `json:"reference"`
	AmountCents int64   `json:"amount_cents"`
	StartPeriod string  `json:"start_period"`
	EndPeriod   *string `json:"end_period"`
	Status      string  `json:"status"`
	Mandate     *struct {
		GivenBy   string `json:"given_by"`
		RevokedAt string `json:"revoked_at"`
	} `json:"mandate"`
}

type e2eMonth struct {
	Result struct {
		BijstandCents int64 `json:"bijstand_cents"`
		ReserveCents  int64 `json:"vakantietoeslag_reserve_cents"`
		PayoutCents   int64 `json:"payout_cents"`
		Deductions    []struct {
			ID             string `json:"id"`
			Kind           string `json:"kind"`
			RequestedCents int64  `json:"requested_cents"`
			AppliedCents   int64  `json:"applied_cents"`
			ShortfallCents int64  `json:"shortfall_cents"`
		} `json:"deductions"`
		Trace []struct {
			Step   string `json:"step"`
			TextNL string `json:"text_nl"`
		} `json:"trace"`
	} `json:"result"`
}

type e2eQueueItem struct {
	Kind        string `json:"kind"`
	ID          string `json:"id"`
	Step        string `json:"step"`
	ResidentID  string `json:"resident_id"`
	CreditorID  string `json:"creditor_id"`
	AmountCents int64  `json:"amount_cents"`
	Threat      string `json:"threat"`
	Deadline    string `json:"deadline"`
	DaysLeft    int    `json:"days_left"`
	Note        string `json:"note"`
}

func residentsPath(id string) string { return "/api/v1/tenants/zwolle/residents/" + id }

// createResident makes a single resident through the staff API and returns its id.
func (b *e2eBundle) createResident(t *testing.T, name, bsnNumber string) string {
	t.Helper()
	id := b.postForID(t, "/api/v1/tenants/zwolle/residents", map[string]any{
		"name": name, "birth_date": "1990-05-01", "bsn": bsnNumber, "iban": "NL91ABNA0417164300", "household_kind": "single",
	}, http.StatusCreated)
	if id == "" {
		t.Fatal("the new resident has no id")
	}
	return id
}

// postForID posts body to path as the consulent, wants status want, and returns the
// "id" of the answer: the resident it created or found.
func (b *e2eBundle) postForID(t *testing.T, path string, body any, want int) string {
	t.Helper()
	var r struct {
		ID string `json:"id"`
	}
	b.apiJSON(t, http.MethodPost, path, b.consulent, body, want, &r)
	return r.ID
}

// zorgpremie is the consulent's on_behalf plan to Zilveren Kruis from next month,
// with the paper mandate signed last week.
func zorgpremie(amount int64) map[string]any {
	return map[string]any{"kind": "on_behalf", "creditor_id": "zilveren-kruis", "reference": e2ePolis,
		"amount_cents": amount, "priority": 10, "start_period": e2eNextMonth, "mandate_signed_on": "2026-03-26"}
}

// requestAndApprove records plan np for the resident as the consulent and approves it.
func (b *e2eBundle) requestAndApprove(t *testing.T, residentID string, np map[string]any) e2ePlan {
	t.Helper()
	var p e2ePlan
	b.apiJSON(t, http.MethodPost, residentsPath(residentID)+"/plans", b.consulent, np, http.StatusCreated, &p)
	if p.Status != "requested" {
		t.Fatalf("new plan status = %q, want requested", p.Status)
	}
	b.apiJSON(t, http.MethodPost, residentsPath(residentID)+"/plans/"+p.ID+"/approve", b.consulent, nil, http.StatusOK, &p)
	if p.Status != "approved" {
		t.Fatalf("approved plan status = %q, want approved (it starts next month)", p.Status)
	}
	return p
}

func (b *e2eBundle) plans(t *testing.T, residentID string) []e2ePlan {
	t.Helper()
	var out struct {
		Plans []e2ePlan `json:"plans"`
	}
	b.apiJSON(t, http.MethodGet, residentsPath(residentID)+"/plans?purpose="+url.QueryEscape(e2ePurpose), b.consulent, nil, http.StatusOK, &out)
	return out.Plans
}

func (b *e2eBundle) month(t *testing.T, residentID, period string) e2eMonth {
	t.Helper()
	var m e2eMonth
	b.apiJSON(t, http.MethodGet, residentsPath(residentID)+"/months/"+period+"?purpose="+url.QueryEscape(e2ePurpose),
		b.consulent, nil, http.StatusOK, &m)
	return m
}

func (b *e2eBundle) queue(t *testing.T) []e2eQueueItem {
	t.Helper()
	var q struct {
		Items []e2eQueueItem `json:"items"`
	}
	b.apiJSON(t, http.MethodGet, "/api/v1/tenants/zwolle/schuldhulp/queue", b.schuldhulp, nil, http.StatusOK, &q)
	return q.Items
}

// TestE2EZorgpremieOnBehalf: a consulent sets up a zorgpremie paid on the resident's
// behalf; the month, the creditor's messages and the resident's portal show it; the
// resident stops it, and another resident cannot.
func TestE2EZorgpremieOnBehalf(t *testing.T) {
	t.Parallel()
	b := setupE2E(t)
	id := b.createResident(t, "Fatima Bakker", e2eBSN)
	plan := b.requestAndApprove(t, id, zorgpremie(e2ePremium))
	if plan.Mandate == nil || plan.Mandate.GivenBy != "consulent_paper" {
		t.Errorf("mandate = %+v, want a paper mandate recorded by the consulent", plan.Mandate)
	}

	checkZorgpremieMonth(t, b, id, plan.ID)
	checkZorgpremieStartMessage(t, b, plan.ID)

	// The resident's own view.
	own := b.residentCookie(t, id)
	status, html, _ := b.page(t, "/t/zwolle/betalingen/", own, nil)
	if status != http.StatusOK || !strings.Contains(html, "Zilveren Kruis") || !strings.Contains(html, "€ 158,50") {
		t.Fatalf("Mijn betalingen: status %d, want 200 with Zilveren Kruis and € 158,50:\n%s", status, html)
	}
	status, html, _ = b.page(t, "/t/zwolle/mijn/?maand="+e2eNextMonth, own, nil)
	if status != http.StatusOK {
		t.Fatalf("Deze maand (mei): status %d:\n%s", status, html)
	}
	row := regexp.MustCompile(`(?s)<tr class="line line--deduction">.*?</tr>`).FindString(html)
	if !strings.Contains(row, "Zilveren Kruis") || !strings.Contains(row, "€ -158,50") {
		t.Errorf("payment line of May = %q, want Zilveren Kruis and € -158,50", row)
	}
	if !strings.Contains(html, `data-testid="payout">€ 1.175,73<`) {
		t.Errorf("May's payout is not € 1.175,73 (117573):\n%s", html)
	}

	checkOthersCannotStop(t, b, id, plan.ID)

	// A POST without the page's CSRF token changes nothing either.
	stopPath := "/t/zwolle/betalingen/" + plan.ID + "/stoppen"
	if status, _, _ := b.page(t, stopPath, own, url.Values{"csrf_token": {"wrong"}}); status != http.StatusForbidden {
		t.Errorf("POST stop without the CSRF token: status %d, want 403", status)
	}

	// She stops it: confirmation page, then the POST with its token.
	status, html, _ = b.page(t, stopPath, own, nil)
	if status != http.StatusOK || !strings.Contains(html, "Zilveren Kruis") {
		t.Fatalf("stop confirmation: status %d:\n%s", status, html)
	}
	status, _, loc := b.page(t, stopPath, own, url.Values{"csrf_token": {authtest.CSRFToken(t, html)}})
	if status != http.StatusSeeOther || !strings.Contains(loc, "gestopt=1") {
		t.Fatalf("POST stop: status %d to %q, want 303 to Mijn betalingen with gestopt=1", status, loc)
	}
	// Stopped before its first month: its last month is this month (April), so it
	// never takes money.
	ps := b.plans(t, id)
	if len(ps) != 1 || ps[0].Status != "ended" || ps[0].EndPeriod == nil || *ps[0].EndPeriod != "2026-04" ||
		ps[0].Mandate == nil || ps[0].Mandate.RevokedAt == "" {
		t.Fatalf("after her stop the plan is %+v, want ended in 2026-04 with the mandate revoked", ps)
	}
	if m := b.month(t, id, e2eNextMonth); len(m.Result.Deductions) != 0 || m.Result.PayoutCents != e2eCash {
		t.Errorf("May after the stop: deductions %+v payout %d, want none and %d", m.Result.Deductions, m.Result.PayoutCents, e2eCash)
	}
	_, export := b.api(t, http.MethodGet, "/api/v1/tenants/zwolle/creditors/zilveren-kruis/messages", b.consulent, nil)
	if n := strings.Count(string(export), `"kind":"stop"`); n != 1 {
		t.Errorf("export after the stop has %d stop messages, want 1:\n%s", n, export)
	}
}

// checkZorgpremieMonth checks the month in which resident id's zorgpremie plan
// planID is first in force, and that it is not in force this month: the premium
// comes off the cash before the payout, and the explanation names the creditor.
func checkZorgpremieMonth(t *testing.T, b *e2eBundle, id, planID string) {
	t.Helper()
	//   room for on_behalf 108423 ≥ 15850, so all of it is applied
	//   payout = 133423 − 15850 = 117573
	m := b.month(t, id, e2eNextMonth)
	if got := m.Result.BijstandCents; got != e2eBijstand {
		t.Errorf("bijstand = %d, want %d", got, e2eBijstand)
	}
	if got := m.Result.ReserveCents; got != e2eReserve {
		t.Errorf("reserve = %d, want %d", got, e2eReserve)
	}
	if len(m.Result.Deductions) != 1 {
		t.Fatalf("deductions = %+v, want the one plan", m.Result.Deductions)
	}
	d := m.Result.Deductions[0]
	if d.ID != planID || d.Kind != "on_behalf" || d.RequestedCents != e2ePremium || d.AppliedCents != e2ePremium || d.ShortfallCents != 0 {
		t.Errorf("deduction = %+v, want plan %s on_behalf 15850 applied in full", d, planID)
	}
	if got, want := m.Result.PayoutCents, int64(117573); got != want {
		t.Errorf("payout = %d, want %d (133423 − 15850)", got, want)
	}
	// The explanation names the creditor, not the plan's id.
	steps := 0
	for _, s := range m.Result.Trace {
		if s.Step != "deduction" {
			continue
		}
		steps++
		if !strings.Contains(s.TextNL, "Zilveren Kruis") || strings.Contains(s.TextNL, planID) {
			t.Errorf("deduction trace = %q, want it to name Zilveren Kruis, not the plan id", s.TextNL)
		}
	}
	if steps != 1 {
		t.Errorf("the trace has %d deduction steps, want 1", steps)
	}
	// This month the plan is not yet in force.
	if m := b.month(t, id, "2026-04"); len(m.Result.Deductions) != 0 || m.Result.PayoutCents != e2eCash {
		t.Errorf("april: deductions %+v payout %d, want none and %d", m.Result.Deductions, m.Result.PayoutCents, e2eCash)
	}
}

// checkZorgpremieStartMessage checks the creditor's export of plan planID: one
// start message with the polisnummer and no BSN.
func checkZorgpremieStartMessage(t *testing.T, b *e2eBundle, planID string) {
	t.Helper()
	status, export := b.api(t, http.MethodGet, "/api/v1/tenants/zwolle/creditors/zilveren-kruis/messages", b.consulent, nil)
	if status != http.StatusOK {
		t.Fatalf("export: status %d: %s", status, export)
	}
	lines := strings.Split(strings.TrimSpace(string(export)), "\n")
	if len(lines) != 1 {
		t.Fatalf("export has %d lines, want 1 start message:\n%s", len(lines), export)
	}
	var line struct {
		Message struct {
			Kind        string `json:"kind"`
			PlanID      string `json:"plan_id"`
			Reference   string `json:"reference"`
			AmountCents int64  `json:"amount_cents"`
			StartPeriod string `json:"start_period"`
		} `json:"message"`
	}
	if err := json.Unmarshal([]byte(lines[0]), &line); err != nil {
		t.Fatal(err)
	}
	if got := line.Message; got.Kind != "start" || got.PlanID != planID || got.Reference != e2ePolis ||
		got.AmountCents != e2ePremium || got.StartPeriod != e2eNextMonth {
		t.Errorf("start message = %+v, want start of %s, %s, 15850 from %s", got, planID, e2ePolis, e2eNextMonth)
	}
	if strings.Contains(string(export), e2eBSN) || strings.Contains(string(export), "bsn") {
		t.Errorf("the creditor's export holds a BSN: %s", export)
	}
}

// checkOthersCannotStop checks that neither another resident of zwolle (in the
// portal or through the staff API) nor enschede's consulent can stop resident id's
// plan planID, and that it is unchanged.
func checkOthersCannotStop(t *testing.T, b *e2eBundle, id, planID string) {
	t.Helper()
	other := b.createResident(t, "Pieter Smit", e2eOtherBSN)
	otherCookie := b.residentCookie(t, other)
	_, otherPage, _ := b.page(t, "/t/zwolle/betalingen/", otherCookie, nil)
	if strings.Contains(otherPage, "Zilveren Kruis") && strings.Contains(otherPage, planID) {
		t.Errorf("another resident's Mijn betalingen shows the plan")
	}
	stopPath := "/t/zwolle/betalingen/" + planID + "/stoppen"
	if status, _, _ := b.page(t, stopPath, otherCookie, nil); status != http.StatusNotFound {
		t.Errorf("GET stop confirmation of another's plan: status %d, want 404", status)
	}
	if status, _, _ := b.page(t, stopPath, otherCookie, url.Values{"csrf_token": {authtest.CSRFToken(t, otherPage)}}); status != http.StatusForbidden {
		t.Errorf("POST stop of another's plan: status %d, want 403", status)
	}
	// Nor through the staff API with her session, nor can enschede's consulent.
	apiStop := residentsPath(id) + "/plans/" + planID + "/stop"
	if status, out := b.apiWithCookie(t, http.MethodPost, apiStop, otherCookie); status != http.StatusForbidden {
		t.Errorf("another resident stops the plan through the API: status %d, want 403: %s", status, out)
	}
	if status, out := b.api(t, http.MethodPost, apiStop, b.enschede, nil); status != http.StatusForbidden {
		t.Errorf("enschede's consulent stops a zwolle plan: status %d, want 403: %s", status, out)
	}
	if ps := b.plans(t, id); len(ps) != 1 || ps[0].Status != "approved" || ps[0].EndPeriod != nil {
		t.Errorf("after another's stop the plans are %+v, want the one approved without end", ps)
	}
}

// TestE2EResidentAsksForPayment: the resident asks in the portal; the consulent sees
// the request and approves it.
func TestE2EResidentAsksForPayment(t *testing.T) {
	t.Parallel()
	b := setupE2E(t)
	id := b.createResident(t, "Fatima Bakker", e2eBSN)
	c := b.residentCookie(t, id)
	status, html, _ := b.page(t, "/t/zwolle/betalingen/nieuw", c, nil)
	if status != http.StatusOK || !strings.Contains(html, `value="zilveren-kruis"`) {
		t.Fatalf("request form: status %d, want 200 with Zilveren Kruis to choose:\n%s", status, html)
	}
	token := authtest.CSRFToken(t, html)

	// A polisnummer of 5 digits is refused next to its field, and nothing is stored.
	status, bad, _ := b.page(t, "/t/zwolle/betalingen/nieuw", c, url.Values{"csrf_token": {token},
		"crediteur": {"zilveren-kruis"}, "kenmerk": {"12345"}, "bedrag": {"158,50"}, "vanaf": {e2eNextMonth}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(bad, `id="kenmerk-error"`) {
		t.Errorf("short polisnummer: status %d, want 422 with an error at kenmerk:\n%s", status, bad)
	}
	if ps := b.plans(t, id); len(ps) != 0 {
		t.Fatalf("after a refused request the plans are %+v, want none", ps)
	}

	status, _, loc := b.page(t, "/t/zwolle/betalingen/nieuw", c, url.Values{"csrf_token": {token},
		"crediteur": {"zilveren-kruis"}, "kenmerk": {e2ePolis}, "bedrag": {"158,50"}, "vanaf": {e2eNextMonth}})
	if status != http.StatusSeeOther || !strings.Contains(loc, "aangevraagd=1") {
		t.Fatalf("request: status %d to %q, want 303 with aangevraagd=1", status, loc)
	}
	ps := b.plans(t, id)
	if len(ps) != 1 {
		t.Fatalf("plans = %+v, want the one requested", ps)
	}
	p := ps[0]
	if p.Status != "requested" || p.Kind != "on_behalf" || p.CreditorID != "zilveren-kruis" || p.Reference != e2ePolis ||
		p.AmountCents != e2ePremium || p.StartPeriod != e2eNextMonth || p.Mandate == nil || p.Mandate.GivenBy != "resident" {
		t.Errorf("requested plan = %+v, want on_behalf zilveren-kruis %s 15850 from %s, mandate by the resident", p, e2ePolis, e2eNextMonth)
	}
	// The resident cannot approve her own request through the API with her session.
	status, _ = b.apiWithCookie(t, http.MethodPost, residentsPath(id)+"/plans/"+p.ID+"/approve", c)
	if status != http.StatusForbidden {
		t.Errorf("resident approves her own plan: status %d, want 403", status)
	}

	var approved e2ePlan
	b.apiJSON(t, http.MethodPost, residentsPath(id)+"/plans/"+p.ID+"/approve", b.consulent, nil, http.StatusOK, &approved)
	if approved.Status != "approved" {
		t.Errorf("approved plan status = %q, want approved", approved.Status)
	}
	_, html, _ = b.page(t, "/t/zwolle/betalingen/", c, nil)
	if !strings.Contains(html, "Zilveren Kruis") || !strings.Contains(html, "€ 158,50") || strings.Contains(html, "Wacht op") {
		t.Errorf("Mijn betalingen after approval does not show the approved payment:\n%s", html)
	}
}

func (b *e2eBundle) apiWithCookie(t *testing.T, method, path string, c *http.Cookie) (int, []byte) {
	t.Helper()
	resp, out := httpapitest.Do(t, b.srv, "", method, path, "", map[string]string{"Cookie": c.Name + "=" + c.Value})
	return resp.StatusCode, out
}

// TestE2EPlanBadInput: bad input to the staff API is a 400 problem naming the field,
// and no plan is stored.
func TestE2EPlanBadInput(t *testing.T) {
	t.Parallel()
	b := setupE2E(t)
	id := b.createResident(t, "Fatima Bakker", e2eBSN)
	with := func(k string, v any) map[string]any {
		np := zorgpremie(e2ePremium)
		np[k] = v
		return np
	}
	for _, c := range []struct {
		name  string
		body  map[string]any
		field string
	}{
		{"unknown creditor", with("creditor_id", "nergens-verzekerd"), "creditor_id"},
		{"polisnummer of 5 digits", with("reference", "12345"), "reference"},
		{"polisnummer with letters", with("reference", "12345678A"), "reference"},
		{"negative amount", with("amount_cents", -15850), "amount_cents"},
		{"zero amount", with("amount_cents", 0), "amount_cents"},
		// 2026 single norm 1401.50 (law 2026-01-01), her own: one cent more is refused.
		{"above her own norm", with("amount_cents", 140151), "amount_cents"},
		{"end before start", with("end_period", "2026-04"), "end_period"},
		{"start in the past", with("start_period", "2026-03"), "start_period"},
		{"mandate missing", with("mandate_signed_on", ""), "mandate_signed_on"},
		{"mandate in the future", with("mandate_signed_on", "2026-04-03"), "mandate_signed_on"},
		{"unknown field", with("iban", "NL91ABNA0417164300"), "iban"},
	} {
		t.Run(c.name, func(t *testing.T) {
			status, out := b.api(t, http.MethodPost, residentsPath(id)+"/plans", b.consulent, c.body)
			var p struct {
				Status   int    `json:"status"`
				DetailNL string `json:"detail_nl"`
				Errors   []struct {
					Field string `json:"field"`
				} `json:"errors"`
			}
			_ = json.Unmarshal(out, &p)
			if status != http.StatusBadRequest || p.Status != http.StatusBadRequest {
				t.Fatalf("status %d, want 400: %s", status, out)
			}
			var fields []string
			for _, e := range p.Errors {
				fields = append(fields, e.Field)
			}
			if !slices.Equal(fields, []string{c.field}) {
				t.Errorf("fields = %v, want [%s]: %s", fields, c.field, out)
			}
			if p.DetailNL == "" {
				t.Errorf("no Dutch detail: %s", out)
			}
		})
	}
	if ps := b.plans(t, id); len(ps) != 0 {
		t.Errorf("after bad input the plans are %+v, want none", ps)
	}
	// A gemeente's own creditor with an invalid IBAN (check digits 00): 400 naming
	// iban, and the register is unchanged.
	var before, after struct {
		Creditors []json.RawMessage `json:"creditors"`
	}
	b.apiJSON(t, http.MethodGet, "/api/v1/tenants/zwolle/creditors", b.consulent, nil, http.StatusOK, &before)
	status, out := b.api(t, http.MethodPost, "/api/v1/tenants/zwolle/creditors", b.consulent, map[string]any{
		"name": "Woonstichting De Voorbeeldbuurt", "kind": "woningcorporatie", "iban": "NL00ABNA0417164300",
		"reference_name": "huurcontractnummer", "reference_pattern": "[0-9]{6}"})
	if status != http.StatusBadRequest || !strings.Contains(string(out), `"field":"iban"`) {
		t.Errorf("own creditor with an invalid IBAN: status %d, want 400 naming iban: %s", status, out)
	}
	b.apiJSON(t, http.MethodGet, "/api/v1/tenants/zwolle/creditors", b.consulent, nil, http.StatusOK, &after)
	if len(before.Creditors) == 0 || len(after.Creditors) != len(before.Creditors) {
		t.Errorf("creditors: %d before, %d after a refused one; want the same, more than 0", len(before.Creditors), len(after.Creditors))
	}

	// Her own norm itself is allowed: the boundary is the norm, not below it.
	var p e2ePlan
	b.apiJSON(t, http.MethodPost, residentsPath(id)+"/plans", b.consulent, with("amount_cents", 140150), http.StatusCreated, &p)
	if p.AmountCents != 140150 {
		t.Errorf("amount = %d, want 140150", p.AmountCents)
	}
}

// TestE2EVroegsignalering: a creditor's arrears report reaches the schuldhulp queue
// with its deadline, once.
func TestE2EVroegsignalering(t *testing.T) {
	t.Parallel()
	b := setupE2E(t)
	id := b.createResident(t, "Fatima Bakker", e2eBSN)
	ctx := context.Background()
	key, err := debts.RegisterCreditorPartner(ctx, b.d.App, "zwolle", "vitens", "Vitens N.V.")
	if err != nil {
		t.Fatal(err)
	}
	signal := map[string]any{"reference": "4455667788", "bsn": e2eBSN, "amount_cents": 23417, "days_in_arrears": 62,
		"threat": "water_cutoff", "contact": map[string]any{"name": "F. Bakker"}, "reported_at": "2026-04-01"}
	const path = "/api/v1/tenants/zwolle/partner/signals"

	// Received Thursday 2 April 2026. Three working days later, Dutch holidays skipped:
	//   Fri 3 April Goede Vrijdag (Easter is Sunday 5 April), Sat 4, Sun 5 Eerste
	//   Paasdag, Mon 6 Tweede Paasdag; Tue 7 (1), Wed 8 (2), Thu 9 (3).
	const deadline = "2026-04-09"
	var got struct {
		ID       string `json:"id"`
		Deadline string `json:"deadline"`
		Status   string `json:"status"`
	}
	b.apiJSON(t, http.MethodPost, path, key, signal, http.StatusCreated, &got)
	if got.Deadline != deadline || got.Status != "new" {
		t.Errorf("signal = %+v, want deadline %s and status new", got, deadline)
	}
	// The same report again: a duplicate, 409 naming the reference and the stored
	// signal; nothing changes.
	var again struct {
		Detail string `json:"detail"`
		Errors []struct {
			Field string `json:"field"`
		} `json:"errors"`
	}
	b.apiJSON(t, http.MethodPost, path, key, signal, http.StatusConflict, &again)
	if !strings.Contains(again.Detail, got.ID) || len(again.Errors) != 1 || again.Errors[0].Field != "reference" {
		t.Errorf("repeat answered %+v, want the reference named and the stored signal %s", again, got.ID)
	}

	items := b.queue(t)
	var signals []e2eQueueItem
	for _, it := range items {
		if it.Kind == "signal" {
			signals = append(signals, it)
		}
	}
	if len(signals) != 1 {
		t.Fatalf("queue signals = %+v, want exactly one", signals)
	}
	// 9 April − 2 April = 7 days left.
	if s := signals[0]; s.ID != got.ID || s.ResidentID != id || s.CreditorID != "vitens" || s.AmountCents != 23417 ||
		s.Threat != "water_cutoff" || s.Deadline != deadline || s.Step != "first_contact" || s.DaysLeft != 7 {
		t.Errorf("queue item = %+v, want the signal of resident %s, vitens, 23417, deadline %s, 7 days left", s, id, deadline)
	}

	// Walls: a consulent may not read the queue; a zwolle key is nothing in enschede.
	if status, out := b.api(t, http.MethodGet, "/api/v1/tenants/zwolle/schuldhulp/queue", b.consulent, nil); status != http.StatusForbidden {
		t.Errorf("consulent reads the queue: status %d, want 403: %s", status, out)
	}
	if status, out := b.api(t, http.MethodPost, "/api/v1/tenants/enschede/partner/signals", key, signal); status != http.StatusUnauthorized {
		t.Errorf("zwolle's creditor key at enschede: status %d, want 401: %s", status, out)
	}
	if status, out := b.api(t, http.MethodPost, path, key+"0", signal); status != http.StatusUnauthorized {
		t.Errorf("a wrong creditor key: status %d, want 401: %s", status, out)
	}
	// A creditor key is no credential for staff reads.
	if status, _ := b.api(t, http.MethodGet, "/api/v1/tenants/zwolle/schuldhulp/queue", key, nil); status != http.StatusForbidden {
		t.Errorf("creditor reads the queue: status %d, want 403", status)
	}
	// Bad input names the field and stores nothing.
	bad := map[string]any{}
	for k, v := range signal {
		bad[k] = v
	}
	bad["reference"], bad["bsn"] = "9999", "123456789" // fails the 11-proef
	status, out := b.api(t, http.MethodPost, path, key, bad)
	if status != http.StatusBadRequest || !strings.Contains(string(out), `"field":"bsn"`) {
		t.Errorf("invalid BSN: status %d, want 400 naming bsn: %s", status, out)
	}
	if n := len(b.queue(t)); n != len(items) {
		t.Errorf("queue has %d items after a refused signal, want %d", n, len(items))
	}
}

// TestE2EShortfallReachesSchuldhulp: a month that cannot pay a plan in full is only
// read; the final run's shortfall job records the shortfall and puts it in the
// schuldhulp queue, once.
func TestE2EShortfallReachesSchuldhulp(t *testing.T) {
	t.Parallel()
	b := setupE2E(t)
	id := b.createResident(t, "Fatima Bakker", e2eBSN)
	premium := b.requestAndApprove(t, id, zorgpremie(e2ePremium))
	// An energy bill paid on her behalf that the month cannot hold.
	energy := b.requestAndApprove(t, id, map[string]any{"kind": "on_behalf", "creditor_id": "eneco", "reference": "1234567",
		"amount_cents": 100000, "priority": 20, "start_period": e2eNextMonth, "mandate_signed_on": "2026-03-26"})

	// Priority 10 first: the premium 15850 in full, cash 133423 − 15850 = 117573.
	// Then the energy plan: min(100000, 117573 − 25000 = 92573) = 92573 applied,
	// shortfall 100000 − 92573 = 7427; payout = the leefgeld 25000.
	m := b.month(t, id, e2eNextMonth)
	want := map[string][3]int64{premium.ID: {15850, 15850, 0}, energy.ID: {100000, 92573, 7427}}
	if len(m.Result.Deductions) != 2 {
		t.Fatalf("deductions = %+v, want two", m.Result.Deductions)
	}
	for _, d := range m.Result.Deductions {
		if got := [3]int64{d.RequestedCents, d.AppliedCents, d.ShortfallCents}; got != want[d.ID] {
			t.Errorf("deduction %s: requested, applied, shortfall = %v, want %v", d.ID, got, want[d.ID])
		}
	}
	if m.Result.PayoutCents != e2eLeefgeld {
		t.Errorf("payout = %d, want the leefgeld %d", m.Result.PayoutCents, e2eLeefgeld)
	}
	// Reads never write: the month read (twice, the second in the portal) records nothing.
	if status, _, _ := b.page(t, "/t/zwolle/mijn/?maand="+e2eNextMonth, b.residentCookie(t, id), nil); status != http.StatusOK {
		t.Errorf("Deze maand: status %d", status)
	}
	var none struct {
		Shortfalls []json.RawMessage `json:"shortfalls"`
	}
	b.apiJSON(t, http.MethodGet, residentsPath(id)+"/shortfalls?purpose="+url.QueryEscape(e2ePurpose), b.consulent, nil, http.StatusOK, &none)
	if len(none.Shortfalls) != 0 {
		t.Errorf("shortfalls after reading the month: %s, want none", none.Shortfalls)
	}
	// The final run of the month inserts the job with the month's deductions
	// (services/settlement post), twice here: a retried post finds its job.
	var plans []paymentplans.PlanShortfall
	for _, d := range m.Result.Deductions {
		if d.ShortfallCents > 0 {
			plans = append(plans, paymentplans.PlanShortfall{PlanID: d.ID, Requested: money.Cents(d.RequestedCents),
				Applied: money.Cents(d.AppliedCents), Shortfall: money.Cents(d.ShortfallCents)})
		}
	}
	b.shortfallJob(t, paymentplans.ShortfallArgs{TenantArgs: jobs.TenantArgs{Tenant: "zwolle"}, RunID: "run-2026-05", Chunk: 1,
		Period: e2eNextMonth, Residents: []paymentplans.ResidentShortfalls{{ResidentID: id, Plans: plans}}})

	var sf struct {
		Shortfalls []struct {
			PlanID         string `json:"plan_id"`
			Period         string `json:"period"`
			ShortfallCents int64  `json:"shortfall_cents"`
			Signalled      bool   `json:"signalled"`
		} `json:"shortfalls"`
	}
	b.apiJSON(t, http.MethodGet, residentsPath(id)+"/shortfalls?purpose="+url.QueryEscape(e2ePurpose), b.consulent, nil, http.StatusOK, &sf)
	if len(sf.Shortfalls) != 1 || sf.Shortfalls[0].PlanID != energy.ID || sf.Shortfalls[0].Period != e2eNextMonth ||
		sf.Shortfalls[0].ShortfallCents != 7427 || !sf.Shortfalls[0].Signalled {
		t.Errorf("shortfalls = %+v, want energy plan %s, %s, 7427, signalled", sf.Shortfalls, energy.ID, e2eNextMonth)
	}

	// Reading the month again (the resident in the portal) makes no second item.
	if status, _, _ := b.page(t, "/t/zwolle/mijn/?maand="+e2eNextMonth, b.residentCookie(t, id), nil); status != http.StatusOK {
		t.Errorf("Deze maand: status %d", status)
	}
	var items []e2eQueueItem
	for _, it := range b.queue(t) {
		if it.Kind == "shortfall" {
			items = append(items, it)
		}
	}
	// Received 2 April 2026, no urgent threat: 28 days later, 30 April.
	if len(items) != 1 {
		t.Fatalf("queue shortfall items = %+v, want one", items)
	}
	if it := items[0]; it.ResidentID != id || it.CreditorID != "eneco" || it.AmountCents != 7427 || it.Threat != "none" ||
		it.Deadline != "2026-04-30" || !strings.Contains(it.Note, "€ 74,27") || !strings.Contains(it.Note, "mei 2026") {
		t.Errorf("shortfall item = %+v, want resident %s, eneco, 7427, deadline 2026-04-30, a note of € 74,27 in mei 2026", it, id)
	}

	// The resident sees it in Mijn schulden.
	_, html, _ := b.page(t, "/t/zwolle/schulden/", b.residentCookie(t, id), nil)
	if !strings.Contains(html, "€ 74,27") {
		t.Errorf("Mijn schulden does not show the shortfall of € 74,27:\n%s", html)
	}
}

// shortfallJob inserts args twice, as a final run's post (and a retried one) does, and
// works the jobs with the payment plans' workers and the app's clock until none is left.
func (b *e2eBundle) shortfallJob(t *testing.T, args paymentplans.ShortfallArgs) {
	t.Helper()
	now := func() time.Time { return e2eNow }
	w := river.NewWorkers()
	paymentplans.AddWorkers(w, paymentplans.WorkerConfig{App: b.d.App, Creditors: creditors.NewService(b.d.App, nil, now),
		Signals: debts.NewService(debts.Config{App: b.d.App, Now: now}), Now: now})
	jc, err := jobs.NewClient(b.d.App, jobs.Config{Workers: w, Logger: observe.NewEnvLogger(io.Discard), MaxWorkers: 2})
	if err != nil {
		t.Fatal(err)
	}
	ctx := tenant.WithID(t.Context(), args.Tenant)
	for range 2 {
		if err := db.InTenant(ctx, b.d.App, func(ctx context.Context, tx pgx.Tx) error {
			return jobs.InsertTx(ctx, jc, tx, args, nil)
		}); err != nil {
			t.Fatal(err)
		}
	}
	events, cancel := jc.Subscribe(river.EventKindJobCompleted, river.EventKindJobFailed)
	defer cancel()
	if err := jc.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = jc.Stop(context.WithoutCancel(ctx)) }()
	select {
	case ev := <-events:
		if ev.Kind != river.EventKindJobCompleted {
			t.Fatalf("shortfall job: %s %v", ev.Kind, ev.Job.Errors)
		}
	case <-time.After(time.Minute):
		t.Fatal("shortfall job: not worked in a minute")
	}
}
