package ratelimit

import (
	"fmt"
	"maps"
	"net/http"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/plein-nl/plein/platform/tenant"
)

// GuardConfig configures the Guards.
type GuardConfig struct {
	// Registry is where the guards' metrics are registered.
	Registry prometheus.Registerer
	// Own gives a gemeente's own limits (its config), laid over Defaults class by
	// class and read on every request, so a new config version holds at once; nil
	// means Defaults for every gemeente.
	Own func(t tenant.ID) map[Class]Limit
	// ClientIP names the client of a request (PLEIN_TRUSTED_PROXIES).
	ClientIP ClientIP
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

// Guards are the limits at Plein's doors — sign-in, partner keys, partner calls,
// searches, calculations — and the metrics an alert watches.
type Guards struct {
	limiter  *Limiter
	clientIP ClientIP
	// limited counts refused requests by gemeente and class; refusals counts partner
	// payslips refused for want of consent (an unknown BSN included): a steady rise
	// is an employer probing BSNs.
	limited, refusals *prometheus.CounterVec
}

// NewGuards returns the guards and registers their metrics (plein_rate_limited_total,
// plein_partner_consent_refusals_total) on cfg.Registry.
func NewGuards(cfg GuardConfig) (*Guards, error) {
	g := &Guards{clientIP: cfg.ClientIP,
		limited: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "plein_rate_limited_total",
			Help: "Requests refused with 429, by gemeente and class (signin, partner, partner_key, search, calc)."},
			[]string{"tenant", "class"}),
		refusals: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "plein_partner_consent_refusals_total",
			Help: "Employer payslips refused for want of the resident's consent (unknown BSNs included), by gemeente."},
			[]string{"tenant"}),
	}
	for _, c := range []prometheus.Collector{g.limited, g.refusals} {
		if err := cfg.Registry.Register(c); err != nil {
			return nil, fmt.Errorf("guard metrics: %w", err)
		}
	}
	g.limiter = New(overDefaults(cfg.Own), cfg.Now)
	g.limiter.OnLimited = func(t tenant.ID, c Class) { g.limited.WithLabelValues(string(t), string(c)).Inc() }
	return g, nil
}

// overDefaults lays a gemeente's own limits over Defaults.
func overDefaults(own func(t tenant.ID) map[Class]Limit) Limits {
	if own == nil {
		return nil
	}
	return func(t tenant.ID) map[Class]Limit {
		out := Defaults()
		maps.Copy(out, own(t))
		return out
	}
}

// Check takes one request of class c by client in t, answering the 429 itself: it
// reports whether the request may go on.
func (g *Guards) Check(w http.ResponseWriter, r *http.Request, t tenant.ID, c Class, client string) bool {
	return g.limiter.Check(w, r, t, c, client)
}

// Calc limits a signed-in resident's calculations (the portal's "what if").
func (g *Guards) Calc(w http.ResponseWriter, r *http.Request, t tenant.ID, subject string) bool {
	return g.limiter.Check(w, r, t, Calc, subject)
}

// ConsentRefused counts a partner payslip refused for want of consent.
func (g *Guards) ConsentRefused(t tenant.ID) { g.refusals.WithLabelValues(string(t)).Inc() }

// AdmitKey reports whether the client of r may present a partner key in t, before
// the key is looked up: past its wrong keys' limit it may present none, not even a
// right one. When not, it has answered r (429).
func (g *Guards) AdmitKey(w http.ResponseWriter, r *http.Request, t tenant.ID) bool {
	ok, wait := g.limiter.Peek(t, PartnerKey, g.clientIP.Of(r))
	if !ok {
		Refuse(w, r, wait) // counted by the limiter's OnLimited
	}
	return ok
}

// KeyFailed spends one of the client's wrong partner keys in t.
func (g *Guards) KeyFailed(r *http.Request, t tenant.ID) {
	g.limiter.Allow(t, PartnerKey, g.clientIP.Of(r))
}

// SignIn limits the sign-in attempts at a portal's door, per client address, before
// anyone is signed in: a POST to a login path of a gemeente dir knows (by the path
// prefix /t/<id>/, else by the host). A request of no known gemeente passes, to be
// answered 404 by next.
func (g *Guards) SignIn(dir tenant.Directory, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if isSignIn(r) {
			if t, known := portalTenant(dir, r); known && !g.limiter.Check(w, r, t, SignIn, g.clientIP.Of(r)) {
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// isSignIn reports whether r is a sign-in attempt.
func isSignIn(r *http.Request) bool {
	path := r.URL.Path
	return r.Method == http.MethodPost && (strings.HasSuffix(path, "/login") || strings.Contains(path, "/login/"))
}

// portalTenant is the gemeente of a portal request: by path (/t/<id>/) or by host.
func portalTenant(dir tenant.Directory, r *http.Request) (tenant.ID, bool) {
	if rest, ok := strings.CutPrefix(r.URL.Path, "/t/"); ok {
		seg, _, _ := strings.Cut(rest, "/")
		if id, err := tenant.Parse(seg); err == nil && dir.Exists(id) {
			return id, true
		}
		return "", false
	}
	return dir.TenantOfHost(tenant.CanonicalHost(r.Host))
}
