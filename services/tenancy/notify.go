package tenancy

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// NotifyChannel is the PostgreSQL channel a new config version or lifecycle event
// notifies, with the tenant id as payload (migration 00011).
const NotifyChannel = "plein_tenants"

// Listen sends the tenant id of every notification on NotifyChannel to out until ctx
// ends. It holds one connection of pool, and reconnects (after a second) when the
// connection is lost; after a reconnect it sends "" so that everything is looked at,
// since a notification may have been missed.
func Listen(ctx context.Context, pool *pgxpool.Pool, out chan<- string, log *slog.Logger) {
	first := true
	for ctx.Err() == nil {
		err := listenOnce(ctx, pool, out, !first)
		first = false
		if ctx.Err() != nil {
			return
		}
		log.Warn("controlplane: listening for tenant changes failed; reconnecting", "err", err)
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Second):
		}
	}
}

func listenOnce(ctx context.Context, pool *pgxpool.Pool, out chan<- string, again bool) error {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return err
	}
	// The connection carries a LISTEN: it never goes back to the pool.
	pc := conn.Hijack()
	defer pc.Close(context.Background()) //nolint:errcheck
	if _, err := pc.Exec(ctx, "LISTEN "+NotifyChannel); err != nil {
		return err
	}
	if again {
		select {
		case out <- "":
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	for {
		n, err := pc.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		select {
		case out <- n.Payload:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// Follow keeps the directory up to date until ctx ends: it reloads as soon as
// PostgreSQL notifies a new config version or lifecycle event, so that a gemeente
// applied with `plein tenant apply` answers at once, and every interval as the safety
// net (which also brings a pending version in force when its valid_from comes). pool
// is a plein_app pool to listen on.
func (d *Directory) Follow(ctx context.Context, pool *pgxpool.Pool, interval time.Duration, log *slog.Logger) {
	changes := make(chan string, 16)
	var wg sync.WaitGroup
	defer wg.Wait()
	wg.Go(func() { Listen(ctx, pool, changes, log) })
	wg.Go(func() { d.Run(ctx, interval, log) })
	for {
		select {
		case <-ctx.Done():
			return
		case <-changes:
			if _, err := d.Reload(ctx); err != nil && ctx.Err() == nil {
				log.Warn("tenant directory reload failed", "err", err)
			}
		}
	}
}
