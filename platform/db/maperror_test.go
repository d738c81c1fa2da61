package db_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/plein-nl/plein/platform/db"
	"github.com/plein-nl/plein/platform/db/dbtest"
	"github.com/plein-nl/plein/platform/tenant"
)

func TestMapError(t *testing.T) {
	t.Parallel()
	plain := errors.New("not from PostgreSQL")
	tests := []struct {
		name string
		err  error
		want error // the sentinel, or nil for none
	}{
		{"unique violation", &pgconn.PgError{Code: "23505"}, db.ErrUniqueViolation},
		{"insufficient privilege", &pgconn.PgError{Code: "42501"}, db.ErrForbidden},
		{"invalid byte sequence", &pgconn.PgError{Code: "22021"}, db.ErrDataException},
		{"datetime out of range", &pgconn.PgError{Code: "22008"}, db.ErrDataException},
		{"numeric out of range", &pgconn.PgError{Code: "22003"}, db.ErrDataException},
		{"untranslatable character", &pgconn.PgError{Code: "22P05"}, db.ErrDataException},
		{"wrapped", fmt.Errorf("store: %w", &pgconn.PgError{Code: "22001"}), db.ErrDataException},
		{"serialization failure stays", &pgconn.PgError{Code: "40001"}, nil},
		{"not a PostgreSQL error", plain, nil},
	}
	for _, tt := range tests {
		got := db.MapError(tt.err)
		if !errors.Is(got, tt.err) {
			t.Errorf("%s: MapError(%v) = %v, lost the original error", tt.name, tt.err, got)
		}
		for _, s := range []error{db.ErrUniqueViolation, db.ErrForbidden, db.ErrDataException} {
			if errors.Is(got, s) != (s == tt.want) {
				t.Errorf("%s: MapError(%v) = %v; errors.Is(%v) = %v, want %v", tt.name, tt.err, got, s, !(s == tt.want), s == tt.want)
			}
		}
		if twice := db.MapError(got); twice != got {
			t.Errorf("%s: MapError twice = %v, want %v unchanged", tt.name, twice, got)
		}
	}
	if got := db.SQLState(fmt.Errorf("x: %w", &pgconn.PgError{Code: "22021"})); got != "22021" {
		t.Errorf("SQLState = %q, want %q", got, "22021")
	}
	if got := db.SQLState(plain); got != "" {
		t.Errorf("SQLState(plain error) = %q, want \"\"", got)
	}
}

// TestInTenantMapsDataExceptions sends what a client could smuggle past validation to
// a real PostgreSQL: every refusal must carry ErrDataException, so that no transport
// answers it with a 500.
func TestInTenantMapsDataExceptions(t *testing.T) {
	t.Parallel()
	d := dbtest.New(t)
	ctx := tenant.WithID(context.Background(), tenantA)
	tests := []struct {
		name, sql string
		arg       any
		code      string
	}{
		{"NUL in text", "SELECT $1::text", "Jan\x00de Vries", "22021"},
		{"invalid UTF-8", "SELECT $1::text", "Jan\xff", "22021"},
		{"date out of range", "SELECT $1::date + 1", time.Date(5874897, 12, 31, 0, 0, 0, 0, time.UTC), "22008"},
		{"numeric out of range", "SELECT $1::int * 2", int64(1 << 30), "22003"},
	}
	for _, tt := range tests {
		err := db.InTenant(ctx, d.App, func(ctx context.Context, tx pgx.Tx) error {
			_, err := tx.Exec(ctx, tt.sql, tt.arg)
			return err
		})
		if !errors.Is(err, db.ErrDataException) || db.SQLState(err) != tt.code {
			t.Errorf("%s: err = %v (SQLSTATE %q); want ErrDataException with SQLSTATE %s", tt.name, err, db.SQLState(err), tt.code)
		}
	}
}
