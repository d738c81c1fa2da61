package db

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/plein-nl/plein/platform/db/pgcluster"
)

// LocalDatabase is the name of the database in the local cluster.
const LocalDatabase = "plein"

// Local is the private PostgreSQL under a data directory, the embedded default used
// when PLEIN_DATABASE_URL is unset.
type Local struct {
	cluster *pgcluster.Cluster
}

// StartLocal starts (or joins, when a `plein dev` already runs it) the cluster under
// dataDir/postgres and makes sure the database and roles exist.
func StartLocal(ctx context.Context, dataDir string) (*Local, error) {
	c, err := pgcluster.Open(filepath.Join(dataDir, "postgres"))
	if err != nil {
		return nil, err
	}
	if err := c.Start(ctx); err != nil {
		return nil, err
	}
	l := &Local{cluster: c}
	if err := Bootstrap(ctx, c.URL(pgcluster.Superuser, "postgres"), LocalDatabase); err != nil {
		_ = l.Stop(ctx)
		return nil, err
	}
	return l, nil
}

// URL returns the connection URL of the local database for a role.
func (l *Local) URL(role string) string { return l.cluster.URL(role, LocalDatabase) }

// StartedByUs reports whether this process started the server (and so must stop it).
func (l *Local) StartedByUs() bool { return l.cluster.StartedByUs() }

// Stop stops the server if this process started it; a server shared with another
// process is left running.
func (l *Local) Stop(ctx context.Context) error {
	if !l.cluster.StartedByUs() {
		return nil
	}
	if err := l.cluster.Stop(ctx); err != nil {
		return fmt.Errorf("db: stop local: %w", err)
	}
	return nil
}
