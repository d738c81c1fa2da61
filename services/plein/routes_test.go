package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/plein-nl/plein/platform/auth"
	"github.com/plein-nl/plein/platform/auth/authtest"
	"github.com/plein-nl/plein/platform/bsn/bsntest"
	"github.com/plein-nl/plein/platform/httpapi/httpapitest"
	"github.com/plein-nl/plein/services/debts"
	"github.com/plein-nl/plein/services/income"
)

// secBundle is the whole app on a fresh database, with a credential of every kind of
// principal: the coöperatie's operator, zwolle's staff roles, two residents of zwolle,
// an employer with and one without the first resident's consent, a creditor partner,
// and a consulent of another gemeente.
type secBundle struct {
	*e2eBundle
	app        *app
	self       string // the first resident's id: every {id} of a request
	otherID    string
	creds      map[string]credential
	empWithKey string // the employer with consent's API key
}

// credential is how one kind of principal presents itself.
type credential struct {
	bearer string
	cookie *http.Cookie
}

// principalNames are the kinds of principal every route is called as.
var principalNames = []string{"op", "admin", "cons", "shv", "self", "other", "emp", "empx", "cred", "foreign"}

func setupSecurity(t *testing.T) *secBundle {
	t.Helper()
	ctx := context.Background()
	d := tenantsDBOf(t, originalTenants(t)) // deventer, enschede and zwolle: enough, and fast
	zwolle, enschede, coop := authtest.NewIssuer(t), authtest.NewIssuer(t), authtest.NewIssuer(t)
	verifiers := verifiersOf(t, map[*authtest.Issuer]string{zwolle: "zwolle", enschede: "enschede", coop: ""})
	key := bytes.Repeat([]byte{7}, 32)
	a := testApp(t, d, appConfig{controlPool: d.Control, sessionKey: key,
		verifiers: verifiers, keys: bsntest.Keyring(t), now: func() time.Time { return e2eNow }, secure: true})
	srv := httptest.NewServer(a.handler)
	t.Cleanup(srv.Close)
	sessions, err := auth.NewSessions(auth.SessionConfig{Key: key, Now: time.Now, Secure: true,
		Revocations: auth.NewRevocationStore(d.App, time.Now)})
	if err != nil {
		t.Fatal(err)
	}
	b := &secBundle{e2eBundle: &e2eBundle{srv: srv, d: d, sessions: sessions,
		consulent: token(zwolle, "cons-z", "consulent"), schuldhulp: token(zwolle, "shv-z", "schuldhulpverlener"),
		enschede: token(enschede, "cons-e", "consulent"), admin: token(zwolle, "admin-z", "tenant-admin")}, app: a}
	b.self = b.createResident(t, "Fatima Bakker", e2eBSN)
	b.otherID = b.createResident(t, "Pieter Smit", e2eOtherBSN)

	empWith, err := income.RegisterEmployer(ctx, d.App, "zwolle", "acme", "Acme Supermarkten")
	if err != nil {
		t.Fatal(err)
	}
	empWithout, err := income.RegisterEmployer(ctx, d.App, "zwolle", "other-employer", "Ander Bedrijf")
	if err != nil {
		t.Fatal(err)
	}
	if err := a.income.GrantConsent(ctx, "zwolle", b.self, "acme"); err != nil {
		t.Fatal(err)
	}
	cred, err := debts.RegisterCreditorPartner(ctx, d.App, "zwolle", "vitens", "Vitens N.V.")
	if err != nil {
		t.Fatal(err)
	}
	b.empWithKey = empWith
	b.creds = map[string]credential{
		"op":      {bearer: token(coop, "op-1", "coop-operator")},
		"admin":   {bearer: b.admin},
		"cons":    {bearer: b.consulent},
		"shv":     {bearer: b.schuldhulp},
		"self":    {cookie: b.residentCookie(t, b.self)},
		"other":   {cookie: b.residentCookie(t, b.otherID)},
		"emp":     {bearer: empWith},
		"empx":    {bearer: empWithout},
		"cred":    {bearer: cred},
		"foreign": {bearer: b.enschede},
	}
	return b
}

// call sends one request as the principal named who, with a JSON body (nil: none).
func (b *secBundle) call(t *testing.T, who, method, path string, body []byte) (int, []byte, http.Header) {
	t.Helper()
	hdr := map[string]string{}
	if c, ok := b.creds[who]; ok {
		if c.bearer != "" {
			hdr["Authorization"] = "Bearer " + c.bearer
		}
		if c.cookie != nil {
			hdr["Cookie"] = c.cookie.Name + "=" + c.cookie.Value
		}
	} else if who != "" {
		t.Fatalf("unknown principal %q", who)
	}
	resp, out := httpapitest.Do(t, b.srv, "", method, path, string(body), hdr)
	return resp.StatusCode, out, resp.Header
}

// routeAllowed is, per API route, who may call it: written from the roles of
// ARCHITECTURE.md and platform/authz/policy.csv, not from routes.go. The API's
// descriptions and the answer to an unknown path are for every signed-in staff
// member; a resident's session and a partner's key hold in their gemeente's paths only. Everyone not
// listed must be refused (401 or 403) before anything happens; everyone listed must
// get past authorization (any other answer: the request itself may be incomplete).
var routeAllowed = map[string]string{
	"GET /api/v1/tenants":                                                           "op",
	"GET /api/v1/tenants/{tenant}/config":                                           "op admin",
	"GET /api/v1/tenants/{tenant}/audit":                                            "op admin",
	"GET /api/v1/operator/tenants":                                                  "op",
	"GET /api/v1/operator/tenants/{tenant}":                                         "op",
	"GET /api/v1/operator/tenants/{tenant}/events":                                  "op",
	"POST /api/v1/operator/tenants/{tenant}/suspend":                                "op",
	"POST /api/v1/operator/tenants/{tenant}/resume":                                 "op",
	"POST /api/v1/tenants/{tenant}/residents":                                       "cons",
	"POST /api/v1/tenants/{tenant}/residents/search":                                "admin cons shv",
	"GET /api/v1/tenants/{tenant}/residents":                                        "admin cons shv",
	"GET /api/v1/tenants/{tenant}/residents/{id}":                                   "admin cons shv",
	"PATCH /api/v1/tenants/{tenant}/residents/{id}":                                 "cons",
	"GET /api/v1/tenants/{tenant}/residents/{id}/months/{period}":                   "admin cons shv",
	"GET /api/v1/tenants/{tenant}/residents/{id}/payslips":                          "cons",
	"POST /api/v1/tenants/{tenant}/residents/{id}/payslips":                         "cons",
	"POST /api/v1/tenants/{tenant}/residents/{id}/payslips/{payslip}/confirm":       "cons",
	"POST /api/v1/tenants/{tenant}/residents/{id}/payslips/{payslip}/decline":       "cons",
	"POST /api/v1/tenants/{tenant}/partner/payslips":                                "emp",
	"GET /api/v1/tenants/{tenant}/creditors":                                        "op admin cons shv",
	"POST /api/v1/tenants/{tenant}/creditors":                                       "op admin cons shv",
	"GET /api/v1/tenants/{tenant}/creditors/{id}":                                   "op admin cons shv",
	"GET /api/v1/tenants/{tenant}/creditors/{id}/messages":                          "cons shv",
	"POST /api/v1/tenants/{tenant}/residents/{id}/plans":                            "cons shv self",
	"GET /api/v1/tenants/{tenant}/residents/{id}/plans":                             "cons shv",
	"GET /api/v1/tenants/{tenant}/residents/{id}/plans/{plan}":                      "cons shv",
	"PATCH /api/v1/tenants/{tenant}/residents/{id}/plans/{plan}":                    "cons shv",
	"POST /api/v1/tenants/{tenant}/residents/{id}/plans/{plan}/approve":             "cons",
	"POST /api/v1/tenants/{tenant}/residents/{id}/plans/{plan}/reject":              "cons",
	"POST /api/v1/tenants/{tenant}/residents/{id}/plans/{plan}/stop":                "cons shv self",
	"GET /api/v1/tenants/{tenant}/residents/{id}/shortfalls":                        "cons shv",
	"GET /api/v1/tenants/{tenant}/residents/{id}/debts":                             "cons shv",
	"POST /api/v1/tenants/{tenant}/residents/{id}/debts":                            "shv",
	"PATCH /api/v1/tenants/{tenant}/residents/{id}/debts/{debt}":                    "shv",
	"GET /api/v1/tenants/{tenant}/residents/{id}/plan-van-aanpak":                   "cons shv",
	"POST /api/v1/tenants/{tenant}/residents/{id}/plan-van-aanpak":                  "shv",
	"GET /api/v1/tenants/{tenant}/residents/{id}/traject":                           "cons shv",
	"POST /api/v1/tenants/{tenant}/residents/{id}/traject":                          "shv",
	"POST /api/v1/tenants/{tenant}/residents/{id}/traject/offers/{creditor}/accept": "shv",
	"POST /api/v1/tenants/{tenant}/residents/{id}/traject/offers/{creditor}/reject": "shv",
	"GET /api/v1/tenants/{tenant}/schuldhulp/queue":                                 "shv",
	"POST /api/v1/tenants/{tenant}/schuldhulp/signals/{item}/contact":               "shv",
	"POST /api/v1/tenants/{tenant}/schuldhulp/signals/{item}/accept":                "shv",
	"POST /api/v1/tenants/{tenant}/schuldhulp/signals/{item}/decline":               "shv",
	"POST /api/v1/tenants/{tenant}/schuldhulp/signals/{item}/resident":              "shv",
	"POST /api/v1/tenants/{tenant}/schuldhulp/requests":                             "shv",
	"POST /api/v1/tenants/{tenant}/schuldhulp/requests/{item}/contact":              "shv",
	"POST /api/v1/tenants/{tenant}/partner/signals":                                 "cred",
	"GET /api/v1/settlement/runs":                                                   "op",
	"POST /api/v1/tenants/{tenant}/settlement/runs":                                 "cons",
	"GET /api/v1/tenants/{tenant}/settlement/runs":                                  "op admin cons",
	"GET /api/v1/tenants/{tenant}/settlement/runs/{id}":                             "op admin cons",
	"GET /api/v1/tenants/{tenant}/settlement/runs/{id}/diff":                        "op admin cons",
	"POST /api/v1/tenants/{tenant}/settlement/runs/{id}/approve":                    "admin cons",
	"POST /api/v1/tenants/{tenant}/settlement/runs/{id}/cancel":                     "cons",
	"GET /api/v1/tenants/{tenant}/settlement/runs/{id}/files":                       "op admin cons",
	"GET /api/v1/tenants/{tenant}/settlement/runs/{id}/files/{name}":                "op admin cons",
	"GET /api/v1/openapi/residents.yaml":                                            "op admin cons shv foreign",
	"GET /api/v1/openapi/creditors.yaml":                                            "op admin cons shv foreign",
	"GET /api/v1/openapi/paymentplans.yaml":                                         "op admin cons shv foreign",
	"GET /api/v1/openapi/debts.yaml":                                                "op admin cons shv foreign",
	"/api/":                                                                         "op admin cons shv foreign",
}

// TestRouteAccess calls every API route the app mounts as every kind of principal.
// It fails when a route is mounted that routeAllowed does not list (decide who may
// call it, then add it there), when a listed route is gone, and when anyone gets
// further than routeAllowed says — in particular a resident on another resident's
// case, an employer without consent, or any partner off its own route.
func TestRouteAccess(t *testing.T) {
	t.Parallel()
	b := setupSecurity(t)
	mounted := b.app.routes.Patterns()
	for _, p := range mounted {
		if _, ok := routeAllowed[p]; !ok {
			t.Errorf("route %q is mounted but not in routeAllowed: decide who may call it", p)
		}
	}
	for p := range routeAllowed {
		if !slices.Contains(mounted, p) {
			t.Errorf("routeAllowed lists %q, which is not mounted", p)
		}
	}
	// A payslip an employer may send for the resident, and a signal: their routes
	// are judged on a complete request, since consent is part of who may.
	payslip := []byte(`{"bsn": "` + e2eBSN + `", "period_start": "2026-03-01", "period_end": "2026-03-31",
		"gross_cents": 90000, "net_cents": 80000, "hours_centi": 6400, "pay_date": "2026-03-27"}`)
	signal := []byte(`{"reference": "R-1", "bsn": "` + e2eOtherBSN + `", "amount_cents": 1000, "days_in_arrears": 40,
		"threat": "none", "contact": {"name": "P. Smit"}, "reported_at": "2026-04-01"}`)
	fill := strings.NewReplacer("{tenant}", "zwolle", "{id}", b.self, "{period}", "2026-03",
		"{plan}", "00000000-0000-4000-8000-000000000001", "{debt}", "00000000-0000-4000-8000-000000000002",
		"{payslip}", "00000000-0000-4000-8000-000000000003", "{item}", "00000000-0000-4000-8000-000000000004",
		"{creditor}", "vitens", "{name}", "pain.001.xml")
	for _, pattern := range mounted {
		method, path, ok := strings.Cut(pattern, " ")
		if !ok { // the catch-all: any method, a path nothing else answers
			method, path = http.MethodGet, "/api/v1/nothing-here"
		}
		path = fill.Replace(path)
		if strings.HasPrefix(pattern, "GET /api/v1/tenants/{tenant}/creditors/{id}") {
			path = strings.Replace(path, b.self, "vitens", 1)
		}
		var body []byte
		switch {
		case strings.HasSuffix(pattern, "/partner/payslips"):
			body = payslip
		case strings.HasSuffix(pattern, "/partner/signals"):
			body = signal
		case method != http.MethodGet:
			body = []byte(`{}`)
		}
		allowed := strings.Fields(routeAllowed[pattern])
		for _, who := range principalNames {
			status, out, _ := b.call(t, who, method, path, body)
			denied := status == http.StatusUnauthorized || status == http.StatusForbidden
			want := slices.Contains(allowed, who) || slices.Contains(allowed, "*")
			switch {
			case want && denied:
				t.Errorf("%s %s as %s: %d, want past authorization: %s", method, path, who, status, out)
			case !want && !denied:
				t.Errorf("%s %s as %s: %d, want 401 or 403: %s", method, path, who, status, out)
			}
		}
	}
}
