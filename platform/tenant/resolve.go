package tenant

import (
	"errors"
	"net"
	"strings"
)

// ErrUnknownTenant is returned when a request names no tenant that exists. The edge
// answers it with a 404, never with a default tenant.
var ErrUnknownTenant = errors.New("unknown tenant")

// Directory answers the two questions resolution asks: which tenant a portal host
// belongs to, and whether an id is a tenant.
type Directory interface {
	TenantOfHost(host string) (ID, bool)
	Exists(id ID) bool
}

// Resolution is the tenant of a request and the path inside that tenant.
type Resolution struct {
	ID ID
	// ByHost is true when the request came on the tenant's own portal host.
	ByHost bool
	// Path is the request path relative to the tenant: "/" for its home.
	Path string
}

// Resolve finds the tenant of a request at the edge: by its portal host (the Host
// header, normalised with CanonicalHost), else by the /t/<id>/ path prefix. On a
// tenant's own host a /t/<other>/ path is refused, so one gemeente's host can never
// serve another's pages.
func Resolve(host, path string, dir Directory) (Resolution, error) {
	if id, ok := dir.TenantOfHost(CanonicalHost(host)); ok {
		rel := path
		if rest, ok := strings.CutPrefix(path, "/t/"); ok {
			seg, after, _ := strings.Cut(rest, "/")
			if seg != string(id) {
				return Resolution{}, ErrUnknownTenant
			}
			rel = "/" + after
		}
		return Resolution{ID: id, ByHost: true, Path: rel}, nil
	}
	rest, ok := strings.CutPrefix(path, "/t/")
	if !ok {
		return Resolution{}, ErrUnknownTenant
	}
	seg, after, _ := strings.Cut(rest, "/")
	id, err := Parse(seg)
	if err != nil || !dir.Exists(id) {
		return Resolution{}, ErrUnknownTenant
	}
	return Resolution{ID: id, Path: "/" + after}, nil
}

// CanonicalHost normalises a Host header for lookup: the port, letter case and the
// trailing dot of a fully qualified name are dropped, because a browser treats
// "Mijn.Zwolle.example.:443" as the same site as "mijn.zwolle.example".
func CanonicalHost(hostport string) string {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	return strings.ToLower(strings.TrimSuffix(host, "."))
}
