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

	tests := []struct {
		name, principal, method, path, body string
		wantStatus                          int
		wantFields                          []string
	}{
		{"list", "enschede", "GET", base, "", 200, nil},
		{"get catalogue", "enschede", "GET", base + "/cz", "", 200, nil},
		{"get own", "enschede", "GET", base + "/" + created.ID, "", 200, nil},
		{"unknown", "enschede", "GET", base + "/nope", "", 404, nil},
		{"own of enschede in zwolle", "zwolle", "GET", "/api/v1/tenants/zwolle/creditors/" + created.ID, "", 404, nil},
		{"zwolle in enschede", "zwolle", "GET", base, "", 403, nil},
		{"resident", "resident", "GET", base, "", 403, nil},
		{"unauthenticated", "", "GET", base, "", 401, nil},
		{"duplicate", "enschede", "POST", base, good, 409, []string{"name"}},
		{"invalid", "enschede", "POST", base, `{"name":"X","kind":"x","iban":"NL50BANK1234567890","reference_name":"polisnummer","reference_pattern":"(","reference_hint":"h"}`, 400,
			[]string{"kind", "iban", "reference_pattern"}},
		{"unknown field", "enschede", "POST", base, `{"colour":"red"}`, 400, []string{"colour"}},
		// The cloud metadata service as a webhook: refused before anything is stored.
		{"webhook on the metadata address", "enschede", "POST", base, strings.Replace(good, `"name":"Domijn"`,
			`"name":"Metadata","webhook_url":"https://169.254.169.254/latest/meta-data/"`, 1), 400, []string{"webhook_url"}},
		{"bad tenant", "enschede", "GET", "/api/v1/tenants/X_Y/creditors", "", 400, []string{"tenant"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := do(t, srv, tt.principal, tt.method, tt.path, tt.body)
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status %d, want %d; body %s", resp.StatusCode, tt.wantStatus, body)
			}
			if tt.wantStatus == 200 {
				return
			}
			p := httpapitest.CheckProblem(t, resp, body, tt.wantStatus, tt.wantFields)
			if slices.Equal(tt.wantFields, []string{"webhook_url"}) && !strings.Contains(p.DetailNL, "mag niet naar een intern netwerkadres wijzen") {
				t.Errorf("detail_nl %q, want the Dutch refusal of an internal address", p.DetailNL)
			}
		})
	}
}

// TestOpenAPIDescribesEveryRoute checks that openapi.yaml describes exactly the
// routes RegisterHTTP mounts, each with the error responses its handler can give.
func TestOpenAPIDescribesEveryRoute(t *testing.T) {
	t.Parallel()
	httpapitest.CheckOpenAPI(t, OpenAPI(), httpapitest.Patterns(RegisterHTTP), 3)
}
