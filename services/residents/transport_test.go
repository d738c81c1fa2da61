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
	tests := []struct {
		name       string
		principal  string
		method     string
		path       string
		body       string
		hdr        map[string]string
		wantStatus int
		wantFields []string // for 400
	}{
		{"get", "enschede", "GET", base + "/" + id + purposeQ, "", nil, 200, nil},
		{"get, purpose in header", "enschede", "GET", base + "/" + id, "", map[string]string{httpapi.PurposeHeader: "zaak 2026-0042"}, 200, nil},
		{"find by BSN", "admin", "POST", search, `{"bsn":"111222333","purpose":"zaak 2026-0042"}`, nil, 200, nil},
		{"get without purpose", "enschede", "GET", base + "/" + id, "", nil, 400, []string{"purpose"}},
		{"find without purpose", "enschede", "POST", search, `{"bsn":"999993653"}`, nil, 400, []string{"purpose"}},
		{"find with a purpose too short", "enschede", "POST", search, `{"bsn":"999993653","purpose":"zaak"}`, nil, 400, []string{"purpose"}},
		{"find without BSN", "enschede", "POST", search, `{"purpose":"zaak 2026-0042"}`, nil, 400, []string{"bsn"}},
		{"find bad BSN", "enschede", "POST", search, `{"bsn":"123456789","purpose":"zaak 2026-0042"}`, nil, 400, []string{"bsn"}},
		{"find unknown BSN", "enschede", "POST", search, `{"bsn":"123456782","purpose":"zaak 2026-0042"}`, nil, 404, nil},
		{"find with an unknown field", "enschede", "POST", search, `{"bsn":"999993653","purpose":"zaak 2026-0042","name":"Jan"}`, nil, 400, []string{"name"}},
		{"find with a BSN as a number", "enschede", "POST", search, `{"bsn":999993653,"purpose":"zaak 2026-0042"}`, nil, 400, []string{"bsn"}},
		{"find without body", "enschede", "POST", search, "", nil, 400, []string{"body"}},
		{"find, body not JSON", "enschede", "POST", search, `bsn=999993653`, map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, 415, nil},
		{"find with the BSN in the URL", "enschede", "GET", base + purposeQ + "&bsn=999993653", "", nil, 400, []string{"bsn"}},
		{"the former find without a query", "enschede", "GET", base, "", nil, 400, []string{"bsn"}},
		{"unauthenticated", "", "GET", base + "/" + id + purposeQ, "", nil, 401, nil},
		{"zwolle reads enschede's resident", "zwolle", "GET", base + "/" + id + purposeQ, "", nil, 403, nil},
		{"zwolle finds in enschede", "zwolle", "POST", search, `{"bsn":"999993653","purpose":"zaak 2026-0042"}`, nil, 403, nil},
		{"zwolle creates in enschede", "zwolle", "POST", base, coupleJSON, nil, 403, nil},
		{"tenant-admin may not write", "admin", "PATCH", base + "/" + id, `{"name":"X Y"}`, map[string]string{"If-Match": `"1"`}, 403, nil},
		{"zwolle's own tenant does not have it", "zwolle", "GET", "/api/v1/tenants/zwolle/residents/" + id + purposeQ, "", nil, 404, nil},
		{"unknown id", "enschede", "GET", base + "/00000000-0000-4000-8000-000000000000" + purposeQ, "", nil, 404, nil},
		{"malformed id", "enschede", "GET", base + "/nope" + purposeQ, "", nil, 404, nil},
		{"duplicate BSN", "enschede", "POST", base, coupleJSON, nil, 409, nil},
		{"invalid fields", "enschede", "POST", base, `{"name":"","birth_date":"1990-13-01","bsn":"123456789","iban":"NL50BANK1234567890","household_kind":"couple","children":[{"birth_date":"2099-01-01"}]}`, nil, 400,
			[]string{"name", "birth_date", "bsn", "iban", "children[0].birth_date", "partner"}},
		{"unknown field", "enschede", "POST", base, `{"name":"Jan","nickname":"J"}`, nil, 400, []string{"nickname"}},
		{"wrong type", "enschede", "POST", base, `{"name":"Jan","n_months_used":"two"}`, nil, 400, []string{"n_months_used"}},
		{"malformed JSON", "enschede", "POST", base, `{"name":`, nil, 400, []string{"body"}},
		{"trailing data", "enschede", "POST", base, `{} {}`, nil, 400, []string{"body"}},
		{"too large", "enschede", "POST", base, `{"name":"` + strings.Repeat("a", 70<<10) + `"}`, nil, 413, nil},
		{"not JSON", "enschede", "POST", base, `name=Jan`, map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, 415, nil},
		{"invalid tenant", "enschede", "GET", "/api/v1/tenants/Hengelo_X/residents/" + id + purposeQ, "", nil, 400, []string{"tenant"}},
		{"patch without If-Match", "enschede", "PATCH", base + "/" + id, `{"name":"X Y"}`, nil, 428, nil},
		{"patch with bad If-Match", "enschede", "PATCH", base + "/" + id, `{"name":"X Y"}`, map[string]string{"If-Match": "*"}, 400, []string{"If-Match"}},
		{"patch at a stale version", "enschede", "PATCH", base + "/" + id, `{"name":"X Y"}`, map[string]string{"If-Match": `"7"`}, 409, nil},
		{"patch invalid", "enschede", "PATCH", base + "/" + id, `{"household_kind":"single"}`, map[string]string{"If-Match": `"1"`}, 400, []string{"partner"}},
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
			if tt.wantStatus == 200 {
				var r map[string]any
				mustJSON(t, body, &r)
				if r["id"] != id || resp.Header.Get("ETag") != `"1"` {
					t.Errorf("body %s, ETag %q; want resident %s at version 1", body, resp.Header.Get("ETag"), id)
				}
				return
			}
			httpapitest.CheckProblem(t, resp, body, tt.wantStatus, tt.wantFields)
		})
	}

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
