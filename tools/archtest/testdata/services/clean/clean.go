// Package clean is the archtest's good example: a reader built with its own pool.
package clean

import (
	"context"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Reader reads the service's tables in units of work of its own.
type Reader struct{ app *pgxpool.Pool }

// NewReader returns the reader over the service's pool.
func NewReader(app *pgxpool.Pool) *Reader { return &Reader{app: app} }

// IDs lists the ids.
func (r *Reader) IDs(ctx context.Context) ([]string, error) { return nil, nil }
