package creditors

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/plein-nl/plein/platform/authz"
)

const principalHeader = "X-Test-Principal"

func newTestServer(t *testing.T, svc Service) *httptest.Server {
	t.Helper()
	principals := map[string]authz.Principal{"enschede": consulentEnschede, "zwolle": consulentZwolle, "resident": residentEnschede}
	mux := http.NewServeMux()
	RegisterHTTP(mux, MakeEndpoints(svc, nil), slog.New(slog.NewTextHandler(io.Discard, nil)))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p, ok := principals[r.Header.Get(principalHeader)]; ok {
			r = r.WithContext(authz.WithPrincipal(r.Context(), p))
		}
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func do(t *testing.T, srv *httptest.Server, principal, method, path, body string) (*http.Response, []byte) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, srv.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set(principalHeader, principal)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

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
			var p struct {
				DetailNL string `json:"detail_nl"`
				Errors   []struct {
					Field string `json:"field"`
				} `json:"errors"`
			}
			if err := json.Unmarshal(body, &p); err != nil || resp.Header.Get("Content-Type") != "application/problem+json" || p.DetailNL == "" {
				t.Fatalf("problem %s (%v), content type %s", body, err, resp.Header.Get("Content-Type"))
			}
			var fields []string
			for _, e := range p.Errors {
				fields = append(fields, e.Field)
			}
			if !slices.Equal(fields, tt.wantFields) {
				t.Errorf("fields %v, want %v", fields, tt.wantFields)
			}
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
	var doc struct {
		OpenAPI string                    `yaml:"openapi"`
		Paths   map[string]map[string]any `yaml:"paths"`
	}
	if err := yaml.Unmarshal(OpenAPI(), &doc); err != nil {
		t.Fatalf("openapi.yaml: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.1") {
		t.Errorf("openapi = %q, want 3.1.x", doc.OpenAPI)
	}
	registered := map[string]bool{}
	for _, r := range routes(Endpoints{}, slog.New(slog.NewTextHandler(io.Discard, nil))) {
		method, path, _ := strings.Cut(r.pattern, " ")
		registered[strings.ToLower(method)+" "+path] = true
		op, ok := doc.Paths[path][strings.ToLower(method)].(map[string]any)
		if !ok {
			t.Errorf("route %s is not in openapi.yaml", r.pattern)
			continue
		}
		responses, _ := op["responses"].(map[string]any)
		for _, code := range []string{"400", "401", "403", "500"} {
			if _, ok := responses[code]; !ok {
				t.Errorf("%s: response %s not described", r.pattern, code)
			}
		}
	}
	for path, ops := range doc.Paths {
		for method := range ops {
			if method != "parameters" && !registered[method+" "+path] {
				t.Errorf("openapi.yaml describes %s %s, which RegisterHTTP does not mount", method, path)
			}
		}
	}
	if len(registered) != 3 {
		t.Errorf("RegisterHTTP mounts %d routes, want 3", len(registered))
	}
}
