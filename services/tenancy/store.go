package tenancy

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

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
	// ValidFrom is when Version takes effect; Pending is true when that is still to
	// come, and InForce is the version in force once the apply is done (Version, unless
	// Version is pending).
	ValidFrom time.Time `json:"valid_from"`
	Pending   bool      `json:"pending,omitempty"`
	InForce   int       `json:"in_force"`
}

// MaxValidFromAhead is how far ahead a version may be planned. A pending version holds
// back every later one (versions take effect in order), so a typo of a year would
// block the gemeente's configuration.
const MaxValidFromAhead = 366 * 24 * time.Hour

// FormatTime shows an instant as the Netherlands reads it: RFC 3339 in
// Europe/Amsterdam.
func FormatTime(t time.Time) string { return t.In(amsterdam).Format(time.RFC3339) }

// Store keeps the tenant registry and every version of every tenant's config. It
// writes as plein_control.
type Store struct {
	control *pgxpool.Pool
	jobs    *jobs.Client // nil: no follow-up jobs are enqueued
	shred   Shredder     // nil: a purge leaves the gemeente's keys (tests of the rows only)
}

// Shredder destroys a purged gemeente's BSN keys (a *keyring.Keyring): what a backup
// of its rows still holds can then not be opened.
type Shredder interface {
	Shred(ctx context.Context, t tenant.ID) error
}

// WithShredder makes every purge through s destroy the gemeente's keys with sh once
// its rows are deleted, and returns s.
func (s *Store) WithShredder(sh Shredder) *Store {
	s.shred = sh
	return s
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

// Apply writes a new version for every config that differs from its tenant's latest
// one (in force or pending), all in one transaction: either every file is applied or
// none is. Host names already held by another tenant in the database are refused. With
// dryRun nothing is written; the changes it would make are returned.
//
// A version takes effect at its valid_from (at once without one, or when it has
// passed). Versions take effect in order: the one in force is the highest whose
// valid_from has come, so a new version may not take effect before the latest one (that
// would skip it), a new gemeente's first version takes effect at once, and a version
// that takes effect later may not change portal.hosts (tenant_hosts routes requests at
// once; a host change is applied on its own).
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
	// The time of the apply is taken once the lock is held, not at the transaction's
	// start: the applies are then in the order of their valid_from.
	var now time.Time
	if err := tx.QueryRow(ctx, "SELECT clock_timestamp()").Scan(&now); err != nil {
		return nil, fmt.Errorf("tenancy: apply: %w", err)
	}

	var changes []Change
	var errs Errors
	for _, l := range loaded {
		ch, err := planChange(ctx, tx, l, now, &errs)
		if err != nil {
			return nil, err
		}
		if ch.Status != "unchanged" && ch.Pending && ch.ValidFrom.Sub(now) > MaxValidFromAhead {
			l.fail(&errs, "valid_from", fmt.Sprintf("%s is more than a year ahead: a version is planned at most a year in advance, since it holds back every later one", FormatTime(ch.ValidFrom)), "valid_from")
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

// planChange finds what applying l changes against its latest stored version, and
// adds to errs what refuses it: a host held by another tenant, a version out of order.
func planChange(ctx context.Context, tx pgx.Tx, l *Loaded, now time.Time, errs *Errors) (Change, error) {
	c := l.Config
	// Hosts held by another tenant.
	for i, h := range c.Portal.Hosts {
		var owner string
		err := tx.QueryRow(ctx, "SELECT tenant_id FROM tenant_hosts WHERE host = $1 AND tenant_id <> $2", h, string(c.ID)).Scan(&owner)
		if err == nil {
			l.fail(errs, fmt.Sprintf("portal.hosts[%d]", i), fmt.Sprintf("%q already belongs to tenant %s", h, owner), "portal", "hosts", i)
		} else if !errors.Is(err, pgx.ErrNoRows) {
			return Change{}, fmt.Errorf("tenancy: apply: %w", err)
		}
	}
	ch := Change{Tenant: c.ID, File: l.File, ValidFrom: now}
	if l.ValidFrom.After(now) {
		ch.ValidFrom, ch.Pending = l.ValidFrom, true
	}
	var prevConfig []byte
	var prevLogo *string
	var prevValidFrom time.Time
	var inForce *int
	err := tx.QueryRow(ctx, `
		SELECT version, config, logo_svg, valid_from,
		       (SELECT max(version) FROM tenant_config_versions WHERE tenant_id = $1 AND valid_from <= $2)
		FROM tenant_config_versions
		WHERE tenant_id = $1 ORDER BY version DESC LIMIT 1`, string(c.ID), now).Scan(&ch.Previous, &prevConfig, &prevLogo, &prevValidFrom, &inForce)
	newText := versionText(c, l.Logo)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		ch.Status, ch.Version, ch.InForce = "new", 1, 1
		ch.Diff = lineDiff("", newText)
		if ch.Pending {
			l.fail(errs, "valid_from", fmt.Sprintf("%s is in the future, but %s is a new gemeente: its first version takes effect at once; leave valid_from out", FormatTime(ch.ValidFrom), c.ID), "valid_from")
		}
	case err != nil:
		return Change{}, fmt.Errorf("tenancy: apply: %w", err)
	default:
		var prev Config
		if err := json.Unmarshal(prevConfig, &prev); err != nil {
			return Change{}, fmt.Errorf("tenancy: apply: stored version %d of %s: %w", ch.Previous, c.ID, err)
		}
		var logo []byte
		if prevLogo != nil {
			logo = []byte(*prevLogo)
		}
		oldText := versionText(prev, logo)
		if inForce != nil {
			ch.InForce = *inForce
		}
		if oldText == newText {
			// valid_from alone makes no version: the latest one keeps its own.
			ch.Status, ch.Version = "unchanged", ch.Previous
			ch.ValidFrom, ch.Pending = prevValidFrom, prevValidFrom.After(now)
			break
		}
		ch.Status, ch.Version = "changed", ch.Previous+1
		ch.Diff = lineDiff(oldText, newText)
		if !ch.Pending {
			ch.InForce = ch.Version
		}
		*errs = append(*errs, checkOrder(l, ch, prev, prevValidFrom)...)
	}
	return ch, nil
}

// checkOrder refuses a changed version that would take effect before the latest one
// (which it would then skip), and a pending one that changes the hosts.
func checkOrder(l *Loaded, ch Change, prev Config, prevValidFrom time.Time) Errors {
	var errs Errors
	if ch.ValidFrom.Before(prevValidFrom) {
		when := "is not set (at once)"
		if !l.ValidFrom.IsZero() {
			when = "is " + FormatTime(l.ValidFrom)
			if !ch.Pending {
				when += " (passed: at once)"
			}
		}
		l.fail(&errs, "valid_from", fmt.Sprintf("%s, but version %d takes effect at %s: versions take effect in order, so set valid_from to %s (to amend version %d) or later",
			when, ch.Previous, FormatTime(prevValidFrom), FormatTime(prevValidFrom), ch.Previous), "valid_from")
	}
	if ch.Pending && !sameHosts(l.Config.Portal.Hosts, prev.Portal.Hosts) {
		l.fail(&errs, "portal.hosts", fmt.Sprintf("a version that takes effect later (valid_from %s) may not change the hosts, which route requests at once: apply the host change on its own, without valid_from, first",
			FormatTime(ch.ValidFrom)), "portal", "hosts")
	}
	return errs
}

func sameHosts(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
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
		INSERT INTO tenant_config_versions (tenant_id, version, config, source, source_file, logo_svg, author, diff, valid_from)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		string(c.ID), ch.Version, cfgJSON, string(l.Source), l.File, string(l.Logo), author, ch.Diff, ch.ValidFrom)
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

// The states of a version.
const (
	// StateInForce is the version in force: the highest whose valid_from has come.
	StateInForce = "in_force"
	// StatePending is a version whose valid_from is still to come.
	StatePending = "pending"
	// StateSuperseded is a version below the one in force.
	StateSuperseded = "superseded"
)

// Version is one stored version of a tenant's config.
type Version struct {
	Tenant    tenant.ID `json:"tenant"`
	Version   int       `json:"version"`
	Author    string    `json:"author"`
	AppliedAt string    `json:"applied_at"`
	ValidFrom time.Time `json:"valid_from"`
	State     string    `json:"state"` // StateInForce, StatePending or StateSuperseded
	File      string    `json:"file"`
	Diff      string    `json:"diff"`
	Config    Config    `json:"config"`
}

// PendingVersion is a version that takes effect later.
type PendingVersion struct {
	Version   int       `json:"version"`
	ValidFrom time.Time `json:"valid_from"`
}

// TenantSummary is one row of the tenant list: the tenant with the config version in
// force (the one the running processes serve), and the versions still to come.
type TenantSummary struct {
	ID        tenant.ID        `json:"id"`
	Name      string           `json:"name"`
	Status    string           `json:"status"`
	Version   int              `json:"version"`
	ValidFrom time.Time        `json:"valid_from"`
	Pending   []PendingVersion `json:"pending,omitempty"`
	Hosts     []string         `json:"hosts"`
	UpdatedAt string           `json:"updated_at"`
}

// inForceSQL selects, per tenant, the version in force: the highest whose valid_from
// has come. The Directory serves the same one.
const inForceSQL = `SELECT version, config, valid_from FROM tenant_config_versions
	WHERE tenant_id = t.tenant_id AND valid_from <= now() ORDER BY version DESC LIMIT 1`

// List returns every tenant with its config version in force and the pending ones.
func (s *Store) List(ctx context.Context) ([]TenantSummary, error) {
	rows, err := s.control.Query(ctx, `
		SELECT t.tenant_id, t.status, v.version, v.config, v.valid_from,
		       to_char(t.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), p.versions, p.valid_froms
		FROM tenants t
		JOIN LATERAL (`+inForceSQL+`) v ON true
		LEFT JOIN LATERAL (
			SELECT array_agg(version ORDER BY version) AS versions, array_agg(valid_from ORDER BY version) AS valid_froms
			FROM tenant_config_versions WHERE tenant_id = t.tenant_id AND version > v.version) p ON true
		ORDER BY t.tenant_id`)
	if err != nil {
		return nil, fmt.Errorf("tenancy: list: %w", err)
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (TenantSummary, error) {
		var ts TenantSummary
		var id string
		var cfgJSON []byte
		var versions []int
		var validFroms []time.Time
		if err := r.Scan(&id, &ts.Status, &ts.Version, &cfgJSON, &ts.ValidFrom, &ts.UpdatedAt, &versions, &validFroms); err != nil {
			return ts, err
		}
		var c Config
		if err := json.Unmarshal(cfgJSON, &c); err != nil {
			return ts, err
		}
		ts.ID, ts.Name, ts.Hosts = tenant.ID(id), c.Name, c.Portal.Hosts
		for i, v := range versions {
			ts.Pending = append(ts.Pending, PendingVersion{Version: v, ValidFrom: validFroms[i]})
		}
		return ts, nil
	})
	if err != nil {
		return nil, fmt.Errorf("tenancy: list: %w", err)
	}
	return list, nil
}

// ErrTenantNotFound is returned for a tenant that does not exist.
var ErrTenantNotFound = errors.New("tenant not found")

// History returns every version of a tenant's config, newest first, each with its
// state: in force, pending or superseded.
func (s *Store) History(ctx context.Context, id tenant.ID) ([]Version, error) {
	rows, err := s.control.Query(ctx, `
		SELECT tenant_id, version, author, to_char(applied_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), source_file, diff, config,
		       valid_from, valid_from <= now()
		FROM tenant_config_versions WHERE tenant_id = $1 ORDER BY version DESC`, string(id))
	if err != nil {
		return nil, fmt.Errorf("tenancy: history: %w", err)
	}
	seenInForce := false
	vs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Version, error) {
		var v Version
		var tid string
		var cfgJSON []byte
		var due bool
		if err := r.Scan(&tid, &v.Version, &v.Author, &v.AppliedAt, &v.File, &v.Diff, &cfgJSON, &v.ValidFrom, &due); err != nil {
			return v, err
		}
		// Newest first: the first version that is due is in force, those above it are
		// pending, those below superseded.
		switch {
		case seenInForce:
			v.State = StateSuperseded
		case due:
			v.State, seenInForce = StateInForce, true
		default:
			v.State = StatePending
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

// InForce returns the version in force of a history.
func InForce(history []Version) (Version, bool) {
	for _, v := range history {
		if v.State == StateInForce {
			return v, true
		}
	}
	return Version{}, false
}
