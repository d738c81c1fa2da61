package controlplane

import (
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the control plane's Prometheus metrics. A nil *Metrics records nothing.
type Metrics struct {
	passes   *prometheus.CounterVec
	duration prometheus.Histogram
	tenants  *prometheus.GaugeVec
	ready    *prometheus.GaugeVec
	deleted  prometheus.Counter
	leader   prometheus.Gauge

	mu   sync.Mutex
	seen map[string]bool // the tenants of the last pass, whose Ready gauges exist
}

// NewMetrics registers the control plane's metrics with reg.
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	m := &Metrics{
		passes: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "plein_controlplane_reconciles_total",
			Help: "Reconcile passes, by result (ok, error)."}, []string{"result"}),
		duration: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "plein_controlplane_reconcile_duration_seconds",
			Help: "Duration of one reconcile pass.", Buckets: prometheus.ExponentialBuckets(0.01, 3, 10)}),
		tenants: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "plein_controlplane_tenants",
			Help: "Tenants the control plane manages, by tier (shared, silo)."}, []string{"tier"}),
		ready: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "plein_controlplane_tenant_ready",
			Help: "1 when the tenant's Ready condition is True, else 0."}, []string{"tenant"}),
		deleted: prometheus.NewCounter(prometheus.CounterOpts{Name: "plein_controlplane_objects_deleted_total",
			Help: "Ingresses and silo namespaces removed because no tenant needs them."}),
		leader: prometheus.NewGauge(prometheus.GaugeOpts{Name: "plein_controlplane_leader",
			Help: "1 while this replica holds the leader election lease."}),
	}
	for _, c := range []prometheus.Collector{m.passes, m.duration, m.tenants, m.ready, m.deleted, m.leader} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

func (m *Metrics) observePass(start time.Time, err error) {
	if m == nil {
		return
	}
	res := "ok"
	if err != nil {
		res = "error"
	}
	m.passes.WithLabelValues(res).Inc()
	m.duration.Observe(time.Since(start).Seconds())
}

func (m *Metrics) setTenants(all []Tenant) {
	if m == nil {
		return
	}
	var shared, silo float64
	live := map[string]bool{}
	for _, t := range all {
		live[t.ID] = true
		if t.Silo != nil {
			silo++
		} else {
			shared++
		}
	}
	m.tenants.WithLabelValues("shared").Set(shared)
	m.tenants.WithLabelValues("silo").Set(silo)
	// A tenant that is gone has no Ready gauge any more.
	m.mu.Lock()
	defer m.mu.Unlock()
	for id := range m.seen {
		if !live[id] {
			m.ready.DeleteLabelValues(id)
		}
	}
	m.seen = live
}

func (m *Metrics) setReady(id string, ok bool) {
	if m == nil {
		return
	}
	v := 0.0
	if ok {
		v = 1
	}
	m.ready.WithLabelValues(id).Set(v)
}

func (m *Metrics) countDeleted(n int) {
	if m == nil || n == 0 {
		return
	}
	m.deleted.Add(float64(n))
}

func (m *Metrics) setLeader(on bool) {
	if m == nil {
		return
	}
	v := 0.0
	if on {
		v = 1
	}
	m.leader.Set(v)
}
