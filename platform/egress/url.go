package egress

import (
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"unicode"
)

// CheckURL checks a URL given for outbound HTTP (a webhook) when it is registered,
// with no host allowed (Config{}.CheckURL): see Config.CheckURL.
func CheckURL(raw string) error { return Config{}.CheckURL(raw) }

// CheckURL checks a URL given for outbound HTTP when it is registered: an absolute
// https URL (http only for an allowed host:port) without user info or fragment,
// whose host is not an IP address in a forbidden range and not a name that can only
// be internal: localhost and *.localhost, *.internal (metadata.google.internal,
// *.ec2.internal), *.local (mDNS, the cluster's svc.cluster.local), a name of one
// label (resolved through the search domains, to a Kubernetes service), or one
// whose last label is a number (an IPv4 address in another notation, 2130706433 or
// 127.1). Other names are not resolved: the client checks what they resolve to when
// it connects. The error wraps ErrInvalidURL or ErrForbiddenAddress.
func (c Config) CheckURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidURL, err)
	}
	switch {
	case u.Opaque != "" || u.Host == "":
		return fmt.Errorf("%w: not an absolute URL with a host", ErrInvalidURL)
	case u.User != nil:
		return fmt.Errorf("%w: user info", ErrInvalidURL)
	case strings.Contains(raw, "#"):
		return fmt.Errorf("%w: fragment", ErrInvalidURL)
	}
	port := u.Port()
	switch {
	case port != "":
	case u.Scheme == "https":
		port = "443"
	case u.Scheme == "http":
		port = "80"
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return fmt.Errorf("%w: port %q", ErrInvalidURL, port)
	}
	host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	if host == "" {
		return fmt.Errorf("%w: no host", ErrInvalidURL)
	}
	hp, _ := normalizeHostPort(net.JoinHostPort(host, port))
	allowed := allowSet(c.Allow)[hp]
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && allowed:
	default:
		return fmt.Errorf("%w: scheme %q, want https", ErrInvalidURL, u.Scheme)
	}
	if a, err := netip.ParseAddr(host); err == nil {
		return checkAddr(a, allowed)
	}
	if allowed {
		return nil
	}
	return checkName(host)
}

// internalSuffixes are the DNS suffixes that only ever name something internal.
var internalSuffixes = []string{"localhost", "internal", "local"}

// checkName refuses a host name that can only be internal (see Config.CheckURL);
// name is in lower case without a final dot.
func checkName(name string) error {
	labels := strings.Split(name, ".")
	last := labels[len(labels)-1]
	for _, s := range internalSuffixes {
		if last == s {
			return fmt.Errorf("%w: %s is an internal name", ErrForbiddenAddress, name)
		}
	}
	switch r := []rune(last); {
	case len(labels) < 2 || last == "":
		return fmt.Errorf("%w: %s is a name of one label, which resolves to an internal service", ErrForbiddenAddress, name)
	case !unicode.IsLetter(r[0]):
		return fmt.Errorf("%w: %s ends in a number, an IP address in another notation", ErrForbiddenAddress, name)
	}
	return nil
}
