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
	b := setup(t)
	fatima := b.resident(t, enschede, bsnFatima, "Fatima el Amrani")
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

	tests := []struct {
		name, principal, method, path, body string
		hdr                                 map[string]string
		wantStatus                          int
		wantFields                          []string
	}{
		{"list", "consulent", "GET", base + purposeQ, "", nil, 200, nil},
		{"list, purpose in header", "consulent", "GET", base, "", map[string]string{httpapi.PurposeHeader: "zaak 2026-0042"}, 200, nil},
		{"list without purpose", "consulent", "GET", base, "", nil, 400, []string{"purpose"}},
		{"list with a purpose too short", "consulent", "GET", base + "?purpose=zaak", "", nil, 400, []string{"purpose"}},
		{"list of an unknown resident", "consulent", "GET", unknownResident + "/plans" + purposeQ, "", nil, 404, nil},
		{"list by schuldhulp", "shv", "GET", base + purposeQ, "", nil, 200, nil},
		{"get with events", "consulent", "GET", plan + purposeQ, "", nil, 200, nil},
		{"get without purpose", "consulent", "GET", plan, "", nil, 400, []string{"purpose"}},
		{"plan under another resident", "consulent", "GET", otherBase + "/" + created.ID + purposeQ, "", nil, 404, nil},
		{"unknown plan", "consulent", "POST", base + "/00000000-0000-4000-8000-000000000000/approve", "", nil, 404, nil},
		{"schuldhulp may not approve", "shv", "POST", plan + "/approve", "", nil, 403, nil},
		{"admin may not read", "admin", "GET", base + purposeQ, "", nil, 403, nil},
		{"zwolle", "zwolle", "GET", base + purposeQ, "", nil, 403, nil},
		{"unauthenticated", "", "GET", base + purposeQ, "", nil, 401, nil},
		{"reject without reason", "consulent", "POST", plan + "/reject", `{"reason":""}`, nil, 400, []string{"reason"}},
		{"patch without If-Match", "consulent", "PATCH", plan, `{"priority":5}`, nil, 428, nil},
		{"patch invalid", "consulent", "PATCH", plan, `{"amount_cents":-5,"priority":0,"reference":"12"}`, map[string]string{"If-Match": `"1"`}, 400,
			[]string{"amount_cents", "priority", "reference"}},
		{"patch stale", "consulent", "PATCH", plan, `{"priority":5}`, map[string]string{"If-Match": `"9"`}, 409, nil},
		{"approve", "consulent", "POST", plan + "/approve", "", nil, 200, nil},
		{"approve again", "consulent", "POST", plan + "/approve", "", nil, 409, nil},
		{"invalid request", "consulent", "POST", base, `{"kind":"on_behalf","creditor_id":"onbekend","reference":"1","amount_cents":-1,"priority":1,"start_period":"2026-04","end_period":"2026-03","mandate_signed_on":"2026-03-01"}`, nil, 400,
			[]string{"creditor_id", "amount_cents", "end_period"}},
		{"unknown resident", "consulent", "POST", "/api/v1/tenants/enschede/residents/00000000-0000-4000-8000-000000000000/plans", body, nil, 404, nil},
		{"unknown field", "consulent", "POST", base, `{"bsn":"999993653"}`, nil, 400, []string{"bsn"}},
		{"not JSON", "consulent", "POST", base, `kind=x`, map[string]string{"Content-Type": "text/plain"}, 415, nil},
		{"shortfalls", "consulent", "GET", shortfalls + purposeQ, "", nil, 200, nil},
		{"shortfalls without purpose", "consulent", "GET", shortfalls, "", nil, 400, []string{"purpose"}},
		{"shortfalls of an unknown resident", "consulent", "GET", unknownResident + "/shortfalls" + purposeQ, "", nil, 404, nil},
		{"export jsonl", "consulent", "GET", "/api/v1/tenants/enschede/creditors/zilveren-kruis/messages?since=2026-03-01", "", nil, 200, nil},
		{"export csv", "consulent", "GET", "/api/v1/tenants/enschede/creditors/zilveren-kruis/messages?format=csv", "", nil, 200, nil},
		{"export bad query", "consulent", "GET", "/api/v1/tenants/enschede/creditors/zilveren-kruis/messages?since=gisteren&format=xml", "", nil, 400,
			[]string{"since", "format"}},
		{"export unknown creditor", "consulent", "GET", "/api/v1/tenants/enschede/creditors/nope/messages", "", nil, 404, nil},
		{"stop", "consulent", "POST", plan + "/stop", "", nil, 200, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, got := do(t, srv, tt.principal, tt.method, tt.path, tt.body, tt.hdr)
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status %d, want %d; body %s", resp.StatusCode, tt.wantStatus, got)
			}
			if tt.wantStatus == 200 {
				return
			}
			httpapitest.CheckProblem(t, resp, got, tt.wantStatus, tt.wantFields)
		})
	}

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
