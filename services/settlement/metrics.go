package settlement

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/plein-nl/plein/platform/bijstand"
	"github.com/plein-nl/plein/platform/law"
	"github.com/plein-nl/plein/platform/tenant"
)

// Metrics are the settlement's Prometheus metrics, per tenant where an operator needs
// it: runs by outcome, their duration, the steps' duration and failures, the residents
// computed and the money paid. A nil *Metrics records nothing.
type Metrics struct {
	starts    *prometheus.CounterVec
	runs      *prometheus.CounterVec
	duration  *prometheus.HistogramVec
	steps     *prometheus.HistogramVec
	failures  *prometheus.CounterVec
	residents *prometheus.CounterVec
	// uncomputed counts the residents whose month the engine could not compute.
	uncomputed *prometheus.CounterVec
	paidCents  *prometheus.CounterVec
	files      *prometheus.CounterVec
}

// NewMetrics registers the settlement's metrics with reg.
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	m := &Metrics{
		starts: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "plein_settlement_runs_started_total",
			Help: "Settlement runs started, by tenant and whether a dry-run."}, []string{"tenant", "dry_run"}),
		runs: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "plein_settlement_runs_total",
			Help: "Settlement runs ended, by tenant and status (final, dry_run_done, failed, cancelled)."}, []string{"tenant", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "plein_settlement_run_duration_seconds",
			Help:    "Time from the start of a run to its end (approval wait included for final runs).",
			Buckets: prometheus.ExponentialBuckets(1, 3, 12)}, []string{"tenant", "status"}),
		steps: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "plein_settlement_step_duration_seconds",
			Help:    "Duration of one settlement job (plan, batch, close, post).",
			Buckets: prometheus.ExponentialBuckets(0.005, 3, 12)}, []string{"step"}),
		failures: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "plein_settlement_step_failures_total",
			Help: "Settlement jobs that returned an error (they are retried), by tenant and step."}, []string{"tenant", "step"}),
		residents: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "plein_settlement_residents_computed_total",
			Help: "Residents whose month a settlement batch computed."}, []string{"tenant"}),
		uncomputed: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "plein_settlement_residents_uncomputed_total",
			Help: "Residents whose month a settlement batch could not compute (bad data, a law value missing): paid nothing, reported."},
			[]string{"tenant"}),
		paidCents: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "plein_settlement_paid_cents_total",
			Help: "Cents in the SEPA files of final runs, by tenant and payee (resident, creditor)."}, []string{"tenant", "payee"}),
		files: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "plein_settlement_files_written_total",
			Help: "Files written by final runs (SEPA, specifications, reconciliation)."}, []string{"tenant"}),
	}
	for _, c := range []prometheus.Collector{m.starts, m.runs, m.duration, m.steps, m.failures, m.residents, m.uncomputed, m.paidCents, m.files} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

func (m *Metrics) started(t tenant.ID, dry bool) {
	if m == nil {
		return
	}
	d := "false"
	if dry {
		d = "true"
	}
	m.starts.WithLabelValues(string(t), d).Inc()
}

func (m *Metrics) ended(r Run) {
	if m == nil {
		return
	}
	m.runs.WithLabelValues(string(r.Tenant), string(r.Status)).Inc()
	if r.FinishedAt != nil {
		m.duration.WithLabelValues(string(r.Tenant), string(r.Status)).Observe(r.FinishedAt.Sub(r.StartedAt).Seconds())
	}
}

// step observes a job's duration and counts its failure; call it deferred with the
// job's named error.
func (m *Metrics) step(name string, t tenant.ID, start time.Time, err *error) {
	if m == nil {
		return
	}
	m.steps.WithLabelValues(name).Observe(time.Since(start).Seconds())
	if err != nil && *err != nil {
		m.failures.WithLabelValues(string(t), name).Inc()
	}
}

// computed counts a batch's residents: n computed, not the uncomputed ones.
func (m *Metrics) computed(t tenant.ID, n, uncomputed int) {
	if m == nil {
		return
	}
	m.residents.WithLabelValues(string(t)).Add(float64(n))
	m.uncomputed.WithLabelValues(string(t)).Add(float64(uncomputed))
}

// paid counts the cents of a final run. A Prometheus counter is a float64: it holds
// whole cents exactly up to 2^53 (90 trillion euros), and it is an operator's gauge of
// flow, never an amount anything is paid or booked from.
func (m *Metrics) paid(t tenant.ID, rep Report, files int) {
	if m == nil {
		return
	}
	m.paidCents.WithLabelValues(string(t), "resident").Add(float64(rep.ResidentPaymentsCents))
	m.paidCents.WithLabelValues(string(t), "creditor").Add(float64(rep.CreditorPaymentsCents))
	m.files.WithLabelValues(string(t)).Add(float64(files))
}

// lawStale is plein_law_data_stale, computed when scraped: whether the current
// month's law data is stale (law.Book.Staleness of its first day, in Amsterdam).
type lawStale struct {
	desc *prometheus.Desc
	book *law.Book
	now  func() time.Time
}

// NewLawStaleness registers plein_law_data_stale with reg: 1 when the law data the
// current month is computed with is past its next indexation and no newer file is in
// force, 0 otherwise, labelled with the law file and the date its next indexation is
// due. An operator alerts on it: every run of such a month is flagged, and a final one
// needs an acknowledgement. A nil book is law.MustLoad(), a nil now time.Now.
func NewLawStaleness(reg prometheus.Registerer, book *law.Book, now func() time.Time) error {
	if now == nil {
		now = time.Now
	}
	if book == nil {
		book = law.MustLoad()
	}
	return reg.Register(&lawStale{book: book, now: now, desc: prometheus.NewDesc("plein_law_data_stale",
		"1 when the current month's law data (platform/law) is past its next indexation with no newer file, else 0.",
		[]string{"file", "due"}, nil)})
}

// Describe implements prometheus.Collector.
func (c *lawStale) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

// Collect implements prometheus.Collector.
func (c *lawStale) Collect(ch chan<- prometheus.Metric) {
	stale, due, file := c.book.Staleness(bijstand.PeriodOf(c.now().In(amsterdam)).First())
	v := 0.0
	if stale {
		v = 1
	}
	ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, v, file, due.Format(time.DateOnly))
}
