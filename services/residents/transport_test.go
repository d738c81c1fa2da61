package residents

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	kithttp "github.com/go-kit/kit/transport/http"

	"github.com/plein-nl/plein/platform/authz"
	"github.com/plein-nl/plein/platform/httpapi"
	"github.com/plein-nl/plein/platform/httpapi/httpapitest"
)

func newTestServer(t *testing.T, svc Service) *httptest.Server {
	t.Helper()
	return httpapitest.Server(t, RegisterHTTP, MakeEndpoints(svc, nil), map[string]authz.Principal{"enschede": consulentEnschede, "zwolle": consulentZwolle, "admin": adminEnschede})
}

// errorEncoder is the API's error encoder on log, for inputtest.CheckDataException.
func errorEncoder(log *slog.Logger) kithttp.ErrorEncoder { return newAPI(log).EncodeError }

var (
	do       = httpapitest.Do
	mustJSON = httpapitest.MustJSON
)

const coupleJSON = `{"name":"Jan de Vries","birth_date":"1985-02-01","bsn":"999993653","iban":"NL91ABNA0417164300",
	"household_kind":"couple","n_months_used":2,
	"partner":{"name":"Ayşe de Vries","birth_date":"1987-11-30","bsn":"111222333","r_months_used":3},
	"children":[{"birth_date":"2015-06-01"}],
	"housemates":[{"birth_date":"1960-03-03","cost_sharer":true,"description":"schoonmoeder"}]}`

func TestHTTPTransport(t *testing.T) {
	t.Parallel()
	b := setup(t)
	srv := newTestServer(t, b.svc)
	const base = "/api/v1/tenants/enschede/residents"

	id := createOverHTTP(t, srv, base)

	purposeQ := "?purpose=zaak+2026-0042"
	search := base + "/search"
	tests := []httpapitest.Case{
		{Name: "get", Principal: "enschede", Method: "GET", Path: base + "/" + id + purposeQ, WantStatus: 200},
		{Name: "get, purpose in header", Principal: "enschede", Method: "GET", Path: base + "/" + id, Header: map[string]string{httpapi.PurposeHeader: "zaak 2026-0042"}, WantStatus: 200},
		{Name: "find by BSN", Principal: "admin", Method: "POST", Path: search, Body: `{"bsn":"111222333","purpose":"zaak 2026-0042"}`, WantStatus: 200},
		{Name: "get without purpose", Principal: "enschede", Method: "GET", Path: base + "/" + id, WantStatus: 400, WantFields: []string{"purpose"}},
		{Name: "find without purpose", Principal: "enschede", Method: "POST", Path: search, Body: `{"bsn":"999993653"}`, WantStatus: 400, WantFields: []string{"purpose"}},
		{Name: "find with a purpose too short", Principal: "enschede", Method: "POST", Path: search, Body: `{"bsn":"999993653","purpose":"zaak"}`, WantStatus: 400, WantFields: []string{"purpose"}},
		{Name: "find without BSN", Principal: "enschede", Method: "POST", Path: search, Body: `{"purpose":"zaak 2026-0042"}`, WantStatus: 400, WantFields: []string{"bsn"}},
		{Name: "find bad BSN", Principal: "enschede", Method: "POST", Path: search, Body: `{"bsn":"123456789","purpose":"zaak 2026-0042"}`, WantStatus: 400, WantFields: []string{"bsn"}},
		{Name: "find unknown BSN", Principal: "enschede", Method: "POST", Path: search, Body: `{"bsn":"123456782","purpose":"zaak 2026-0042"}`, WantStatus: 404},
		{Name: "find with an unknown field", Principal: "enschede", Method: "POST", Path: search, Body: `{"bsn":"999993653","purpose":"zaak 2026-0042","name":"Jan"}`, WantStatus: 400, WantFields: []string{"name"}},
		{Name: "find with a BSN as a number", Principal: "enschede", Method: "POST", Path: search, Body: `{"bsn":999993653,"purpose":"zaak 2026-0042"}`, WantStatus: 400, WantFields: []string{"bsn"}},
		{Name: "find without body", Principal: "enschede", Method: "POST", Path: search, WantStatus: 400, WantFields: []string{"body"}},
		{Name: "find, body not JSON", Principal: "enschede", Method: "POST", Path: search, Body: `bsn=999993653`, Header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, WantStatus: 415},
		{Name: "find with the BSN in the URL", Principal: "enschede", Method: "GET", Path: base + purposeQ + "&bsn=999993653", WantStatus: 400, WantFields: []string{"bsn"}},
		{Name: "the former find without a query", Principal: "enschede", Method: "GET", Path: base, WantStatus: 400, WantFields: []string{"bsn"}},
		{Name: "unauthenticated", Method: "GET", Path: base + "/" + id + purposeQ, WantStatus: 401},
		{Name: "zwolle reads enschede's resident", Principal: "zwolle", Method: "GET", Path: base + "/" + id + purposeQ, WantStatus: 403},
		{Name: "zwolle finds in enschede", Principal: "zwolle", Method: "POST", Path: search, Body: `{"bsn":"999993653","purpose":"zaak 2026-0042"}`, WantStatus: 403},
		{Name: "zwolle creates in enschede", Principal: "zwolle", Method: "POST", Path: base, Body: coupleJSON, WantStatus: 403},
		{Name: "tenant-admin may not write", Principal: "admin", Method: "PATCH", Path: base + "/" + id, Body: `{"name":"X Y"}`, Header: map[string]string{"If-Match": `"1"`}, WantStatus: 403},
		{Name: "zwolle's own tenant does not have it", Principal: "zwolle", Method: "GET", Path: "/api/v1/tenants/zwolle/residents/" + id + purposeQ, WantStatus: 404},
		{Name: "unknown id", Principal: "enschede", Method: "GET", Path: base + "/00000000-0000-4000-8000-000000000000" + purposeQ, WantStatus: 404},
		{Name: "malformed id", Principal: "enschede", Method: "GET", Path: base + "/nope" + purposeQ, WantStatus: 404},
		{Name: "duplicate BSN", Principal: "enschede", Method: "POST", Path: base, Body: coupleJSON, WantStatus: 409},
		{Name: "invalid fields", Principal: "enschede", Method: "POST", Path: base, Body: `{"name":"","birth_date":"1990-13-01","bsn":"123456789","iban":"NL50BANK1234567890","household_kind":"couple","children":[{"birth_date":"2099-01-01"}]}`, WantStatus: 400,
			WantFields: []string{"name", "birth_date", "bsn", "iban", "children[0].birth_date", "partner"}},
		{Name: "unknown field", Principal: "enschede", Method: "POST", Path: base, Body: `{"name":"Jan","nickname":"J"}`, WantStatus: 400, WantFields: []string{"nickname"}},
		{Name: "wrong type", Principal: "enschede", Method: "POST", Path: base, Body: `{"name":"Jan","n_months_used":"two"}`, WantStatus: 400, WantFields: []string{"n_months_used"}},
		{Name: "malformed JSON", Principal: "enschede", Method: "POST", Path: base, Body: `{"name":`, WantStatus: 400, WantFields: []string{"body"}},
		{Name: "trailing data", Principal: "enschede", Method: "POST", Path: base, Body: `{} {}`, WantStatus: 400, WantFields: []string{"body"}},
		{Name: "too large", Principal: "enschede", Method: "POST", Path: base, Body: `{"name":"` + strings.Repeat("a", 70<<10) + `"}`, WantStatus: 413},
		{Name: "not JSON", Principal: "enschede", Method: "POST", Path: base, Body: `name=Jan`, Header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, WantStatus: 415},
		{Name: "invalid tenant", Principal: "enschede", Method: "GET", Path: "/api/v1/tenants/Hengelo_X/residents/" + id + purposeQ, WantStatus: 400, WantFields: []string{"tenant"}},
		{Name: "patch without If-Match", Principal: "enschede", Method: "PATCH", Path: base + "/" + id, Body: `{"name":"X Y"}`, WantStatus: 428},
		{Name: "patch with bad If-Match", Principal: "enschede", Method: "PATCH", Path: base + "/" + id, Body: `{"name":"X Y"}`, Header: map[string]string{"If-Match": "*"}, WantStatus: 400, WantFields: []string{"If-Match"}},
		{Name: "patch at a stale version", Principal: "enschede", Method: "PATCH", Path: base + "/" + id, Body: `{"name":"X Y"}`, Header: map[string]string{"If-Match": `"7"`}, WantStatus: 409},
		{Name: "patch invalid", Principal: "enschede", Method: "PATCH", Path: base + "/" + id, Body: `{"household_kind":"single"}`, Header: map[string]string{"If-Match": `"1"`}, WantStatus: 400, WantFields: []string{"partner"}},
	}
	httpapitest.RunCases(t, srv, tests, func(t *testing.T, c httpapitest.Case, resp *http.Response, body []byte) {
		if strings.Contains(string(body), "999993653") {
			t.Errorf("body holds a BSN: %s", body)
		}
		if c.WantStatus != 200 {
			return
		}
		var r map[string]any
		mustJSON(t, body, &r)
		if r["id"] != id || resp.Header.Get("ETag") != `"1"` {
			t.Errorf("body %s, ETag %q; want resident %s at version 1", body, resp.Header.Get("ETag"), id)
		}
	})

	// The BSN in a URL is refused with the way to do it instead, and nothing is read.
	_, body := do(t, srv, "enschede", "GET", base+purposeQ+"&bsn=999993653", "", nil)
	if !strings.Contains(string(body), "POST /api/v1/tenants/{tenant}/residents/search") {
		t.Errorf("GET with ?bsn= = %s, want it to point to POST …/residents/search", body)
	}

	// The reads above that succeeded left three audit rows.
	if rows := auditRows(t, b, "enschede", id); len(rows) != 3 {
		t.Errorf("%d audit rows, want 3 (get, get, find)", len(rows))
	}

	// A successful PATCH moves the version on; the old version then conflicts.
	resp, body := do(t, srv, "enschede", "PATCH", base+"/"+id, `{"name":"Jan de Vries-Bakker","children":[]}`, map[string]string{"If-Match": "1"})
	if resp.StatusCode != 200 || resp.Header.Get("ETag") != `"2"` || !strings.Contains(string(body), `"children":[]`) {
		t.Fatalf("patch: status %d ETag %s body %s", resp.StatusCode, resp.Header.Get("ETag"), body)
	}
	resp, _ = do(t, srv, "enschede", "PATCH", base+"/"+id, `{"name":"Z"}`, map[string]string{"If-Match": `"1"`})
	if resp.StatusCode != http.StatusConflict {
		t.Errorf("patch at the old version: status %d, want 409", resp.StatusCode)
	}
}

// createOverHTTP creates the couple of coupleJSON through the API and checks the
// answer: 201 with its Location and version, and no BSN in full. It returns the id.
func createOverHTTP(t *testing.T, srv *httptest.Server, base string) string {
	t.Helper()
	resp, body := do(t, srv, "enschede", http.MethodPost, base, coupleJSON, nil)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("create: status %d, body %s", resp.StatusCode, body)
	}
	var created map[string]any
	mustJSON(t, body, &created)
	id, _ := created["id"].(string)
	if loc := resp.Header.Get("Location"); loc != base+"/"+id || resp.Header.Get("ETag") != `"1"` {
		t.Errorf("Location %q ETag %q; want %q and \"1\"", loc, resp.Header.Get("ETag"), base+"/"+id)
	}
	if created["bsn_masked"] != "*****3653" || created["birth_date"] != "1985-02-01" {
		t.Errorf("created = %s; want bsn_masked *****3653 and birth_date 1985-02-01", body)
	}
	if _, ok := created["bsn"]; ok || strings.Contains(string(body), "999993653") || strings.Contains(string(body), "111222333") {
		t.Errorf("response shows a BSN in full: %s", body)
	}
	if p, _ := created["partner"].(map[string]any); p["bsn_masked"] != "*****2333" {
		t.Errorf("partner = %v, want bsn_masked *****2333", created["partner"])
	}
	return id
}

// TestOpenAPIDescribesEveryRoute checks that openapi.yaml describes exactly the
// routes RegisterHTTP mounts, each with the error responses its handler can give.
func TestOpenAPIDescribesEveryRoute(t *testing.T) {
	t.Parallel()
	httpapitest.CheckOpenAPI(t, OpenAPI(), httpapitest.Patterns(RegisterHTTP), 5)
}
