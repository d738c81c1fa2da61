// Package tenant carries the identity of a gemeente (a tenant) through Plein.
//
// The tenant is set once at the edge — from the authenticated principal, the portal
// host or the /t/<id>/ path prefix, or the explicit field of a job's args — and read
// everywhere else only through FromContext. Nothing in Plein guesses a tenant or
// falls back to a default one.
package tenant

import (
	"context"
	"errors"
	"fmt"
)

// ID identifies a tenant: a stable DNS label such as "enschede".
type ID string

// ErrInvalidID is returned for a string that is not a valid tenant id.
var ErrInvalidID = errors.New("invalid tenant id")

// ErrNoTenant is returned when a context carries no tenant.
var ErrNoTenant = errors.New("no tenant in context")

// Parse validates s as a tenant id: a DNS label (RFC 1123) of 1 to 63 characters,
// lower-case letters, digits and hyphens, not starting or ending with a hyphen.
func Parse(s string) (ID, error) {
	if err := validate(s); err != nil {
		return "", err
	}
	return ID(s), nil
}

// MustParse is Parse for ids known at compile time; it panics on an invalid id.
func MustParse(s string) ID {
	id, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return id
}

func validate(s string) error {
	if s == "" {
		return fmt.Errorf("%w: empty", ErrInvalidID)
	}
	if len(s) > 63 {
		return fmt.Errorf("%w: %q is longer than 63 characters", ErrInvalidID, s)
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case c == '-':
			if i == 0 || i == len(s)-1 {
				return fmt.Errorf("%w: %q starts or ends with a hyphen", ErrInvalidID, s)
			}
		default:
			return fmt.Errorf("%w: %q may hold only a-z, 0-9 and '-'", ErrInvalidID, s)
		}
	}
	return nil
}

// String returns the id as a string.
func (id ID) String() string { return string(id) }

// Valid reports whether id is a valid tenant id.
func (id ID) Valid() bool { return validate(string(id)) == nil }

type ctxKey struct{}

// WithID returns a copy of ctx that carries the tenant id. It panics on an invalid id:
// ids reach this point only after Parse at the edge.
func WithID(ctx context.Context, id ID) context.Context {
	if !id.Valid() {
		panic(fmt.Sprintf("tenant.WithID: invalid id %q", string(id)))
	}
	return context.WithValue(ctx, ctxKey{}, id)
}

// FromContext returns the tenant carried by ctx.
func FromContext(ctx context.Context) (ID, bool) {
	id, ok := ctx.Value(ctxKey{}).(ID)
	return id, ok
}

// Require returns the tenant carried by ctx, or ErrNoTenant.
func Require(ctx context.Context) (ID, error) {
	id, ok := FromContext(ctx)
	if !ok {
		return "", ErrNoTenant
	}
	return id, nil
}
