package paymentplans

import (
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/plein-nl/plein/platform/authz"
	"github.com/plein-nl/plein/platform/httpapi"
	"github.com/plein-nl/plein/platform/input/inputtest"
)

// TestHTTPInputHygiene sends hostile input to the payment plans API — texts in the
// reference, the reason of a rejection and the purpose of a read, a month in 9999 —
// each is a 400 naming the field, in Dutch too, and nothing is stored.
func TestHTTPInputHygiene(t *testing.T) {
	t.Parallel()
	b, fatima := setupFatima(t)
	srv := newTestServer(t, b.svc, map[string]authz.Principal{"consulent": consulentEnschede})
	base := "/api/v1/tenants/enschede/residents/" + fatima + "/plans"
	const body = `{"kind":"on_behalf","creditor_id":"zilveren-kruis","reference":"123456789","amount_cents":15850,
		"priority":10,"start_period":"2026-04","mandate_signed_on":"2026-03-01"}`

	post := func(path string) inputtest.Send {
		return func(body string) (int, []byte) {
			resp, got := do(t, srv, "consulent", http.MethodPost, path, body, nil)
			return resp.StatusCode, got
		}
	}
	inputtest.CheckFields(t, body, []inputtest.Field{{Name: "reference", Old: `"123456789"`}}, post(base))
	for _, tt := range []struct{ name, old, new, field string }{
		{"a start in 9999-12", `"2026-04"`, `"9999-12"`, "start_period"},
		{"a start 25 months ahead", `"2026-04"`, `"2028-04"`, "start_period"},
		{"an end in 9999-12", `"start_period"`, `"end_period":"9999-12","start_period"`, "end_period"},
		{"wrong JSON type", `15850`, `"15850"`, "amount_cents"},
		{"a month as a number", `"2026-04"`, `202604`, "start_period"},
		{"trailing garbage", `"2026-03-01"}`, `"2026-03-01"}}`, "body"},
	} {
		resp, got := do(t, srv, "consulent", http.MethodPost, base, strings.Replace(body, tt.old, tt.new, 1), nil)
		inputtest.Check(t, tt.name, resp.StatusCode, got, http.StatusBadRequest, tt.field)
	}
	if n := b.count(t, enschede, "SELECT count(*) FROM plans"); n != 0 {
		t.Fatalf("plans stored = %d, want 0", n)
	}

	pl := b.mustRequest(t, enschede, fatima, zorgpremie(), residentPrincipal(enschede, fatima))
	inputtest.CheckFields(t, `{"reason":"Geen machtiging."}`, []inputtest.Field{{Name: "reason", Old: `"Geen machtiging."`}},
		post(base+"/"+pl.ID+"/reject"))
	for _, q := range []string{"zaak%E2%80%AE+2026-0042", "%E2%80%8B%E2%80%8B%E2%80%8B%E2%80%8B%E2%80%8B%E2%80%8B", "zaak%C2%9B+2026-0042"} {
		resp, got := do(t, srv, "consulent", http.MethodGet, base+"?purpose="+q, "", nil)
		inputtest.Check(t, "purpose "+q, resp.StatusCode, got, http.StatusBadRequest, "purpose")
	}
	if n := b.count(t, enschede, "SELECT count(*) FROM plan_events WHERE plan_id = $1", pl.ID); n != 1 {
		t.Errorf("events of the plan = %d, want 1 (the request)", n)
	}
	if n := b.count(t, enschede, "SELECT count(*) FROM plans WHERE status = 'requested'"); n != 1 {
		t.Errorf("requested plans = %d, want 1", n)
	}
}

// TestPlanHorizon checks the bounds of a plan's months: a start at most 24 months
// after the current month (2026-03 in the tests), an end at most 120.
func TestPlanHorizon(t *testing.T) {
	t.Parallel()
	b, fatima := setupFatima(t)
	tests := []struct {
		start, end string
		field      string // the field refused, or "" when the plan is valid
	}{
		{"2028-03", "", ""},
		{"2028-04", "", "start_period"},
		{"9999-12", "", "start_period"},
		{"2026-04", "2036-03", ""},
		{"2026-04", "2036-04", "end_period"},
		{"2026-04", "9999-12", "end_period"},
	}
	for _, tt := range tests {
		np := zorgpremie()
		np.StartPeriod, np.EndPeriod, np.MandateSignedOn = tt.start, tt.end, "2026-03-01"
		_, err := b.svc.Request(as(consulentEnschede), enschede, fatima, np, ActorOf(consulentEnschede))
		var ve *httpapi.ValidationError
		switch {
		case tt.field == "" && err != nil:
			t.Errorf("start %s, end %s: err = %v, want nil", tt.start, tt.end, err)
		case tt.field != "" && (!errors.As(err, &ve) || !slices.ContainsFunc(ve.Fields, func(p httpapi.FieldError) bool {
			return p.Field == tt.field && p.NL != ""
		})):
			t.Errorf("start %s, end %s: err = %v, want a field error on %s", tt.start, tt.end, err, tt.field)
		}
	}
}

func TestDataExceptionIsAClientError(t *testing.T) {
	t.Parallel()
	inputtest.CheckDataException(t, errorEncoder)
}
