package paymentplans

import (
	"context"
	_ "embed"
	"encoding/csv"
	"encoding/json"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/plein-nl/plein/platform/httpapi"
	"github.com/plein-nl/plein/platform/tenant"
)

//go:embed openapi.yaml
var openAPI []byte

// OpenAPI returns the OpenAPI 3.1 description of the staff API RegisterHTTP mounts.
func OpenAPI() []byte { return append([]byte(nil), openAPI...) }

// problems answers the service's errors.
var problems = []httpapi.Problem{
	{Err: ErrNotFound, Status: http.StatusNotFound, Detail: "no such payment plan of this resident in this tenant"},
	{Err: ErrResidentNotFound, Status: http.StatusNotFound, Detail: "no such resident in this tenant"},
	{Err: ErrCreditorNotFound, Status: http.StatusNotFound, Detail: "no such creditor in the catalogue or this tenant"},
	{Err: ErrState, Status: http.StatusConflict, DetailNL: "Dit kan niet meer: de betaling is al goedgekeurd, afgewezen of gestopt."},
	{Err: ErrVersionConflict, Status: http.StatusConflict, Detail: ErrVersionConflict.Error(),
		DetailNL: "Iemand anders heeft deze betaling net gewijzigd. Haal haar opnieuw op en probeer het nog eens."},
}

func newAPI(log *slog.Logger) *httpapi.API {
	return &httpapi.API{Name: "paymentplans api", Log: log, Problems: problems, Names: dutchNames}
}

// RegisterHTTP mounts the staff API on mux. Authentication happens before these
// handlers (the principal is in the request context); authorization in the service
// (NewAuthorizing).
func RegisterHTTP(mux httpapi.Router, e Endpoints, log *slog.Logger) {
	api := newAPI(log)
	const base = "/api/v1/tenants/{tenant}/residents/{id}"
	const plan = base + "/plans/{plan}"
	api.Handle(mux, "POST "+base+"/plans", e.Request, decodeRequest)
	api.Handle(mux, "GET "+base+"/plans", e.List, decodeResident)
	api.Handle(mux, "GET "+plan, e.Get, decodePlan)
	api.Handle(mux, "PATCH "+plan, e.Change, decodeChange)
	api.Handle(mux, "POST "+plan+"/approve", e.Approve, decodePlan)
	api.Handle(mux, "POST "+plan+"/reject", e.Reject, decodeReject)
	api.Handle(mux, "POST "+plan+"/stop", e.Stop, decodePlan)
	api.Handle(mux, "GET "+base+"/shortfalls", e.Shortfalls, decodeResident)
	api.HandleEncoded(mux, "GET /api/v1/tenants/{tenant}/creditors/{id}/messages", e.Export, decodeExport, encodeExport)
}

func decodeResident(_ context.Context, r *http.Request) (any, error) {
	t, err := httpapi.PathTenant(r)
	if err != nil {
		return nil, err
	}
	return residentRequest{Tenant: t, ResidentID: r.PathValue("id"), Purpose: httpapi.Purpose(r)}, nil
}

func decodeRequest(_ context.Context, r *http.Request) (any, error) {
	var np NewPlan
	t, err := httpapi.TenantBody(r, &np)
	return requestRequest{Tenant: t, ResidentID: r.PathValue("id"), Plan: np}, err
}

func decodePlan(_ context.Context, r *http.Request) (any, error) {
	t, err := httpapi.PathTenant(r)
	return planOf(t, r), err
}

// planOf is the request on the plan of the path, in tenant t.
func planOf(t tenant.ID, r *http.Request) planRequest {
	return planRequest{Tenant: t, ResidentID: r.PathValue("id"), PlanID: r.PathValue("plan"), Purpose: httpapi.Purpose(r)}
}

func decodeReject(_ context.Context, r *http.Request) (any, error) {
	var body struct {
		Reason string `json:"reason"`
	}
	t, err := httpapi.TenantBody(r, &body)
	pr := planOf(t, r)
	pr.Reason = body.Reason
	return pr, err
}

func decodeChange(_ context.Context, r *http.Request) (any, error) {
	pr := planRequest{ResidentID: r.PathValue("id"), PlanID: r.PathValue("plan")}
	var err error
	pr.Tenant, pr.Version, err = httpapi.TenantChange(r, &pr.Changes)
	return pr, err
}

func decodeExport(_ context.Context, r *http.Request) (any, error) {
	t, err := httpapi.PathTenant(r)
	if err != nil {
		return nil, err
	}
	req := exportRequest{Tenant: t, CreditorID: r.PathValue("id")}
	var v validator
	q := r.URL.Query()
	if s := q.Get("since"); s != "" {
		if req.Since, err = time.Parse(time.RFC3339, s); err != nil {
			if req.Since, err = time.Parse(dateLayout, s); err != nil {
				v.add("since", "must be a time (RFC 3339, 2026-03-01T00:00:00Z) or a date (2026-03-01)",
					"Dit is geen goede datum of tijd. Schrijf bijvoorbeeld 2026-03-01.")
			}
		}
	}
	switch q.Get("format") {
	case "", "jsonl":
	case "csv":
		req.CSV = true
	default:
		v.add("format", "must be jsonl or csv", "Kies het formaat jsonl of csv.")
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	return req, nil
}

// exportColumns are the CSV columns of an export, in order.
var exportColumns = []string{"message_id", "created_at", "kind", "plan_id", "reference", "amount_cents", "currency",
	"start_period", "end_period", "delivered_at"}

// encodeExport writes messages as JSON lines (one MessagePayload with delivery
// state per line) or as CSV with a header row.
func encodeExport(_ context.Context, w http.ResponseWriter, resp any) error {
	r := resp.(exportResponse)
	w.Header().Set("Cache-Control", "no-store")
	if !r.csv {
		w.Header().Set("Content-Type", "application/jsonl")
		enc := json.NewEncoder(w)
		for _, m := range r.messages {
			line := struct {
				Message     json.RawMessage `json:"message"`
				DeliveredAt *time.Time      `json:"delivered_at"`
				Attempts    int             `json:"attempts"`
			}{m.Payload, m.DeliveredAt, m.Attempts}
			if err := enc.Encode(line); err != nil {
				return err
			}
		}
		return nil
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	cw := csv.NewWriter(w)
	if err := cw.Write(exportColumns); err != nil {
		return err
	}
	for _, m := range r.messages {
		var p MessagePayload
		if err := json.Unmarshal(m.Payload, &p); err != nil {
			return err
		}
		delivered := ""
		if m.DeliveredAt != nil {
			delivered = m.DeliveredAt.UTC().Format(time.RFC3339)
		}
		if err := cw.Write([]string{p.MessageID, p.CreatedAt, string(p.Kind), p.PlanID, cell(p.Reference),
			strconv.FormatInt(p.AmountCents, 10), p.Currency, p.StartPeriod, p.EndPeriod, delivered}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// cell keeps a spreadsheet from reading a value as a formula.
func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
