package ratelimit_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/plein-nl/plein/platform/clocktest"
	"github.com/plein-nl/plein/platform/ratelimit"
	"github.com/plein-nl/plein/platform/tenant"
)

// portals knows zwolle (portal host mijn.zwolle.example) and enschede.
type portals struct{}

func (portals) Exists(t tenant.ID) bool { return t == "zwolle" || t == "enschede" }
func (portals) TenantOfHost(host string) (tenant.ID, bool) {
	if host == "mijn.zwolle.example" {
		return "zwolle", true
	}
	return "", false
}

type guardsBundle struct {
	g     *ratelimit.Guards
	reg   *prometheus.Registry
	clock *clocktest.Clock
}

// setupGuards: zwolle allows 2 searches a minute of its own; every other limit is
// the default.
func setupGuards(t *testing.T) guardsBundle {
	t.Helper()
	b := guardsBundle{reg: prometheus.NewRegistry(), clock: clocktest.New(time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC))}
	own := func(t tenant.ID) map[ratelimit.Class]ratelimit.Limit {
		if t == "zwolle" {
			return map[ratelimit.Class]ratelimit.Limit{ratelimit.Search: {Requests: 2, Per: time.Minute}}
		}
		return nil
	}
	var err error
	b.g, err = ratelimit.NewGuards(ratelimit.GuardConfig{Registry: b.reg, Own: own, Now: b.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// limited is plein_rate_limited_total of (t, c).
func (b guardsBundle) limited(t *testing.T, tn tenant.ID, c ratelimit.Class) float64 {
	t.Helper()
	mfs, err := b.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			if mf.GetName() == "plein_rate_limited_total" && labels["tenant"] == string(tn) && labels["class"] == string(c) {
				return m.GetCounter().GetValue()
			}
		}
	}
	return 0
}

// checks runs n checks of class c by client in t and returns their statuses.
func (b guardsBundle) checks(n int, t tenant.ID, c ratelimit.Class, client string) []int {
	var out []int
	for range n {
		rec := httptest.NewRecorder()
		ok := b.g.Check(rec, httptest.NewRequest(http.MethodPost, "/", nil), t, c, client)
		if ok {
			rec.Code = 0 // went on
		}
		out = append(out, rec.Code)
	}
	return out
}

// TestGuardsPerGemeente: a gemeente's own limit holds for its class only; another
// gemeente, and its other classes, keep the defaults; refusals are counted by gemeente
// and class.
func TestGuardsPerGemeente(t *testing.T) {
	t.Parallel()
	b := setupGuards(t)
	if got := b.checks(3, "zwolle", ratelimit.Search, "cons"); got[0] != 0 || got[1] != 0 || got[2] != http.StatusTooManyRequests {
		t.Errorf("zwolle's searches: %v, want 2 through and the 3rd 429 (its own 2 a minute)", got)
	}
	if got := b.checks(30, "enschede", ratelimit.Search, "cons"); got[29] != 0 {
		t.Errorf("enschede's 30th search: %d, want through (the default 30 a minute)", got[29])
	}
	if got := b.checks(3, "zwolle", ratelimit.Calc, "cons"); got[2] != 0 {
		t.Errorf("zwolle's 3rd calculation: %d, want through (the default)", got[2])
	}
	if n := b.limited(t, "zwolle", ratelimit.Search); n != 1 {
		t.Errorf("plein_rate_limited_total{zwolle,search} = %v, want 1", n)
	}
	if n := b.limited(t, "enschede", ratelimit.Search); n != 0 {
		t.Errorf("plein_rate_limited_total{enschede,search} = %v, want 0", n)
	}
	b.g.ConsentRefused("zwolle")
	b.g.ConsentRefused("zwolle")
	want := `
# HELP plein_partner_consent_refusals_total Employer payslips refused for want of the resident's consent (unknown BSNs included), by gemeente.
# TYPE plein_partner_consent_refusals_total counter
plein_partner_consent_refusals_total{tenant="zwolle"} 2
`
	if err := testutil.GatherAndCompare(b.reg, strings.NewReader(want), "plein_partner_consent_refusals_total"); err != nil {
		t.Error(err)
	}
}

// TestGuardsPartnerKeys: each client may present 60 wrong keys a minute; then no key
// at all until the bucket refills, answered 429 with Retry-After. Right keys cost
// nothing.
func TestGuardsPartnerKeys(t *testing.T) {
	t.Parallel()
	b := setupGuards(t)
	from := func(addr string) *http.Request {
		r := httptest.NewRequest(http.MethodPost, "/api/v1/tenants/zwolle/partner/payslips", nil)
		r.RemoteAddr = addr + ":40000"
		return r
	}
	for i := range 60 {
		if !b.g.AdmitKey(httptest.NewRecorder(), from("192.0.2.1"), "zwolle") {
			t.Fatalf("key %d of 60 refused", i+1)
		}
		b.g.KeyFailed(from("192.0.2.1"), "zwolle")
	}
	rec := httptest.NewRecorder()
	if b.g.AdmitKey(rec, from("192.0.2.1"), "zwolle") || rec.Code != http.StatusTooManyRequests || rec.Header().Get("Retry-After") == "" {
		t.Errorf("the 61st key: %d, Retry-After %q; want 429 with Retry-After", rec.Code, rec.Header().Get("Retry-After"))
	}
	if !b.g.AdmitKey(httptest.NewRecorder(), from("192.0.2.2"), "zwolle") {
		t.Error("another client's key refused")
	}
	if !b.g.AdmitKey(httptest.NewRecorder(), from("192.0.2.1"), "enschede") {
		t.Error("the client's key in another gemeente refused")
	}
	if n := b.limited(t, "zwolle", ratelimit.PartnerKey); n != 1 {
		t.Errorf("plein_rate_limited_total{zwolle,partner_key} = %v, want the one refusal counted once", n)
	}
	b.clock.Advance(time.Second) // one wrong key a second refills
	if !b.g.AdmitKey(httptest.NewRecorder(), from("192.0.2.1"), "zwolle") {
		t.Error("a key a second later refused, want the refilled try")
	}
}

// TestGuardsSignIn: a portal's sign-in attempts are limited per client address (10
// a minute by default), found by path or host; other requests, and those of no known
// gemeente, pass.
func TestGuardsSignIn(t *testing.T) {
	t.Parallel()
	b := setupGuards(t)
	h := b.g.SignIn(portals{}, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusTeapot) }))
	send := func(method, host, path string) int {
		r := httptest.NewRequest(method, "https://"+host+path, nil)
		r.RemoteAddr = "192.0.2.9:50000"
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		return rec.Code
	}
	for i := range 10 {
		if got := send(http.MethodPost, "plein.example", "/t/zwolle/login"); got != http.StatusTeapot {
			t.Fatalf("sign-in %d of 10: %d", i+1, got)
		}
	}
	for _, c := range []struct {
		method, host, path string
		want               int
	}{
		{http.MethodPost, "plein.example", "/t/zwolle/login", http.StatusTooManyRequests},
		{http.MethodPost, "Mijn.Zwolle.example:443", "/login/digid", http.StatusTooManyRequests}, // zwolle by its host
		{http.MethodGet, "plein.example", "/t/zwolle/login", http.StatusTeapot},                  // not an attempt
		{http.MethodPost, "plein.example", "/t/zwolle/betalingen", http.StatusTeapot},            // no sign-in
		{http.MethodPost, "plein.example", "/t/enschede/login", http.StatusTeapot},               // another gemeente's door
		{http.MethodPost, "plein.example", "/t/nope/login", http.StatusTeapot},                   // none: the portal's 404
		{http.MethodPost, "plein.example", "/login", http.StatusTeapot},
	} {
		if got := send(c.method, c.host, c.path); got != c.want {
			t.Errorf("%s %s%s: %d, want %d", c.method, c.host, c.path, got, c.want)
		}
	}
	if n := b.limited(t, "zwolle", ratelimit.SignIn); n != 2 {
		t.Errorf("plein_rate_limited_total{zwolle,signin} = %v, want 2", n)
	}
}
