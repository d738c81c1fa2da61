// Package audit records who did what with which object, for which purpose.
//
// The audit log is append-only in the database itself: the application role may only
// insert and read it, and a trigger refuses UPDATE, DELETE and TRUNCATE even to the
// table's owner. Every read of a resident's data by staff is recorded with its purpose
// (AVG purpose limitation); residents can later see who looked.
package audit

import (
	"context"
	"errors"
	"fmt"
	"os/user"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/plein-nl/plein/platform/tenant"
)

// ErrNoPurpose is returned for an entry without a purpose.
var ErrNoPurpose = errors.New("audit: an entry needs a purpose")

// ErrIncomplete is returned for an entry without actor, role, action or object type.
var ErrIncomplete = errors.New("audit: an entry needs actor, role, action and object type")

// Entry is one audit record.
type Entry struct {
	ID         int64
	Tenant     tenant.ID
	At         time.Time
	Actor      string // the principal's subject, never a BSN
	Role       string
	Action     string // e.g. "resident.read"
	ObjectType string
	ObjectID   string
	Purpose    string // why: the case, the task
	RequestID  string
}

// Record appends e to the audit log of the tenant of ctx, in tx (a transaction with
// that tenant set), so the record commits with the work it describes.
func Record(ctx context.Context, tx pgx.Tx, e Entry) error {
	id, err := tenant.Require(ctx)
	if err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	if strings.TrimSpace(e.Purpose) == "" {
		return ErrNoPurpose
	}
	if e.Actor == "" || e.Role == "" || e.Action == "" || e.ObjectType == "" {
		return ErrIncomplete
	}
	_, err = tx.Exec(ctx, `
		INSERT INTO audit_log (tenant_id, actor, role, action, object_type, object_id, purpose, request_id)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		string(id), e.Actor, e.Role, e.Action, e.ObjectType, e.ObjectID, e.Purpose, e.RequestID)
	if err != nil {
		return fmt.Errorf("audit: record: %w", err)
	}
	return nil
}

// Filter narrows List.
type Filter struct {
	ObjectType string
	ObjectID   string
	Limit      int // default 100, at most 1000
}

// List returns the newest entries of the tenant of tx first.
func List(ctx context.Context, tx pgx.Tx, f Filter) ([]Entry, error) {
	if f.Limit <= 0 {
		f.Limit = 100
	}
	f.Limit = min(f.Limit, 1000)
	rows, err := tx.Query(ctx, `
		SELECT id, tenant_id, at, actor, role, action, object_type, object_id, purpose, request_id
		FROM audit_log
		WHERE ($1 = '' OR object_type = $1) AND ($2 = '' OR object_id = $2)
		ORDER BY at DESC, id DESC
		LIMIT $3`, f.ObjectType, f.ObjectID, f.Limit)
	if err != nil {
		return nil, fmt.Errorf("audit: list: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Entry, error) {
		var e Entry
		var tid string
		err := r.Scan(&e.ID, &tid, &e.At, &e.Actor, &e.Role, &e.Action, &e.ObjectType, &e.ObjectID, &e.Purpose, &e.RequestID)
		e.Tenant = tenant.ID(tid)
		return e, err
	})
	if err != nil {
		return nil, fmt.Errorf("audit: list: %w", err)
	}
	return out, nil
}

// OSUser is the name of the user running the process, for the record of who did
// something from the command line; "unknown" when it cannot be found.
func OSUser() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	return "unknown"
}
