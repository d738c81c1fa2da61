package observe_test

import (
	"bytes"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"

	"github.com/plein-nl/plein/platform/observe"
	"github.com/plein-nl/plein/platform/tenant"
)

// testBundle is an instrumented mux shaped like the portal's: the tenant comes from
// the /t/{tenant}/ path, set by middleware inside the route.
type testBundle struct {
	metrics *observe.Metrics
	logs    *bytes.Buffer
	handler http.Handler
}

func setup(t *testing.T) *testBundle {
	t.Helper()
	m := newMetrics(t)
	withTenant := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			id, err := tenant.Parse(r.PathValue("tenant"))
			if err != nil {
				http.Error(w, "unknown tenant", http.StatusNotFound)
				return
			}
			next.ServeHTTP(w, r.WithContext(tenant.WithID(r.Context(), id)))
		})
	}
	mux := http.NewServeMux()
	mux.Handle("GET /t/{tenant}/", withTenant(observe.Report(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("fail") != "" {
			http.Error(w, "kapot", http.StatusInternalServerError)
			return
		}
		_, _ = io.WriteString(w, "overzicht")
	}))))
	mux.HandleFunc("POST /t/{tenant}/loonstrook", func(w http.ResponseWriter, r *http.Request) {
		// Reports by hand instead of through Report.
		id, _ := tenant.Parse(r.PathValue("tenant"))
		observe.SetTenant(r.Context(), id)
		w.WriteHeader(http.StatusAccepted)
	})
	mux.HandleFunc("GET /panic", func(http.ResponseWriter, *http.Request) { panic("boom") })

	logs := &bytes.Buffer{}
	logger := observe.NewLogger(logs, slog.LevelInfo)
	return &testBundle{metrics: m, logs: logs, handler: observe.LogRequests(logger, m.InstrumentHTTP(mux))}
}

func (b *testBundle) do(t *testing.T, method, target string, header http.Header) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(method, target, nil)
	for k, vs := range header {
		for _, v := range vs {
			r.Header.Add(k, v)
		}
	}
	w := httptest.NewRecorder()
	func() {
		defer func() { _ = recover() }() // the panic route
		b.handler.ServeHTTP(w, r)
	}()
	return w
}

// newMetrics returns Metrics on a registry of their own.
func newMetrics(t *testing.T) *observe.Metrics {
	t.Helper()
	m, err := observe.NewMetrics(observe.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// wantOneSeries checks that family name in reg has exactly one series, labelled want.
func wantOneSeries(t *testing.T, reg prometheus.Gatherer, name string, want map[string]string) {
	t.Helper()
	if got := labelsOf(t, reg, name); len(got) != 1 || !maps.Equal(got[0], want) {
		t.Errorf("%s labels = %v, want [%v]", name, got, want)
	}
}

// labelsOf returns the label sets of the samples of family name in reg.
func labelsOf(t *testing.T, reg prometheus.Gatherer, name string) []map[string]string {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var out []map[string]string
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			out = append(out, labelMap(m))
		}
	}
	return out
}

func labelMap(m *dto.Metric) map[string]string {
	l := map[string]string{}
	for _, p := range m.GetLabel() {
		l[p.GetName()] = p.GetValue()
	}
	return l
}

func TestInstrumentHTTPLabels(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		method string
		target string
		want   map[string]string
	}{
		{"pattern not path", "GET", "/t/enschede/overzicht?bsn=999993653",
			map[string]string{"route": "GET /t/{tenant}/", "method": "GET", "code": "200", "tenant": "enschede"}},
		{"server error", "GET", "/t/almelo/x?fail=1",
			map[string]string{"route": "GET /t/{tenant}/", "method": "GET", "code": "500", "tenant": "almelo"}},
		{"SetTenant by hand", "POST", "/t/hengelo/loonstrook",
			map[string]string{"route": "POST /t/{tenant}/loonstrook", "method": "POST", "code": "202", "tenant": "hengelo"}},
		{"bad tenant", "GET", "/t/Not_Valid/",
			map[string]string{"route": "GET /t/{tenant}/", "method": "GET", "code": "404", "tenant": observe.NoTenant}},
		{"not found", "GET", "/nergens/999993653",
			map[string]string{"route": observe.UnmatchedRoute, "method": "GET", "code": "404", "tenant": observe.NoTenant}},
		{"method not allowed", "DELETE", "/t/enschede/",
			map[string]string{"route": observe.UnmatchedRoute, "method": "DELETE", "code": "405", "tenant": observe.NoTenant}},
		{"odd method", "BREW", "/t/enschede/",
			map[string]string{"route": observe.UnmatchedRoute, "method": "OTHER", "code": "405", "tenant": observe.NoTenant}},
		{"panic", "GET", "/panic",
			map[string]string{"route": "GET /panic", "method": "GET", "code": "500", "tenant": observe.NoTenant}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t)
			b.do(t, tt.method, tt.target, nil)
			for _, name := range []string{"plein_http_requests_total", "plein_http_request_duration_seconds"} {
				wantOneSeries(t, b.metrics.Registry(), name, tt.want)
			}
		})
	}
}

func TestInstrumentHTTPCounts(t *testing.T) {
	t.Parallel()
	b := setup(t)
	for range 3 {
		b.do(t, "GET", "/t/enschede/a", nil)
	}
	b.do(t, "GET", "/t/enschede/b/c?q=1", nil) // another path, the same route
	b.do(t, "GET", "/t/almelo/", nil)

	want := `
# HELP plein_http_requests_total HTTP requests served, by route pattern, method, status code and tenant.
# TYPE plein_http_requests_total counter
plein_http_requests_total{code="200",method="GET",route="GET /t/{tenant}/",tenant="almelo"} 1
plein_http_requests_total{code="200",method="GET",route="GET /t/{tenant}/",tenant="enschede"} 4
`
	if err := testutil.GatherAndCompare(b.metrics.Registry(), strings.NewReader(want), "plein_http_requests_total"); err != nil {
		t.Error(err)
	}
	if got, want := testutil.CollectAndCount(b.metrics.Registry(), "plein_http_request_duration_seconds"), 2; got != want {
		t.Errorf("duration series = %d, want %d", got, want)
	}
}

func TestRequestID(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		incoming string
		adopt    bool
	}{
		{"none", "", false},
		{"sane", "abc-123_X.y", true},
		{"spaces", "abc 123", false},
		{"newline", "abc\nx", false},
		{"too long", strings.Repeat("a", 65), false},
		{"64", strings.Repeat("a", 64), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := newMetrics(t)
			var seen string
			h := m.InstrumentHTTP(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				seen = observe.RequestID(r.Context())
			}))
			r := httptest.NewRequest("GET", "/", nil)
			if tt.incoming != "" {
				r.Header.Set(observe.RequestIDHeader, tt.incoming)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)

			got := w.Header().Get(observe.RequestIDHeader)
			if got != seen {
				t.Errorf("response header %q, context %q: want the same", got, seen)
			}
			if tt.adopt && got != tt.incoming {
				t.Errorf("request id = %q, want %q adopted", got, tt.incoming)
			}
			if !tt.adopt && (got == tt.incoming || len(got) != 16) {
				t.Errorf("request id = %q, want a new one of 16 characters", got)
			}
		})
	}
}

func TestNewRequestIDUnique(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for range 1000 {
		id := observe.NewRequestID()
		if seen[id] {
			t.Fatalf("got %q twice, want unique ids", id)
		}
		seen[id] = true
	}
}

func TestLogRequests(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		method     string
		target     string
		wantLevel  string
		wantStatus float64
		wantRoute  string
		wantTenant any
	}{
		{"info", "GET", "/t/enschede/x?bsn=999993653&naam=jan", "INFO", 200, "GET /t/{tenant}/", "enschede"},
		{"warn", "GET", "/nergens?naam=jan", "WARN", 404, observe.UnmatchedRoute, nil},
		{"error", "GET", "/t/almelo/?fail=1&naam=jan", "ERROR", 500, "GET /t/{tenant}/", "almelo"},
		{"panic", "GET", "/panic?naam=jan", "ERROR", 500, "GET /panic", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t)
			w := b.do(t, tt.method, tt.target, http.Header{observe.RequestIDHeader: {"req-42"}})
			line, raw := oneJSONLine(t, b.logs.String())
			checks := []struct {
				key  string
				want any
			}{
				{"level", tt.wantLevel},
				{"status", tt.wantStatus},
				{"route", tt.wantRoute},
				{"method", tt.method},
				{"tenant", tt.wantTenant},
				{"request_id", "req-42"},
			}
			for _, c := range checks {
				if got := line[c.key]; got != c.want {
					t.Errorf("%s = %v, want %v in %s", c.key, got, c.want, raw)
				}
			}
			if _, ok := line["duration_ms"].(float64); !ok {
				t.Errorf("duration_ms = %v, want a number in %s", line["duration_ms"], raw)
			}
			if strings.Contains(raw, "naam") || strings.Contains(raw, "jan") {
				t.Errorf("got %s, want no query string in the log", raw)
			}
			if got := w.Header().Get(observe.RequestIDHeader); got != "req-42" {
				t.Errorf("response request id = %q, want %q", got, "req-42")
			}
		})
	}
}

func TestMetricsHandlerServesOnlyItsRegistry(t *testing.T) {
	t.Parallel()
	// A collector on the global registry must not show up: nothing here may use it.
	// The name is unique to this test, so registering it cannot disturb others.
	sentinel := prometheus.NewCounter(prometheus.CounterOpts{Name: "observe_test_global_sentinel_total", Help: "x"})
	if err := prometheus.DefaultRegisterer.Register(sentinel); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { prometheus.DefaultRegisterer.Unregister(sentinel) })

	b := setup(t)
	b.do(t, "GET", "/t/enschede/", nil)
	w := httptest.NewRecorder()
	b.metrics.Handler().ServeHTTP(w, httptest.NewRequest("GET", "/metrics", nil))
	body := w.Body.String()
	if w.Code != http.StatusOK {
		t.Fatalf("status = %d, want 200: %s", w.Code, body)
	}
	for _, want := range []string{
		"plein_http_requests_total{",
		"plein_http_request_duration_seconds_bucket{",
		"go_goroutines ",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics output lacks %q, want it present", want)
		}
	}
	if strings.Contains(body, "observe_test_global_sentinel_total") {
		t.Errorf("metrics output holds %q from the global registry, want it absent", "observe_test_global_sentinel_total")
	}
}

func TestNewMetricsTwiceOnOneRegistry(t *testing.T) {
	t.Parallel()
	reg := observe.NewRegistry()
	if _, err := observe.NewMetrics(reg); err != nil {
		t.Fatalf("first NewMetrics: got %v, want nil", err)
	}
	if _, err := observe.NewMetrics(reg); err == nil {
		t.Errorf("second NewMetrics: got nil, want an error")
	}
}

func TestRouteBehindNestedMux(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		strip     bool // mount the inner mux behind http.StripPrefix, which copies the request
		report    bool
		wantRoute string
	}{
		{"nested mux sees the same request", false, false, "GET /api/plans/{id}"},
		{"StripPrefix hides the inner pattern", true, false, "/api/"},
		{"StripPrefix with Report", true, true, "GET /plans/{id}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := newMetrics(t)
			var h http.Handler = http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
			if tt.report {
				h = observe.Report(h)
			}
			api := http.NewServeMux()
			root := http.NewServeMux()
			if tt.strip {
				api.Handle("GET /plans/{id}", h)
				root.Handle("/api/", http.StripPrefix("/api", api))
			} else {
				api.Handle("GET /api/plans/{id}", h)
				root.Handle("/api/", api)
			}

			m.InstrumentHTTP(root).ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/api/plans/17", nil))
			got := labelsOf(t, m.Registry(), "plein_http_requests_total")
			if len(got) != 1 || got[0]["route"] != tt.wantRoute {
				t.Errorf("labels = %v, want route %q", got, tt.wantRoute)
			}
		})
	}
}

func TestInstrumentHTTPKeepsFlusher(t *testing.T) {
	t.Parallel()
	m := newMetrics(t)
	h := m.InstrumentHTTP(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusCreated)
		if err := http.NewResponseController(w).Flush(); err != nil {
			t.Errorf("Flush through the middleware: got %v, want nil", err)
		}
	}))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/", nil))
	if !w.Flushed || w.Code != http.StatusCreated {
		t.Errorf("got flushed=%v code=%d, want flushed=true code=201", w.Flushed, w.Code)
	}
}
