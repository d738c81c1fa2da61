package creditors

import (
	"context"
	_ "embed"
	"log/slog"
	"net/http"

	"github.com/plein-nl/plein/platform/httpapi"
)

//go:embed openapi.yaml
var openAPI []byte

// OpenAPI returns the OpenAPI 3.1 description of the staff API RegisterHTTP mounts.
func OpenAPI() []byte { return append([]byte(nil), openAPI...) }

// problems answers the service's errors.
var problems = []httpapi.Problem{
	{Err: ErrNotFound, Status: http.StatusNotFound, Detail: "no such creditor in the catalogue or this tenant"},
	{Err: ErrDuplicate, Status: http.StatusConflict, DetailNL: "Deze schuldeiser bestaat al. Kies hem uit de lijst.", Field: "name"},
}

func newAPI(log *slog.Logger) *httpapi.API {
	return &httpapi.API{Name: "creditors api", Log: log, Problems: problems, Names: dutchNames}
}

// RegisterHTTP mounts the staff API on mux. Authentication happens before these
// handlers (the principal is in the request context); authorization in the service
// (NewAuthorizing).
func RegisterHTTP(mux httpapi.Router, e Endpoints, log *slog.Logger) {
	api := newAPI(log)
	const base = "/api/v1/tenants/{tenant}/creditors"
	api.Handle(mux, "GET "+base, e.List, decodeList)
	api.Handle(mux, "POST "+base, e.Create, decodeCreate)
	api.Handle(mux, "GET "+base+"/{id}", e.Get, decodeGet)
}

func decodeList(_ context.Context, r *http.Request) (any, error) {
	t, err := httpapi.PathTenant(r)
	return listRequest{Tenant: t}, err
}

func decodeGet(_ context.Context, r *http.Request) (any, error) {
	t, err := httpapi.PathTenant(r)
	return getRequest{Tenant: t, ID: r.PathValue("id")}, err
}

func decodeCreate(_ context.Context, r *http.Request) (any, error) {
	var nc NewCreditor
	t, err := httpapi.TenantBody(r, &nc)
	return createRequest{Tenant: t, Creditor: nc}, err
}
