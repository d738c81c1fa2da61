package authtest

import (
	"context"
	"sync"
	"time"

	"github.com/plein-nl/plein/platform/tenant"
)

// Revocations is an in-memory auth.Revocations for tests of handlers that have no
// database (the portal's, on fake services). The real store, auth.RevocationStore,
// is tested on PostgreSQL in platform/auth; an application always uses that one.
// It is safe for concurrent use.
type Revocations struct {
	mu      sync.Mutex
	revoked map[string]time.Time // tenant + "\x00" + session id → until
	fail    error
}

// NewRevocations returns an empty Revocations.
func NewRevocations() *Revocations {
	return &Revocations{revoked: map[string]time.Time{}}
}

// Revoke records the revocation of sessionID in t.
func (r *Revocations) Revoke(_ context.Context, t tenant.ID, sessionID string, until time.Time) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail != nil {
		return r.fail
	}
	r.revoked[string(t)+"\x00"+sessionID] = until
	return nil
}

// Revoked reports whether sessionID of t was revoked.
func (r *Revocations) Revoked(_ context.Context, t tenant.ID, sessionID string) (bool, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail != nil {
		return false, r.fail
	}
	_, ok := r.revoked[string(t)+"\x00"+sessionID]
	return ok, nil
}

// Fail makes every later call fail with err, as a store that cannot be reached
// does; nil makes it work again.
func (r *Revocations) Fail(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.fail = err
}

// Len returns the number of revocations recorded.
func (r *Revocations) Len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.revoked)
}
