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

// errorEncoder is the API's error encoder on log, for inputtest.CheckDataException.
func errorEncoder(log *slog.Logger) kithttp.ErrorEncoder { return newAPI(log).EncodeError }

var (
	do       = httpapitest.Do
	mustJSON = httpapitest.MustJSON
)

func TestHTTPTransport(t *testing.T) {
	t.Parallel()
	b := setup(t)
	srv := newTestServer(t, b.svc)
	fatima := b.resident(t, enschede, bsnFatima)
	const tn = "/api/v1/tenants/enschede"
	res := tn + "/residents/" + fatima

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
	tests := []struct {
		name       string
		principal  string
		method     string
		path       string
		body       string
		hdr        map[string]string
		wantStatus int
		wantFields []string
	}{
		{"list debts", "shv", "GET", res + "/debts" + purposeQ, "", nil, 200, nil},
		{"consulent lists debts", "consulent", "GET", res + "/debts" + purposeQ, "", nil, 200, nil},
		{"list without purpose", "shv", "GET", res + "/debts", "", nil, 400, []string{"purpose"}},
		{"consulent may not write", "consulent", "POST", res + "/debts", `{"creditor_id":"domijn","reference":"X","claim_cents":1}`, nil, 403, nil},
		{"unauthenticated", "", "GET", res + "/debts" + purposeQ, "", nil, 401, nil},
		{"zwolle", "zwolle", "GET", res + "/debts" + purposeQ, "", nil, 403, nil},
		{"unknown creditor", "shv", "POST", res + "/debts", `{"creditor_id":"essent","reference":"X","claim_cents":100}`, nil, 400, []string{"creditor_id"}},
		{"negative amount", "shv", "POST", res + "/debts", `{"creditor_id":"domijn","reference":"X","claim_cents":-100}`, nil, 400, []string{"claim_cents"}},
		{"duplicate debt", "shv", "POST", res + "/debts", `{"creditor_id":"domijn","reference":"HUUR-1","claim_cents":100}`, nil, 409, nil},
		{"unknown resident", "shv", "POST", tn + "/residents/00000000-0000-4000-8000-000000000000/debts", `{"creditor_id":"domijn","reference":"X","claim_cents":1}`, nil, 404, nil},
		{"unknown field", "shv", "POST", res + "/debts", `{"creditor":"domijn"}`, nil, 400, []string{"creditor"}},
		{"patch without If-Match", "shv", "PATCH", debtPath, `{"balance_cents":0}`, nil, 428, nil},
		{"patch stale", "shv", "PATCH", debtPath, `{"balance_cents":0}`, map[string]string{"If-Match": `"9"`}, 409, nil},
		{"patch", "shv", "PATCH", debtPath, `{"balance_cents":100000}`, map[string]string{"If-Match": `"1"`}, 200, nil},
		{"queue", "shv", "GET", tn + "/schuldhulp/queue", "", nil, 200, nil},
		{"creditor reads the queue", "eneco", "GET", tn + "/schuldhulp/queue", "", nil, 403, nil},
		{"contact", "shv", "POST", tn + "/schuldhulp/signals/" + signalID + "/contact", "", nil, 204, nil},
		{"contact in the future", "shv", "POST", tn + "/schuldhulp/signals/" + signalID + "/contact", `{"at":"2030-01-01T00:00:00Z"}`, nil, 400, []string{"at"}},
		{"contact unknown", "shv", "POST", tn + "/schuldhulp/signals/00000000-0000-4000-8000-000000000000/contact", "", nil, 404, nil},
		{"accept help", "shv", "POST", tn + "/schuldhulp/signals/" + signalID + "/accept", "", nil, 200, nil},
		{"decline after accept", "shv", "POST", tn + "/schuldhulp/signals/" + signalID + "/decline", "", nil, 409, nil},
		{"aanmelding", "shv", "POST", tn + "/schuldhulp/requests", `{"resident_id":"` + fatima + `","threat":"eviction"}`, nil, 201, nil},
		{"aanmelding unknown resident", "shv", "POST", tn + "/schuldhulp/requests", `{"resident_id":"nope"}`, nil, 400, []string{"resident_id"}},
		{"plan", "shv", "POST", res + "/plan-van-aanpak", `{"first_conversation":"2026-03-20","situation":"S"}`, nil, 200, nil},
		{"read plan", "shv", "GET", res + "/plan-van-aanpak" + purposeQ, "", nil, 200, nil},
		{"no traject yet", "shv", "GET", res + "/traject" + purposeQ, "", nil, 404, nil},
		{"start traject", "shv", "POST", res + "/traject", `{"capacity_cents_per_month":10000}`, nil, 201, nil},
		{"second traject", "shv", "POST", res + "/traject", `{"capacity_cents_per_month":10000}`, nil, 409, nil},
		{"read traject", "shv", "GET", res + "/traject" + purposeQ, "", nil, 200, nil},
		{"reject", "shv", "POST", res + "/traject/offers/domijn/reject", "", nil, 200, nil},
		{"accept after reject", "shv", "POST", res + "/traject/offers/eneco/accept", "", nil, 404, nil},
		{"invalid signal", "eneco", "POST", tn + "/partner/signals", bad, nil, 400,
			[]string{"reference", "amount_cents", "threat", "reported_at", "bsn", "days_in_arrears", "contact.name"}},
		{"creditor not in the register", "essent", "POST", tn + "/partner/signals", testSignal, nil, 400, []string{"creditor_id"}},
		{"staff may not submit signals", "shv", "POST", tn + "/partner/signals", testSignal, nil, 403, nil},
		{"no credentials", "", "POST", tn + "/partner/signals", testSignal, nil, 401, nil},
		{"creditor in another tenant", "eneco", "POST", "/api/v1/tenants/zwolle/partner/signals", testSignal, nil, 403, nil},
		{"creditor reads debts", "eneco", "GET", res + "/debts" + purposeQ, "", nil, 403, nil},
		{"not JSON", "eneco", "POST", tn + "/partner/signals", testSignal, map[string]string{"Content-Type": "text/plain"}, 415, nil},
		{"too large", "eneco", "POST", tn + "/partner/signals", `{"reference":"` + strings.Repeat("a", 70<<10) + `"}`, nil, 413, nil},
		{"invalid tenant", "shv", "GET", "/api/v1/tenants/Bad_T/schuldhulp/queue", "", nil, 400, []string{"tenant"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := do(t, srv, tt.principal, tt.method, tt.path, tt.body, tt.hdr)
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status = %d, want %d; body %s", resp.StatusCode, tt.wantStatus, body)
			}
			if strings.Contains(string(body), "999993653") {
				t.Errorf("body holds a BSN: %s", body)
			}
			if tt.wantStatus < 400 {
				return
			}
			httpapitest.CheckProblem(t, resp, body, tt.wantStatus, tt.wantFields)
		})
	}
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
