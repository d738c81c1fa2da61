package debts

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	kithttp "github.com/go-kit/kit/transport/http"

	"github.com/plein-nl/plein/platform/authz"
	"github.com/plein-nl/plein/platform/httpapi/httpapitest"
)

// newTestServer serves the API with a stand-in for the authentication edge
// (services/plein), which maps a "plein_cred_…" key to a creditor principal and an
// OIDC token to a staff one.
func newTestServer(t *testing.T, svc Service) *httptest.Server {
	t.Helper()
	return httpapitest.Server(t, RegisterHTTP, MakeEndpoints(svc, nil), map[string]authz.Principal{
		"shv":       shvEnschede,
		"zwolle":    shvZwolle,
		"consulent": consulentEnschede,
		"eneco":     creditor(enschede, "eneco"),
		"essent":    creditor(enschede, "essent"), // a partner key, but not in the creditor register
	})
}

// setupHTTP is setup with the staff API served and Fatima a resident of enschede, the
// case the HTTP tests work on: it returns the server, her id and the path of her case.
func setupHTTP(t *testing.T) (b *testBundle, srv *httptest.Server, fatima, res string) {
	t.Helper()
	b = setup(t)
	srv = newTestServer(t, b.svc)
	fatima = b.resident(t, enschede, bsnFatima)
	return b, srv, fatima, "/api/v1/tenants/enschede/residents/" + fatima
}

// errorEncoder is the API's error encoder on log, for inputtest.CheckDataException.
func errorEncoder(log *slog.Logger) kithttp.ErrorEncoder { return newAPI(log).EncodeError }

var (
	do       = httpapitest.Do
	mustJSON = httpapitest.MustJSON
)

func TestHTTPTransport(t *testing.T) {
	t.Parallel()
	b, srv, fatima, res := setupHTTP(t)
	const tn = "/api/v1/tenants/enschede"

	signalID := signalOverHTTP(t, srv, tn)

	resp, body := do(t, srv, "shv", "POST", res+"/debts", `{"creditor_id":"domijn","reference":"HUUR-1","claim_cents":120000}`, nil)
	if resp.StatusCode != http.StatusCreated || resp.Header.Get("ETag") != `"1"` || !strings.Contains(resp.Header.Get("Location"), res+"/debts/") {
		t.Fatalf("create debt: %d %s %v", resp.StatusCode, body, resp.Header)
	}
	var debt map[string]any
	mustJSON(t, body, &debt)
	debtPath := res + "/debts/" + debt["id"].(string)

	purposeQ := "?purpose=zaak+2026-0042"
	bad := `{"reference":"","bsn":"123456789","amount_cents":-5,"days_in_arrears":4000,"threat":"bailiff","contact":{"name":""},"reported_at":"x"}`
	tests := []httpapitest.Case{
		{Name: "list debts", Principal: "shv", Method: "GET", Path: res + "/debts" + purposeQ, WantStatus: 200},
		{Name: "consulent lists debts", Principal: "consulent", Method: "GET", Path: res + "/debts" + purposeQ, WantStatus: 200},
		{Name: "list without purpose", Principal: "shv", Method: "GET", Path: res + "/debts", WantStatus: 400, WantFields: []string{"purpose"}},
		{Name: "consulent may not write", Principal: "consulent", Method: "POST", Path: res + "/debts", Body: `{"creditor_id":"domijn","reference":"X","claim_cents":1}`, WantStatus: 403},
		{Name: "unauthenticated", Method: "GET", Path: res + "/debts" + purposeQ, WantStatus: 401},
		{Name: "zwolle", Principal: "zwolle", Method: "GET", Path: res + "/debts" + purposeQ, WantStatus: 403},
		{Name: "unknown creditor", Principal: "shv", Method: "POST", Path: res + "/debts", Body: `{"creditor_id":"essent","reference":"X","claim_cents":100}`, WantStatus: 400, WantFields: []string{"creditor_id"}},
		{Name: "negative amount", Principal: "shv", Method: "POST", Path: res + "/debts", Body: `{"creditor_id":"domijn","reference":"X","claim_cents":-100}`, WantStatus: 400, WantFields: []string{"claim_cents"}},
		{Name: "duplicate debt", Principal: "shv", Method: "POST", Path: res + "/debts", Body: `{"creditor_id":"domijn","reference":"HUUR-1","claim_cents":100}`, WantStatus: 409},
		{Name: "unknown resident", Principal: "shv", Method: "POST", Path: tn + "/residents/00000000-0000-4000-8000-000000000000/debts", Body: `{"creditor_id":"domijn","reference":"X","claim_cents":1}`, WantStatus: 404},
		{Name: "unknown field", Principal: "shv", Method: "POST", Path: res + "/debts", Body: `{"creditor":"domijn"}`, WantStatus: 400, WantFields: []string{"creditor"}},
		{Name: "patch without If-Match", Principal: "shv", Method: "PATCH", Path: debtPath, Body: `{"balance_cents":0}`, WantStatus: 428},
		{Name: "patch stale", Principal: "shv", Method: "PATCH", Path: debtPath, Body: `{"balance_cents":0}`, Header: map[string]string{"If-Match": `"9"`}, WantStatus: 409},
		{Name: "patch", Principal: "shv", Method: "PATCH", Path: debtPath, Body: `{"balance_cents":100000}`, Header: map[string]string{"If-Match": `"1"`}, WantStatus: 200},
		{Name: "queue", Principal: "shv", Method: "GET", Path: tn + "/schuldhulp/queue", WantStatus: 200},
		{Name: "creditor reads the queue", Principal: "eneco", Method: "GET", Path: tn + "/schuldhulp/queue", WantStatus: 403},
		{Name: "contact", Principal: "shv", Method: "POST", Path: tn + "/schuldhulp/signals/" + signalID + "/contact", WantStatus: 204},
		{Name: "contact in the future", Principal: "shv", Method: "POST", Path: tn + "/schuldhulp/signals/" + signalID + "/contact", Body: `{"at":"2030-01-01T00:00:00Z"}`, WantStatus: 400, WantFields: []string{"at"}},
		{Name: "contact unknown", Principal: "shv", Method: "POST", Path: tn + "/schuldhulp/signals/00000000-0000-4000-8000-000000000000/contact", WantStatus: 404},
		{Name: "accept help", Principal: "shv", Method: "POST", Path: tn + "/schuldhulp/signals/" + signalID + "/accept", WantStatus: 200},
		{Name: "decline after accept", Principal: "shv", Method: "POST", Path: tn + "/schuldhulp/signals/" + signalID + "/decline", WantStatus: 409},
		{Name: "aanmelding", Principal: "shv", Method: "POST", Path: tn + "/schuldhulp/requests", Body: `{"resident_id":"` + fatima + `","threat":"eviction"}`, WantStatus: 201},
		{Name: "aanmelding unknown resident", Principal: "shv", Method: "POST", Path: tn + "/schuldhulp/requests", Body: `{"resident_id":"nope"}`, WantStatus: 400, WantFields: []string{"resident_id"}},
		{Name: "plan", Principal: "shv", Method: "POST", Path: res + "/plan-van-aanpak", Body: `{"first_conversation":"2026-03-20","situation":"S"}`, WantStatus: 200},
		{Name: "read plan", Principal: "shv", Method: "GET", Path: res + "/plan-van-aanpak" + purposeQ, WantStatus: 200},
		{Name: "no traject yet", Principal: "shv", Method: "GET", Path: res + "/traject" + purposeQ, WantStatus: 404},
		{Name: "start traject", Principal: "shv", Method: "POST", Path: res + "/traject", Body: `{"capacity_cents_per_month":10000}`, WantStatus: 201},
		{Name: "second traject", Principal: "shv", Method: "POST", Path: res + "/traject", Body: `{"capacity_cents_per_month":10000}`, WantStatus: 409},
		{Name: "read traject", Principal: "shv", Method: "GET", Path: res + "/traject" + purposeQ, WantStatus: 200},
		{Name: "reject", Principal: "shv", Method: "POST", Path: res + "/traject/offers/domijn/reject", WantStatus: 200},
		{Name: "accept after reject", Principal: "shv", Method: "POST", Path: res + "/traject/offers/eneco/accept", WantStatus: 404},
		{Name: "invalid signal", Principal: "eneco", Method: "POST", Path: tn + "/partner/signals", Body: bad, WantStatus: 400,
			WantFields: []string{"reference", "amount_cents", "threat", "reported_at", "bsn", "days_in_arrears", "contact.name"}},
		{Name: "creditor not in the register", Principal: "essent", Method: "POST", Path: tn + "/partner/signals", Body: testSignal, WantStatus: 400, WantFields: []string{"creditor_id"}},
		{Name: "staff may not submit signals", Principal: "shv", Method: "POST", Path: tn + "/partner/signals", Body: testSignal, WantStatus: 403},
		{Name: "no credentials", Method: "POST", Path: tn + "/partner/signals", Body: testSignal, WantStatus: 401},
		{Name: "creditor in another tenant", Principal: "eneco", Method: "POST", Path: "/api/v1/tenants/zwolle/partner/signals", Body: testSignal, WantStatus: 403},
		{Name: "creditor reads debts", Principal: "eneco", Method: "GET", Path: res + "/debts" + purposeQ, WantStatus: 403},
		{Name: "not JSON", Principal: "eneco", Method: "POST", Path: tn + "/partner/signals", Body: testSignal, Header: map[string]string{"Content-Type": "text/plain"}, WantStatus: 415},
		{Name: "too large", Principal: "eneco", Method: "POST", Path: tn + "/partner/signals", Body: `{"reference":"` + strings.Repeat("a", 70<<10) + `"}`, WantStatus: 413},
		{Name: "invalid tenant", Principal: "shv", Method: "GET", Path: "/api/v1/tenants/Bad_T/schuldhulp/queue", WantStatus: 400, WantFields: []string{"tenant"}},
	}
	httpapitest.RunCases(t, srv, tests, func(t *testing.T, _ httpapitest.Case, _ *http.Response, body []byte) {
		if strings.Contains(string(body), "999993653") {
			t.Errorf("body holds a BSN: %s", body)
		}
	})
	// Bad reports stored nothing: still one signal (and zwolle none).
	if n := b.count(t, enschede, "SELECT count(*) FROM signals"); n != 1 {
		t.Errorf("%d signals, want 1", n)
	}
	if n := b.count(t, zwolle, "SELECT count(*) FROM signals"); n != 0 {
		t.Errorf("zwolle has %d signals, want 0", n)
	}
}

// testSignal is a creditor's report on Fatima.
const testSignal = `{"reference":"ENE-2026-001","bsn":"999993653","amount_cents":24550,"days_in_arrears":45,"threat":"energy_cutoff",
	"contact":{"name":"F. el Amrani","address":"Hoofdstraat 1","phone":"06-12345678"},"reported_at":"2026-04-01T09:00:00+02:00"}`

// signalOverHTTP sends testSignal as eneco, twice: a new signal that tells nothing of
// the resident, then a 409 that names the one it repeats. It returns the signal's id.
func signalOverHTTP(t *testing.T, srv *httptest.Server, tn string) string {
	t.Helper()
	resp, body := do(t, srv, "eneco", "POST", tn+"/partner/signals", testSignal, nil)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("new signal: %d %s", resp.StatusCode, body)
	}
	var sig map[string]any
	mustJSON(t, body, &sig)
	if sig["deadline"] != "2026-04-09" || sig["status"] != "new" {
		t.Errorf("signal = %s; want deadline 2026-04-09, status new", body)
	}
	// Nothing tells the creditor whether the BSN is a resident's, and no BSN comes back.
	for _, leak := range []string{"resident", "999993653", "contact", "F. el Amrani"} {
		if strings.Contains(string(body), leak) {
			t.Errorf("partner response holds %q: %s", leak, body)
		}
	}
	signalID, _ := sig["id"].(string)
	resp, body = do(t, srv, "eneco", "POST", tn+"/partner/signals", testSignal, nil)
	if resp.StatusCode != http.StatusConflict || !strings.Contains(string(body), signalID) || !strings.Contains(string(body), `"field":"reference"`) {
		t.Errorf("repeated signal: %d %s; want 409 naming reference and %s", resp.StatusCode, body, signalID)
	}
	return signalID
}

// TestOpenAPIDescribesEveryRoute checks that openapi.yaml describes exactly the routes
// RegisterHTTP mounts, each with the error responses every handler can give.
func TestOpenAPIDescribesEveryRoute(t *testing.T) {
	t.Parallel()
	httpapitest.CheckOpenAPI(t, OpenAPI(), httpapitest.Patterns(RegisterHTTP), 17)
}
