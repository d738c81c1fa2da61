package tenancy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"

	kithttp "github.com/go-kit/kit/transport/http"

	"github.com/plein-nl/plein/platform/audit"
	"github.com/plein-nl/plein/platform/authz"
	"github.com/plein-nl/plein/platform/httpapi"
	"github.com/plein-nl/plein/platform/observe"
	"github.com/plein-nl/plein/platform/problem"
	"github.com/plein-nl/plein/platform/tenant"
)

// errBadRequest marks a request with invalid input.
var errBadRequest = errors.New("bad request")

// RegisterHTTP mounts the staff API on mux. Authentication happens before these
// handlers (the principal is in the request context); authorization inside the service.
func RegisterHTTP(mux httpapi.Router, e Endpoints, log *slog.Logger) {
	opts := []kithttp.ServerOption{
		kithttp.ServerBefore(kithttp.PopulateRequestContext),
		kithttp.ServerErrorEncoder(errorEncoder(log)),
	}
	// observe.Report passes the matched pattern out to the metrics middleware.
	mux.Handle("GET /api/v1/tenants", observe.Report(kithttp.NewServer(e.ListTenants,
		func(context.Context, *http.Request) (any, error) { return nil, nil }, encodeJSON, opts...)))
	mux.Handle("GET /api/v1/tenants/{tenant}/config", observe.Report(kithttp.NewServer(e.Config, decodeTenant, encodeJSON, opts...)))
	mux.Handle("GET /api/v1/tenants/{tenant}/audit", observe.Report(kithttp.NewServer(e.AuditLog, decodeAudit, encodeJSON, opts...)))
}

func decodeTenant(_ context.Context, r *http.Request) (any, error) {
	id, err := tenant.Parse(r.PathValue("tenant"))
	if err != nil {
		return nil, fmt.Errorf("%w: tenant: %w", errBadRequest, err)
	}
	return tenantRequest{Tenant: id}, nil
}

func decodeAudit(ctx context.Context, r *http.Request) (any, error) {
	tr, err := decodeTenant(ctx, r)
	if err != nil {
		return nil, err
	}
	q := r.URL.Query()
	f := audit.Filter{ObjectType: q.Get("object_type"), ObjectID: q.Get("object_id")}
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 1000 {
			return nil, fmt.Errorf("%w: limit: must be a whole number from 1 to 1000", errBadRequest)
		}
		f.Limit = n
	}
	return auditRequest{Tenant: tr.(tenantRequest).Tenant, Filter: f}, nil
}

func encodeJSON(_ context.Context, w http.ResponseWriter, resp any) error {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	return json.NewEncoder(w).Encode(resp)
}

// errorEncoder is the one place where this API's errors become HTTP statuses.
func errorEncoder(log *slog.Logger) kithttp.ErrorEncoder {
	return func(ctx context.Context, err error, w http.ResponseWriter) {
		path, _ := ctx.Value(kithttp.ContextKeyRequestPath).(string)
		r := requestWithPath(ctx, path)
		switch {
		case errors.Is(err, errBadRequest):
			problem.Write(w, r, problem.Details{Status: http.StatusBadRequest, Detail: err.Error()})
		case errors.Is(err, authz.ErrUnauthenticated):
			problem.Unauthorized(w, r, "authentication required")
		case errors.Is(err, authz.ErrForbidden):
			problem.Forbidden(w, r, "not allowed for this principal in this tenant")
		case errors.Is(err, ErrTenantNotFound):
			problem.NotFound(w, r, "unknown tenant")
		default:
			log.ErrorContext(ctx, "staff api: internal error", "err", err)
			problem.Internal(w, r)
		}
	}
}

// requestWithPath rebuilds the little of the request that a problem body names, from
// what go-kit left in the context.
func requestWithPath(ctx context.Context, path string) *http.Request {
	r, _ := http.NewRequestWithContext(ctx, http.MethodGet, "/", nil)
	r.URL.Path = path
	return r
}
