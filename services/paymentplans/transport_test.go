package paymentplans

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	kithttp "github.com/go-kit/kit/transport/http"

	"github.com/plein-nl/plein/platform/authz"
	"github.com/plein-nl/plein/platform/httpapi"
	"github.com/plein-nl/plein/platform/httpapi/httpapitest"
)

func newTestServer(t *testing.T, svc Service, principals map[string]authz.Principal) *httptest.Server {
	t.Helper()
	return httpapitest.Server(t, RegisterHTTP, MakeEndpoints(svc, nil), principals)
}

// errorEncoder is the API's error encoder on log, for inputtest.CheckDataException.
func errorEncoder(log *slog.Logger) kithttp.ErrorEncoder { return newAPI(log).EncodeError }

var do = httpapitest.Do

func TestHTTPTransport(t *testing.T) {
	t.Parallel()
	b, fatima := setupFatima(t)
	jan := b.resident(t, enschede, bsnJan, "Jan de Vries")
	srv := newTestServer(t, b.svc, map[string]authz.Principal{
		"consulent": consulentEnschede, "zwolle": consulentZwolle, "shv": shvEnschede, "admin": adminEnschede,
	})
	base := "/api/v1/tenants/enschede/residents/" + fatima + "/plans"
	const body = `{"kind":"on_behalf","creditor_id":"zilveren-kruis","reference":"123456789","amount_cents":15850,
		"priority":10,"start_period":"2026-04","mandate_signed_on":"2026-03-01"}`

	resp, got := do(t, srv, "consulent", "POST", base, body, nil)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("request: %d %s", resp.StatusCode, got)
	}
	var created struct {
		ID     string `json:"id"`
		Status string `json:"status"`
	}
	if err := json.Unmarshal(got, &created); err != nil || created.Status != "requested" {
		t.Fatalf("created %s: %v", got, err)
	}
	plan := base + "/" + created.ID
	if loc := resp.Header.Get("Location"); loc != plan || resp.Header.Get("ETag") != `"1"` {
		t.Errorf("Location %q ETag %q", loc, resp.Header.Get("ETag"))
	}
	otherBase := "/api/v1/tenants/enschede/residents/" + jan + "/plans"
	const purposeQ = "?purpose=zaak+2026-0042"
	shortfalls := "/api/v1/tenants/enschede/residents/" + fatima + "/shortfalls"
	unknownResident := "/api/v1/tenants/enschede/residents/00000000-0000-4000-8000-000000000000"

	tests := []httpapitest.Case{
		{Name: "list", Principal: "consulent", Method: "GET", Path: base + purposeQ, WantStatus: 200},
		{Name: "list, purpose in header", Principal: "consulent", Method: "GET", Path: base, Header: map[string]string{httpapi.PurposeHeader: "zaak 2026-0042"}, WantStatus: 200},
		{Name: "list without purpose", Principal: "consulent", Method: "GET", Path: base, WantStatus: 400, WantFields: []string{"purpose"}},
		{Name: "list with a purpose too short", Principal: "consulent", Method: "GET", Path: base + "?purpose=zaak", WantStatus: 400, WantFields: []string{"purpose"}},
		{Name: "list of an unknown resident", Principal: "consulent", Method: "GET", Path: unknownResident + "/plans" + purposeQ, WantStatus: 404},
		{Name: "list by schuldhulp", Principal: "shv", Method: "GET", Path: base + purposeQ, WantStatus: 200},
		{Name: "get with events", Principal: "consulent", Method: "GET", Path: plan + purposeQ, WantStatus: 200},
		{Name: "get without purpose", Principal: "consulent", Method: "GET", Path: plan, WantStatus: 400, WantFields: []string{"purpose"}},
		{Name: "plan under another resident", Principal: "consulent", Method: "GET", Path: otherBase + "/" + created.ID + purposeQ, WantStatus: 404},
		{Name: "unknown plan", Principal: "consulent", Method: "POST", Path: base + "/00000000-0000-4000-8000-000000000000/approve", WantStatus: 404},
		{Name: "schuldhulp may not approve", Principal: "shv", Method: "POST", Path: plan + "/approve", WantStatus: 403},
		{Name: "admin may not read", Principal: "admin", Method: "GET", Path: base + purposeQ, WantStatus: 403},
		{Name: "zwolle", Principal: "zwolle", Method: "GET", Path: base + purposeQ, WantStatus: 403},
		{Name: "unauthenticated", Method: "GET", Path: base + purposeQ, WantStatus: 401},
		{Name: "reject without reason", Principal: "consulent", Method: "POST", Path: plan + "/reject", Body: `{"reason":""}`, WantStatus: 400, WantFields: []string{"reason"}},
		{Name: "patch without If-Match", Principal: "consulent", Method: "PATCH", Path: plan, Body: `{"priority":5}`, WantStatus: 428},
		{Name: "patch invalid", Principal: "consulent", Method: "PATCH", Path: plan, Body: `{"amount_cents":-5,"priority":0,"reference":"12"}`, Header: map[string]string{"If-Match": `"1"`}, WantStatus: 400,
			WantFields: []string{"amount_cents", "priority", "reference"}},
		{Name: "patch stale", Principal: "consulent", Method: "PATCH", Path: plan, Body: `{"priority":5}`, Header: map[string]string{"If-Match": `"9"`}, WantStatus: 409},
		{Name: "approve", Principal: "consulent", Method: "POST", Path: plan + "/approve", WantStatus: 200},
		{Name: "approve again", Principal: "consulent", Method: "POST", Path: plan + "/approve", WantStatus: 409},
		{Name: "invalid request", Principal: "consulent", Method: "POST", Path: base, Body: `{"kind":"on_behalf","creditor_id":"onbekend","reference":"1","amount_cents":-1,"priority":1,"start_period":"2026-04","end_period":"2026-03","mandate_signed_on":"2026-03-01"}`, WantStatus: 400,
			WantFields: []string{"creditor_id", "amount_cents", "end_period"}},
		{Name: "unknown resident", Principal: "consulent", Method: "POST", Path: "/api/v1/tenants/enschede/residents/00000000-0000-4000-8000-000000000000/plans", Body: body, WantStatus: 404},
		{Name: "unknown field", Principal: "consulent", Method: "POST", Path: base, Body: `{"bsn":"999993653"}`, WantStatus: 400, WantFields: []string{"bsn"}},
		{Name: "not JSON", Principal: "consulent", Method: "POST", Path: base, Body: `kind=x`, Header: map[string]string{"Content-Type": "text/plain"}, WantStatus: 415},
		{Name: "shortfalls", Principal: "consulent", Method: "GET", Path: shortfalls + purposeQ, WantStatus: 200},
		{Name: "shortfalls without purpose", Principal: "consulent", Method: "GET", Path: shortfalls, WantStatus: 400, WantFields: []string{"purpose"}},
		{Name: "shortfalls of an unknown resident", Principal: "consulent", Method: "GET", Path: unknownResident + "/shortfalls" + purposeQ, WantStatus: 404},
		{Name: "export jsonl", Principal: "consulent", Method: "GET", Path: "/api/v1/tenants/enschede/creditors/zilveren-kruis/messages?since=2026-03-01", WantStatus: 200},
		{Name: "export csv", Principal: "consulent", Method: "GET", Path: "/api/v1/tenants/enschede/creditors/zilveren-kruis/messages?format=csv", WantStatus: 200},
		{Name: "export bad query", Principal: "consulent", Method: "GET", Path: "/api/v1/tenants/enschede/creditors/zilveren-kruis/messages?since=gisteren&format=xml", WantStatus: 400,
			WantFields: []string{"since", "format"}},
		{Name: "export unknown creditor", Principal: "consulent", Method: "GET", Path: "/api/v1/tenants/enschede/creditors/nope/messages", WantStatus: 404},
		{Name: "stop", Principal: "consulent", Method: "POST", Path: plan + "/stop", WantStatus: 200},
	}
	httpapitest.RunCases(t, srv, tests, nil)

	// Every staff read that succeeded is in the audit log with its purpose: three
	// lists, one get, the shortfalls; the refused ones are not.
	if n := auditedReads(t, b, fatima); n != 5 {
		t.Errorf("%d audit entries of reads of Fatima, want 5", n)
	}

	checkHistoryAndExport(t, srv, plan+purposeQ)
}

// auditedReads counts the audit entries of a staff read of residentID, each of which
// must be a read for zaak 2026-0042.
func auditedReads(t *testing.T, b *testBundle, residentID string) int {
	t.Helper()
	reads := 0
	for _, e := range b.residentAudit(t, enschede, residentID) {
		if e.Purpose != "zaak 2026-0042" || (e.Action != "paymentplan.read" && e.Action != "shortfall.read") {
			t.Errorf("audit entry %+v, want a read for zaak 2026-0042", e)
		}
		reads++
	}
	return reads
}

// checkHistoryAndExport reads the stopped plan's history over the API, and the
// creditor's export in both formats.
func checkHistoryAndExport(t *testing.T, srv *httptest.Server, plan string) {
	t.Helper()
	_, got := do(t, srv, "consulent", "GET", plan, "", nil)
	var withEvents struct {
		Status string `json:"status"`
		Events []struct {
			Action string `json:"action"`
		} `json:"events"`
	}
	if err := json.Unmarshal(got, &withEvents); err != nil || len(withEvents.Events) != 3 || withEvents.Status != "ended" {
		t.Errorf("plan with events: %s", got)
	}
	resp, got := do(t, srv, "consulent", "GET", "/api/v1/tenants/enschede/creditors/zilveren-kruis/messages", "", nil)
	if lines := strings.Split(strings.TrimSpace(string(got)), "\n"); len(lines) != 2 || resp.Header.Get("Content-Type") != "application/jsonl" ||
		!strings.Contains(lines[0], `"kind":"start"`) || !strings.Contains(lines[1], `"kind":"stop"`) {
		t.Errorf("jsonl export (%s): %s", resp.Header.Get("Content-Type"), got)
	}
	_, got = do(t, srv, "consulent", "GET", "/api/v1/tenants/enschede/creditors/zilveren-kruis/messages?format=csv", "", nil)
	rows := strings.Split(strings.TrimSpace(string(got)), "\n")
	if len(rows) != 3 || !strings.HasPrefix(rows[0], "message_id,created_at,kind") || !strings.Contains(rows[1], ",start,") ||
		!strings.Contains(rows[1], ",123456789,15850,EUR,2026-04,") {
		t.Errorf("csv export: %s", got)
	}
}

// TestOpenAPIDescribesEveryRoute checks that openapi.yaml describes exactly the
// routes RegisterHTTP mounts, each with the error responses its handler can give.
func TestOpenAPIDescribesEveryRoute(t *testing.T) {
	t.Parallel()
	httpapitest.CheckOpenAPI(t, OpenAPI(), httpapitest.Patterns(RegisterHTTP), 9)
}
