package egress

import (
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// target is a test server on 127.0.0.1 that counts the connections it accepts and the
// requests it serves.
type target struct {
	*httptest.Server
	conns, requests atomic.Int32
}

func newTarget(t *testing.T, tls bool, h http.HandlerFunc) *target {
	t.Helper()
	tg := &target{}
	tg.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tg.requests.Add(1)
		_, _ = io.Copy(io.Discard, r.Body)
		h(w, r)
	}))
	tg.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			tg.conns.Add(1)
		}
	}
	if tls {
		tg.StartTLS()
	} else {
		tg.Start()
	}
	t.Cleanup(tg.Close)
	return tg
}

func ok(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) }

// roots trusts the httptest servers' certificate.
func roots(tg *target) *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(tg.Certificate())
	return p
}

func post(c *http.Client, url string) (int, error) {
	resp, err := c.Post(url, "application/json", strings.NewReader(`{"message_id":"m-1"}`))
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	return resp.StatusCode, nil
}

func TestClientDialsOnlyWhatItMay(t *testing.T) {
	t.Parallel()
	tg := newTarget(t, true, ok)
	addr := tg.Listener.Addr().(*net.TCPAddr)
	port := fmt.Sprint(addr.Port)
	tests := []struct {
		name    string
		allow   []string
		url     string
		wantErr error // nil: delivered
	}{
		{"loopback literal", nil, "https://127.0.0.1:" + port + "/hook", ErrForbiddenAddress},
		// A name is checked by what it resolves to, when the client connects.
		{"a name that resolves to loopback", nil, "https://localhost:" + port + "/hook", ErrForbiddenAddress},
		{"IPv4-mapped IPv6 of loopback", nil, "https://[::ffff:127.0.0.1]:" + port + "/hook", ErrForbiddenAddress},
		{"allowed", []string{"127.0.0.1:" + port}, "https://127.0.0.1:" + port + "/hook", nil},
		{"allowed, written differently", []string{" 127.0.0.1:" + port + " "}, "https://127.0.0.1:" + port + "/hook", nil},
		{"allowed on another port only", []string{"127.0.0.1:1"}, "https://127.0.0.1:" + port + "/hook", ErrForbiddenAddress},
		{"allowed as another host only", []string{"localhost:" + port}, "https://127.0.0.1:" + port + "/hook", ErrForbiddenAddress},
		{"an entry that is not host:port", []string{"127.0.0.1"}, "https://127.0.0.1:" + port + "/hook", ErrForbiddenAddress},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Not parallel: each case reads the target's counters before and after.
			conns, reqs := tg.conns.Load(), tg.requests.Load()
			c := NewClient(Config{Allow: tt.allow, RootCAs: roots(tg)})
			status, err := post(c, tt.url)
			gotConns, gotReqs := tg.conns.Load()-conns, tg.requests.Load()-reqs
			if tt.wantErr == nil {
				if err != nil || status != http.StatusNoContent || gotReqs != 1 {
					t.Errorf("got status %d, error %v, %d requests; want 204 and 1 request", status, err, gotReqs)
				}
				return
			}
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("got error %v, want one wrapping %v", err, tt.wantErr)
			}
			// Refused before connect(2): the server never saw a connection.
			if gotConns != 0 || gotReqs != 0 {
				t.Errorf("server saw %d connections and %d requests, want none", gotConns, gotReqs)
			}
		})
	}
}

func TestClientNeverFollowsARedirect(t *testing.T) {
	t.Parallel()
	for _, status := range []int{
		http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther,
		http.StatusTemporaryRedirect, http.StatusPermanentRedirect, // these two would re-post the body
	} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			t.Parallel()
			// The finding: an https webhook that redirects to plain http elsewhere.
			second := newTarget(t, false, ok)
			first := newTarget(t, true, func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, second.URL+"/stolen", status)
			})
			c := NewClient(Config{
				Allow:   []string{first.Listener.Addr().String(), second.Listener.Addr().String()},
				RootCAs: roots(first),
			})
			_, err := post(c, first.URL+"/hook")
			if !errors.Is(err, ErrRedirect) || !strings.Contains(fmt.Sprint(err), "redirect refused") {
				t.Errorf("got error %v, want one wrapping ErrRedirect that says redirect refused", err)
			}
			if n := first.requests.Load(); n != 1 {
				t.Errorf("first server got %d requests, want 1", n)
			}
			if n, c := second.requests.Load(), second.conns.Load(); n != 0 || c != 0 {
				t.Errorf("redirect target got %d requests on %d connections, want none", n, c)
			}
		})
	}
}

func TestClientSettings(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		cfg  Config
		want time.Duration
	}{{Config{}, DefaultTimeout}, {Config{Timeout: 3 * time.Second}, 3 * time.Second}} {
		c := NewClient(tt.cfg)
		if c.Timeout != tt.want {
			t.Errorf("Timeout %v with %+v, want %v", c.Timeout, tt.cfg, tt.want)
		}
		ho, ok := c.Transport.(httpsOnly)
		if !ok {
			t.Fatalf("transport %T, want httpsOnly", c.Transport)
		}
		tr, ok := ho.next.(*http.Transport)
		if !ok {
			t.Fatalf("transport under httpsOnly %T, want *http.Transport", ho.next)
		}
		// A proxy from HTTPS_PROXY would be the address checked instead of the webhook.
		if tr.Proxy != nil {
			t.Error("transport uses a proxy, want none")
		}
		if tr.ResponseHeaderTimeout <= 0 || tr.TLSHandshakeTimeout <= 0 || c.CheckRedirect == nil {
			t.Errorf("response header timeout %v, TLS handshake timeout %v, redirect check set %v; want all set",
				tr.ResponseHeaderTimeout, tr.TLSHandshakeTimeout, c.CheckRedirect != nil)
		}
	}
}

// TestCheckAddr covers every range, including those no test can listen on.
func TestCheckAddr(t *testing.T) {
	t.Parallel()
	forbidden := []string{
		"127.0.0.1", "127.255.255.254", "::1",
		"0.0.0.0", "0.1.2.3", "::",
		"10.0.0.1", "10.255.255.255", "172.16.0.1", "172.31.255.255", "192.168.1.1",
		"fc00::1", "fd12:3456::1",
		"169.254.169.254", "169.254.0.1", "fe80::1", "fe80::1%eth0", "fd00:ec2::254",
		"100.64.0.1", "100.100.100.200", "100.127.255.255",
		"224.0.0.1", "239.255.255.250", "ff02::1", "ff05::2",
		"255.255.255.255", "240.0.0.1",
		"fec0::1", "::127.0.0.1",
		// IPv4-mapped IPv6 of each IPv4 range.
		"::ffff:127.0.0.1", "::ffff:0.0.0.0", "::ffff:10.0.0.1", "::ffff:172.16.0.1", "::ffff:192.168.0.1",
		"::ffff:169.254.169.254", "::ffff:100.64.0.1", "::ffff:224.0.0.1", "::ffff:255.255.255.255",
		// IPv4 inside NAT64 and 6to4.
		"64:ff9b::a9fe:a9fe", "64:ff9b::7f00:1", "2002:a9fe:a9fe::1", "2002:0a00:0001::1",
		// IETF, benchmarking, documentation, local NAT64, discard, Teredo.
		"192.0.0.170", "198.18.0.1", "198.19.255.254", "192.0.2.1", "198.51.100.7", "203.0.113.9",
		"64:ff9b:1::a00:1", "100::1", "2001:0:4136:e378::1", "2001:db8::1",
	}
	for _, s := range forbidden {
		if err := checkAddr(netip.MustParseAddr(s), false); !errors.Is(err, ErrForbiddenAddress) {
			t.Errorf("checkAddr(%s) = %v, want ErrForbiddenAddress", s, err)
		}
	}
	public := []string{
		"1.1.1.1", "93.184.215.14", "172.15.255.255", "172.32.0.1", "100.63.255.255", "100.128.0.1",
		"169.253.255.255", "192.169.0.1", "223.255.255.255", "11.0.0.1", "198.17.255.255", "198.20.0.1", "192.0.1.255",
		"2a00:1450:400e:80f::200e", "2606:4700:4700::1111", "::ffff:1.1.1.1", "64:ff9b::101:101", "2002:101:101::1",
	}
	for _, s := range public {
		if err := checkAddr(netip.MustParseAddr(s), false); err != nil {
			t.Errorf("checkAddr(%s) = %v, want nil", s, err)
		}
	}
	// An allowed host:port lifts the loopback rule and no other.
	for s, want := range map[string]bool{
		"127.0.0.1": true, "::1": true, "::ffff:127.0.0.1": true,
		"169.254.169.254": false, "10.0.0.1": false, "0.0.0.0": false, "fd00:ec2::254": false,
	} {
		if got := checkAddr(netip.MustParseAddr(s), true) == nil; got != want {
			t.Errorf("checkAddr(%s, loopback allowed) passes = %v, want %v", s, got, want)
		}
	}
	if err := checkAddr(netip.Addr{}, true); !errors.Is(err, ErrForbiddenAddress) {
		t.Errorf("checkAddr(zero) = %v, want ErrForbiddenAddress", err)
	}
}

func TestCheckURL(t *testing.T) {
	t.Parallel()
	allowed := Config{Allow: []string{"127.0.0.1:9000", "localhost:9001"}}
	tests := []struct {
		url  string
		cfg  Config
		want error
	}{
		{"https://hooks.domijn.nl/plein", Config{}, nil},
		{"https://hooks.domijn.nl:8443/plein?tenant=enschede", Config{}, nil},
		{"https://HOOKS.Domijn.NL./plein", Config{}, nil},
		{"https://93.184.215.14/hook", Config{}, nil},
		{"https://[2606:4700:4700::1111]/hook", Config{}, nil},
		{"https://bücher.de/hook", Config{}, nil},

		{"http://hooks.domijn.nl/plein", Config{}, ErrInvalidURL},
		{"ftp://hooks.domijn.nl/plein", Config{}, ErrInvalidURL},
		{"https://user:pw@hooks.domijn.nl/plein", Config{}, ErrInvalidURL},
		{"https://hooks.domijn.nl/plein#x", Config{}, ErrInvalidURL},
		{"https://hooks.domijn.nl/plein#", Config{}, ErrInvalidURL},
		{"hooks.domijn.nl/plein", Config{}, ErrInvalidURL},
		{"https:///plein", Config{}, ErrInvalidURL},
		{"https://:443/plein", Config{}, ErrInvalidURL},
		{"https://hooks.domijn.nl:0/plein", Config{}, ErrInvalidURL},
		{"https://hooks.domijn.nl:70000/plein", Config{}, ErrInvalidURL},
		{"mailto:hooks@domijn.nl", Config{}, ErrInvalidURL},
		{"https://hooks.domijn.nl\x7f/plein", Config{}, ErrInvalidURL},

		{"https://127.0.0.1/hook", Config{}, ErrForbiddenAddress},
		{"https://127.0.0.1:9000/hook", Config{}, ErrForbiddenAddress},
		{"https://[::1]/hook", Config{}, ErrForbiddenAddress},
		{"https://[::ffff:127.0.0.1]/hook", Config{}, ErrForbiddenAddress},
		{"https://[::ffff:169.254.169.254]/latest/meta-data", Config{}, ErrForbiddenAddress},
		{"https://169.254.169.254/latest/meta-data", Config{}, ErrForbiddenAddress},
		{"https://[fd00:ec2::254]/latest/meta-data", Config{}, ErrForbiddenAddress},
		{"https://[fe80::1%25eth0]/hook", Config{}, ErrForbiddenAddress},
		{"https://10.1.2.3/hook", Config{}, ErrForbiddenAddress},
		{"https://172.20.0.1/hook", Config{}, ErrForbiddenAddress},
		{"https://192.168.1.1/hook", Config{}, ErrForbiddenAddress},
		{"https://100.100.100.200/hook", Config{}, ErrForbiddenAddress},
		{"https://0.0.0.0/hook", Config{}, ErrForbiddenAddress},
		{"https://%31%32%37.0.0.1/hook", Config{}, ErrInvalidURL}, // Go refuses escapes in a host
		{"https://localhost/hook", Config{}, ErrForbiddenAddress},
		{"https://LOCALHOST./hook", Config{}, ErrForbiddenAddress},
		{"https://evil.localhost/hook", Config{}, ErrForbiddenAddress},
		{"https://metadata.google.internal/computeMetadata/v1/", Config{}, ErrForbiddenAddress},
		{"https://ip-10-0-0-1.ec2.internal/hook", Config{}, ErrForbiddenAddress},
		{"https://plein-api.plein-system.svc.cluster.local/hook", Config{}, ErrForbiddenAddress},
		{"https://plein-api/hook", Config{}, ErrForbiddenAddress},
		{"https://2130706433/hook", Config{}, ErrForbiddenAddress},
		{"https://127.1/hook", Config{}, ErrForbiddenAddress},
		{"https://0x7f.0.0.1/hook", Config{}, ErrForbiddenAddress},
		{"https://0x7f000001/hook", Config{}, ErrForbiddenAddress},

		// Allow: exactly that host and port, and plain http only there.
		{"https://127.0.0.1:9000/hook", allowed, nil},
		{"http://127.0.0.1:9000/hook", allowed, nil},
		{"http://localhost:9001/hook", allowed, nil},
		{"http://127.0.0.1:9001/hook", allowed, ErrInvalidURL},
		{"https://127.0.0.1:9001/hook", allowed, ErrForbiddenAddress},
		{"https://127.0.0.1/hook", allowed, ErrForbiddenAddress},
		{"http://hooks.domijn.nl/plein", allowed, ErrInvalidURL},
		{"https://user@127.0.0.1:9000/hook", allowed, ErrInvalidURL},
		{"https://169.254.169.254:9000/hook", Config{Allow: []string{"169.254.169.254:9000"}}, ErrForbiddenAddress},
	}
	for _, tt := range tests {
		err := tt.cfg.CheckURL(tt.url)
		if tt.want == nil && err != nil || tt.want != nil && !errors.Is(err, tt.want) {
			t.Errorf("CheckURL(%q) with allow %v = %v, want %v", tt.url, tt.cfg.Allow, err, tt.want)
		}
	}
	// The package function allows nothing.
	if err := CheckURL("https://127.0.0.1:9000/hook"); !errors.Is(err, ErrForbiddenAddress) {
		t.Errorf("CheckURL(loopback) = %v, want ErrForbiddenAddress", err)
	}
}

// TestClientRefusesPlainHTTP: a plain http URL (stored before registration checked
// it) goes nowhere unless its host:port is allowed; nothing is dialled.
func TestClientRefusesPlainHTTP(t *testing.T) {
	t.Parallel()
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hits.Add(1) }))
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	for _, c := range []struct {
		allow []string
		ok    bool
	}{{nil, false}, {[]string{host}, true}} {
		resp, err := NewClient(Config{Allow: c.allow}).Post(srv.URL+"/hook", "application/json", strings.NewReader("{}"))
		if resp != nil {
			resp.Body.Close()
		}
		if got := err == nil; got != c.ok {
			t.Errorf("plain http with allow %v: err %v, want ok=%v", c.allow, err, c.ok)
		}
		if !c.ok && !errors.Is(err, ErrInvalidURL) {
			t.Errorf("plain http refused with %v, want ErrInvalidURL", err)
		}
	}
	if n := hits.Load(); n != 1 {
		t.Errorf("the server saw %d requests, want 1 (the allowed one)", n)
	}
}
