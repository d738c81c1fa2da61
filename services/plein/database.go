package main

import (
	"context"
	"log/slog"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/plein-nl/plein/platform/db"
	"github.com/plein-nl/plein/platform/keyring"
	"github.com/plein-nl/plein/services/tenancy"
)

// What a command needs opened (openBackend).
const (
	needApp     = 1 << iota // a pool as plein_app
	needControl             // a pool as plein_control
	needDir                 // the tenant directory (with needApp)
	needKeys                // the gemeenten's BSN keys (with needApp)
)

// backend is what a command opened: its databases, pools and tenant directory.
type backend struct {
	*db.Databases
	app     *pgxpool.Pool      // with needApp
	control *pgxpool.Pool      // with needControl
	dir     *tenancy.Directory // with needDir
	keys    *keyring.Keyring   // with needKeys
}

// openBackend opens the databases (db.OpenDatabases) and what needs asks for; Close
// closes them all.
func openBackend(ctx context.Context, dataDir string, log *slog.Logger, needs int) (*backend, error) {
	dbs, err := db.OpenDatabases(ctx, dataDir, log)
	if err != nil {
		return nil, err
	}
	b := &backend{Databases: dbs}
	if needs&(needApp|needDir|needKeys) != 0 {
		b.app, err = dbs.App(ctx)
	}
	if err == nil && needs&needControl != 0 {
		b.control, err = dbs.Control(ctx)
	}
	if err == nil && needs&needDir != 0 {
		b.dir, err = tenancy.NewDirectory(ctx, b.app)
	}
	if err == nil && needs&needKeys != 0 {
		b.keys, err = keyring.Load(b.app, dataDir, dbs.IsLocal())
	}
	if err != nil {
		dbs.Close(ctx)
		return nil, err
	}
	return b, nil
}
