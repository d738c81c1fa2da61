package tenancy

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/plein-nl/plein/platform/tenant"
)

// Vitals are what the coöperatie's operators watch of a gemeente besides its runs: its
// lifecycle status and its number of residents.
type Vitals struct {
	Tenant tenant.ID
	Status Status
	// Residents counts the gemeente's caseload: every resident registered, each of
	// whom the monthly settlement pays.
	Residents int64
}

// VitalsReader reads every tenant's vitals with one query (the residents are counted by
// tenant_resident_counts(), which asks each tenant in turn under row-level security),
// at most once per TTL: a Prometheus scrape every few seconds costs one query per TTL.
type VitalsReader struct {
	app *pgxpool.Pool
	ttl time.Duration
	now func() time.Time

	mu   sync.Mutex // held during the query, so concurrent scrapes share one
	at   time.Time
	last []Vitals
}

// DefaultVitalsTTL is how long read vitals are served before they are read again.
const DefaultVitalsTTL = 30 * time.Second

// NewVitalsReader returns a reader over app (a plein_app pool); ttl 0 means
// DefaultVitalsTTL, now nil time.Now.
func NewVitalsReader(app *pgxpool.Pool, ttl time.Duration, now func() time.Time) *VitalsReader {
	if ttl == 0 {
		ttl = DefaultVitalsTTL
	}
	if now == nil {
		now = time.Now
	}
	return &VitalsReader{app: app, ttl: ttl, now: now}
}

// Read returns every tenant's vitals, ordered by tenant, at most TTL old. When the
// database cannot be read it returns the error with the last vitals read, if any.
func (r *VitalsReader) Read(ctx context.Context) ([]Vitals, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.last != nil && r.now().Sub(r.at) < r.ttl {
		return r.last, nil
	}
	rows, err := r.app.Query(ctx, `
		SELECT t.tenant_id, t.status, coalesce(c.resident_count, 0)
		FROM tenants t LEFT JOIN tenant_resident_counts() c ON c.tenant = t.tenant_id
		ORDER BY t.tenant_id`)
	if err != nil {
		return r.last, fmt.Errorf("tenancy: vitals: %w", err)
	}
	vs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Vitals, error) {
		var v Vitals
		var id string
		err := row.Scan(&id, &v.Status, &v.Residents)
		v.Tenant = tenant.ID(id)
		return v, err
	})
	if err != nil {
		return r.last, fmt.Errorf("tenancy: vitals: %w", err)
	}
	if vs == nil {
		vs = []Vitals{}
	}
	r.last, r.at = vs, r.now()
	return vs, nil
}

// statuses are the lifecycle states, each a series of plein_tenant_status.
var statuses = []Status{StatusOnboarding, StatusActive, StatusSuspended, StatusOffboarding, StatusOffboarded}

// Collector is the per-tenant gauges, collected on scrape from a VitalsReader:
// plein_tenant_active_residents{tenant} and plein_tenant_status{tenant,status}, 1 for
// the tenant's status and 0 for the others (so a change of status shows as a change of
// value, not as a series that appears).
type Collector struct {
	vitals    *VitalsReader
	log       *slog.Logger
	residents *prometheus.Desc
	status    *prometheus.Desc
}

// NewCollector returns the collector; register it on the process's registry.
func NewCollector(v *VitalsReader, log *slog.Logger) *Collector {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Collector{
		vitals: v,
		log:    log,
		residents: prometheus.NewDesc("plein_tenant_active_residents",
			"Residents in the gemeente's caseload (every registered resident; the monthly settlement pays each).", []string{"tenant"}, nil),
		status: prometheus.NewDesc("plein_tenant_status",
			"The gemeente's lifecycle status: 1 for the one it is in, 0 for the others.", []string{"tenant", "status"}, nil),
	}
}

// Describe implements prometheus.Collector.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.residents
	ch <- c.status
}

// Collect implements prometheus.Collector. A failed read is logged, and the last
// vitals read (if any) are reported: one slow database does not fail the whole scrape.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	vs, err := c.vitals.Read(ctx)
	if err != nil {
		c.log.Warn("tenant metrics: read failed", "err", err)
	}
	for _, v := range vs {
		ch <- prometheus.MustNewConstMetric(c.residents, prometheus.GaugeValue, float64(v.Residents), string(v.Tenant))
		for _, s := range statuses {
			val := 0.0
			if s == v.Status {
				val = 1
			}
			ch <- prometheus.MustNewConstMetric(c.status, prometheus.GaugeValue, val, string(v.Tenant), string(s))
		}
	}
}

// RegisterMetrics registers the per-tenant gauges (plein_tenant_active_residents,
// plein_tenant_status) on reg, where the settlement's metrics are, and returns the
// reader they are collected from (cached for DefaultVitalsTTL, one query per read).
func RegisterMetrics(reg prometheus.Registerer, app *pgxpool.Pool, log *slog.Logger) (*VitalsReader, error) {
	v := NewVitalsReader(app, 0, nil)
	if err := reg.Register(NewCollector(v, log)); err != nil {
		return nil, fmt.Errorf("tenant metrics: %w", err)
	}
	return v, nil
}
