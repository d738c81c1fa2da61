package ratelimit_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/plein-nl/plein/platform/clocktest"
	"github.com/plein-nl/plein/platform/ratelimit"
	"github.com/plein-nl/plein/platform/tenant"
)

func TestBucket(t *testing.T) {
	t.Parallel()
	c := clocktest.New(time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC))
	limits := func(tenant.ID) map[ratelimit.Class]ratelimit.Limit {
		return map[ratelimit.Class]ratelimit.Limit{ratelimit.Search: {Requests: 3, Per: time.Minute}}
	}
	l := ratelimit.New(limits, c.Now)
	var refused []ratelimit.Class
	l.OnLimited = func(_ tenant.ID, cl ratelimit.Class) { refused = append(refused, cl) }
	for i := range 3 {
		if ok, _ := l.Allow("zwolle", ratelimit.Search, "a"); !ok {
			t.Fatalf("request %d of 3 refused", i+1)
		}
	}
	ok, wait := l.Allow("zwolle", ratelimit.Search, "a")
	if ok || wait != 20*time.Second {
		t.Fatalf("4th request: ok %v, wait %s; want refused, 20s (3 a minute)", ok, wait)
	}
	// Other clients, gemeenten and classes have buckets of their own.
	for _, k := range []struct {
		t      tenant.ID
		c      ratelimit.Class
		client string
	}{{"zwolle", ratelimit.Search, "b"}, {"enschede", ratelimit.Search, "a"}, {"zwolle", ratelimit.Calc, "a"}} {
		if ok, _ := l.Allow(k.t, k.c, k.client); !ok {
			t.Errorf("%v refused by another bucket's use", k)
		}
	}
	// Peek takes nothing.
	c.Advance(20 * time.Second)
	for range 3 {
		if ok, _ := l.Peek("zwolle", ratelimit.Search, "a"); !ok {
			t.Fatal("peek after 20s: refused, want one token")
		}
	}
	if ok, _ := l.Allow("zwolle", ratelimit.Search, "a"); !ok {
		t.Fatal("request after 20s refused, want the refilled token")
	}
	if ok, _ := l.Allow("zwolle", ratelimit.Search, "a"); ok {
		t.Fatal("second request after 20s allowed, want refused")
	}
	if len(refused) != 2 {
		t.Errorf("OnLimited told %d times, want 2", len(refused))
	}
}

func TestRefuse(t *testing.T) {
	t.Parallel()
	rec := httptest.NewRecorder()
	ratelimit.Refuse(rec, httptest.NewRequest(http.MethodGet, "/x", nil), 1500*time.Millisecond)
	if rec.Code != http.StatusTooManyRequests || rec.Header().Get("Retry-After") != "2" ||
		rec.Header().Get("Content-Type") != "application/problem+json" {
		t.Errorf("got %d, Retry-After %q, %s; want 429, 2, problem JSON", rec.Code, rec.Header().Get("Retry-After"), rec.Header().Get("Content-Type"))
	}
}

func TestClientIP(t *testing.T) {
	t.Parallel()
	c, err := ratelimit.ParseTrusted("10.0.0.0/8, fd00::/8")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ peer, xff, want string }{
		{"203.0.113.9:1234", "", "203.0.113.9"},
		{"203.0.113.9:1234", "198.51.100.1", "203.0.113.9"},        // an untrusted peer cannot name another client
		{"10.1.2.3:1234", "198.51.100.1", "198.51.100.1"},          // the Ingress names the client
		{"10.1.2.3:1234", "6.6.6.6, 198.51.100.1", "198.51.100.1"}, // the client's own header is not believed
		{"10.1.2.3:1234", "198.51.100.1, 10.9.9.9", "198.51.100.1"},
		{"10.1.2.3:1234", "", "10.1.2.3"},
		{"[2001:db8:1:2:3:4:5:6]:1234", "", "2001:db8:1:2::/64"}, // a subscriber's /64 is one client
		{"[2001:db8:1:2:ffff::9]:1234", "", "2001:db8:1:2::/64"},
		{"10.1.2.3:1234", "2001:db8:7:7::1", "2001:db8:7:7::/64"},
		{"[::ffff:203.0.113.9]:1234", "", "203.0.113.9"},
	} {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.RemoteAddr = tc.peer
		if tc.xff != "" {
			r.Header.Set("X-Forwarded-For", tc.xff)
		}
		if got := c.Of(r); got != tc.want {
			t.Errorf("peer %s, X-Forwarded-For %q: %s, want %s", tc.peer, tc.xff, got, tc.want)
		}
	}
	if _, err := ratelimit.ParseTrusted("10.0.0.0/33"); err == nil {
		t.Error("ParseTrusted accepted 10.0.0.0/33")
	}
}

// TestBucketsBounded: a flood of new clients does not grow the buckets without end.
func TestBucketsBounded(t *testing.T) {
	t.Parallel()
	c := clocktest.New(time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC))
	l := ratelimit.New(nil, c.Now)
	for i := range 250_000 {
		l.Allow("zwolle", ratelimit.SignIn, fmt.Sprint(i))
	}
	if n := l.Len(); n > 100_000 {
		t.Errorf("after 250,000 clients: %d buckets, want at most 100,000", n)
	}
}
