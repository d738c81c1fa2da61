// Package db is Plein's access to PostgreSQL: connection pools per database role, the
// tenant unit of work, schema migrations, and bootstrapping a database for local use.
//
// Tenant isolation in the database rests on three facts this package keeps true: the
// application connects as plein_app, a role that owns nothing and has no BYPASSRLS;
// every tenant-owned table has a FORCEd row-level-security policy on the setting
// plein.tenant_id; and that setting is only ever set with set_config(..., true) inside
// the transaction of one unit of work, so it can never leak to the next user of a
// pooled connection.
package db

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/plein-nl/plein/platform/tenant"
)

// Role names. They are fixed: the migrations grant to them.
const (
	// RoleOwner owns the schema; migrations run as it.
	RoleOwner = "plein_owner"
	// RoleApp is the portal, the APIs and the workers: no ownership, no BYPASSRLS.
	RoleApp = "plein_app"
	// RoleControl is the control plane: it writes the tenant registry.
	RoleControl = "plein_control"
)

// Sentinel errors mapped from PostgreSQL error codes.
var (
	ErrUniqueViolation = errors.New("unique violation")
	ErrForbidden       = errors.New("refused by the database")
	// ErrDataException is a value PostgreSQL refuses to store or compute with (SQLSTATE
	// class 22: a byte sequence that is not UTF-8 or holds NUL, a date or number out of
	// range, …). Input is validated before it reaches the database, so this is the last
	// line: a transport answers it as a client error (400), never as a 500.
	ErrDataException = errors.New("a value was refused by the database")
)

// Open connects a pool to url and checks the connection.
func Open(ctx context.Context, url string) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("db: parse url: %w", err)
	}
	// pgx defaults to max(4, cores) connections; requests wait on commits (WAL flush)
	// far more than on CPU, so more connections than cores keep them moving. The URL's
	// pool_max_conns still wins.
	if !strings.Contains(url, "pool_max_conns") {
		cfg.MaxConns = 24
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("db: connect: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("db: ping %s@%s: %w", cfg.ConnConfig.User, cfg.ConnConfig.Database, err)
	}
	return pool, nil
}

// Beginner starts transactions: a *pgxpool.Pool, a *pgx.Conn or an outer pgx.Tx.
type Beginner interface {
	Begin(ctx context.Context) (pgx.Tx, error)
}

// InTenant runs fn in one transaction for the tenant carried by ctx: the transaction
// sets plein.tenant_id locally before fn runs, commits when fn returns nil and rolls
// back otherwise. A context without a tenant is an error; nothing runs.
func InTenant(ctx context.Context, b Beginner, fn func(ctx context.Context, tx pgx.Tx) error) error {
	id, err := tenant.Require(ctx)
	if err != nil {
		return fmt.Errorf("db: unit of work: %w", err)
	}
	tx, err := b.Begin(ctx)
	if err != nil {
		return fmt.Errorf("db: begin: %w", err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck // a no-op after Commit
	if err := SetTenant(ctx, tx, id); err != nil {
		return err
	}
	if err := fn(ctx, tx); err != nil {
		// Mapped here too, so that every unit of work's errors carry the sentinels,
		// whichever statement failed.
		return MapError(err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("db: commit: %w", MapError(err))
	}
	return nil
}

// SetTenant sets the tenant of tx for the rest of the transaction only (is_local true).
// Use it where a transaction is opened by someone else, such as a River worker's.
func SetTenant(ctx context.Context, tx pgx.Tx, id tenant.ID) error {
	if !id.Valid() {
		return fmt.Errorf("db: set tenant: %w", tenant.ErrInvalidID)
	}
	if _, err := tx.Exec(ctx, "SELECT set_config('plein.tenant_id', $1, true)", string(id)); err != nil {
		return fmt.Errorf("db: set tenant: %w", err)
	}
	return nil
}

// MapError translates PostgreSQL error codes to this package's sentinels, keeping the
// original error in the chain. An error that already carries a sentinel is returned
// as it is, so mapping twice is harmless.
func MapError(err error) error {
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) ||
		errors.Is(err, ErrUniqueViolation) || errors.Is(err, ErrForbidden) || errors.Is(err, ErrDataException) {
		return err
	}
	switch {
	case pgErr.Code == "23505":
		return fmt.Errorf("%w: %w", ErrUniqueViolation, err)
	case pgErr.Code == "42501":
		return fmt.Errorf("%w: %w", ErrForbidden, err)
	case strings.HasPrefix(pgErr.Code, "22"):
		return fmt.Errorf("%w: %w", ErrDataException, err)
	}
	return err
}

// SQLState returns the SQLSTATE code of a PostgreSQL error in err's chain, or "". A
// transport logs the code of a refused value rather than the error, whose text may
// quote the value.
func SQLState(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code
	}
	return ""
}
