// Package migrations embeds Plein's numbered SQL schema migrations, run by goose.
//
// Every tenant-owned table has tenant_id first in its primary key and in every index,
// and row-level security ENABLEd and FORCEd with a policy on the transaction's
// plein.tenant_id setting. The roles the migrations grant to are fixed names:
// plein_app (the portal, APIs and workers: owns nothing, no BYPASSRLS) and plein_control
// (the control plane: writes the tenant registry and config versions).
package migrations

import "embed"

// FS holds the migration files.
//
//go:embed *.sql
var FS embed.FS
