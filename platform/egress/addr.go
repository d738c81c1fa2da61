package egress

import (
	"fmt"
	"net/netip"
)

// span is an address range outbound HTTP never reaches, and why.
type span struct {
	prefix netip.Prefix
	why    string
}

// loopbackSpans are what Config.Allow can lift.
var loopbackSpans = []span{
	{netip.MustParsePrefix("127.0.0.0/8"), "loopback"},
	{netip.MustParsePrefix("::1/128"), "loopback"},
}

// forbiddenSpans are every other range that is not public unicast. The metadata
// services sit in them: 169.254.169.254 (AWS, GCP, Azure, OpenStack), fd00:ec2::254
// (AWS over IPv6), 100.100.100.200 (Alibaba).
var forbiddenSpans = []span{
	{netip.MustParsePrefix("0.0.0.0/8"), "this network (0.0.0.0 reaches the host itself)"},
	{netip.MustParsePrefix("10.0.0.0/8"), "private"},
	{netip.MustParsePrefix("100.64.0.0/10"), "carrier-grade NAT"},
	{netip.MustParsePrefix("169.254.0.0/16"), "link-local (cloud metadata)"},
	{netip.MustParsePrefix("172.16.0.0/12"), "private"},
	{netip.MustParsePrefix("192.0.0.0/24"), "IETF protocol assignments"},
	{netip.MustParsePrefix("192.0.2.0/24"), "documentation"},
	{netip.MustParsePrefix("192.168.0.0/16"), "private"},
	{netip.MustParsePrefix("198.18.0.0/15"), "benchmarking"},
	{netip.MustParsePrefix("198.51.100.0/24"), "documentation"},
	{netip.MustParsePrefix("203.0.113.0/24"), "documentation"},
	{netip.MustParsePrefix("224.0.0.0/4"), "multicast"},
	{netip.MustParsePrefix("240.0.0.0/4"), "reserved or broadcast"},
	{netip.MustParsePrefix("::/128"), "unspecified"},
	// Deprecated IPv4-compatible addresses (::a.b.c.d): never a real destination.
	{netip.MustParsePrefix("::/96"), "IPv4-compatible"},
	{netip.MustParsePrefix("64:ff9b:1::/48"), "local-use NAT64"},
	{netip.MustParsePrefix("100::/64"), "discard-only"},
	{netip.MustParsePrefix("2001::/32"), "Teredo"},
	{netip.MustParsePrefix("2001:db8::/32"), "documentation"},
	{netip.MustParsePrefix("fc00::/7"), "unique local (private, cloud metadata)"},
	{netip.MustParsePrefix("fe80::/10"), "link-local"},
	{netip.MustParsePrefix("fec0::/10"), "site-local"},
	{netip.MustParsePrefix("ff00::/8"), "multicast"},
}

// Prefixes that carry an IPv4 address inside an IPv6 one, which a gateway translates:
// the IPv4 address inside is checked too.
var (
	nat64     = netip.MustParsePrefix("64:ff9b::/96") // the well-known NAT64 prefix: the last 32 bits
	sixToFour = netip.MustParsePrefix("2002::/16")    // 6to4: bits 16 to 48
)

// checkAddr returns nil for a public unicast address and otherwise an error wrapping
// ErrForbiddenAddress that names the range. loopbackOK lifts the loopback rule (an
// allowed host:port). An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is the IPv4
// address it maps, and a zone is ignored.
func checkAddr(a netip.Addr, loopbackOK bool) error {
	if !a.IsValid() {
		return fmt.Errorf("%w: no address", ErrForbiddenAddress)
	}
	orig := a
	a = a.WithZone("").Unmap()
	for _, s := range loopbackSpans {
		if s.prefix.Contains(a) {
			if loopbackOK {
				return nil
			}
			return fmt.Errorf("%w: %s is %s", ErrForbiddenAddress, orig, s.why)
		}
	}
	for _, s := range forbiddenSpans {
		if s.prefix.Contains(a) {
			return fmt.Errorf("%w: %s is %s", ErrForbiddenAddress, orig, s.why)
		}
	}
	var inner netip.Addr
	switch b := a.As16(); {
	case nat64.Contains(a):
		inner = netip.AddrFrom4([4]byte(b[12:16]))
	case sixToFour.Contains(a):
		inner = netip.AddrFrom4([4]byte(b[2:6]))
	default:
		return nil
	}
	if err := checkAddr(inner, false); err != nil {
		return fmt.Errorf("%w (inside %s)", err, orig)
	}
	return nil
}
