package db

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Environment variables of the production roles' databases.
const (
	EnvDatabaseURL = "PLEIN_DATABASE_URL"         // as plein_app
	EnvControlURL  = "PLEIN_CONTROL_DATABASE_URL" // as plein_control
	EnvMigrateURL  = "PLEIN_MIGRATE_DATABASE_URL" // as plein_owner
)

// Databases are the connections of one process, one pool per role it needs.
type Databases struct {
	appURL, controlURL, ownerURL string
	local                        *Local // nil with PLEIN_DATABASE_URL
	pools                        []*pgxpool.Pool
}

// OpenDatabases finds the database: the URLs of the environment, or the private
// PostgreSQL under dataDir, started when it is not running (and shared when a `plein
// dev` runs it). On the local database the schema is migrated first.
func OpenDatabases(ctx context.Context, dataDir string, log *slog.Logger) (*Databases, error) {
	if u := os.Getenv(EnvDatabaseURL); u != "" {
		return &Databases{appURL: u, controlURL: os.Getenv(EnvControlURL), ownerURL: os.Getenv(EnvMigrateURL)}, nil
	}
	local, err := StartLocal(ctx, dataDir)
	if err != nil {
		return nil, err
	}
	d := &Databases{
		appURL:     local.URL(RoleApp),
		controlURL: local.URL(RoleControl),
		ownerURL:   local.URL(RoleOwner),
		local:      local,
	}
	if err := Migrate(ctx, d.ownerURL, log); err != nil {
		d.Close(ctx)
		return nil, err
	}
	return d, nil
}

func (d *Databases) open(ctx context.Context, url, env string) (*pgxpool.Pool, error) {
	if url == "" {
		return nil, fmt.Errorf("%s is not set", env)
	}
	p, err := Open(ctx, url)
	if err != nil {
		return nil, err
	}
	d.pools = append(d.pools, p)
	return p, nil
}

// App returns a pool as plein_app.
func (d *Databases) App(ctx context.Context) (*pgxpool.Pool, error) {
	return d.open(ctx, d.appURL, EnvDatabaseURL)
}

// Control returns a pool as plein_control.
func (d *Databases) Control(ctx context.Context) (*pgxpool.Pool, error) {
	return d.open(ctx, d.controlURL, EnvControlURL)
}

// HasControl says whether a plein_control URL is known (set, or local).
func (d *Databases) HasControl() bool { return d.controlURL != "" }

// IsLocal says whether the databases are the private PostgreSQL under the data
// directory.
func (d *Databases) IsLocal() bool { return d.local != nil }

// OwnerURL is the URL migrations run with.
func (d *Databases) OwnerURL() (string, error) {
	if d.ownerURL == "" {
		return "", errors.New(EnvMigrateURL + " is not set (migrations run as plein_owner)")
	}
	return d.ownerURL, nil
}

// Close closes the pools and stops the local PostgreSQL if this process started it.
func (d *Databases) Close(ctx context.Context) {
	for _, p := range d.pools {
		p.Close()
	}
	if d.local != nil {
		_ = d.local.Stop(context.WithoutCancel(ctx))
	}
}
