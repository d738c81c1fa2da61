package debts

import (
	"context"
	_ "embed"
	"log/slog"
	"net/http"
	"time"

	kithttp "github.com/go-kit/kit/transport/http"

	"github.com/plein-nl/plein/platform/httpapi"
)

//go:embed openapi.yaml
var openAPI []byte

// OpenAPI returns the OpenAPI 3.1 description of the API RegisterHTTP mounts.
func OpenAPI() []byte { return append([]byte(nil), openAPI...) }

// problems answers the service's errors; no error text of this package holds a BSN,
// and a conflict names the state that stood in the way, never personal data.
var problems = []httpapi.Problem{
	{Err: ErrResidentNotFound, Status: http.StatusNotFound, Detail: "no such resident in this tenant"},
	{Err: ErrNotFound, Status: http.StatusNotFound, Detail: "not found in this tenant"},
	{Err: ErrDuplicateSignal, Status: http.StatusConflict, Field: "reference"},
	{Err: ErrDuplicateDebt, Status: http.StatusConflict, Detail: ErrDuplicateDebt.Error(),
		DetailNL: "Deze schuld staat al bij deze inwoner: dezelfde schuldeiser en hetzelfde kenmerk."},
	{Err: ErrVersionConflict, Status: http.StatusConflict, Detail: ErrVersionConflict.Error(),
		DetailNL: "Iemand anders heeft deze schuld net gewijzigd. Haal de gegevens opnieuw op en probeer het nog eens."},
	{Err: ErrConflict, Status: http.StatusConflict, FromSentinel: true,
		DetailNL: "Dit kan nu niet meer, of nog niet. Haal de gegevens opnieuw op."},
}

func newAPI(log *slog.Logger) *httpapi.API {
	return &httpapi.API{Name: "debts api", Log: log, Problems: problems}
}

// RegisterHTTP mounts the staff and partner API on mux. Authentication happens before
// these handlers (the principal is in the request context: a schuldhulpverlener, or
// for POST …/partner/signals a creditor partner with Subject "creditor:<id>");
// authorization in the service (NewAuthorizing).
func RegisterHTTP(mux httpapi.Router, e Endpoints, log *slog.Logger) {
	api := newAPI(log)
	const (
		tenantBase = "/api/v1/tenants/{tenant}"
		resident   = tenantBase + "/residents/{id}"
		sh         = tenantBase + "/schuldhulp"
	)
	api.Handle(mux, "GET "+resident+"/debts", e.Debts, decodeResidentRead)
	api.Handle(mux, "POST "+resident+"/debts", e.CreateDebt, decodeCreateDebt)
	api.Handle(mux, "PATCH "+resident+"/debts/{debt}", e.UpdateDebt, decodeUpdateDebt)
	api.Handle(mux, "GET "+sh+"/queue", e.Queue, decodeTenant)
	api.Handle(mux, "POST "+sh+"/signals/{item}/contact", e.RecordContact, decodeContact)
	api.Handle(mux, "POST "+sh+"/signals/{item}/accept", e.AcceptHelp, decodeItem)
	api.Handle(mux, "POST "+sh+"/signals/{item}/decline", e.DeclineHelp, decodeItem)
	api.Handle(mux, "POST "+sh+"/signals/{item}/resident", e.LinkSignal, decodeLink)
	api.Handle(mux, "POST "+sh+"/requests", e.Request, decodeRequest)
	api.Handle(mux, "POST "+sh+"/requests/{item}/contact", e.RecordContact, decodeContact)
	api.Handle(mux, "GET "+resident+"/plan-van-aanpak", e.Plan, decodeResidentRead)
	api.Handle(mux, "POST "+resident+"/plan-van-aanpak", e.SavePlan, decodePlan)
	api.Handle(mux, "GET "+resident+"/traject", e.Traject, decodeResidentRead)
	api.Handle(mux, "POST "+resident+"/traject", e.StartTraject, decodeTraject)
	api.Handle(mux, "POST "+resident+"/traject/offers/{creditor}/accept", e.DecideOffer, decodeOffer(true))
	api.Handle(mux, "POST "+resident+"/traject/offers/{creditor}/reject", e.DecideOffer, decodeOffer(false))
	api.Handle(mux, "POST "+tenantBase+"/partner/signals", e.SubmitSignal, decodeSignal)
}

func decodeTenant(_ context.Context, r *http.Request) (any, error) {
	t, err := httpapi.PathTenant(r)
	return tenantRequest{Tenant: t}, err
}

func decodeResidentRead(_ context.Context, r *http.Request) (any, error) {
	t, err := httpapi.PathTenant(r)
	return residentRequest{Tenant: t, Resident: r.PathValue("id"), Purpose: httpapi.Purpose(r)}, err
}

func decodeCreateDebt(_ context.Context, r *http.Request) (any, error) {
	var nd NewDebt
	t, err := httpapi.TenantBody(r, &nd)
	return createDebtRequest{Tenant: t, Resident: r.PathValue("id"), Debt: nd}, err
}

func decodeUpdateDebt(_ context.Context, r *http.Request) (any, error) {
	var ch DebtChanges
	t, version, err := httpapi.TenantChange(r, &ch)
	return updateDebtRequest{Tenant: t, Resident: r.PathValue("id"), Debt: r.PathValue("debt"), Version: version, Changes: ch}, err
}

func decodeItem(_ context.Context, r *http.Request) (any, error) {
	t, err := httpapi.PathTenant(r)
	return itemRequest{Tenant: t, ID: r.PathValue("item")}, err
}

func decodeContact(_ context.Context, r *http.Request) (any, error) {
	t, err := httpapi.PathTenant(r)
	if err != nil {
		return nil, err
	}
	var body struct {
		At string `json:"at"` // RFC 3339; empty means now
	}
	if err := httpapi.DecodeBody(r, &body, httpapi.MaxBody, true); err != nil {
		return nil, err
	}
	var at time.Time
	if body.At != "" {
		if at, err = time.Parse(time.RFC3339, body.At); err != nil {
			return nil, invalidField("at", "not an RFC 3339 time", "Dit is geen goed tijdstip. Schrijf het zo: 2026-04-03T10:00:00+02:00.")
		}
	}
	return contactRequest{Tenant: t, ID: r.PathValue("item"), At: at}, nil
}

func decodeLink(_ context.Context, r *http.Request) (any, error) {
	var body struct {
		ResidentID string `json:"resident_id"`
	}
	t, err := httpapi.TenantBody(r, &body)
	return linkRequest{Tenant: t, ID: r.PathValue("item"), ResidentID: body.ResidentID}, err
}

func decodeRequest(_ context.Context, r *http.Request) (any, error) {
	var nr NewRequest
	t, err := httpapi.TenantBody(r, &nr)
	return requestRequest{Tenant: t, Request: nr}, err
}

func decodePlan(_ context.Context, r *http.Request) (any, error) {
	var np NewPlan
	t, err := httpapi.TenantBody(r, &np)
	return planRequest{Tenant: t, Resident: r.PathValue("id"), Plan: np}, err
}

func decodeTraject(_ context.Context, r *http.Request) (any, error) {
	var nt NewTraject
	t, err := httpapi.TenantBody(r, &nt)
	return trajectRequest{Tenant: t, Resident: r.PathValue("id"), Traject: nt}, err
}

func decodeOffer(accept bool) kithttp.DecodeRequestFunc {
	return func(_ context.Context, r *http.Request) (any, error) {
		t, err := httpapi.PathTenant(r)
		return offerRequest{Tenant: t, Resident: r.PathValue("id"), Creditor: r.PathValue("creditor"), Accept: accept}, err
	}
}

func decodeSignal(_ context.Context, r *http.Request) (any, error) {
	var ns NewSignal
	t, err := httpapi.TenantBody(r, &ns)
	return signalRequest{Tenant: t, Signal: ns}, err
}
