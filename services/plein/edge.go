package main

import (
	"context"

	"github.com/plein-nl/plein/platform/auth"
	"github.com/plein-nl/plein/platform/authz"
	"github.com/plein-nl/plein/platform/tenant"
	"github.com/plein-nl/plein/services/debts"
	"github.com/plein-nl/plein/services/income"
)

// newEdge is the staff API's authentication (platform/auth.Edge): ID tokens of the
// configured issuers, sessions of the path's tenant, and the API keys of the two
// machine partners, employers (income) and creditors (debts), whose wrong keys the
// guards count per client address.
func newEdge(cfg appConfig, f *foundation) *auth.Edge {
	return &auth.Edge{Directory: f.dir, Sessions: f.sessions, Verifiers: cfg.verifiers, KeyGuard: f.guards,
		Partners: map[string]auth.Partner{
			income.EmployerKeyPrefix: {Role: authz.RoleEmployer, SubjectPrefix: "employer:",
				Authenticate: func(ctx context.Context, t tenant.ID, key string) (string, error) {
					return income.AuthenticateEmployer(ctx, cfg.appPool, t, key)
				}},
			debts.CreditorKeyPrefix: {Role: authz.RoleCreditor, SubjectPrefix: debts.CreditorSubjectPrefix,
				Authenticate: func(ctx context.Context, t tenant.ID, key string) (string, error) {
					return debts.AuthenticateCreditor(ctx, cfg.appPool, t, key)
				}},
		}}
}
