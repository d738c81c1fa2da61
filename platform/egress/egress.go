// Package egress is the one client for outbound HTTP to an address someone else gave
// Plein: a creditor's webhook, and any callback that comes after it. Such a URL must
// never reach what lies behind Plein's own walls — this machine, the cluster's and the
// provider's private networks, the cloud metadata service — so the client checks the
// address it actually connects to, after DNS resolution, in the dialer: a name that
// resolves (or later rebinds) to an internal address is refused like a literal one.
// It never follows a redirect, and it ignores proxy settings from the environment,
// which would make the proxy the checked address.
//
// CheckURL is the same rule at registration time, for a clear error before anything
// is stored; the dial-time check is the one that holds.
package egress

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Errors of the package; the errors it returns wrap one of them.
var (
	// ErrForbiddenAddress: the URL or the address dialled is internal (loopback,
	// private, link-local, metadata, …) or a name for one.
	ErrForbiddenAddress = errors.New("egress: forbidden address")
	// ErrRedirect: the server answered with a redirect, which is never followed.
	ErrRedirect = errors.New("egress: redirect refused")
	// ErrInvalidURL: not an absolute https URL without user info and fragment.
	ErrInvalidURL = errors.New("egress: invalid URL")
)

// DefaultTimeout bounds a whole exchange when Config.Timeout is zero.
const DefaultTimeout = 10 * time.Second

// Config configures NewClient and Config.CheckURL.
type Config struct {
	// Allow names "host:port" pairs that may be dialled although they resolve to
	// loopback: for tests and `plein dev` only (PLEIN_EGRESS_ALLOW), never in
	// production. An entry matches exactly that host and port as written in the URL
	// ("127.0.0.1:8443" does not allow "localhost:8443"), and it lifts the loopback
	// rule only: a private, link-local or metadata address stays refused. Plain http
	// is accepted only for an allowed host:port. An entry that is not host:port
	// allows nothing.
	Allow []string
	// Timeout bounds a whole exchange, connection to the end of the body; zero
	// means DefaultTimeout.
	Timeout time.Duration
	// RootCAs are the certificate authorities trusted; nil means the system's.
	RootCAs *x509.CertPool
}

// NewClient returns the client for outbound HTTP. Its dialer refuses every address
// that is not a public unicast address (see the package comment) with an error that
// wraps ErrForbiddenAddress; a redirect ends the request with an error wrapping
// ErrRedirect and the redirect's response already closed.
func NewClient(cfg Config) *http.Client {
	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	connect := min(5*time.Second, timeout)
	newDialer := func(loopbackOK bool) *net.Dialer {
		return &net.Dialer{Timeout: connect, KeepAlive: 30 * time.Second, Control: control(loopbackOK)}
	}
	d := &dialer{strict: newDialer(false), loopback: newDialer(true), allow: allowSet(cfg.Allow)}
	tr := &http.Transport{
		Proxy:                  nil, // a proxy would be the address checked, not the webhook
		DialContext:            d.DialContext,
		TLSClientConfig:        &tls.Config{MinVersion: tls.VersionTLS12, RootCAs: cfg.RootCAs},
		ForceAttemptHTTP2:      true,
		TLSHandshakeTimeout:    connect,
		ResponseHeaderTimeout:  timeout,
		ExpectContinueTimeout:  time.Second,
		IdleConnTimeout:        90 * time.Second,
		MaxIdleConns:           100,
		MaxIdleConnsPerHost:    4,
		MaxResponseHeaderBytes: 64 << 10,
	}
	return &http.Client{Transport: httpsOnly{next: tr, allow: d.allow}, Timeout: timeout, CheckRedirect: refuseRedirect}
}

// httpsOnly refuses plain http but to an allowed host:port: a URL stored before
// CheckURL existed, or written into the database by hand, still goes out encrypted or
// not at all.
type httpsOnly struct {
	next  http.RoundTripper
	allow map[string]bool
}

func (h httpsOnly) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Scheme != "https" {
		hp, ok := normalizeHostPort(req.URL.Host)
		if !ok && req.URL.Port() == "" {
			hp, ok = normalizeHostPort(req.URL.Host + ":80")
		}
		if !ok || !h.allow[hp] {
			if req.Body != nil {
				_ = req.Body.Close()
			}
			return nil, fmt.Errorf("%w: %s://%s: only https", ErrInvalidURL, req.URL.Scheme, req.URL.Host)
		}
	}
	return h.next.RoundTrip(req)
}

// refuseRedirect ends every request that meets a redirect: a 307 or 308 would post
// the same body to wherever the server points, an http:// target included.
func refuseRedirect(req *http.Request, _ []*http.Request) error {
	status := 0
	if req.Response != nil {
		status = req.Response.StatusCode
	}
	return fmt.Errorf("%w: %d to %s://%s; a webhook never follows a redirect", ErrRedirect, status, req.URL.Scheme, req.URL.Host)
}

// dialer dials an allowed host:port with the dialer that permits loopback and every
// other with the strict one. Both check the resolved address in Control.
type dialer struct {
	strict, loopback *net.Dialer
	allow            map[string]bool
}

// DialContext implements http.Transport.DialContext.
func (d *dialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	if hp, ok := normalizeHostPort(addr); ok && d.allow[hp] {
		return d.loopback.DialContext(ctx, network, addr)
	}
	return d.strict.DialContext(ctx, network, addr)
}

// control checks the address of each connection attempt, after resolution and just
// before connect(2): this is what makes DNS rebinding useless.
func control(loopbackOK bool) func(network, address string, _ syscall.RawConn) error {
	return func(network, address string, _ syscall.RawConn) error {
		if network != "tcp4" && network != "tcp6" {
			return fmt.Errorf("%w: network %s", ErrForbiddenAddress, network)
		}
		ap, err := netip.ParseAddrPort(address)
		if err != nil {
			return fmt.Errorf("%w: %q: %w", ErrForbiddenAddress, address, err)
		}
		return checkAddr(ap.Addr(), loopbackOK)
	}
}

// allowSet normalises the Allow entries; one that is not host:port is left out.
func allowSet(entries []string) map[string]bool {
	set := make(map[string]bool, len(entries))
	for _, e := range entries {
		if hp, ok := normalizeHostPort(strings.TrimSpace(e)); ok {
			set[hp] = true
		}
	}
	return set
}

// normalizeHostPort returns host:port with the host in lower case without a final
// dot and an IP address in its canonical form, or false when s is not host:port
// with a port from 1 to 65535.
func normalizeHostPort(s string) (string, bool) {
	host, port, err := net.SplitHostPort(s)
	if err != nil || host == "" {
		return "", false
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return "", false
	}
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	if a, err := netip.ParseAddr(host); err == nil {
		host = a.String()
	}
	return net.JoinHostPort(host, port), true
}

// EnvAllow lists host:port pairs, comma-separated, that the outbound HTTP client may
// dial although they are on loopback: a webhook receiver on the developer's machine
// under plein dev, or a test's server. Empty (the default, and production) allows none.
const EnvAllow = "PLEIN_EGRESS_ALLOW"

// ParseAllow splits the value of PLEIN_EGRESS_ALLOW. An entry that is not host:port
// allows nothing (Config.Allow), so a mistake fails closed.
func ParseAllow(v string) []string {
	var out []string
	for _, e := range strings.Split(v, ",") {
		if e = strings.TrimSpace(e); e != "" {
			out = append(out, e)
		}
	}
	return out
}
