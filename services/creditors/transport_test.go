package creditors

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	kithttp "github.com/go-kit/kit/transport/http"

	"github.com/plein-nl/plein/platform/authz"
	"github.com/plein-nl/plein/platform/httpapi/httpapitest"
)

func newTestServer(t *testing.T, svc Service) *httptest.Server {
	t.Helper()
	return httpapitest.Server(t, RegisterHTTP, MakeEndpoints(svc, nil), map[string]authz.Principal{"enschede": consulentEnschede, "zwolle": consulentZwolle, "resident": residentEnschede})
}

func do(t *testing.T, srv *httptest.Server, principal, method, path, body string) (*http.Response, []byte) {
	t.Helper()
	return httpapitest.Do(t, srv, principal, method, path, body, nil)
}

// errorEncoder is the API's error encoder on log, for inputtest.CheckDataException.
func errorEncoder(log *slog.Logger) kithttp.ErrorEncoder { return newAPI(log).EncodeError }

func TestHTTPTransport(t *testing.T) {
	t.Parallel()
	b := setup(t)
	srv := newTestServer(t, b.svc)
	const base = "/api/v1/tenants/enschede/creditors"
	const good = `{"name":"Domijn","kind":"woningcorporatie","iban":"NL91ABNA0417164300","example":true,
		"reference_name":"contractnummer","reference_pattern":"[0-9]{8}","reference_hint":"Uw contractnummer staat op uw huurcontract."}`

	resp, body := do(t, srv, "enschede", "POST", base, good)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("create: %d %s", resp.StatusCode, body)
	}
	var created struct {
		ID      string `json:"id"`
		Example bool   `json:"example"`
	}
	if err := json.Unmarshal(body, &created); err != nil || !created.Example {
		t.Fatalf("created %s: %v", body, err)
	}
	if loc := resp.Header.Get("Location"); loc != base+"/"+created.ID {
		t.Errorf("Location %q", loc)
	}

	tests := []httpapitest.Case{
		{Name: "list", Principal: "enschede", Method: "GET", Path: base, WantStatus: 200},
		{Name: "get catalogue", Principal: "enschede", Method: "GET", Path: base + "/cz", WantStatus: 200},
		{Name: "get own", Principal: "enschede", Method: "GET", Path: base + "/" + created.ID, WantStatus: 200},
		{Name: "unknown", Principal: "enschede", Method: "GET", Path: base + "/nope", WantStatus: 404},
		{Name: "own of enschede in zwolle", Principal: "zwolle", Method: "GET", Path: "/api/v1/tenants/zwolle/creditors/" + created.ID, WantStatus: 404},
		{Name: "zwolle in enschede", Principal: "zwolle", Method: "GET", Path: base, WantStatus: 403},
		{Name: "resident", Principal: "resident", Method: "GET", Path: base, WantStatus: 403},
		{Name: "unauthenticated", Method: "GET", Path: base, WantStatus: 401},
		{Name: "duplicate", Principal: "enschede", Method: "POST", Path: base, Body: good, WantStatus: 409, WantFields: []string{"name"}},
		{Name: "invalid", Principal: "enschede", Method: "POST", Path: base, Body: `{"name":"X","kind":"x","iban":"NL50BANK1234567890","reference_name":"polisnummer","reference_pattern":"(","reference_hint":"h"}`, WantStatus: 400,
			WantFields: []string{"kind", "iban", "reference_pattern"}},
		{Name: "unknown field", Principal: "enschede", Method: "POST", Path: base, Body: `{"colour":"red"}`, WantStatus: 400, WantFields: []string{"colour"}},
		// The cloud metadata service as a webhook: refused before anything is stored.
		{Name: "webhook on the metadata address", Principal: "enschede", Method: "POST", Path: base, Body: strings.Replace(good, `"name":"Domijn"`,
			`"name":"Metadata","webhook_url":"https://169.254.169.254/latest/meta-data/"`, 1), WantStatus: 400, WantFields: []string{"webhook_url"}},
		{Name: "bad tenant", Principal: "enschede", Method: "GET", Path: "/api/v1/tenants/X_Y/creditors", WantStatus: 400, WantFields: []string{"tenant"}},
	}
	httpapitest.RunCases(t, srv, tests, func(t *testing.T, c httpapitest.Case, resp *http.Response, body []byte) {
		if !slices.Equal(c.WantFields, []string{"webhook_url"}) {
			return
		}
		if p := httpapitest.Problem(t, resp, body); !strings.Contains(p.DetailNL, "mag niet naar een intern netwerkadres wijzen") {
			t.Errorf("detail_nl %q, want the Dutch refusal of an internal address", p.DetailNL)
		}
	})
}

// TestOpenAPIDescribesEveryRoute checks that openapi.yaml describes exactly the
// routes RegisterHTTP mounts, each with the error responses its handler can give.
func TestOpenAPIDescribesEveryRoute(t *testing.T) {
	t.Parallel()
	httpapitest.CheckOpenAPI(t, OpenAPI(), httpapitest.Patterns(RegisterHTTP), 3)
}
