package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/plein-nl/plein/platform/auth"
	"github.com/plein-nl/plein/platform/authz"
	"github.com/plein-nl/plein/platform/observe"
	"github.com/plein-nl/plein/platform/problem"
	"github.com/plein-nl/plein/platform/ratelimit"
	"github.com/plein-nl/plein/platform/tenant"
	"github.com/plein-nl/plein/services/debts"
	"github.com/plein-nl/plein/services/income"
	"github.com/plein-nl/plein/services/tenancy"
)

// tenantHeader is a header some clients send to name a tenant. Plein never takes the
// tenant from it; when it disagrees with the tenant of the path it is a forgery.
const tenantHeader = "X-Plein-Tenant"

// staffEdge authenticates requests to the staff API and resolves their tenant. It is
// the only place where a principal enters a request's context.
type staffEdge struct {
	dir       *tenancy.Directory
	sessions  *auth.Sessions
	verifiers map[string]*auth.Verifier // by issuer
	// employer authenticates an employer partner's API key in a tenant.
	employer func(ctx context.Context, t tenant.ID, key string) (string, error)
	// creditor authenticates a creditor partner's API key (vroegsignalering).
	creditor func(ctx context.Context, t tenant.ID, key string) (string, error)
	// guard limits the presentations of partner keys per client address, before a
	// key is looked up, so wrong keys cannot be tried at database speed.
	guard *guards
}

func (e *staffEdge) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		// The tenant named by the path, if any, must exist.
		var target tenant.ID
		if rest, ok := strings.CutPrefix(r.URL.Path, "/api/v1/tenants/"); ok {
			seg, _, _ := strings.Cut(rest, "/")
			id, err := tenant.Parse(seg)
			if err != nil {
				problem.NotFound(w, r, "unknown tenant")
				return
			}
			if _, ok := e.dir.ByID(id); !ok {
				problem.NotFound(w, r, "unknown tenant")
				return
			}
			target = id
			observe.SetTenant(ctx, id)
		}
		if h := r.Header.Get(tenantHeader); h != "" && tenant.ID(h) != target {
			problem.Forbidden(w, r, "the "+tenantHeader+" header does not match the tenant of the request")
			return
		}
		// Wrong partner keys are counted per client address; past the limit no key
		// is looked up at all.
		raw, _ := auth.BearerToken(r)
		partnerKey := e.guard != nil && target != "" &&
			(strings.HasPrefix(raw, income.EmployerKeyPrefix) || strings.HasPrefix(raw, debts.CreditorKeyPrefix))
		if partnerKey {
			if ok, wait := e.guard.limiter.Peek(target, ratelimit.PartnerKey, e.guard.clientIP.Of(r)); !ok {
				e.guard.limited.WithLabelValues(string(target), string(ratelimit.PartnerKey)).Inc()
				ratelimit.Refuse(w, r, wait)
				return
			}
		}
		id, err := e.authenticate(w, r, target)
		if err != nil && partnerKey {
			e.guard.limiter.Allow(target, ratelimit.PartnerKey, e.guard.clientIP.Of(r))
		}
		if err != nil {
			if errors.Is(err, auth.ErrSessionStore) {
				problem.Write(w, r, problem.Details{Status: http.StatusServiceUnavailable, Detail: "sessions cannot be checked right now; try again",
					DetailNL: "Het lukt nu niet om uw inlog te controleren. Probeer het later opnieuw."})
				return
			}
			if errors.Is(err, auth.ErrKeysUnavailable) {
				problem.Write(w, r, problem.Details{Status: http.StatusServiceUnavailable, Detail: "the identity provider cannot be reached; try again"})
				return
			}
			problem.Unauthorized(w, r, "a valid bearer token or session is required")
			return
		}
		p := authz.Principal{Subject: id.Subject, Tenant: id.Tenant, ResidentID: id.ResidentID}
		for _, name := range id.Roles {
			if role, err := authz.ParseRole(name); err == nil {
				p.Roles = append(p.Roles, role)
			}
		}
		ctx = authz.WithPrincipal(ctx, p)
		if target != "" {
			// The tenant of the request, resolved and checked above, enters the context
			// here: every layer below (metrics, logs, services) reads it from there.
			ctx = tenant.WithID(ctx, target)
		}
		// An offboarding gemeente's data were exported and handed back: they no longer
		// change (the portal is read-only, settlement has stopped; reads go on).
		if target != "" && r.Method != http.MethodGet && r.Method != http.MethodHead {
			if t, ok := e.dir.ByID(target); ok && t.Status == string(tenancy.StatusOffboarding) {
				problem.Write(w, r, problem.Details{Status: http.StatusConflict,
					Detail:   "tenant " + string(target) + " is offboarding: its data were exported and can no longer change",
					DetailNL: "Deze gemeente stopt met Plein: de gegevens kunnen niet meer veranderen."})
				return
			}
		}
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

var errNoCredential = errors.New("no credential")

// authenticate accepts a bearer ID token from a configured issuer, or a portal session
// of the path's tenant (the dev login's, locally), whose use it records on w.
func (e *staffEdge) authenticate(w http.ResponseWriter, r *http.Request, target tenant.ID) (auth.Identity, error) {
	if raw, ok := auth.BearerToken(r); ok {
		if strings.HasPrefix(raw, income.EmployerKeyPrefix) {
			if target == "" || e.employer == nil {
				return auth.Identity{}, auth.ErrUnauthenticated
			}
			id, err := e.employer(r.Context(), target, raw)
			if err != nil {
				return auth.Identity{}, auth.ErrUnauthenticated
			}
			return auth.Identity{Subject: "employer:" + id, Tenant: target, Roles: []string{string(authz.RoleEmployer)}, Method: "api-key"}, nil
		}
		if strings.HasPrefix(raw, debts.CreditorKeyPrefix) {
			if target == "" || e.creditor == nil {
				return auth.Identity{}, auth.ErrUnauthenticated
			}
			id, err := e.creditor(r.Context(), target, raw)
			if err != nil {
				return auth.Identity{}, auth.ErrUnauthenticated
			}
			return auth.Identity{Subject: debts.CreditorSubjectPrefix + id, Tenant: target, Roles: []string{string(authz.RoleCreditor)}, Method: "api-key"}, nil
		}
		v, ok := e.verifiers[unverifiedIssuer(raw)]
		if !ok {
			return auth.Identity{}, auth.ErrUnauthenticated
		}
		return v.Verify(r.Context(), raw)
	}
	if target != "" && e.sessions != nil {
		s, err := e.sessions.LoadAndRefresh(w, r, target)
		if err != nil {
			return auth.Identity{}, err
		}
		return s.Identity, nil
	}
	return auth.Identity{}, errNoCredential
}

// unverifiedIssuer reads the "iss" claim of a JWT without checking anything, only to
// pick the verifier that will check everything.
func unverifiedIssuer(raw string) string {
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return ""
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return ""
	}
	var claims struct {
		Iss string `json:"iss"`
	}
	if json.Unmarshal(payload, &claims) != nil {
		return ""
	}
	return claims.Iss
}
