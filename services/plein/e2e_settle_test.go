package main

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestE2ESettlementAPI: the settlement run API through the whole app — who may start,
// read and approve, and what bad input gets. (The run's jobs are worked in the
// settlement tests; this app runs no workers, so a started run stays planning.)
func TestE2ESettlementAPI(t *testing.T) {
	t.Parallel()
	b := setupE2E(t)
	const runs = "/api/v1/tenants/zwolle/settlement/runs"
	status, out := b.api(t, http.MethodPost, runs, b.consulent, map[string]any{"period": "2026-03"})
	if status != http.StatusCreated {
		t.Fatalf("start: %d %s", status, out)
	}
	var run struct {
		ID        string  `json:"id"`
		Period    string  `json:"period"`
		Status    string  `json:"status"`
		StartedBy string  `json:"started_by"`
		Progress  float64 `json:"progress"`
	}
	if err := json.Unmarshal(out, &run); err != nil || run.Period != "2026-03" || run.Status != "planning" || run.StartedBy != "cons-z" {
		t.Fatalf("started run: %+v (%v) %s", run, err, out)
	}
	// The same period again is the same run.
	status, out = b.api(t, http.MethodPost, runs, b.consulent, map[string]any{"period": "2026-03"})
	if status != http.StatusOK || !strings.Contains(string(out), run.ID) {
		t.Errorf("second start: %d %s, want 200 with run %s", status, out, run.ID)
	}
	for _, c := range []struct {
		name   string
		method string
		path   string
		bearer string
		body   any
		want   int
		says   string
	}{
		{"no period", http.MethodPost, runs, b.consulent, map[string]any{"dry_run": true}, 400, "period"},
		{"bad period", http.MethodPost, runs, b.consulent, map[string]any{"period": "2026-13"}, 400, "period"},
		{"unknown field", http.MethodPost, runs, b.consulent, map[string]any{"period": "2026-03", "force": true}, 400, "force"},
		{"beyond the calendar", http.MethodPost, runs, b.consulent, map[string]any{"period": "2026-06"}, 422, "calendar"},
		{"too early for April", http.MethodPost, runs, b.consulent, map[string]any{"period": "2026-04"}, 422, "2026-04-19"},
		{"another tenant's consulent", http.MethodGet, runs + "/" + run.ID, b.enschede, nil, 403, ""},
		{"no credentials", http.MethodGet, runs, "", nil, 401, ""},
		{"unknown run", http.MethodGet, runs + "/00000000-0000-4000-8000-000000000000", b.consulent, nil, 404, ""},
		{"schuldhulpverlener approves", http.MethodPost, runs + "/" + run.ID + "/approve", b.schuldhulp, nil, 403, ""},
		{"tenant admin starts", http.MethodPost, runs, b.admin, map[string]any{"period": "2026-03"}, 403, ""},
		{"approve while planning", http.MethodPost, runs + "/" + run.ID + "/approve", b.admin, nil, 409, "awaiting_approval"},
		{"diff before computed", http.MethodGet, runs + "/" + run.ID + "/diff", b.consulent, nil, 409, "not computed"},
		{"bad diff filter", http.MethodGet, runs + "/" + run.ID + "/diff?change=all", b.consulent, nil, 400, "change"},
		{"read", http.MethodGet, runs + "/" + run.ID, b.consulent, nil, 200, `"progress":0`},
		{"list", http.MethodGet, runs, b.admin, nil, 200, run.ID},
		{"no files yet", http.MethodGet, runs + "/" + run.ID + "/files", b.admin, nil, 200, `"files":[]`},
	} {
		status, out := b.api(t, c.method, c.path, c.bearer, c.body)
		if status != c.want || !strings.Contains(string(out), c.says) {
			t.Errorf("%s: %d %s, want %d saying %q", c.name, status, out, c.want, c.says)
		}
	}
	// Cancelled before approval, the period can be started again.
	if status, out := b.api(t, http.MethodPost, runs+"/"+run.ID+"/cancel", b.consulent, map[string]any{"reason": "loonstroken te laat"}); status != 200 ||
		!strings.Contains(string(out), `"status":"cancelled"`) {
		t.Fatalf("cancel: %d %s", status, out)
	}
	if status, out := b.api(t, http.MethodPost, runs, b.consulent, map[string]any{"period": "2026-03"}); status != http.StatusCreated ||
		strings.Contains(string(out), run.ID) {
		t.Errorf("start after cancel: %d %s, want a new run", status, out)
	}
}

// TestSettlementOverview: the coöperatie's operators see every gemeente's runs in one
// call; a gemeente's own staff, and a gemeente's issuer claiming the operator role, do
// not.
func TestSettlementOverview(t *testing.T) {
	t.Parallel()
	b := setupAPI(t)
	operator := token(b.coop, "op-1", "coop-operator")
	consulentZ := token(b.zwolle, "cons-z", "consulent")
	fakeOperator := token(b.zwolle, "cons-z", "coop-operator")
	// A run in zwolle, started through the API.
	req, _ := http.NewRequest(http.MethodPost, b.srv.URL+"/api/v1/tenants/zwolle/settlement/runs", strings.NewReader(`{"period": "2026-10", "dry_run": true}`))
	req.Header.Set("Authorization", "Bearer "+consulentZ)
	req.Header.Set("Content-Type", "application/json")
	resp, err := b.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("start a dry-run: %d", resp.StatusCode)
	}
	for _, c := range []call{
		{name: "a gemeente's consulent", path: "/api/v1/settlement/runs", bearer: consulentZ, wantStatus: 403},
		{name: "a gemeente's issuer claiming coop-operator", path: "/api/v1/settlement/runs", bearer: fakeOperator, wantStatus: 403},
		{name: "no credential", path: "/api/v1/settlement/runs", wantStatus: 401},
	} {
		if status, _, _ := b.do(t, c); status != c.wantStatus {
			t.Errorf("%s: %d, want %d", c.name, status, c.wantStatus)
		}
	}
	status, body, _ := b.do(t, call{path: "/api/v1/settlement/runs", bearer: operator})
	if status != 200 {
		t.Fatalf("operator overview: %d %v", status, body)
	}
	lines, _ := body["tenants"].([]any)
	seen := map[string]map[string]any{}
	for _, l := range lines {
		m := l.(map[string]any)
		seen[m["tenant"].(string)] = m
	}
	if len(seen) != len(originalIDs) || seen["zwolle"]["runs"] != 1.0 || seen["enschede"]["runs"] != 0.0 || seen["zwolle"]["tenant_status"] != "active" {
		t.Errorf("overview: %v", body)
	}
	if latest, _ := seen["zwolle"]["latest_run"].(map[string]any); latest == nil || latest["period"] != "2026-10" || latest["dry_run"] != true {
		t.Errorf("zwolle's latest run: %v", seen["zwolle"]["latest_run"])
	}
}

// TestStaleLawRefusedByAPI: a final run of October 2026, past the indexation of 1 July
// 2026 for which the law data has no file, is refused through the API without
// "acknowledge_stale_law" (422, naming the field, the law file and the due date) and
// starts with it, recording who acknowledged it.
func TestStaleLawRefusedByAPI(t *testing.T) {
	t.Parallel()
	b := setupAPI(t)
	consulentZ := token(b.zwolle, "cons-z", "consulent")
	start := func(body string) (int, string) {
		req, _ := http.NewRequest(http.MethodPost, b.srv.URL+"/api/v1/tenants/zwolle/settlement/runs", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+consulentZ)
		req.Header.Set("Content-Type", "application/json")
		resp, err := b.srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		out, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(out)
	}
	status, body := start(`{"period": "2026-10"}`)
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, `"field":"acknowledge_stale_law"`) ||
		!strings.Contains(body, "data/2026-01-01.yaml") || !strings.Contains(body, "due on 2026-07-01") {
		t.Errorf("final run of 2026-10 without the acknowledgement: %d %s; want 422 naming the field, the file and the due date", status, body)
	}
	status, body = start(`{"period": "2026-10", "acknowledge_stale_law": true}`)
	if status != http.StatusCreated || !strings.Contains(body, `"stale_law_acknowledged_by":"cons-z"`) {
		t.Errorf("final run of 2026-10 with the acknowledgement: %d %s; want 201 recording cons-z", status, body)
	}
}
