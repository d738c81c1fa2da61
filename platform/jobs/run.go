package jobs

import (
	"context"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Start starts a River client that works jobs.
func Start(ctx context.Context, pool *pgxpool.Pool, cfg Config) (*Client, error) {
	jc, err := NewClient(pool, cfg)
	if err != nil {
		return nil, err
	}
	if err := jc.Start(ctx); err != nil {
		return nil, err
	}
	return jc, nil
}

// Stop stops a River client, letting running jobs finish for at most grace.
func Stop(ctx context.Context, jc *Client, grace time.Duration, log *slog.Logger) {
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), grace)
	defer cancel()
	if err := jc.Stop(sctx); err != nil {
		log.Warn("jobs: stop", "err", err)
	}
}
