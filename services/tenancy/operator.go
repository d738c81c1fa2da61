package tenancy

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/go-kit/kit/endpoint"

	"github.com/plein-nl/plein/platform/authz"
	"github.com/plein-nl/plein/platform/httpapi"
	"github.com/plein-nl/plein/platform/input"
	"github.com/plein-nl/plein/platform/tenant"
)

// The coöperatie operators' lifecycle API (coop-operator only, authorized for the
// coöperatie as a whole, so a gemeente's principal learns nothing of other tenants):
//
//	GET  /api/v1/operator/tenants                  tenants:list         every tenant with its status
//	GET  /api/v1/operator/tenants/{tenant}         tenant-config:read   its config, versions, events, offboarding
//	GET  /api/v1/operator/tenants/{tenant}/events  tenants:list         its lifecycle events
//	POST /api/v1/operator/tenants/{tenant}/suspend tenants:lifecycle    {"reason": "..."}
//	POST /api/v1/operator/tenants/{tenant}/resume  tenants:lifecycle    {"reason": "..."}
//
// The actor of a move is the authenticated principal. Offboarding is not here: it
// writes the export bundle, a file the operator takes from `plein tenant offboard`.

// Operator is the operators' lifecycle service. It authorizes nothing itself: wrap it
// with NewOperatorAuthorizing.
type Operator interface {
	Tenants(ctx context.Context) ([]TenantSummary, error)
	Tenant(ctx context.Context, id tenant.ID) (OperatorTenant, error)
	Events(ctx context.Context, id tenant.ID) ([]Event, error)
	// Move suspends (to StatusSuspended) or resumes (to StatusActive) a tenant.
	Move(ctx context.Context, id tenant.ID, to Status, actor, reason string) (Event, error)
}

// OperatorTenant is one tenant as the operators see it.
type OperatorTenant struct {
	Tenant      tenant.ID    `json:"tenant"`
	Name        string       `json:"name"`
	Status      Status       `json:"status"`
	Version     int          `json:"version"`
	Config      Config       `json:"config"`
	Versions    []Version    `json:"versions"`
	Events      []Event      `json:"events"`
	Offboarding *Offboarding `json:"offboarding,omitempty"`
}

// ErrNotByAPI is a move the API does not make (offboarding: it needs the export).
var ErrNotByAPI = errors.New("not a move of this API")

type operator struct{ store *Store }

// NewOperator returns the service on store, which must write as plein_control.
func NewOperator(store *Store) Operator { return &operator{store: store} }

func (o *operator) Tenants(ctx context.Context) ([]TenantSummary, error) { return o.store.List(ctx) }

func (o *operator) Tenant(ctx context.Context, id tenant.ID) (OperatorTenant, error) {
	st, err := o.store.Status(ctx, id)
	if err != nil {
		return OperatorTenant{}, err
	}
	hist, err := o.store.History(ctx, id)
	if err != nil {
		return OperatorTenant{}, err
	}
	cur, ok := InForce(hist)
	if !ok {
		cur = hist[len(hist)-1]
	}
	evs, err := o.store.Events(ctx, id)
	if err != nil {
		return OperatorTenant{}, err
	}
	t := OperatorTenant{Tenant: id, Name: cur.Config.Name, Status: st, Version: cur.Version, Config: cur.Config,
		Versions: hist, Events: evs}
	for i := range t.Versions {
		t.Versions[i].Config = Config{} // the versions list their diffs; the config in force is above
	}
	if ob, err := o.store.Offboarding(ctx, id); err == nil {
		t.Offboarding = &ob
	} else if !errors.Is(err, ErrTenantNotFound) {
		return OperatorTenant{}, err
	}
	return t, nil
}

func (o *operator) Events(ctx context.Context, id tenant.ID) ([]Event, error) {
	if _, err := o.store.Status(ctx, id); err != nil {
		return nil, err
	}
	return o.store.Events(ctx, id)
}

func (o *operator) Move(ctx context.Context, id tenant.ID, to Status, actor, reason string) (Event, error) {
	if to != StatusSuspended && to != StatusActive {
		return Event{}, fmt.Errorf("%w: to %s (offboarding writes an export: plein tenant offboard)", ErrNotByAPI, to)
	}
	return o.store.Transition(ctx, id, to, actor, reason)
}

type operatorAuthorizing struct {
	next Operator
	az   Authorizer
}

// NewOperatorAuthorizing wraps an Operator so that every call is authorized for the
// principal in the context, as a coöperatie-wide request, deny by default. The actor
// of a move is the principal.
func NewOperatorAuthorizing(next Operator, az Authorizer) Operator {
	return &operatorAuthorizing{next: next, az: az}
}

func (a *operatorAuthorizing) allow(ctx context.Context, obj authz.Object, act authz.Action) error {
	return a.az.AuthorizeCooperative(ctx, authz.PrincipalFrom(ctx), obj, act)
}

func (a *operatorAuthorizing) Tenants(ctx context.Context) ([]TenantSummary, error) {
	if err := a.allow(ctx, authz.ObjectTenants, authz.ActionList); err != nil {
		return nil, err
	}
	return a.next.Tenants(ctx)
}

func (a *operatorAuthorizing) Tenant(ctx context.Context, id tenant.ID) (OperatorTenant, error) {
	if err := a.allow(ctx, authz.ObjectTenantConfig, authz.ActionRead); err != nil {
		return OperatorTenant{}, err
	}
	return a.next.Tenant(ctx, id)
}

func (a *operatorAuthorizing) Events(ctx context.Context, id tenant.ID) ([]Event, error) {
	if err := a.allow(ctx, authz.ObjectTenants, authz.ActionList); err != nil {
		return nil, err
	}
	return a.next.Events(ctx, id)
}

func (a *operatorAuthorizing) Move(ctx context.Context, id tenant.ID, to Status, _, reason string) (Event, error) {
	if err := a.allow(ctx, authz.ObjectTenants, authz.ActionLifecycle); err != nil {
		return Event{}, err
	}
	return a.next.Move(ctx, id, to, authz.PrincipalFrom(ctx).Subject, reason)
}

// OperatorEndpoints are the operator API's go-kit endpoints.
type OperatorEndpoints struct {
	Tenants, Tenant, Events, Suspend, Resume endpoint.Endpoint
}

type moveRequest struct {
	Tenant tenant.ID
	Reason string
}

// MakeOperatorEndpoints wraps each method of s in an endpoint, with mw applied to each
// under the method's name.
func MakeOperatorEndpoints(s Operator, mw httpapi.Middleware) OperatorEndpoints {
	move := func(to Status) endpoint.Endpoint {
		return func(ctx context.Context, req any) (any, error) {
			r := req.(moveRequest)
			return s.Move(ctx, r.Tenant, to, "", r.Reason)
		}
	}
	return OperatorEndpoints{
		Tenants: mw.Wrap("OperatorTenants", listEndpoint(s.Tenants)),
		Tenant:  mw.Wrap("OperatorTenant", tenantEndpoint(s.Tenant)),
		Events: mw.Wrap("OperatorEvents", func(ctx context.Context, req any) (any, error) {
			evs, err := s.Events(ctx, req.(tenantRequest).Tenant)
			return eventsResponse{Events: evs}, err
		}),
		Suspend: mw.Wrap("OperatorSuspend", move(StatusSuspended)),
		Resume:  mw.Wrap("OperatorResume", move(StatusActive)),
	}
}

type eventsResponse struct {
	Events []Event `json:"events"`
}

// operatorProblems answers the operator API's errors: a missing reason is invalid
// input, 400, as everywhere in the API.
var operatorProblems = []httpapi.Problem{
	{Err: ErrReasonRequired, Status: http.StatusBadRequest, Detail: ErrReasonRequired.Error(), Field: "reason",
		DetailNL: "Vul een reden in (hoogstens 1000 tekens)."},
	{Err: authz.ErrForbidden, Status: http.StatusForbidden, Detail: "only the coöperatie's operators manage the tenants"},
	{Err: ErrTenantNotFound, Status: http.StatusNotFound, Detail: "unknown tenant"},
	{Err: ErrIllegalTransition, Status: http.StatusConflict},
	{Err: ErrNotByAPI, Status: http.StatusConflict},
}

// RegisterOperatorHTTP mounts the operator API on mux. Authentication happens before
// these handlers; authorization inside the service.
func RegisterOperatorHTTP(mux httpapi.Router, e OperatorEndpoints, log *slog.Logger) {
	api := &httpapi.API{Name: "operator api", Log: log, Problems: operatorProblems, Names: dutchNames}
	const base = "/api/v1/operator/tenants"
	api.Handle(mux, "GET "+base, e.Tenants, httpapi.NoRequest)
	api.Handle(mux, "GET "+base+"/{tenant}", e.Tenant, decodeOperatorTenant)
	api.Handle(mux, "GET "+base+"/{tenant}/events", e.Events, decodeOperatorTenant)
	api.Handle(mux, "POST "+base+"/{tenant}/suspend", e.Suspend, decodeMove)
	api.Handle(mux, "POST "+base+"/{tenant}/resume", e.Resume, decodeMove)
}

// decodeOperatorTenant reads the tenant of the path; an id that cannot be a tenant is
// one that does not exist.
func decodeOperatorTenant(_ context.Context, r *http.Request) (any, error) {
	id, err := tenant.Parse(r.PathValue("tenant"))
	if err != nil {
		return nil, fmt.Errorf("%w: %q", ErrTenantNotFound, r.PathValue("tenant"))
	}
	return tenantRequest{Tenant: id}, nil
}

func decodeMove(ctx context.Context, r *http.Request) (any, error) {
	tr, err := decodeOperatorTenant(ctx, r)
	if err != nil {
		return nil, err
	}
	var body struct {
		Reason string `json:"reason"`
	}
	if err := httpapi.DecodeBody(r, &body, 4096, false); err != nil {
		return nil, err
	}
	reason, pr := input.Rules{Max: 1000, MultiLine: true}.Clean(body.Reason)
	switch pr.Kind {
	case input.OK:
	case input.Forbidden:
		return nil, httpapi.Invalid("reason", "the reason "+pr.EN(), pr.NL())
	default:
		return nil, fmt.Errorf("reason: %w", ErrReasonRequired)
	}
	return moveRequest{Tenant: tr.(tenantRequest).Tenant, Reason: reason}, nil
}
