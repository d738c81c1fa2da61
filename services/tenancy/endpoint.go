package tenancy

import (
	"context"

	"github.com/go-kit/kit/endpoint"

	"github.com/plein-nl/plein/platform/audit"
	"github.com/plein-nl/plein/platform/httpapi"
	"github.com/plein-nl/plein/platform/tenant"
)

// Endpoints are the service's go-kit endpoints.
type Endpoints struct {
	ListTenants endpoint.Endpoint
	Config      endpoint.Endpoint
	AuditLog    endpoint.Endpoint
}

// MakeEndpoints wraps each method of s in an endpoint, with mw applied to each
// (instrumenting, logging) under the method's name.
func MakeEndpoints(s Service, mw httpapi.Middleware) Endpoints {
	return Endpoints{
		ListTenants: mw.Wrap("ListTenants", listEndpoint(s.ListTenants)),
		Config:      mw.Wrap("Config", tenantEndpoint(s.Config)),
		AuditLog: mw.Wrap("AuditLog", func(ctx context.Context, req any) (any, error) {
			r := req.(auditRequest)
			es, err := s.AuditLog(ctx, r.Tenant, r.Filter)
			return auditResponse{Entries: toAPIAudit(es)}, err
		}),
	}
}

type tenantRequest struct{ Tenant tenant.ID }

// listEndpoint answers with the tenant list that list returns: the staff API's
// ListTenants and the operators' Tenants.
func listEndpoint(list func(context.Context) ([]TenantSummary, error)) endpoint.Endpoint {
	return func(ctx context.Context, _ any) (any, error) {
		ts, err := list(ctx)
		return listResponse{Tenants: ts}, err
	}
}

// tenantEndpoint answers a request about the tenant in the path with what get returns
// for it.
func tenantEndpoint[T any](get func(context.Context, tenant.ID) (T, error)) endpoint.Endpoint {
	return func(ctx context.Context, req any) (any, error) {
		return get(ctx, req.(tenantRequest).Tenant)
	}
}

type auditRequest struct {
	Tenant tenant.ID
	Filter audit.Filter
}

type listResponse struct {
	Tenants []TenantSummary `json:"tenants"`
}

type auditResponse struct {
	Entries []apiAuditEntry `json:"entries"`
}

type apiAuditEntry struct {
	ID         int64  `json:"id"`
	At         string `json:"at"`
	Actor      string `json:"actor"`
	Role       string `json:"role"`
	Action     string `json:"action"`
	ObjectType string `json:"object_type"`
	ObjectID   string `json:"object_id"`
	Purpose    string `json:"purpose"`
	RequestID  string `json:"request_id,omitempty"`
}

func toAPIAudit(es []audit.Entry) []apiAuditEntry { return httpapi.List(es, toAPIAuditEntry) }

func toAPIAuditEntry(e audit.Entry) apiAuditEntry {
	return apiAuditEntry{ID: e.ID, At: e.At.UTC().Format("2006-01-02T15:04:05Z"), Actor: e.Actor, Role: e.Role,
		Action: e.Action, ObjectType: e.ObjectType, ObjectID: e.ObjectID, Purpose: e.Purpose, RequestID: e.RequestID}
}
