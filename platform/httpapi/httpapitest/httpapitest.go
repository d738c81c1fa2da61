// Package httpapitest is what the tests of an HTTP API transport share: a server with a
// stand-in for the authentication edge, requests, the problems they answer, and the
// check that a service's OpenAPI description matches the routes it mounts.
package httpapitest

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
	"github.com/plein-nl/plein/platform/httpapi"
	"github.com/plein-nl/plein/platform/problem"
)

// PrincipalHeader names, in tests only, the principal that the stand-in for the
// authentication edge puts in a request's context.
const PrincipalHeader = "X-Test-Principal"

// Register is a transport's RegisterHTTP: it mounts the endpoints e on a router.
type Register[E any] func(mux httpapi.Router, e E, log *slog.Logger)

// Server serves the routes register mounts for e, each request as the principal its
// PrincipalHeader names in principals (none when it names no one); what the API logs
// is discarded. It closes with t.
func Server[E any](t testing.TB, register Register[E], e E, principals map[string]authz.Principal) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	register(mux, e, slog.New(slog.DiscardHandler))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p, ok := principals[r.Header.Get(PrincipalHeader)]; ok {
			r = r.WithContext(authz.WithPrincipal(r.Context(), p))
		}
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// Do sends method path to srv as principal ("" for none), with body as JSON when it is
// not empty and the headers hdr, and returns the answer with its body read.
func Do(t testing.TB, srv *httptest.Server, principal, method, path, body string, hdr map[string]string) (*http.Response, []byte) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, srv.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if principal != "" {
		req.Header.Set(PrincipalHeader, principal)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
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

// MustJSON decodes body into v, or fails t.
func MustJSON(t testing.TB, body []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(body, v); err != nil {
		t.Fatalf("body is not the expected JSON: %v: %s", err, body)
	}
}

// Problem decodes the problem of an answer; it fails t when the answer is not
// application/problem+json.
func Problem(t testing.TB, resp *http.Response, body []byte) problem.Details {
	t.Helper()
	if ct := resp.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Errorf("Content-Type = %q, want application/problem+json", ct)
	}
	var p problem.Details
	MustJSON(t, body, &p)
	return p
}

// CheckProblem checks that an answer is a problem of status: application/problem+json
// with that status, its title, the request's path as instance, a Dutch detail, and
// exactly fields in errors[] (none for nil). It returns the problem.
func CheckProblem(t testing.TB, resp *http.Response, body []byte, status int, fields []string) problem.Details {
	t.Helper()
	p := Problem(t, resp, body)
	if p.Status != status || p.Title != http.StatusText(status) || p.Instance != resp.Request.URL.Path || p.DetailNL == "" {
		t.Errorf("problem = %+v, want status %d, title %q, instance %s and detail_nl", p, status, http.StatusText(status), resp.Request.URL.Path)
	}
	if got := Fields(p); !slices.Equal(got, fields) {
		t.Errorf("fields = %v, want %v", got, fields)
	}
	return p
}

// Fields lists the fields a problem names in errors[], in order.
func Fields(p problem.Details) []string {
	var fields []string
	for _, e := range p.Errors {
		fields = append(fields, e.Field)
	}
	return fields
}

// patterns is a Router that only records what is mounted on it.
type patterns []string

func (ps *patterns) Handle(pattern string, _ http.Handler) { *ps = append(*ps, pattern) }

// Patterns lists the patterns register mounts, in order.
func Patterns[E any](register Register[E]) []string {
	var ps patterns
	var e E
	register(&ps, e, slog.New(slog.DiscardHandler))
	return ps
}

// CheckOpenAPI checks that spec, an OpenAPI 3.1 description, describes exactly the
// routes of patterns ("METHOD /path"), want of them, each with the error responses
// every route can give: 400, 401, 403 and 500 (a deprecated route, which only refuses:
// 400 and 401).
func CheckOpenAPI(t testing.TB, spec []byte, patterns []string, want int) {
	t.Helper()
	if len(patterns) != want {
		t.Errorf("RegisterHTTP mounts %d routes, want %d", len(patterns), want)
	}
	var doc struct {
		OpenAPI string                    `yaml:"openapi"`
		Paths   map[string]map[string]any `yaml:"paths"`
	}
	if err := yaml.Unmarshal(spec, &doc); err != nil {
		t.Fatalf("openapi.yaml: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.1") {
		t.Errorf("openapi = %q, want 3.1.x", doc.OpenAPI)
	}
	registered := map[string]bool{}
	for _, pattern := range patterns {
		method, path, _ := strings.Cut(pattern, " ")
		registered[strings.ToLower(method)+" "+path] = true
		op, ok := doc.Paths[path][strings.ToLower(method)].(map[string]any)
		if !ok {
			t.Errorf("route %s is not in openapi.yaml", pattern)
			continue
		}
		responses, _ := op["responses"].(map[string]any)
		codes := []string{"400", "401", "403", "500"}
		if deprecated, _ := op["deprecated"].(bool); deprecated {
			codes = []string{"400", "401"}
		}
		for _, code := range codes {
			if _, ok := responses[code]; !ok {
				t.Errorf("%s: response %s not described", pattern, code)
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
}
