// Package auth authenticates the people who use Plein: residents in a gemeente's
// portal and gemeente staff on the staff API.
//
// It answers "who is this, and for which tenant?" and nothing more; what that
// person may do is decided by the authorization package. Three ways in:
//
//   - a Verifier checks an OpenID Connect ID token (the gemeente's IdP for staff,
//     the DigiD broker for residents) against the issuer's published keys;
//   - Sessions keep a resident logged in to one tenant's portal with an encrypted,
//     authenticated cookie (ended by logout, which is recorded server-side, by
//     an idle timeout and by an absolute one), and derive the CSRF token its
//     HTML forms carry;
//   - DevLogin is the clearly marked local login of `plein dev`, which the
//     production roles refuse to start with (RefuseDevLoginInProduction).
//
// Every credential is bound to exactly one tenant: a token or cookie issued for
// one gemeente never authenticates anyone at another.
//
// Edge is the staff API's door: it resolves the tenant of the path against a
// Directory, accepts an ID token, a session or a partner's API key (Partners, by key
// prefix), and puts the principal (platform/authz) and the tenant in the request's
// context.
//
// All authentication failures wrap ErrUnauthenticated, so a transport can map
// them to 401 with one errors.Is; the more specific sentinels say why.
package auth

import (
	"errors"
	"fmt"
	"slices"

	"github.com/plein-nl/plein/platform/tenant"
)

// Authentication methods recorded in Identity.Method.
const (
	// MethodOIDC marks an identity proven by an OpenID Connect ID token.
	MethodOIDC = "oidc"
	// MethodDev marks an identity chosen in the local development login.
	MethodDev = "dev"
)

// Role names this package can assert. They must match the names the
// authorization package enforces; authentication only carries them.
const (
	RoleResident           = "resident"
	RoleConsulent          = "consulent"
	RoleSchuldhulpverlener = "schuldhulpverlener"
	RoleTenantAdmin        = "tenant-admin"
	RoleCoopOperator       = "coop-operator"
)

// Errors. Every error that means "this request is not authenticated" wraps
// ErrUnauthenticated; the others are configuration or server-side failures.
var (
	// ErrUnauthenticated is wrapped by every authentication failure (HTTP 401).
	ErrUnauthenticated = errors.New("unauthenticated")

	// ErrInvalidToken: the ID token is garbled, unsigned, signed with an
	// unsupported algorithm or an unknown key, or has the wrong issuer or audience.
	ErrInvalidToken = fmt.Errorf("%w: invalid token", ErrUnauthenticated)
	// ErrTokenExpired: the ID token was valid once but has expired.
	ErrTokenExpired = fmt.Errorf("%w: token expired", ErrUnauthenticated)

	// ErrNoSession: the request carries no session cookie.
	ErrNoSession = fmt.Errorf("%w: no session", ErrUnauthenticated)
	// ErrInvalidSession: the session cookie was tampered with, forged, or made
	// with another key.
	ErrInvalidSession = fmt.Errorf("%w: invalid session", ErrUnauthenticated)
	// ErrSessionExpired: the session cookie is authentic but past its expiry.
	ErrSessionExpired = fmt.Errorf("%w: session expired", ErrUnauthenticated)
	// ErrSessionIdle: the session was not used for the idle timeout. It wraps
	// ErrSessionExpired.
	ErrSessionIdle = fmt.Errorf("%w: idle too long", ErrSessionExpired)
	// ErrSessionRevoked: the session was ended by a logout; this is a copy of
	// its cookie.
	ErrSessionRevoked = fmt.Errorf("%w: session revoked", ErrUnauthenticated)
	// ErrDevSession: the session comes from the local test login of `plein dev`,
	// and these Sessions are a production role's.
	ErrDevSession = fmt.Errorf("%w: session of the local test login refused", ErrUnauthenticated)
	// ErrSessionStore: whether a session was revoked could not be checked or
	// recorded. It is a server-side failure (HTTP 503), not the caller's, and
	// never lets a session through.
	ErrSessionStore = errors.New("session revocation store unavailable")

	// ErrWrongTenant: the credential is authentic but belongs to another tenant.
	// It wraps ErrUnauthenticated, not a "forbidden": for the tenant the request
	// addresses nobody is logged in, so the portal sends the resident to that
	// tenant's login, and a response never confirms a session exists elsewhere.
	ErrWrongTenant = fmt.Errorf("%w: credential belongs to another tenant", ErrUnauthenticated)

	// ErrKeysUnavailable: the issuer's signing keys could not be fetched. This is
	// the identity provider's outage, not the caller's fault (HTTP 503).
	ErrKeysUnavailable = errors.New("issuer signing keys unavailable")

	// ErrCSRF: an unsafe form request lacks the session's CSRF token (HTTP 403).
	ErrCSRF = errors.New("csrf token missing or invalid")

	// ErrInvalidConfig: a constructor was given an unusable configuration.
	ErrInvalidConfig = errors.New("invalid auth configuration")

	// ErrDevLoginInProduction: a production role was asked to start with the
	// development login enabled.
	ErrDevLoginInProduction = errors.New("dev login enabled outside plein dev")
	// ErrInsecureCookiesInProduction: a production role was asked to start with
	// session cookies that lack the Secure flag.
	ErrInsecureCookiesInProduction = errors.New("insecure session cookies outside plein dev")
)

// Identity is an authenticated person: who they are, for which tenant, and the
// roles their credential asserts. It says nothing about what they may do.
type Identity struct {
	// Subject is the issuer's stable identifier of the person ("sub"). For a
	// resident coming through DigiD it may be a pseudonym; it never goes in a log.
	Subject string
	// Tenant is the gemeente this identity was authenticated for.
	Tenant tenant.ID
	// Roles are the roles the credential asserts, e.g. RoleConsulent.
	Roles []string
	// ResidentID is Plein's own id of the resident, once known; empty for staff.
	ResidentID string
	// Name is a display name, if the credential carries one.
	Name string
	// Method is how the identity was proven: MethodOIDC or MethodDev.
	Method string
}

// HasRole reports whether the identity asserts role.
func (id Identity) HasRole(role string) bool { return slices.Contains(id.Roles, role) }

// validate checks the fields every issued credential must carry.
func (id Identity) validate() error {
	switch {
	case id.Subject == "":
		return errors.New("identity has no subject")
	case !id.Tenant.Valid():
		return fmt.Errorf("identity has invalid tenant %q", id.Tenant)
	case id.Method != MethodOIDC && id.Method != MethodDev:
		return fmt.Errorf("identity has unknown method %q", id.Method)
	}
	return nil
}
