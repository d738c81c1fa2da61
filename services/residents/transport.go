package residents

import (
	"context"
	_ "embed"
	"errors"
	"log/slog"
	"net/http"

	"github.com/plein-nl/plein/platform/httpapi"
)

//go:embed openapi.yaml
var openAPI []byte

// OpenAPI returns the OpenAPI 3.1 description of the staff API RegisterHTTP mounts.
func OpenAPI() []byte { return append([]byte(nil), openAPI...) }

// problems answers the service's errors; no error text of this package holds a BSN.
var problems = []httpapi.Problem{
	{Err: ErrNotFound, Status: http.StatusNotFound, Detail: "no such resident in this tenant"},
	{Err: ErrDuplicateBSN, Status: http.StatusConflict, Detail: ErrDuplicateBSN.Error(),
		DetailNL: "Er is in deze gemeente al een inwoner of partner met dit BSN."},
	{Err: ErrVersionConflict, Status: http.StatusConflict, Detail: ErrVersionConflict.Error(),
		DetailNL: "Iemand anders heeft deze gegevens net gewijzigd. Haal ze opnieuw op en probeer het nog eens."},
}

func newAPI(log *slog.Logger) *httpapi.API {
	return &httpapi.API{Name: "residents api", Log: log, Problems: problems, Names: dutchNames}
}

// RegisterHTTP mounts the staff API on mux. Authentication happens before these
// handlers (the principal is in the request context); authorization in the service
// (NewAuthorizing).
func RegisterHTTP(mux httpapi.Router, e Endpoints, log *slog.Logger) {
	api := newAPI(log)
	const base = "/api/v1/tenants/{tenant}/residents"
	api.Handle(mux, "POST "+base, e.Create, decodeCreate)
	// A BSN is sought with POST: in a URL it would end up in access logs, proxies and
	// browser histories. The GET-by-query form it replaces answers 400 saying so.
	api.Handle(mux, "POST "+base+"/search", e.FindByBSN, decodeSearch)
	api.Handle(mux, "GET "+base, refuse, decodeFindInURL)
	api.Handle(mux, "GET "+base+"/{id}", e.Get, decodeGet)
	api.Handle(mux, "PATCH "+base+"/{id}", e.Update, decodeUpdate)
}

func decodeCreate(_ context.Context, r *http.Request) (any, error) {
	var nr NewResident
	t, err := httpapi.TenantBody(r, &nr)
	return createRequest{Tenant: t, Resident: nr}, err
}

func decodeGet(_ context.Context, r *http.Request) (any, error) {
	t, err := httpapi.PathTenant(r)
	return getRequest{Tenant: t, ID: r.PathValue("id"), Purpose: httpapi.Purpose(r)}, err
}

// searchBody is the JSON body of POST …/residents/search.
type searchBody struct {
	BSN     BSNInput `json:"bsn"`
	Purpose string   `json:"purpose"`
}

func decodeSearch(_ context.Context, r *http.Request) (any, error) {
	var b searchBody
	t, err := httpapi.TenantBody(r, &b)
	return findRequest{Tenant: t, BSN: b.BSN, Purpose: b.Purpose}, err
}

// decodeFindInURL refuses the former GET …/residents?bsn=…: whatever the query, it
// points to POST …/residents/search, and never repeats the query.
func decodeFindInURL(_ context.Context, r *http.Request) (any, error) {
	if _, err := httpapi.PathTenant(r); err != nil {
		return nil, err
	}
	return nil, httpapi.Invalid("bsn",
		"a BSN is never sent in a URL: find a resident with POST /api/v1/tenants/{tenant}/residents/search "+
			`and the JSON body {"bsn": "…", "purpose": "…"}`,
		"Een BSN mag niet in een webadres staan. Zoek een inwoner met POST …/residents/search, met het BSN en het doel in de gegevens.")
}

// refuse is the endpoint behind decodeFindInURL, which always fails first.
func refuse(context.Context, any) (any, error) { return nil, errors.New("residents: unreachable") }

func decodeUpdate(_ context.Context, r *http.Request) (any, error) {
	var ch Changes
	t, version, err := httpapi.TenantChange(r, &ch)
	return updateRequest{Tenant: t, ID: r.PathValue("id"), Version: version, Changes: ch}, err
}
