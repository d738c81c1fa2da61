package auth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"

	"github.com/plein-nl/plein/platform/tenant"
)

// supportedAlgs returns the only JWS algorithms a Verifier accepts. "none" and
// the HMAC algorithms never are: a public key is not a shared secret.
func supportedAlgs() []string { return []string{oidc.RS256, oidc.ES256} }

// VerifierConfig configures a Verifier for one tenant's OpenID Connect client.
type VerifierConfig struct {
	// Issuer is the issuer identifier, exactly as it appears in "iss"
	// (e.g. "https://login.enschede.example/realms/staff").
	Issuer string
	// Audience is Plein's client id at that issuer; tokens must be issued to it.
	Audience string
	// Tenant is the gemeente this client belongs to. Every Identity the
	// Verifier returns carries it; the token does not choose its tenant.
	// Empty only with Cooperative.
	Tenant tenant.ID
	// Cooperative marks the coöperatie's own issuer: its identities belong to no
	// tenant and it may assert RoleCoopOperator only (the default AllowedRoles).
	Cooperative bool
	// RolesClaim names the claim that holds the roles, default "roles". A dotted
	// path reaches into nested objects ("realm_access.roles" for Keycloak).
	RolesClaim string
	// AllowedRoles are the roles this issuer may assert; any other role in the
	// token is dropped, so a gemeente's IdP can never grant, say, coop-operator.
	// Nil means the staff roles: RoleTenantAdmin, RoleConsulent and
	// RoleSchuldhulpverlener. The DigiD broker asserts no roles at all.
	AllowedRoles []string
	// JWKSURL, when set, skips discovery and fetches keys from this URL.
	JWKSURL string
	// HTTPClient is used for discovery and key fetches; nil means
	// http.DefaultClient. Production should pass one with timeouts.
	HTTPClient *http.Client
	// Now is the clock for expiry checks. Required.
	Now func() time.Time
}

// Verifier verifies ID tokens of one issuer and client for one tenant. It is
// safe for concurrent use and caches the issuer's keys, refetching them when a
// token names a key it has not seen (key rotation).
type Verifier struct {
	verifier     *oidc.IDTokenVerifier
	audience     string
	tenant       tenant.ID
	rolesPath    []string
	allowedRoles []string
}

// NewVerifier builds a Verifier. Unless cfg.JWKSURL is set it performs OpenID
// Connect discovery against cfg.Issuer, so ctx bounds that request; later key
// fetches use cfg.HTTPClient but not ctx's deadline.
func NewVerifier(ctx context.Context, cfg VerifierConfig) (*Verifier, error) {
	switch {
	case cfg.Issuer == "":
		return nil, fmt.Errorf("%w: verifier: issuer is required", ErrInvalidConfig)
	case cfg.Audience == "":
		return nil, fmt.Errorf("%w: verifier: audience (client id) is required", ErrInvalidConfig)
	case cfg.Cooperative && cfg.Tenant != "":
		return nil, fmt.Errorf("%w: verifier: the coöperatie's issuer has no tenant", ErrInvalidConfig)
	case !cfg.Cooperative && !cfg.Tenant.Valid():
		return nil, fmt.Errorf("%w: verifier: invalid tenant %q", ErrInvalidConfig, cfg.Tenant)
	case cfg.Now == nil:
		return nil, fmt.Errorf("%w: verifier: clock (Now) is required", ErrInvalidConfig)
	}
	if cfg.RolesClaim == "" {
		cfg.RolesClaim = "roles"
	}
	if cfg.AllowedRoles == nil {
		cfg.AllowedRoles = []string{RoleTenantAdmin, RoleConsulent, RoleSchuldhulpverlener}
		if cfg.Cooperative {
			cfg.AllowedRoles = []string{RoleCoopOperator}
		}
	}
	if cfg.HTTPClient != nil {
		ctx = oidc.ClientContext(ctx, cfg.HTTPClient)
	}

	jwksURL := cfg.JWKSURL
	if jwksURL == "" {
		p, err := oidc.NewProvider(ctx, cfg.Issuer)
		if err != nil {
			return nil, fmt.Errorf("auth: discover %s: %w", cfg.Issuer, err)
		}
		var meta struct {
			JWKSURL string `json:"jwks_uri"`
		}
		if err := p.Claims(&meta); err != nil || meta.JWKSURL == "" {
			return nil, fmt.Errorf("auth: discover %s: no jwks_uri", cfg.Issuer)
		}
		jwksURL = meta.JWKSURL
	}
	keys := keySet{oidc.NewRemoteKeySet(ctx, jwksURL)}
	v := oidc.NewVerifier(cfg.Issuer, keys, &oidc.Config{
		ClientID:             cfg.Audience,
		SupportedSigningAlgs: supportedAlgs(),
		Now:                  cfg.Now,
	})
	return &Verifier{
		verifier:     v,
		audience:     cfg.Audience,
		tenant:       cfg.Tenant,
		rolesPath:    strings.Split(cfg.RolesClaim, "."),
		allowedRoles: slices.Clone(cfg.AllowedRoles),
	}, nil
}

// Tenant returns the tenant this Verifier authenticates for.
func (v *Verifier) Tenant() tenant.ID { return v.tenant }

// Verify checks rawIDToken's signature against the issuer's keys, its issuer,
// audience, expiry and algorithm (RS256 or ES256 only), and returns the Identity it proves, with
// Method MethodOIDC and the Verifier's tenant.
//
// If ctx already carries a tenant (set at the edge from the host or path) and
// it is not this Verifier's, Verify fails with ErrWrongTenant: a token for one
// gemeente never authenticates at another, even if the routing picked the
// wrong Verifier.
//
// Failures wrap ErrInvalidToken or ErrTokenExpired (both ErrUnauthenticated),
// ErrWrongTenant, or ErrKeysUnavailable when the issuer's keys cannot be fetched.
func (v *Verifier) Verify(ctx context.Context, rawIDToken string) (Identity, error) {
	if want, ok := tenant.FromContext(ctx); ok && want != v.tenant {
		return Identity{}, fmt.Errorf("auth: verify: %w", ErrWrongTenant)
	}
	if rawIDToken == "" {
		return Identity{}, fmt.Errorf("auth: verify: %w: empty token", ErrInvalidToken)
	}

	var fetch fetchResult
	tok, err := v.verifier.Verify(context.WithValue(ctx, fetchResultKey{}, &fetch), rawIDToken)
	if err != nil {
		var expired *oidc.TokenExpiredError
		switch {
		case errors.As(err, &expired):
			return Identity{}, fmt.Errorf("auth: verify: %w: expired at %s", ErrTokenExpired, expired.Expiry.UTC().Format(time.RFC3339))
		case fetch.err != nil:
			return Identity{}, fmt.Errorf("auth: verify: %w: %w", ErrKeysUnavailable, fetch.err)
		default:
			return Identity{}, fmt.Errorf("auth: verify: %w: %v", ErrInvalidToken, err)
		}
	}

	var claims map[string]any
	if err := tok.Claims(&claims); err != nil {
		return Identity{}, fmt.Errorf("auth: verify: %w: claims: %v", ErrInvalidToken, err)
	}
	// With several audiences, OIDC Core 3.1.3.7 wants azp to name the client:
	// a token meant for another gemeente's client must not pass because it
	// also lists ours.
	if len(tok.Audience) > 1 {
		if azp, _ := claims["azp"].(string); azp != v.audience {
			return Identity{}, fmt.Errorf("auth: verify: %w: several audiences and azp %q is not %q", ErrInvalidToken, azp, v.audience)
		}
	}
	if tok.Subject == "" {
		return Identity{}, fmt.Errorf("auth: verify: %w: no subject", ErrInvalidToken)
	}
	name, _ := claims["name"].(string)
	return Identity{
		Subject: tok.Subject,
		Tenant:  v.tenant,
		Roles:   v.roles(claims),
		Name:    name,
		Method:  MethodOIDC,
	}, nil
}

// roles reads the roles claim (a string or a list of strings) and keeps the
// allowed ones, each once, in token order.
func (v *Verifier) roles(claims map[string]any) []string {
	var cur any = claims
	for _, key := range v.rolesPath {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[key]
	}
	var raw []string
	switch c := cur.(type) {
	case string:
		raw = strings.Fields(c)
	case []any:
		for _, r := range c {
			if s, ok := r.(string); ok {
				raw = append(raw, s)
			}
		}
	}
	var roles []string
	for _, r := range raw {
		if slices.Contains(v.allowedRoles, r) && !slices.Contains(roles, r) {
			roles = append(roles, r)
		}
	}
	return roles
}

// BearerToken returns the token of an "Authorization: Bearer <token>" header
// (RFC 6750; the scheme is case-insensitive).
func BearerToken(r *http.Request) (string, bool) {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	if token == "" || strings.ContainsAny(token, " \t") {
		return "", false
	}
	return token, true
}

// keySet wraps go-oidc's RemoteKeySet to tell "the keys could not be fetched"
// (the issuer is down: 503) from "no published key verifies this" (401).
// go-oidc flattens its errors with %v, so the distinction travels back through
// a per-call fetchResult in the context.
type keySet struct{ remote *oidc.RemoteKeySet }

type fetchResultKey struct{}

type fetchResult struct{ err error }

func (k keySet) VerifySignature(ctx context.Context, jwt string) ([]byte, error) {
	payload, err := k.remote.VerifySignature(ctx, jwt)
	// RemoteKeySet wraps the error of a failed key fetch ("fetching keys %w")
	// and returns an unwrapped one when the fetched keys just do not verify.
	if err != nil && errors.Unwrap(err) != nil {
		if fr, ok := ctx.Value(fetchResultKey{}).(*fetchResult); ok {
			fr.err = err
		}
	}
	return payload, err
}
