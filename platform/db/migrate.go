package db

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"text/tabwriter"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"

	"github.com/plein-nl/plein/migrations"
)

// RiverSchema is the schema of River's tables. They have no RLS: the tenant crosses
// into a job as an explicit field of its args, and the worker sets it in its
// transaction before touching tenant data.
const RiverSchema = "river"

// MigrationStatus is the state of one migration.
type MigrationStatus struct {
	Source  string // "plein" or "river"
	Version int64
	Name    string
	Applied bool
}

// Migrate brings the schema up to date: River's migrations into schema river, then
// Plein's own, then the application and control roles' grants on River's tables. ownerURL connects
// as plein_owner (or a superuser, which then sets its role to plein_owner so that
// plein_owner owns every object). It is safe to run concurrently and repeatedly.
func Migrate(ctx context.Context, ownerURL string, log *slog.Logger) error {
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	pool, err := ownerPool(ctx, ownerURL)
	if err != nil {
		return err
	}
	defer pool.Close()

	// One migrator at a time per database, also across processes.
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("db: migrate: %w", err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock(727001)"); err != nil {
		return fmt.Errorf("db: migrate: lock: %w", err)
	}
	defer conn.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock(727001)") //nolint:errcheck

	if _, err := pool.Exec(ctx, "CREATE SCHEMA IF NOT EXISTS "+RiverSchema); err != nil {
		return fmt.Errorf("db: migrate: river schema: %w", err)
	}
	migrator, err := rivermigrate.New(riverpgxv5.New(pool), &rivermigrate.Config{Schema: RiverSchema, Logger: log})
	if err != nil {
		return fmt.Errorf("db: migrate: river: %w", err)
	}
	res, err := migrator.Migrate(ctx, rivermigrate.DirectionUp, nil)
	if err != nil {
		return fmt.Errorf("db: migrate: river: %w", err)
	}
	for _, v := range res.Versions {
		log.Info("migrated", "source", "river", "version", v.Version)
	}

	provider, closeDB, err := gooseProvider(pool)
	if err != nil {
		return err
	}
	defer closeDB()
	results, err := provider.Up(ctx)
	if err != nil {
		return fmt.Errorf("db: migrate: %w", err)
	}
	for _, r := range results {
		log.Info("migrated", "source", "plein", "version", r.Source.Version, "file", r.Source.Path, "duration", r.Duration)
	}

	grants := fmt.Sprintf(`
		GRANT USAGE ON SCHEMA %[1]s TO %[2]s, %[3]s;
		GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %[1]s TO %[2]s, %[3]s;
		GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA %[1]s TO %[2]s, %[3]s;
		GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA %[1]s TO %[2]s, %[3]s;
		GRANT USAGE ON SCHEMA public TO %[2]s, %[3]s;`, RiverSchema, RoleApp, RoleControl)
	if _, err := pool.Exec(ctx, grants); err != nil {
		return fmt.Errorf("db: migrate: grants: %w", err)
	}
	return nil
}

// Status lists every known migration of both sources and whether it is applied.
func Status(ctx context.Context, ownerURL string) ([]MigrationStatus, error) {
	pool, err := ownerPool(ctx, ownerURL)
	if err != nil {
		return nil, err
	}
	defer pool.Close()
	var out []MigrationStatus

	migrator, err := rivermigrate.New(riverpgxv5.New(pool), &rivermigrate.Config{Schema: RiverSchema})
	if err != nil {
		return nil, fmt.Errorf("db: status: river: %w", err)
	}
	applied := map[int]bool{}
	var schemaExists bool
	if err := pool.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)", RiverSchema).Scan(&schemaExists); err != nil {
		return nil, fmt.Errorf("db: status: %w", err)
	}
	if schemaExists {
		existing, err := migrator.ExistingVersions(ctx)
		if err != nil {
			return nil, fmt.Errorf("db: status: river: %w", err)
		}
		for _, m := range existing {
			applied[m.Version] = true
		}
	}
	for _, m := range migrator.AllVersions() {
		out = append(out, MigrationStatus{Source: "river", Version: int64(m.Version), Name: m.Name, Applied: applied[m.Version]})
	}

	provider, closeDB, err := gooseProvider(pool)
	if err != nil {
		return nil, err
	}
	defer closeDB()
	st, err := provider.Status(ctx)
	if err != nil {
		return nil, fmt.Errorf("db: status: %w", err)
	}
	for _, s := range st {
		out = append(out, MigrationStatus{Source: "plein", Version: s.Source.Version, Name: s.Source.Path, Applied: s.State == goose.StateApplied})
	}
	return out, nil
}

// ownerPool connects to ownerURL with every connection's role set to plein_owner, so
// that objects are owned by it even when the URL is a superuser's.
func ownerPool(ctx context.Context, ownerURL string) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(ownerURL)
	if err != nil {
		return nil, fmt.Errorf("db: migrate: parse url: %w", err)
	}
	cfg.MaxConns = 2
	if cfg.ConnConfig.User != RoleOwner {
		cfg.AfterConnect = func(ctx context.Context, c *pgx.Conn) error {
			_, err := c.Exec(ctx, "SET ROLE "+RoleOwner)
			return err
		}
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("db: migrate: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("db: migrate: connect as %s: %w", RoleOwner, err)
	}
	return pool, nil
}

func gooseProvider(pool *pgxpool.Pool) (*goose.Provider, func(), error) {
	sqlDB := stdlib.OpenDBFromPool(pool)
	p, err := goose.NewProvider(goose.DialectPostgres, sqlDB, migrations.FS)
	if err != nil {
		sqlDB.Close()
		return nil, nil, fmt.Errorf("db: migrations: %w", err)
	}
	return p, func() { _ = sqlDB.Close() }, nil
}

// WriteStatus writes st as the table of `plein migrate status`.
func WriteStatus(w io.Writer, st []MigrationStatus) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SOURCE\tVERSION\tSTATE\tNAME")
	for _, s := range st {
		state := "pending"
		if s.Applied {
			state = "applied"
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\n", s.Source, s.Version, state, s.Name)
	}
	return tw.Flush()
}
