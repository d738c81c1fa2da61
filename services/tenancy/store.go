package tenancy

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/plein-nl/plein/platform/jobs"
	"github.com/plein-nl/plein/platform/tenant"
)

// Change is what an apply did (or, in a dry run, would do) to one tenant.
type Change struct {
	Tenant   tenant.ID `json:"tenant"`
	File     string    `json:"file"`
	Status   string    `json:"status"` // "new", "changed" or "unchanged"
	Version  int       `json:"version"`
	Previous int       `json:"previous,omitempty"`
	Diff     string    `json:"diff,omitempty"`
}

// Store keeps the tenant registry and every version of every tenant's config. It
// writes as plein_control.
type Store struct {
	control *pgxpool.Pool
	jobs    *jobs.Client // nil: no follow-up jobs are enqueued
}

// NewStore returns a store writing through control (a plein_control pool). When jc is
// not nil, each new version enqueues a ConfigApplied job for its tenant.
func NewStore(control *pgxpool.Pool, jc *jobs.Client) *Store {
	return &Store{control: control, jobs: jc}
}

// versionText is what a diff compares: the canonical config and the logo's digest.
func versionText(c Config, logo []byte) string {
	sum := sha256.Sum256(logo)
	return c.Canonical() + "# logo sha256: " + hex.EncodeToString(sum[:]) + "\n"
}

// Apply writes a new version for every config that differs from its tenant's current
// one, all in one transaction: either every file is applied or none is. Host names
// already held by another tenant in the database are refused. With dryRun nothing is
// written; the changes it would make are returned.
func (s *Store) Apply(ctx context.Context, loaded []*Loaded, author string, dryRun bool) ([]Change, error) {
	if strings.TrimSpace(author) == "" {
		return nil, errors.New("tenancy: apply needs an author")
	}
	tx, err := s.control.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("tenancy: apply: %w", err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck
	// One apply at a time, so that version numbers and host checks cannot race.
	if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock(727002)"); err != nil {
		return nil, fmt.Errorf("tenancy: apply: %w", err)
	}

	var changes []Change
	var errs Errors
	for _, l := range loaded {
		c := l.Config
		// Hosts held by another tenant.
		for i, h := range c.Portal.Hosts {
			var owner string
			err := tx.QueryRow(ctx, "SELECT tenant_id FROM tenant_hosts WHERE host = $1 AND tenant_id <> $2", h, string(c.ID)).Scan(&owner)
			if err == nil {
				l.fail(&errs, fmt.Sprintf("portal.hosts[%d]", i), fmt.Sprintf("%q already belongs to tenant %s", h, owner), "portal", "hosts", i)
			} else if !errors.Is(err, pgx.ErrNoRows) {
				return nil, fmt.Errorf("tenancy: apply: %w", err)
			}
		}
		ch := Change{Tenant: c.ID, File: l.File}
		var prevConfig []byte
		var prevLogo *string
		err := tx.QueryRow(ctx, `
			SELECT version, config, logo_svg FROM tenant_config_versions
			WHERE tenant_id = $1 ORDER BY version DESC LIMIT 1`, string(c.ID)).Scan(&ch.Previous, &prevConfig, &prevLogo)
		newText := versionText(c, l.Logo)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			ch.Status, ch.Version = "new", 1
			ch.Diff = lineDiff("", newText)
		case err != nil:
			return nil, fmt.Errorf("tenancy: apply: %w", err)
		default:
			var prev Config
			if err := json.Unmarshal(prevConfig, &prev); err != nil {
				return nil, fmt.Errorf("tenancy: apply: stored version %d of %s: %w", ch.Previous, c.ID, err)
			}
			var logo []byte
			if prevLogo != nil {
				logo = []byte(*prevLogo)
			}
			oldText := versionText(prev, logo)
			if oldText == newText {
				ch.Status, ch.Version = "unchanged", ch.Previous
			} else {
				ch.Status, ch.Version = "changed", ch.Previous+1
				ch.Diff = lineDiff(oldText, newText)
			}
		}
		changes = append(changes, ch)
		// Once a problem is found nothing will be committed: skip the writes (a refused
		// host would only fail again on tenant_hosts' key and hide the FieldError), but
		// go on checking, so that every problem is reported.
		if ch.Status == "unchanged" || len(errs) > 0 {
			continue
		}
		if err := s.write(ctx, tx, l, ch, author); err != nil {
			return nil, err
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	if dryRun {
		return changes, nil // the deferred rollback discards everything
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("tenancy: apply: commit: %w", err)
	}
	return changes, nil
}

func (s *Store) write(ctx context.Context, tx pgx.Tx, l *Loaded, ch Change, author string) error {
	c := l.Config
	cfgJSON, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("tenancy: apply: %w", err)
	}
	_, err = tx.Exec(ctx, `
		INSERT INTO tenants (tenant_id, status) VALUES ($1, 'active')
		ON CONFLICT (tenant_id) DO UPDATE SET updated_at = now()`, string(c.ID))
	if err != nil {
		return fmt.Errorf("tenancy: apply %s: %w", c.ID, err)
	}
	_, err = tx.Exec(ctx, `
		INSERT INTO tenant_config_versions (tenant_id, version, config, source, source_file, logo_svg, author, diff)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		string(c.ID), ch.Version, cfgJSON, string(l.Source), l.File, string(l.Logo), author, ch.Diff)
	if err != nil {
		return fmt.Errorf("tenancy: apply %s: %w", c.ID, err)
	}
	if _, err := tx.Exec(ctx, "DELETE FROM tenant_hosts WHERE tenant_id = $1", string(c.ID)); err != nil {
		return fmt.Errorf("tenancy: apply %s: %w", c.ID, err)
	}
	for _, h := range c.Portal.Hosts {
		if _, err := tx.Exec(ctx, "INSERT INTO tenant_hosts (host, tenant_id) VALUES ($1, $2)", h, string(c.ID)); err != nil {
			return fmt.Errorf("tenancy: apply %s: host %s: %w", c.ID, h, err)
		}
	}
	if s.jobs != nil {
		tctx := tenant.WithID(ctx, c.ID)
		args := ConfigAppliedArgs{TenantArgs: jobs.TenantArgs{Tenant: c.ID}, Version: ch.Version, Author: author}
		if err := jobs.InsertTx(tctx, s.jobs, tx, args, nil); err != nil {
			return fmt.Errorf("tenancy: apply %s: %w", c.ID, err)
		}
	}
	return nil
}

// Version is one stored version of a tenant's config.
type Version struct {
	Tenant    tenant.ID `json:"tenant"`
	Version   int       `json:"version"`
	Author    string    `json:"author"`
	AppliedAt string    `json:"applied_at"`
	File      string    `json:"file"`
	Diff      string    `json:"diff"`
	Config    Config    `json:"config"`
}

// TenantSummary is one row of the tenant list.
type TenantSummary struct {
	ID        tenant.ID `json:"id"`
	Name      string    `json:"name"`
	Status    string    `json:"status"`
	Version   int       `json:"version"`
	Hosts     []string  `json:"hosts"`
	UpdatedAt string    `json:"updated_at"`
}

// List returns every tenant with its current config version.
func (s *Store) List(ctx context.Context) ([]TenantSummary, error) {
	rows, err := s.control.Query(ctx, `
		SELECT DISTINCT ON (t.tenant_id) t.tenant_id, t.status, v.version, v.config, to_char(t.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
		FROM tenants t JOIN tenant_config_versions v USING (tenant_id)
		ORDER BY t.tenant_id, v.version DESC`)
	if err != nil {
		return nil, fmt.Errorf("tenancy: list: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (TenantSummary, error) {
		var ts TenantSummary
		var id string
		var cfgJSON []byte
		if err := r.Scan(&id, &ts.Status, &ts.Version, &cfgJSON, &ts.UpdatedAt); err != nil {
			return ts, err
		}
		var c Config
		if err := json.Unmarshal(cfgJSON, &c); err != nil {
			return ts, err
		}
		ts.ID, ts.Name, ts.Hosts = tenant.ID(id), c.Name, c.Portal.Hosts
		return ts, nil
	})
}

// ErrTenantNotFound is returned for a tenant that does not exist.
var ErrTenantNotFound = errors.New("tenant not found")

// History returns every version of a tenant's config, newest first.
func (s *Store) History(ctx context.Context, id tenant.ID) ([]Version, error) {
	rows, err := s.control.Query(ctx, `
		SELECT tenant_id, version, author, to_char(applied_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), source_file, diff, config
		FROM tenant_config_versions WHERE tenant_id = $1 ORDER BY version DESC`, string(id))
	if err != nil {
		return nil, fmt.Errorf("tenancy: history: %w", err)
	}
	vs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Version, error) {
		var v Version
		var tid string
		var cfgJSON []byte
		if err := r.Scan(&tid, &v.Version, &v.Author, &v.AppliedAt, &v.File, &v.Diff, &cfgJSON); err != nil {
			return v, err
		}
		v.Tenant = tenant.ID(tid)
		return v, json.Unmarshal(cfgJSON, &v.Config)
	})
	if err != nil {
		return nil, fmt.Errorf("tenancy: history: %w", err)
	}
	if len(vs) == 0 {
		return nil, fmt.Errorf("%w: %s", ErrTenantNotFound, id)
	}
	return vs, nil
}
