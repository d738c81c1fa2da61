package jobs

import (
	"context"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/plein-nl/plein/platform/tenant"
)

// KeepSilos keeps the silo queues right when a tenant changes tier, at once and then
// every interval until ctx ends. The workers of silo (`plein work --tenant`) adopt
// their tenant's jobs still in the shared queues; the shared workers (silo "") send
// the jobs of a tenant that left the silo tier back to the shared queues.
func KeepSilos(ctx context.Context, pool *pgxpool.Pool, r Router, silo tenant.ID, interval time.Duration, log *slog.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		var n int64
		var err error
		switch {
		case silo == "":
			n, err = ReleaseSilos(ctx, pool, r)
		case r.Silo(silo):
			n, err = AdoptSilo(ctx, pool, silo)
		default:
			log.Warn("work: the tenant is not on the silo tier; its jobs stay with the shared workers", "tenant", string(silo))
		}
		if err != nil && ctx.Err() == nil {
			log.Warn("work: moving silo jobs failed", "err", err)
		} else if n > 0 {
			log.Info("work: moved silo jobs", "jobs", n, "silo", string(silo))
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
