package main

import (
	"bytes"
	"fmt"
	"maps"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/plein-nl/plein/platform/ratelimit"
	"github.com/plein-nl/plein/platform/tenant"
	"github.com/plein-nl/plein/services/tenancy"
)

// envTrustedProxies lists the proxies (the Ingress controller's pod network) whose
// X-Forwarded-For names the client, as comma-separated CIDR prefixes. Without it the
// peer address is the client: behind an Ingress, set it, or every resident shares the
// Ingress's sign-in limit.
const envTrustedProxies = "PLEIN_TRUSTED_PROXIES"

// partnerFloor is the grain of a partner API answer's time: it is sent at a whole
// multiple of it (withFloor). The answers to an unknown BSN, a known one without
// consent and one with it already do the same queries; the grain hides what is left (a
// payslip stored, a debt registered), so timing tells an employer or a creditor nothing
// about which BSNs the gemeente knows. The slowest of these answers takes a few
// milliseconds (README, Performance).
const partnerFloor = 50 * time.Millisecond

// guards are the edge's limits and the metrics an alert watches.
type guards struct {
	limiter  *ratelimit.Limiter
	clientIP ratelimit.ClientIP
	// limited counts refused requests by gemeente and class; refusals counts partner
	// payslips refused for want of consent (an unknown BSN included): a steady rise
	// is an employer probing BSNs.
	limited, refusals *prometheus.CounterVec
}

func newGuards(reg prometheus.Registerer, dir *tenancy.Directory) (*guards, error) {
	cip, err := ratelimit.ParseTrusted(os.Getenv(envTrustedProxies))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", envTrustedProxies, err)
	}
	g := &guards{clientIP: cip,
		limited: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "plein_rate_limited_total",
			Help: "Requests refused with 429, by gemeente and class (signin, partner, partner_key, search, calc)."},
			[]string{"tenant", "class"}),
		refusals: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "plein_partner_consent_refusals_total",
			Help: "Employer payslips refused for want of the resident's consent (unknown BSNs included), by gemeente."},
			[]string{"tenant"}),
	}
	for _, c := range []prometheus.Collector{g.limited, g.refusals} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("guard metrics: %w", err)
		}
	}
	g.limiter = ratelimit.New(func(t tenant.ID) map[ratelimit.Class]ratelimit.Limit {
		out := ratelimit.Defaults()
		if tn, ok := dir.ByID(t); ok {
			maps.Copy(out, tn.Config.RateLimits)
		}
		return out
	}, time.Now)
	g.limiter.OnLimited = func(t tenant.ID, c ratelimit.Class) { g.limited.WithLabelValues(string(t), string(c)).Inc() }
	return g, nil
}

// refused is told of a partner payslip refused for want of consent.
func (g *guards) refused(t tenant.ID) { g.refusals.WithLabelValues(string(t)).Inc() }

// calc limits a signed-in resident's calculations (the portal's "what if").
func (g *guards) calc(w http.ResponseWriter, r *http.Request, t tenant.ID, subject string) bool {
	return g.limiter.Check(w, r, t, ratelimit.Calc, subject)
}

// portal limits the portal's door before anyone is signed in: sign-in attempts per
// client address.
func (g *guards) portal(dir *tenancy.Directory, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		class, ok := portalClass(r)
		if ok {
			if t, known := portalTenant(dir, r); known && !g.limiter.Check(w, r, t, class, g.clientIP.Of(r)) {
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// portalClass is the limit class of a portal request, if it has one.
func portalClass(r *http.Request) (ratelimit.Class, bool) {
	path := r.URL.Path
	switch {
	case r.Method == http.MethodPost && (strings.HasSuffix(path, "/login") || strings.Contains(path, "/login/")):
		return ratelimit.SignIn, true
	}
	return "", false
}

// portalTenant is the gemeente of a portal request: by path (/t/<id>/) or by host.
func portalTenant(dir *tenancy.Directory, r *http.Request) (tenant.ID, bool) {
	if rest, ok := strings.CutPrefix(r.URL.Path, "/t/"); ok {
		seg, _, _ := strings.Cut(rest, "/")
		if id, err := tenant.Parse(seg); err == nil {
			if _, ok := dir.ByID(id); ok {
				return id, true
			}
		}
		return "", false
	}
	if t, ok := dir.ByHost(r.Host); ok {
		return t.Config.ID, true
	}
	return "", false
}

// floorWriter holds a partner answer until the floor has passed.
type floorWriter struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (f *floorWriter) Header() http.Header { return f.header }
func (f *floorWriter) WriteHeader(status int) {
	if f.status == 0 {
		f.status = status
	}
}
func (f *floorWriter) Write(b []byte) (int, error) {
	if f.status == 0 {
		f.status = http.StatusOK
	}
	return f.body.Write(b)
}

// withFloor answers at a whole multiple of d after the request came in (at least d),
// whatever it answers: an answer slowed by load past d is rounded up to 2d, not sent
// at its own time, so what time is left to see is coarse.
func withFloor(d time.Duration, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		fw := &floorWriter{header: http.Header{}}
		next.ServeHTTP(fw, r)
		took := time.Since(start)
		if rest := (took/d+1)*d - took; rest > 0 {
			select {
			case <-time.After(rest):
			case <-r.Context().Done():
				return
			}
		}
		maps.Copy(w.Header(), fw.header)
		if fw.status == 0 {
			fw.status = http.StatusOK
		}
		w.WriteHeader(fw.status)
		_, _ = w.Write(fw.body.Bytes())
	})
}
