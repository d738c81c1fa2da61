package tenancy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/plein-nl/plein/platform/tenant"
)

// Offboarding a tenant (plein tenant offboard, purge):
//
//  1. the gemeente's data are exported to a bundle (Export) and the bundle is checked
//     (VerifyBundle);
//  2. Offboard moves the tenant to offboarding and records the bundle's sha256 and
//     manifest with a grace period, in one transaction: the portal is read-only, the
//     staff API refuses changes, settlement has stopped;
//  3. after the grace period Purge (an operator, or the periodic job) deletes every row
//     of the tenant and moves it to offboarded. The database decides whether a purge
//     may run (migrations/00010_offboarding.sql), not this code;
//  4. then the gemeente's key-encryption key is destroyed (Shredder, crypto-shredding):
//     a backup or dump made before the purge still holds its sealed BSNs and wrapped
//     keys, but nothing opens them any more. Should that fail after the rows are gone,
//     the periodic job destroys the keys of every offboarded tenant again.

// Errors of offboarding.
var (
	// ErrPurgeNotDue is a purge before the end of the grace period.
	ErrPurgeNotDue = errors.New("the grace period has not ended")
	// ErrNoExport is a purge of an offboarding tenant whose export was never recorded.
	ErrNoExport = errors.New("no export recorded")
)

// DefaultGrace is how long an offboarded gemeente's data are kept after the export,
// for a gemeente that finds something missing in it.
const DefaultGrace = 30 * 24 * time.Hour

// BundleInfo is what is recorded of a verified export bundle.
type BundleInfo struct {
	SHA256   string // of the whole file, hex
	Bytes    int64
	Manifest Manifest
}

// Offboarding is the record of a tenant's offboarding: the export handed to the
// gemeente, when its data may be purged, and what the purge deleted.
type Offboarding struct {
	Tenant       tenant.ID        `json:"tenant"`
	ExportSHA256 string           `json:"export_sha256"`
	ExportBytes  int64            `json:"export_bytes"`
	Author       string           `json:"author"`
	RequestedAt  time.Time        `json:"requested_at"`
	PurgeAfter   time.Time        `json:"purge_after"`
	PurgedAt     *time.Time       `json:"purged_at,omitempty"`
	PurgedBy     string           `json:"purged_by,omitempty"`
	Deleted      map[string]int64 `json:"deleted,omitempty"`
	// Event is the move to offboarding that Offboard made (nil when the tenant was
	// offboarding already, without an export).
	Event *Event `json:"event,omitempty"`
}

// Status returns the lifecycle status of tenant id.
func (s *Store) Status(ctx context.Context, id tenant.ID) (Status, error) {
	var st string
	err := s.control.QueryRow(ctx, `SELECT status FROM tenants WHERE tenant_id = $1`, string(id)).Scan(&st)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", fmt.Errorf("%w: %s", ErrTenantNotFound, id)
	}
	if err != nil {
		return "", fmt.Errorf("tenancy: status: %w", err)
	}
	return Status(st), nil
}

// CheckOffboard returns nil if tenant id may be offboarded now: it is active or
// suspended, or offboarding without a recorded export. Call it before writing an
// export, so that no bundle is made for a tenant that cannot be offboarded.
func (s *Store) CheckOffboard(ctx context.Context, id tenant.ID) error {
	return pgx.BeginFunc(ctx, s.control, func(tx pgx.Tx) error {
		_, err := s.offboardable(ctx, tx, id, false)
		return err
	})
}

// offboardable reads the tenant's status (locking its row with lock) and says whether
// Offboard must make the transition (false: the tenant is offboarding already, without
// an export).
func (s *Store) offboardable(ctx context.Context, tx pgx.Tx, id tenant.ID, lock bool) (bool, error) {
	q := `SELECT t.status, o.requested_at FROM tenants t LEFT JOIN tenant_offboardings o USING (tenant_id) WHERE t.tenant_id = $1`
	if lock {
		q += ` FOR UPDATE OF t`
	}
	var st string
	var recorded *time.Time
	err := tx.QueryRow(ctx, q, string(id)).Scan(&st, &recorded)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, fmt.Errorf("%w: %s", ErrTenantNotFound, id)
	}
	if err != nil {
		return false, err
	}
	switch {
	case Status(st) == StatusOffboarding && recorded == nil:
		return false, nil
	case Status(st) == StatusOffboarding:
		return false, fmt.Errorf("%w: tenant %s is offboarding already (its export was recorded at %s)",
			ErrIllegalTransition, id, recorded.UTC().Format(time.RFC3339))
	case !Legal(Status(st), StatusOffboarding):
		return false, fmt.Errorf("%w: tenant %s is %s and cannot become offboarding (allowed from %s: %s)",
			ErrIllegalTransition, id, st, st, allowed(Status(st)))
	}
	return true, nil
}

// Offboard moves tenant id to offboarding and records its verified export bundle, in
// one transaction. Its rows may be purged once grace has passed (0: at once). The
// export must have been made and checked before: an offboarding without an export is
// not possible.
func (s *Store) Offboard(ctx context.Context, id tenant.ID, b BundleInfo, author, reason string, grace time.Duration) (Offboarding, error) {
	reason, author = strings.TrimSpace(reason), strings.TrimSpace(author)
	switch {
	case reason == "" || len([]rune(reason)) > 1000:
		return Offboarding{}, fmt.Errorf("tenancy: offboard %s: %w", id, ErrReasonRequired)
	case author == "":
		return Offboarding{}, errors.New("tenancy: offboard needs an author")
	case grace < 0:
		return Offboarding{}, fmt.Errorf("tenancy: offboard %s: the grace period %s is negative", id, grace)
	case b.SHA256 == "" || b.Bytes <= 0 || b.Manifest.Tenant != id:
		return Offboarding{}, fmt.Errorf("tenancy: offboard %s: an export bundle of this tenant is required", id)
	}
	manifest, err := json.Marshal(b.Manifest)
	if err != nil {
		return Offboarding{}, fmt.Errorf("tenancy: offboard %s: %w", id, err)
	}
	o := Offboarding{Tenant: id, ExportSHA256: b.SHA256, ExportBytes: b.Bytes, Author: author}
	err = pgx.BeginFunc(ctx, s.control, func(tx pgx.Tx) error {
		move, err := s.offboardable(ctx, tx, id, true)
		if err != nil {
			return err
		}
		if move {
			ev, err := transitionTx(ctx, tx, id, StatusOffboarding, author, reason)
			if err != nil {
				return err
			}
			o.Event = &ev
		}
		return tx.QueryRow(ctx, `
			INSERT INTO tenant_offboardings (tenant_id, export_sha256, export_bytes, manifest, author, purge_after)
			VALUES ($1, $2, $3, $4, $5, now() + $6 * interval '1 microsecond')
			RETURNING requested_at, purge_after`,
			string(id), b.SHA256, b.Bytes, manifest, author, grace.Microseconds()).Scan(&o.RequestedAt, &o.PurgeAfter)
	})
	if err != nil {
		return Offboarding{}, fmt.Errorf("tenancy: offboard: %w", err)
	}
	return o, nil
}

// Offboarding returns the offboarding record of tenant id (ErrTenantNotFound when it
// has none).
func (s *Store) Offboarding(ctx context.Context, id tenant.ID) (Offboarding, error) {
	o := Offboarding{Tenant: id}
	var deleted []byte
	var purgedBy *string
	err := s.control.QueryRow(ctx, `
		SELECT export_sha256, export_bytes, author, requested_at, purge_after, purged_at, purged_by, deleted
		FROM tenant_offboardings WHERE tenant_id = $1`, string(id)).
		Scan(&o.ExportSHA256, &o.ExportBytes, &o.Author, &o.RequestedAt, &o.PurgeAfter, &o.PurgedAt, &purgedBy, &deleted)
	if errors.Is(err, pgx.ErrNoRows) {
		return Offboarding{}, fmt.Errorf("%w: %s has no offboarding", ErrTenantNotFound, id)
	}
	if err != nil {
		return Offboarding{}, fmt.Errorf("tenancy: offboarding: %w", err)
	}
	if purgedBy != nil {
		o.PurgedBy = *purgedBy
	}
	if deleted != nil {
		if err := json.Unmarshal(deleted, &o.Deleted); err != nil {
			return Offboarding{}, fmt.Errorf("tenancy: offboarding: %w", err)
		}
	}
	return o, nil
}

// PurgePreview returns, per table, how many rows a purge of tenant id would delete
// now: the same tables, found the same way, as Purge. It needs plein_control.
func (s *Store) PurgePreview(ctx context.Context, id tenant.ID) (map[string]int64, error) {
	if _, err := s.Status(ctx, id); err != nil {
		return nil, err
	}
	var counts map[string]int64
	// tenant_purge_preview sets the tenant for its transaction: give it one of its own.
	err := pgx.BeginFunc(ctx, s.control, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT tenant_purge_preview($1)`, string(id)).Scan(&counts)
	})
	if err != nil {
		return nil, fmt.Errorf("tenancy: purge preview: %w", err)
	}
	return counts, nil
}

// Purge deletes every row of tenant id (but the record: the tenants row, its events,
// its config versions and its offboarding), releases its hosts, deletes its River
// jobs and moves it to offboarded, in one transaction, recording the rows deleted per
// table. The database refuses it, changing nothing, unless the tenant is offboarding
// with a recorded export and its grace period is over: ErrIllegalTransition,
// ErrNoExport or ErrPurgeNotDue, each naming the state.
func (s *Store) Purge(ctx context.Context, id tenant.ID, actor string) (Offboarding, error) {
	if strings.TrimSpace(actor) == "" {
		return Offboarding{}, errors.New("tenancy: a purge needs an actor")
	}
	err := pgx.BeginFunc(ctx, s.control, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `SELECT tenant_purge($1, $2)`, string(id), actor)
		return err
	})
	if err != nil {
		return Offboarding{}, fmt.Errorf("tenancy: purge %s: %w", id, purgeError(err))
	}
	if s.shred != nil {
		if err := s.shred.Shred(ctx, id); err != nil {
			return Offboarding{}, fmt.Errorf("tenancy: purge %s: the rows are deleted, but its keys were not destroyed (the hourly purge job tries again): %w", id, err)
		}
	}
	return s.Offboarding(ctx, id)
}

// ShredOffboarded destroys the keys of every offboarded tenant again (a no-op for
// keys destroyed already): the retry of a purge whose shredding failed.
func (s *Store) ShredOffboarded(ctx context.Context) error {
	if s.shred == nil {
		return nil
	}
	rows, err := s.control.Query(ctx, `SELECT tenant_id FROM tenants WHERE status = 'offboarded' ORDER BY tenant_id`)
	if err != nil {
		return fmt.Errorf("tenancy: offboarded tenants: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return fmt.Errorf("tenancy: offboarded tenants: %w", err)
	}
	var errs []error
	for _, id := range ids {
		if err := s.shred.Shred(ctx, tenant.ID(id)); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// purgeError maps tenant_purge's refusals to this package's sentinels, keeping the
// database's message (which names the state).
func purgeError(err error) error {
	var pg *pgconn.PgError
	if !errors.As(err, &pg) {
		return err
	}
	switch {
	case pg.Code == "P0002":
		return fmt.Errorf("%w: %s", ErrTenantNotFound, pg.Message)
	case pg.Code == "55000" && pg.ConstraintName == "tenant_purge_status":
		return fmt.Errorf("%w: %s", ErrIllegalTransition, pg.Message)
	case pg.Code == "55000" && pg.ConstraintName == "tenant_purge_due":
		return fmt.Errorf("%w: %s", ErrPurgeNotDue, pg.Message)
	case pg.Code == "55000" && pg.ConstraintName == "tenant_purge_export":
		return fmt.Errorf("%w: %s", ErrNoExport, pg.Message)
	}
	return err
}

// PurgeDue purges every tenant whose grace period is over and returns them. A tenant
// purged meanwhile by someone else is skipped; other failures are returned together
// after the rest were tried.
func (s *Store) PurgeDue(ctx context.Context, actor string) ([]tenant.ID, error) {
	rows, err := s.control.Query(ctx, `
		SELECT o.tenant_id FROM tenant_offboardings o JOIN tenants t USING (tenant_id)
		WHERE t.status = 'offboarding' AND o.purged_at IS NULL AND o.purge_after <= now()
		ORDER BY o.tenant_id`)
	if err != nil {
		return nil, fmt.Errorf("tenancy: purges due: %w", err)
	}
	due, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("tenancy: purges due: %w", err)
	}
	var done []tenant.ID
	var errs []error
	for _, id := range due {
		_, err := s.Purge(ctx, tenant.ID(id), actor)
		switch {
		case err == nil:
			done = append(done, tenant.ID(id))
		case errors.Is(err, ErrIllegalTransition), errors.Is(err, ErrPurgeNotDue):
		default:
			errs = append(errs, err)
		}
	}
	return done, errors.Join(errs...)
}
