package observe

import (
	"fmt"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// NewRegistry returns a new registry with the Go runtime and process collectors
// registered on it. Plein registers every metric on such an injected registry.
func NewRegistry() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	return reg
}

// Metrics holds the registry and the instruments of the HTTP and endpoint layers.
type Metrics struct {
	reg              *prometheus.Registry
	httpDuration     *prometheus.HistogramVec
	httpRequests     *prometheus.CounterVec
	endpointDuration *prometheus.HistogramVec
}

// NewMetrics creates the HTTP and endpoint instruments and registers them on reg.
// It fails if they are registered there already.
func NewMetrics(reg *prometheus.Registry) (*Metrics, error) {
	httpLabels := []string{"route", "method", "code", "tenant"}
	m := &Metrics{
		reg: reg,
		httpDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: "plein",
			Subsystem: "http",
			Name:      "request_duration_seconds",
			Help:      "Time to serve an HTTP request, by route pattern, method, status code and tenant.",
			Buckets:   prometheus.DefBuckets,
		}, httpLabels),
		httpRequests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "plein",
			Subsystem: "http",
			Name:      "requests_total",
			Help:      "HTTP requests served, by route pattern, method, status code and tenant.",
		}, httpLabels),
		endpointDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: "plein",
			Subsystem: "endpoint",
			Name:      "duration_seconds",
			Help:      "Time spent in a go-kit endpoint, by service, method, tenant and whether it succeeded (no error and no business failure).",
			Buckets:   prometheus.DefBuckets,
		}, []string{"service", "method", "tenant", "success"}),
	}
	for _, c := range []prometheus.Collector{m.httpDuration, m.httpRequests, m.endpointDuration} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("observe: register metrics: %w", err)
		}
	}
	return m, nil
}

// Registry returns the registry, for the metrics of other packages.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Handler serves the metrics of the registry (and only of it) in the Prometheus
// exposition formats.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}
