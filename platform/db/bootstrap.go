package db

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// Bootstrap prepares a database on a server where url connects as a superuser: the
// three roles (created when missing) and the database name, owned by plein_owner. It is
// what the local cluster and the test harness do; in production the platform team
// provisions the same roles and database once.
func Bootstrap(ctx context.Context, superuserURL, database string) error {
	conn, err := pgx.Connect(ctx, superuserURL)
	if err != nil {
		return fmt.Errorf("db: bootstrap: %w", err)
	}
	defer conn.Close(ctx)
	if err := ensureRoles(ctx, conn); err != nil {
		return err
	}
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", database).Scan(&exists); err != nil {
		return fmt.Errorf("db: bootstrap: %w", err)
	}
	if exists {
		return nil
	}
	if _, err := conn.Exec(ctx, fmt.Sprintf("CREATE DATABASE %s OWNER %s", pgx.Identifier{database}.Sanitize(), RoleOwner)); err != nil {
		return fmt.Errorf("db: bootstrap: create database: %w", err)
	}
	return nil
}

// ensureRoles creates the roles when missing. Role creation races between parallel
// test processes sharing one server, so an existing role is not an error.
func ensureRoles(ctx context.Context, conn *pgx.Conn) error {
	for _, role := range []string{RoleOwner, RoleApp, RoleControl} {
		var exists bool
		if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)", role).Scan(&exists); err != nil {
			return fmt.Errorf("db: bootstrap: %w", err)
		}
		if exists {
			continue
		}
		// LOGIN for all three on the private cluster: it listens on a private socket only.
		_, err := conn.Exec(ctx, fmt.Sprintf("CREATE ROLE %s LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS", role))
		if err != nil && MapError(err) != err {
			continue // created meanwhile by another process
		}
		if err != nil {
			return fmt.Errorf("db: bootstrap: create role %s: %w", role, err)
		}
	}
	return nil
}
