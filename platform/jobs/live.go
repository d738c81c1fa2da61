package jobs

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// A job River calls running may have lost its worker: a process killed in the middle
// of it leaves the job running until River's rescuer gives up on it, an hour and more
// later. A worker that holds a transaction-level advisory lock under a key of its job
// while it works shows that it is alive: a killed worker's connection is gone, and its
// lock with it. Whoever waits for the job can then test the key (Alive) and insert a
// copy of a job nobody works on, which must therefore be idempotent.

// HoldLive takes the advisory lock of key for the rest of tx, waiting for a copy of
// the same job that holds it: copies of a job then run one after the other.
func HoldLive(ctx context.Context, tx pgx.Tx, key string) error {
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, key); err != nil {
		return fmt.Errorf("jobs: hold %q: %w", key, err)
	}
	return nil
}

// Alive reports whether a worker holds the advisory lock of key. When none does, tx
// holds it until it ends: a copy inserted in tx starts after tx commits.
func Alive(ctx context.Context, tx pgx.Tx, key string) (bool, error) {
	var free bool
	if err := tx.QueryRow(ctx, `SELECT pg_try_advisory_xact_lock(hashtextextended($1, 0))`, key).Scan(&free); err != nil {
		return false, fmt.Errorf("jobs: test %q: %w", key, err)
	}
	return !free, nil
}
