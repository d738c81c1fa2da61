package jobs

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/plein-nl/plein/platform/tenant"
)

// Silo tenants. A gemeente on the silo tier has workers of its own (`plein work
// --tenant T`, in its own namespace): its jobs go to the queue SiloQueue(T), which only
// those workers work, so the shared workers never run them and a big gemeente's month
// never waits behind the others' (nor they behind it).

// Router tells which tenants are on the silo tier (the tenant directory).
type Router interface {
	Silo(t tenant.ID) bool
}

const siloPrefix = "silo_"

// metaQueue is the job metadata key that keeps a silo job's own queue, so that the job
// goes back to it when the tenant returns to the shared tier.
const metaQueue = "plein_queue"

// SiloQueue is the queue of a silo tenant's jobs. River allows 64 characters; the
// tenant config allows the silo tier only for ids that fit.
func SiloQueue(t tenant.ID) string { return siloPrefix + string(t) }

// MaxSiloTenantID is the longest tenant id whose silo queue River accepts.
const MaxSiloTenantID = 64 - len(siloPrefix)

// siloRouting is the insert middleware that sends a silo tenant's jobs to its queue.
type siloRouting struct {
	river.MiddlewareDefaults
	r Router
}

func (m *siloRouting) InsertMany(ctx context.Context, params []*rivertype.JobInsertParams, doInner func(context.Context) ([]*rivertype.JobInsertResult, error)) ([]*rivertype.JobInsertResult, error) {
	for _, p := range params {
		if strings.HasPrefix(p.Queue, siloPrefix) {
			continue
		}
		var a TenantArgs
		if json.Unmarshal(p.EncodedArgs, &a) != nil || a.Tenant == "" || !m.r.Silo(a.Tenant) {
			continue
		}
		meta := map[string]any{}
		if len(p.Metadata) > 0 {
			if err := json.Unmarshal(p.Metadata, &meta); err != nil {
				return nil, fmt.Errorf("jobs: metadata of %s: %w", p.Kind, err)
			}
		}
		meta[metaQueue] = p.Queue
		b, err := json.Marshal(meta)
		if err != nil {
			return nil, err
		}
		p.Metadata, p.Queue = b, SiloQueue(a.Tenant)
	}
	return doInner(ctx)
}

// pending are the states of a job not yet running nor done.
const pending = "('available', 'scheduled', 'retryable', 'pending')"

// AdoptSilo moves tenant t's pending jobs from the shared queues to its silo queue
// (jobs inserted before the tenant became a silo, or by a process without routing).
// The silo's workers call it at start and from time to time. It returns how many moved.
func AdoptSilo(ctx context.Context, pool *pgxpool.Pool, t tenant.ID) (int64, error) {
	tag, err := pool.Exec(ctx, `
		UPDATE river.river_job
		SET metadata = metadata || jsonb_build_object('`+metaQueue+`', queue), queue = $2
		WHERE args->>'tenant' = $1 AND queue NOT LIKE 'silo\_%' AND state IN `+pending,
		string(t), SiloQueue(t))
	if err != nil {
		return 0, fmt.Errorf("jobs: adopt the jobs of silo %s: %w", t, err)
	}
	return tag.RowsAffected(), nil
}

// ReleaseSilos moves the pending jobs of silo queues whose tenant is no longer on the
// silo tier back to their own queues. The shared workers call it from time to time.
func ReleaseSilos(ctx context.Context, pool *pgxpool.Pool, r Router) (int64, error) {
	rows, err := pool.Query(ctx, `SELECT DISTINCT queue FROM river.river_job WHERE queue LIKE 'silo\_%' AND state IN `+pending)
	if err != nil {
		return 0, fmt.Errorf("jobs: release silos: %w", err)
	}
	var queues []string
	for rows.Next() {
		var q string
		if err := rows.Scan(&q); err != nil {
			rows.Close()
			return 0, err
		}
		queues = append(queues, q)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	var n int64
	for _, q := range queues {
		t := tenant.ID(strings.TrimPrefix(q, siloPrefix))
		if r.Silo(t) {
			continue
		}
		tag, err := pool.Exec(ctx, `
			UPDATE river.river_job
			SET queue = coalesce(metadata->>'`+metaQueue+`', $2), metadata = metadata - '`+metaQueue+`'
			WHERE queue = $1 AND state IN `+pending, q, QueueDefault)
		if err != nil {
			return n, fmt.Errorf("jobs: release silo %s: %w", t, err)
		}
		n += tag.RowsAffected()
	}
	return n, nil
}
