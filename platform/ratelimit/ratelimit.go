// Package ratelimit keeps the clients of Plein's doors (sign-in, partner APIs,
// searches, calculations) to a fair rate: token buckets per gemeente, class of request
// and client key, answered with 429, a Retry-After and problem JSON when exhausted.
//
// The buckets live in the memory of one replica: with n replicas behind a balancer a
// client gets at most n times its limit, which is what these limits are for (stopping
// enumeration and floods, not metering). A shared store would put a database round trip
// on every request, including the ones the limit exists to keep away from the database.
package ratelimit

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"net"
	"net/http"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/plein-nl/plein/platform/problem"
	"github.com/plein-nl/plein/platform/tenant"
)

// Class is a kind of request with a limit of its own.
type Class string

// The classes of Plein's rate limits.
const (
	// SignIn is a sign-in attempt, per client address.
	SignIn Class = "signin"
	// Partner is a partner API call, per API key; PartnerKey is a wrong partner key,
	// per client address: once a client's wrong keys are used up, it may present no key
	// at all (not even a right one) until the bucket refills, so keys cannot be tried
	// at database speed.
	Partner    Class = "partner"
	PartnerKey Class = "partner_key"
	// Search is a staff search for a resident, per staff member.
	Search Class = "search"
	// Calc is a calculation (a month, a "what if"), per principal or client.
	Calc Class = "calc"
)

// Classes returns every class, in a fixed order.
func Classes() []Class { return []Class{SignIn, Partner, PartnerKey, Search, Calc} }

// Limit is a token bucket: Requests at once, refilled evenly over Per.
type Limit struct {
	Requests int           `yaml:"requests" json:"requests"`
	Per      time.Duration `yaml:"per" json:"per"`
}

// Valid reports whether l can be used: at least one request, over at least a second.
func (l Limit) Valid() bool { return l.Requests >= 1 && l.Per >= time.Second && l.Per <= 24*time.Hour }

// Defaults are the limits of a gemeente that sets none: generous for people, tight
// enough that enumerating BSNs or partner keys takes days rather than seconds.
func Defaults() map[Class]Limit {
	return map[Class]Limit{
		SignIn:     {Requests: 10, Per: time.Minute},
		Partner:    {Requests: 1200, Per: time.Minute},
		PartnerKey: {Requests: 60, Per: time.Minute},
		Search:     {Requests: 30, Per: time.Minute},
		Calc:       {Requests: 60, Per: time.Minute},
	}
}

// Limits gives the limits in force for a gemeente (its config over Defaults).
type Limits func(t tenant.ID) map[Class]Limit

// Limiter holds the buckets. It is safe for concurrent use.
type Limiter struct {
	limits Limits
	now    func() time.Time
	// OnLimited, when set, is told of every refused request (for a metric).
	OnLimited func(t tenant.ID, c Class)

	mu      sync.Mutex
	buckets map[bucketKey]*bucket
}

type bucketKey struct {
	t      tenant.ID
	c      Class
	client string
}

type bucket struct {
	tokens float64
	at     time.Time
	limit  Limit
}

// maxBuckets bounds memory: past it, full buckets (clients idle long enough to be
// back at their limit) are dropped, since they would be made anew full anyway; if that
// frees too little, a tenth of the buckets go, chosen at random (Go's map order). A
// flood of new clients thus costs one sweep per tenth of the bound, and forgets some
// clients' use rather than growing without end.
const maxBuckets = 100_000

// New returns a Limiter over limits (nil: Defaults for every gemeente) and the clock.
func New(limits Limits, now func() time.Time) *Limiter {
	if limits == nil {
		limits = func(tenant.ID) map[Class]Limit { return Defaults() }
	}
	if now == nil {
		now = time.Now
	}
	return &Limiter{limits: limits, now: now, buckets: map[bucketKey]*bucket{}}
}

// Allow takes one token from the bucket of (t, c, client). When there is none it
// returns false and how long until there is.
func (l *Limiter) Allow(t tenant.ID, c Class, client string) (bool, time.Duration) {
	return l.take(t, c, client, 1)
}

// Peek reports what Allow would, without taking a token: for limits that count only
// failures (a wrong key), checked before the attempt and spent (Allow) after it fails.
func (l *Limiter) Peek(t tenant.ID, c Class, client string) (bool, time.Duration) {
	return l.take(t, c, client, 0)
}

func (l *Limiter) take(t tenant.ID, c Class, client string, n float64) (bool, time.Duration) {
	lim, ok := l.limits(t)[c]
	if !ok || !lim.Valid() {
		lim = Defaults()[c]
	}
	rate := float64(lim.Requests) / lim.Per.Seconds() // tokens a second
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	k := bucketKey{t, c, client}
	b := l.buckets[k]
	if b == nil || b.limit != lim {
		if len(l.buckets) >= maxBuckets {
			l.sweep(now)
		}
		b = &bucket{tokens: float64(lim.Requests), at: now, limit: lim}
		l.buckets[k] = b
	}
	b.tokens = math.Min(float64(lim.Requests), b.tokens+now.Sub(b.at).Seconds()*rate)
	b.at = now
	if b.tokens >= 1 {
		b.tokens -= n
		return true, 0
	}
	wait := time.Duration((1 - b.tokens) / rate * float64(time.Second))
	if l.OnLimited != nil {
		l.OnLimited(t, c)
	}
	return false, wait
}

// sweep drops the buckets that have refilled, then, while more than nine tenths of the
// bound remain, arbitrary ones; called with mu held.
func (l *Limiter) sweep(now time.Time) {
	for k, b := range l.buckets {
		rate := float64(b.limit.Requests) / b.limit.Per.Seconds()
		if b.tokens+now.Sub(b.at).Seconds()*rate >= float64(b.limit.Requests) {
			delete(l.buckets, k)
		}
	}
	for k := range l.buckets {
		if len(l.buckets) <= maxBuckets*9/10 {
			break
		}
		delete(l.buckets, k)
	}
}

// Len is the number of buckets held.
func (l *Limiter) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.buckets)
}

// Refuse writes the 429 answer: problem JSON in English and Dutch, with Retry-After
// in whole seconds (at least 1).
func Refuse(w http.ResponseWriter, r *http.Request, wait time.Duration) {
	secs := int(math.Ceil(wait.Seconds()))
	if secs < 1 {
		secs = 1
	}
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	problem.Write(w, r, problem.Details{Status: http.StatusTooManyRequests,
		Detail:   fmt.Sprintf("too many requests; try again in %d seconds", secs),
		DetailNL: fmt.Sprintf("U hebt het te vaak geprobeerd. Probeer het over %d seconden opnieuw.", secs)})
}

// Check is Allow for a request, answering the 429 itself: it reports whether the
// request may go on.
func (l *Limiter) Check(w http.ResponseWriter, r *http.Request, t tenant.ID, c Class, client string) bool {
	ok, wait := l.Allow(t, c, client)
	if !ok {
		Refuse(w, r, wait)
	}
	return ok
}

// KeyOf is the bucket name of a secret (an API key): its hash, so that no secret is
// held in memory longer than the request.
func KeyOf(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return "key:" + hex.EncodeToString(sum[:12])
}

// ClientIP returns the address a request comes from: the peer, or, when the peer is
// one of the trusted proxies (the Ingress), the last address in X-Forwarded-For that
// the proxies did not add themselves.
type ClientIP struct {
	Trusted []netip.Prefix
}

// ParseTrusted reads a comma-separated list of CIDR prefixes (PLEIN_TRUSTED_PROXIES).
func ParseTrusted(s string) (ClientIP, error) {
	var c ClientIP
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		p, err := netip.ParsePrefix(f)
		if err != nil {
			return ClientIP{}, fmt.Errorf("trusted proxy %q: %w", f, err)
		}
		c.Trusted = append(c.Trusted, p.Masked())
	}
	return c, nil
}

func (c ClientIP) trusted(a netip.Addr) bool {
	for _, p := range c.Trusted {
		if p.Contains(a.Unmap()) {
			return true
		}
	}
	return false
}

// Of returns the client of r as text: its IPv4 address, or the /64 of its IPv6 address
// (one subscriber has a whole /64, so single addresses would give a flood endless new
// buckets).
func (c ClientIP) Of(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	peer, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	if !c.trusted(peer) {
		return client(peer)
	}
	hops := strings.Split(r.Header.Get("X-Forwarded-For"), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break
		}
		if !c.trusted(a) {
			return client(a)
		}
	}
	return client(peer)
}

func client(a netip.Addr) string {
	a = a.Unmap()
	if a.Is6() {
		p, _ := a.Prefix(64)
		return p.String()
	}
	return a.String()
}

// EnvTrustedProxies lists the proxies (the Ingress controller's pod network) whose
// X-Forwarded-For names the client, as comma-separated CIDR prefixes. Without it the
// peer address is the client: behind an Ingress, set it, or every resident shares the
// Ingress's sign-in limit.
const EnvTrustedProxies = "PLEIN_TRUSTED_PROXIES"

// TrustedFromEnv is ParseTrusted of PLEIN_TRUSTED_PROXIES.
func TrustedFromEnv() (ClientIP, error) {
	cip, err := ParseTrusted(os.Getenv(EnvTrustedProxies))
	if err != nil {
		return ClientIP{}, fmt.Errorf("%s: %w", EnvTrustedProxies, err)
	}
	return cip, nil
}
