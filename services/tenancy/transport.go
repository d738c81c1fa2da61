package tenancy

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/plein-nl/plein/platform/audit"
	"github.com/plein-nl/plein/platform/httpapi"
)

// dutchNames names the fields of the staff and operator APIs in Dutch, for detail_nl.
var dutchNames = map[string]string{"tenant": "gemeente", "limit": "aantal", "reason": "reden", "body": "gegevens"}

// RegisterHTTP mounts the staff API on mux. Authentication happens before these
// handlers (the principal is in the request context); authorization inside the service.
func RegisterHTTP(mux httpapi.Router, e Endpoints, log *slog.Logger) {
	api := &httpapi.API{Name: "staff api", Log: log, Names: dutchNames, Problems: []httpapi.Problem{
		{Err: ErrTenantNotFound, Status: http.StatusNotFound, Detail: "unknown tenant"},
	}}
	api.Handle(mux, "GET /api/v1/tenants", e.ListTenants, httpapi.NoRequest)
	api.Handle(mux, "GET /api/v1/tenants/{tenant}/config", e.Config, decodeTenant)
	api.Handle(mux, "GET /api/v1/tenants/{tenant}/audit", e.AuditLog, decodeAudit)
}

func decodeTenant(_ context.Context, r *http.Request) (any, error) {
	id, err := httpapi.PathTenant(r)
	return tenantRequest{Tenant: id}, err
}

func decodeAudit(_ context.Context, r *http.Request) (any, error) {
	id, err := httpapi.PathTenant(r)
	if err != nil {
		return nil, err
	}
	q := r.URL.Query()
	f := audit.Filter{ObjectType: q.Get("object_type"), ObjectID: q.Get("object_id")}
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 1000 {
			return nil, httpapi.Invalid("limit", "must be a whole number from 1 to 1000", "Vul een heel getal in van 1 tot en met 1000.")
		}
		f.Limit = n
	}
	return auditRequest{Tenant: id, Filter: f}, nil
}
