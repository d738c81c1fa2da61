// Package leaky is the archtest's bad example: a service that lets other packages read
// its tables in their transaction, on their pool or connection.
package leaky

import (
	"context"

	"github.com/jackc/pgx/v5"
	pool "github.com/jackc/pgx/v5/pgxpool"

	"github.com/plein-nl/plein/platform/db"
)

// PayeesIn reads the payees in the caller's transaction.
func PayeesIn(ctx context.Context, tx pgx.Tx, first, last string) ([]string, error) { return nil, nil }

// CountOn counts on the caller's pool (an aliased import).
func CountOn(ctx context.Context, p *pool.Pool) (int, error) { return 0, nil }

// Reader reads for others.
type Reader struct{}

// Rows reads on the caller's connection.
func (Reader) Rows(ctx context.Context, c *pgx.Conn) error { return nil }

// Via reads through the caller's beginner.
func (*Reader) Via(ctx context.Context, b db.Beginner) error { return nil }

// Source is a consumer's interface asking a producer to read in the consumer's
// transaction.
type Source interface {
	IDs(ctx context.Context, tx pgx.Tx) ([]string, error)
}

// NewReader is a constructor: taking a pool is fine.
func NewReader(p *pool.Pool) *Reader { return &Reader{} }

// own takes a transaction but is not exported: fine.
func own(ctx context.Context, tx pgx.Tx) error { return nil }
