package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/plein-nl/plein/platform/db"
	"github.com/plein-nl/plein/services/tenancy"
)

// Environment variables of the production roles.
const (
	envDatabaseURL = "PLEIN_DATABASE_URL"         // as plein_app
	envControlURL  = "PLEIN_CONTROL_DATABASE_URL" // as plein_control
	envMigrateURL  = "PLEIN_MIGRATE_DATABASE_URL" // as plein_owner
)

// databases are the connections of one process, one pool per role it needs.
type databases struct {
	appURL, controlURL, ownerURL string
	local                        *db.Local // nil with PLEIN_DATABASE_URL
	pools                        []*pgxpool.Pool
}

// openDatabases finds the database: the URLs of the environment, or the private
// PostgreSQL under dataDir, started when it is not running (and shared when a `plein
// dev` runs it). On the local database the schema is migrated first.
func openDatabases(ctx context.Context, dataDir string, log *slog.Logger) (*databases, error) {
	if u := os.Getenv(envDatabaseURL); u != "" {
		return &databases{appURL: u, controlURL: os.Getenv(envControlURL), ownerURL: os.Getenv(envMigrateURL)}, nil
	}
	local, err := db.StartLocal(ctx, dataDir)
	if err != nil {
		return nil, err
	}
	d := &databases{
		appURL:     local.URL(db.RoleApp),
		controlURL: local.URL(db.RoleControl),
		ownerURL:   local.URL(db.RoleOwner),
		local:      local,
	}
	if err := db.Migrate(ctx, d.ownerURL, log); err != nil {
		d.close(ctx)
		return nil, err
	}
	return d, nil
}

func (d *databases) open(ctx context.Context, url, env string) (*pgxpool.Pool, error) {
	if url == "" {
		return nil, fmt.Errorf("%s is not set", env)
	}
	p, err := db.Open(ctx, url)
	if err != nil {
		return nil, err
	}
	d.pools = append(d.pools, p)
	return p, nil
}

// App returns a pool as plein_app.
func (d *databases) App(ctx context.Context) (*pgxpool.Pool, error) {
	return d.open(ctx, d.appURL, envDatabaseURL)
}

// Control returns a pool as plein_control.
func (d *databases) Control(ctx context.Context) (*pgxpool.Pool, error) {
	return d.open(ctx, d.controlURL, envControlURL)
}

// OwnerURL is the URL migrations run with.
func (d *databases) OwnerURL() (string, error) {
	if d.ownerURL == "" {
		return "", errors.New(envMigrateURL + " is not set (migrations run as plein_owner)")
	}
	return d.ownerURL, nil
}

// close closes the pools and stops the local PostgreSQL if this process started it.
func (d *databases) close(ctx context.Context) {
	for _, p := range d.pools {
		p.Close()
	}
	if d.local != nil {
		_ = d.local.Stop(context.WithoutCancel(ctx))
	}
}

// What a command needs opened (openBackend).
const (
	needApp     = 1 << iota // a pool as plein_app
	needControl             // a pool as plein_control
	needDir                 // the tenant directory (with needApp)
)

// backend is what a command opened: its databases, pools and tenant directory.
type backend struct {
	*databases
	app     *pgxpool.Pool      // with needApp
	control *pgxpool.Pool      // with needControl
	dir     *tenancy.Directory // with needDir
}

// openBackend opens the databases (openDatabases) and what needs asks for; close
// closes them all.
func openBackend(ctx context.Context, dataDir string, log *slog.Logger, needs int) (*backend, error) {
	dbs, err := openDatabases(ctx, dataDir, log)
	if err != nil {
		return nil, err
	}
	b := &backend{databases: dbs}
	if needs&(needApp|needDir) != 0 {
		b.app, err = dbs.App(ctx)
	}
	if err == nil && needs&needControl != 0 {
		b.control, err = dbs.Control(ctx)
	}
	if err == nil && needs&needDir != 0 {
		b.dir, err = tenancy.NewDirectory(ctx, b.app)
	}
	if err != nil {
		dbs.close(ctx)
		return nil, err
	}
	return b, nil
}
