package auth

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/plein-nl/plein/platform/authz"
	"github.com/plein-nl/plein/platform/observe"
	"github.com/plein-nl/plein/platform/problem"
	"github.com/plein-nl/plein/platform/tenant"
)

// TenantHeader is a header some clients send to name a tenant. Plein never takes the
// tenant from it; when it disagrees with the tenant of the path it is a forgery.
const TenantHeader = "X-Plein-Tenant"

// MethodAPIKey marks a machine partner's identity, proven by its API key.
const MethodAPIKey = "api-key"

// tenantPathPrefix starts every path of the staff API that names a tenant.
const tenantPathPrefix = "/api/v1/tenants/"

// Directory is what the edge needs of the tenant registry.
type Directory interface {
	// Exists reports whether t is a tenant.
	Exists(t tenant.ID) bool
	// ReadOnly reports whether t's data can no longer change (an offboarding
	// gemeente's: they were exported and handed back; reads go on).
	ReadOnly(t tenant.ID) bool
}

// Partner authenticates one kind of machine partner by its API key, in the tenant
// of the request's path.
type Partner struct {
	// Role is the role the partner acts in (authz.RoleEmployer, authz.RoleCreditor).
	Role authz.Role
	// SubjectPrefix starts the principal's subject, before the partner's id
	// ("employer:").
	SubjectPrefix string
	// Authenticate returns the id of the partner whose key is key in t, or an error.
	Authenticate func(ctx context.Context, t tenant.ID, key string) (string, error)
}

// KeyGuard limits the presentations of partner keys per client, before a key is
// looked up, so that wrong keys cannot be tried at database speed.
type KeyGuard interface {
	// AdmitKey reports whether r may present a partner key in t; when not, it has
	// answered r.
	AdmitKey(w http.ResponseWriter, r *http.Request, t tenant.ID) bool
	// KeyFailed counts a key of r's client that did not authenticate in t.
	KeyFailed(r *http.Request, t tenant.ID)
}

// Edge authenticates the requests of the staff API and resolves their tenant. It is
// the only place where a principal enters a request's context. It accepts a bearer
// ID token of a configured issuer, a partner's API key (in the tenant of the path),
// or a session of the path's tenant (the dev login's, locally).
type Edge struct {
	Directory Directory
	// Sessions, when set, lets a session cookie of the path's tenant in.
	Sessions *Sessions
	// Verifiers check bearer ID tokens, by issuer.
	Verifiers map[string]*Verifier
	// Partners authenticate API keys, by the prefix every key of theirs starts with;
	// no prefix may start another.
	Partners map[string]Partner
	// KeyGuard, when set, limits the presentations of partner keys.
	KeyGuard KeyGuard
}

var errNoCredential = errors.New("no credential")

// Wrap authenticates each request before next: an unknown tenant in the path is a
// 404, a forged TenantHeader a 403, no valid credential a 401, a change to a
// read-only tenant a 409. Past it, the request's context holds the principal and,
// on a tenant's path, the tenant.
func (e *Edge) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		target, ok := e.target(w, r)
		if !ok {
			return
		}
		id, ok := e.identify(w, r, target)
		if !ok {
			return
		}
		ctx := authz.WithPrincipal(r.Context(), principalOf(id))
		if target != "" {
			// The tenant of the request, resolved and checked above, enters the context
			// here: every layer below (metrics, logs, services) reads it from there.
			ctx = tenant.WithID(ctx, target)
			if r.Method != http.MethodGet && r.Method != http.MethodHead && e.Directory.ReadOnly(target) {
				problem.Write(w, r, problem.Details{Status: http.StatusConflict,
					Detail:   "tenant " + string(target) + " is offboarding: its data were exported and can no longer change",
					DetailNL: "Deze gemeente stopt met Plein: de gegevens kunnen niet meer veranderen."})
				return
			}
		}
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// target is the tenant the path names ("" for none), which must exist; a header
// naming another is refused. When not ok, it has answered r.
func (e *Edge) target(w http.ResponseWriter, r *http.Request) (tenant.ID, bool) {
	var target tenant.ID
	if rest, ok := strings.CutPrefix(r.URL.Path, tenantPathPrefix); ok {
		seg, _, _ := strings.Cut(rest, "/")
		id, err := tenant.Parse(seg)
		if err != nil || !e.Directory.Exists(id) {
			problem.NotFound(w, r, "unknown tenant")
			return "", false
		}
		target = id
		observe.SetTenant(r.Context(), id)
	}
	if h := r.Header.Get(TenantHeader); h != "" && tenant.ID(h) != target {
		problem.Forbidden(w, r, "the "+TenantHeader+" header does not match the tenant of the request")
		return "", false
	}
	return target, true
}

// identify authenticates r, counting a wrong partner key against its client. When
// not ok, it has answered r.
func (e *Edge) identify(w http.ResponseWriter, r *http.Request, target tenant.ID) (Identity, bool) {
	raw, _ := BearerToken(r)
	_, isKey := e.partnerOf(raw)
	guarded := isKey && e.KeyGuard != nil && target != ""
	if guarded && !e.KeyGuard.AdmitKey(w, r, target) {
		return Identity{}, false
	}
	id, err := e.authenticate(w, r, target)
	if err == nil {
		return id, true
	}
	if guarded {
		e.KeyGuard.KeyFailed(r, target)
	}
	switch {
	case errors.Is(err, ErrSessionStore):
		problem.Write(w, r, problem.Details{Status: http.StatusServiceUnavailable, Detail: "sessions cannot be checked right now; try again",
			DetailNL: "Het lukt nu niet om uw inlog te controleren. Probeer het later opnieuw."})
	case errors.Is(err, ErrKeysUnavailable):
		problem.Write(w, r, problem.Details{Status: http.StatusServiceUnavailable, Detail: "the identity provider cannot be reached; try again"})
	default:
		problem.Unauthorized(w, r, "a valid bearer token or session is required")
	}
	return Identity{}, false
}

// partnerOf is the partner whose keys start like raw.
func (e *Edge) partnerOf(raw string) (Partner, bool) {
	for prefix, p := range e.Partners {
		if raw != "" && strings.HasPrefix(raw, prefix) {
			return p, true
		}
	}
	return Partner{}, false
}

// authenticate accepts a partner's API key in the path's tenant, a bearer ID token
// from a configured issuer, or a session of the path's tenant, whose use it records
// on w.
func (e *Edge) authenticate(w http.ResponseWriter, r *http.Request, target tenant.ID) (Identity, error) {
	if raw, ok := BearerToken(r); ok {
		if p, isKey := e.partnerOf(raw); isKey {
			if target == "" || p.Authenticate == nil {
				return Identity{}, ErrUnauthenticated
			}
			id, err := p.Authenticate(r.Context(), target, raw)
			if err != nil {
				return Identity{}, ErrUnauthenticated
			}
			return Identity{Subject: p.SubjectPrefix + id, Tenant: target, Roles: []string{string(p.Role)}, Method: MethodAPIKey}, nil
		}
		v, ok := e.Verifiers[unverifiedIssuer(raw)]
		if !ok {
			return Identity{}, ErrUnauthenticated
		}
		return v.Verify(r.Context(), raw)
	}
	if target != "" && e.Sessions != nil {
		s, err := e.Sessions.LoadAndRefresh(w, r, target)
		if err != nil {
			return Identity{}, err
		}
		return s.Identity, nil
	}
	return Identity{}, errNoCredential
}

// principalOf is the principal of an authenticated identity: its roles that the
// authorization package knows.
func principalOf(id Identity) authz.Principal {
	p := authz.Principal{Subject: id.Subject, Tenant: id.Tenant, ResidentID: id.ResidentID}
	for _, name := range id.Roles {
		if role, err := authz.ParseRole(name); err == nil {
			p.Roles = append(p.Roles, role)
		}
	}
	return p
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
