package main

import (
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/plein-nl/plein/platform/jobs"
	"github.com/plein-nl/plein/services/caseload"
	"github.com/plein-nl/plein/services/residents"
	"github.com/plein-nl/plein/services/settlement"
	"github.com/plein-nl/plein/services/tenancy"
)

// settlementDeps are what the settlement service is built from.
type settlementDeps struct {
	pool    *pgxpool.Pool
	dir     *tenancy.Directory
	reg     prometheus.Registerer // nil: no metrics
	jobs    *jobs.Client          // inserts the first job of a run and the approval's
	now     func() time.Time
	batch   int // residents per batch; 0 for the default
	fileMax int // transfers per SEPA file; 0 for the default
}

// newSettlement wires the settlement service over the caseload (services/caseload) and
// the tenant directory.
func newSettlement(d settlementDeps) (*settlement.Service, error) {
	cl, err := caseload.New(d.pool, d.dir, d.now)
	if err != nil {
		return nil, err
	}
	var m *settlement.Metrics
	if d.reg != nil {
		if m, err = settlement.NewMetrics(d.reg); err != nil {
			return nil, err
		}
		if err = settlement.NewLawStaleness(d.reg, nil, d.now); err != nil {
			return nil, err
		}
	}
	return settlement.NewService(settlement.Config{
		App: d.pool, Jobs: d.jobs, Metrics: m, Now: d.now, BatchSize: d.batch, FileSize: d.fileMax,
		Caseload: cl, Tenants: caseload.NewTenants(d.dir), Counters: residents.NewCounterReader(d.pool),
	}), nil
}
