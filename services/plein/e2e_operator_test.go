package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/plein-nl/plein/platform/auth/authtest"
	"github.com/plein-nl/plein/platform/bsn"
	"github.com/plein-nl/plein/services/tenancy"
)

// operatorBundle is the whole app with the operators' lifecycle API (a control pool),
// an OIDC issuer of the coöperatie and one of zwolle.
type operatorBundle struct {
	*e2eBundle
	a        *app
	sealer   *bsn.Sealer
	operator string // a coop-operator's bearer token
	fake     string // zwolle's issuer claiming coop-operator
}

func setupOperator(t *testing.T) *operatorBundle {
	t.Helper()
	zwolle, coop := authtest.NewIssuer(t), authtest.NewIssuer(t)
	a, sealer, e := startE2E(t, tenantsDB(t), map[*authtest.Issuer]string{zwolle: "zwolle", coop: ""}, true)
	e.consulent, e.admin = token(zwolle, "cons-z", "consulent"), token(zwolle, "admin-z", "tenant-admin")
	return &operatorBundle{a: a, sealer: sealer, e2eBundle: e,
		operator: token(coop, "op-1", "coop-operator"), fake: token(zwolle, "admin-z", "coop-operator")}
}

// TestE2EOperatorLifecycle: the coöperatie's operators suspend and resume a gemeente
// through the API, as themselves; a gemeente's own staff (even claiming the operator
// role) may not; an illegal move is 409, an unknown gemeente 404, a missing reason 400.
func TestE2EOperatorLifecycle(t *testing.T) {
	t.Parallel()
	b := setupOperator(t)
	const base = "/api/v1/operator/tenants"
	reason := map[string]any{"reason": "betalingsachterstand bij de coöperatie"}

	var list struct {
		Tenants []tenancy.TenantSummary `json:"tenants"`
	}
	b.apiJSON(t, http.MethodGet, base, b.operator, nil, http.StatusOK, &list)
	statuses := map[string]string{}
	for _, ts := range list.Tenants {
		statuses[string(ts.ID)] = ts.Status
	}
	if statuses["zwolle"] != "active" || statuses["deventer"] != "active" {
		t.Fatalf("list: %v", statuses)
	}

	var ev tenancy.Event
	b.apiJSON(t, http.MethodPost, base+"/zwolle/suspend", b.operator, reason, http.StatusOK, &ev)
	if ev.From != tenancy.StatusActive || ev.To != tenancy.StatusSuspended || ev.Actor != "op-1" || ev.Reason != reason["reason"] || ev.Seq != 1 {
		t.Fatalf("suspend: %+v", ev)
	}
	for _, c := range []struct {
		name, method, path, bearer string
		body                       any
		want                       int
		says                       string
	}{
		{"suspend a suspended gemeente", http.MethodPost, base + "/zwolle/suspend", b.operator, reason, 409, "zwolle is suspended and cannot become suspended"},
		{"a consulent lists", http.MethodGet, base, b.consulent, nil, 403, ""},
		{"a tenant admin resumes its own", http.MethodPost, base + "/zwolle/resume", b.admin, reason, 403, ""},
		{"a gemeente's issuer claiming coop-operator", http.MethodPost, base + "/zwolle/resume", b.fake, reason, 403, ""},
		{"a tenant admin reads its events", http.MethodGet, base + "/zwolle/events", b.admin, nil, 403, ""},
		{"no credential", http.MethodPost, base + "/zwolle/resume", "", reason, 401, ""},
		{"unknown gemeente", http.MethodPost, base + "/amersfoort/suspend", b.operator, reason, 404, "unknown tenant"},
		{"not a tenant id", http.MethodGet, base + "/Not_A_Tenant", b.operator, nil, 404, ""},
		{"unknown gemeente's events", http.MethodGet, base + "/amersfoort/events", b.operator, nil, 404, ""},
		{"no reason", http.MethodPost, base + "/zwolle/resume", b.operator, map[string]any{}, 400, "reason"},
		{"a blank reason", http.MethodPost, base + "/zwolle/resume", b.operator, map[string]any{"reason": "  "}, 400, "reason"},
		{"no body", http.MethodPost, base + "/zwolle/resume", b.operator, nil, 400, ""},
		{"unknown field", http.MethodPost, base + "/zwolle/resume", b.operator, map[string]any{"reason": "x", "force": true}, 400, "force"},
		{"offboarding is not an API move", http.MethodPost, base + "/zwolle/offboard", b.operator, reason, 404, ""},
	} {
		status, out := b.api(t, c.method, c.path, c.bearer, c.body)
		if status != c.want || !strings.Contains(string(out), c.says) {
			t.Errorf("%s: %d %s, want %d saying %q", c.name, status, out, c.want, c.says)
		}
		if status >= 400 && c.path != base+"/zwolle/offboard" && !json.Valid(out) {
			t.Errorf("%s: not a JSON problem: %s", c.name, out)
		}
	}
	// Nothing refused changed anything: zwolle is still suspended, with one event.
	b.apiJSON(t, http.MethodPost, base+"/zwolle/resume", b.operator, map[string]any{"reason": "betaald"}, http.StatusOK, &ev)
	if ev.From != tenancy.StatusSuspended || ev.To != tenancy.StatusActive || ev.Seq != 2 {
		t.Errorf("resume: %+v", ev)
	}
	var evs struct {
		Events []tenancy.Event `json:"events"`
	}
	b.apiJSON(t, http.MethodGet, base+"/zwolle/events", b.operator, nil, http.StatusOK, &evs)
	if len(evs.Events) != 2 || evs.Events[0].Actor != "op-1" || evs.Events[1].Reason != "betaald" {
		t.Errorf("events: %+v", evs.Events)
	}
	var detail tenancy.OperatorTenant
	b.apiJSON(t, http.MethodGet, base+"/zwolle", b.operator, nil, http.StatusOK, &detail)
	if detail.Name != "Gemeente Zwolle" || detail.Status != tenancy.StatusActive || len(detail.Versions) != 1 ||
		detail.Versions[0].Author != "test" || len(detail.Events) != 2 || detail.Config.Portal.Hosts[0] != "mijn.zwolle.example" || detail.Offboarding != nil {
		t.Errorf("detail: %+v", detail)
	}
	// A problem is problem+json.
	req, _ := http.NewRequest(http.MethodPost, b.srv.URL+base+"/zwolle/resume", strings.NewReader(`{"reason": "x"}`))
	req.Header.Set("Authorization", "Bearer "+b.operator)
	req.Header.Set("Content-Type", "application/json")
	resp, err := b.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 409 || resp.Header.Get("Content-Type") != "application/problem+json" {
		t.Errorf("resume an active gemeente: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
}

// TestE2EOffboardingIsReadOnly: once a gemeente is offboarding (its export made and
// recorded), its staff and partners can read but change nothing, its residents see a
// banner and can change nothing in the portal, and the operators cannot resume it.
func TestE2EOffboardingIsReadOnly(t *testing.T) {
	t.Parallel()
	b := setupOperator(t)
	ctx := context.Background()
	id := b.createResident(t, "Fatima Bakker", e2eBSN)

	var buf bytes.Buffer
	if _, err := tenancy.Export(ctx, b.d.App, "zwolle", &buf, tenancy.ExportOptions{Sealer: b.sealer, Actor: "op-1"}); err != nil {
		t.Fatal(err)
	}
	_, info, err := tenancy.VerifyBundle(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tenancy.NewStore(b.d.Control, nil).Offboard(ctx, "zwolle", info, "op-1", "opgezegd", tenancy.DefaultGrace); err != nil {
		t.Fatal(err)
	}
	if _, err := b.a.dir.Reload(ctx); err != nil {
		t.Fatal(err)
	}

	if status, out := b.api(t, http.MethodPost, "/api/v1/tenants/zwolle/residents", b.consulent, map[string]any{
		"name": "Nieuw", "birth_date": "1990-05-01", "bsn": e2eOtherBSN, "iban": "NL91ABNA0417164300", "household_kind": "single",
	}); status != http.StatusConflict || !strings.Contains(string(out), "offboarding") {
		t.Errorf("a new resident of an offboarding gemeente: %d %s", status, out)
	}
	if status, out := b.api(t, http.MethodGet, residentsPath(id)+"?purpose="+url.QueryEscape(e2ePurpose), b.consulent, nil); status != http.StatusOK {
		t.Errorf("reading a resident of an offboarding gemeente: %d %s", status, out)
	}
	c := b.residentCookie(t, id)
	status, html, _ := b.page(t, "/t/zwolle/betalingen/nieuw", c, nil)
	if status != http.StatusOK || !strings.Contains(html, "Uw gemeente stopt met dit portaal") {
		t.Errorf("the portal of an offboarding gemeente: %d, no banner:\n%s", status, html)
	}
	status, html, _ = b.page(t, "/t/zwolle/betalingen/nieuw", c, url.Values{"csrf_token": {authtest.CSRFToken(t, html)}})
	if status != http.StatusForbidden || !strings.Contains(html, "U kunt nu niets veranderen.") {
		t.Errorf("a change in the portal of an offboarding gemeente: %d\n%s", status, html)
	}
	if status, out := b.api(t, http.MethodPost, "/api/v1/operator/tenants/zwolle/resume", b.operator,
		map[string]any{"reason": "toch niet"}); status != http.StatusConflict || !strings.Contains(string(out), "offboarding") {
		t.Errorf("resume an offboarding gemeente: %d %s", status, out)
	}
	var detail tenancy.OperatorTenant
	b.apiJSON(t, http.MethodGet, "/api/v1/operator/tenants/zwolle", b.operator, nil, http.StatusOK, &detail)
	if detail.Status != tenancy.StatusOffboarding || detail.Offboarding == nil || detail.Offboarding.ExportSHA256 != info.SHA256 {
		t.Errorf("the operators' view of an offboarding gemeente: %+v", detail)
	}
}
