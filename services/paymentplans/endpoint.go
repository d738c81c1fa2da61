package paymentplans

import (
	"context"
	"net/http"
	"time"

	"github.com/go-kit/kit/endpoint"

	"github.com/plein-nl/plein/platform/authz"
	"github.com/plein-nl/plein/platform/httpapi"
	"github.com/plein-nl/plein/platform/tenant"
)

// Endpoints are the service's go-kit endpoints: the staff API. Active and
// RecordShortfalls have none on purpose: they are the system's own.
type Endpoints struct {
	Request    endpoint.Endpoint
	List       endpoint.Endpoint
	Get        endpoint.Endpoint
	Change     endpoint.Endpoint
	Approve    endpoint.Endpoint
	Reject     endpoint.Endpoint
	Stop       endpoint.Endpoint
	Shortfalls endpoint.Endpoint
	Export     endpoint.Endpoint
}

// MakeEndpoints wraps each staff method of s in an endpoint, with mw applied to each
// (instrumenting, logging) under the method's name. The actor of every act is the
// principal of the request (ActorOf). The reads (List, Get, Shortfalls) call the
// audited StaffList, StaffGet and StaffShortfalls with the request's purpose.
func MakeEndpoints(s Service, mw httpapi.Middleware) Endpoints {
	by := func(ctx context.Context) Actor { return ActorOf(authz.PrincipalFrom(ctx)) }
	// act checks that the plan in the path is the resident's in the path, then acts.
	act := func(do func(ctx context.Context, r planRequest) (Plan, error)) endpoint.Endpoint {
		return func(ctx context.Context, req any) (any, error) {
			r := req.(planRequest)
			cur, err := s.Get(ctx, r.Tenant, r.PlanID)
			if err != nil {
				return nil, err
			}
			if cur.ResidentID != r.ResidentID {
				return nil, ErrNotFound
			}
			p, err := do(ctx, r)
			if err != nil {
				return nil, err
			}
			return httpapi.Response{Version: p.Version, Body: toAPI(p)}, nil
		}
	}
	return Endpoints{
		Request: mw.Wrap("Request", func(ctx context.Context, req any) (any, error) {
			r := req.(requestRequest)
			p, err := s.Request(ctx, r.Tenant, r.ResidentID, r.Plan, by(ctx))
			if err != nil {
				return nil, err
			}
			return httpapi.Response{Status: http.StatusCreated, Version: p.Version, Body: toAPI(p),
				Location: "/api/v1/tenants/" + string(r.Tenant) + "/residents/" + p.ResidentID + "/plans/" + p.ID}, nil
		}),
		List: mw.Wrap("List", httpapi.Endpoint(func(ctx context.Context, r residentRequest) ([]Plan, error) {
			return s.StaffList(ctx, r.Tenant, r.ResidentID, r.Purpose)
		}, toAPIList)),
		Get: mw.Wrap("Get", func(ctx context.Context, req any) (any, error) {
			r := req.(planRequest)
			p, evs, err := s.StaffGet(ctx, r.Tenant, r.ResidentID, r.PlanID, r.Purpose)
			if err != nil {
				return nil, err
			}
			a := toAPI(p)
			for _, e := range evs {
				a.Events = append(a.Events, apiEvent{Seq: e.Seq, At: e.At.UTC().Format(time.RFC3339), Actor: e.Actor, Role: e.Role,
					Action: string(e.Action), From: string(e.From), To: string(e.To), Reason: e.Reason})
			}
			return httpapi.Response{Version: p.Version, Body: a}, nil
		}),
		Change: mw.Wrap("Change", act(func(ctx context.Context, r planRequest) (Plan, error) {
			return s.Change(ctx, r.Tenant, r.PlanID, r.Version, r.Changes, by(ctx))
		})),
		Approve: mw.Wrap("Approve", act(func(ctx context.Context, r planRequest) (Plan, error) {
			return s.Approve(ctx, r.Tenant, r.PlanID, by(ctx))
		})),
		Reject: mw.Wrap("Reject", act(func(ctx context.Context, r planRequest) (Plan, error) {
			return s.Reject(ctx, r.Tenant, r.PlanID, r.Reason, by(ctx))
		})),
		Stop: mw.Wrap("Stop", act(func(ctx context.Context, r planRequest) (Plan, error) {
			return s.Stop(ctx, r.Tenant, r.PlanID, by(ctx))
		})),
		Shortfalls: mw.Wrap("Shortfalls", httpapi.Endpoint(func(ctx context.Context, r residentRequest) ([]Shortfall, error) {
			return s.StaffShortfalls(ctx, r.Tenant, r.ResidentID, r.Purpose)
		}, toAPIShortfalls)),
		Export: mw.Wrap("Export", func(ctx context.Context, req any) (any, error) {
			r := req.(exportRequest)
			ms, err := s.Export(ctx, r.Tenant, r.CreditorID, r.Since)
			if err != nil {
				return nil, err
			}
			return exportResponse{messages: ms, csv: r.CSV}, nil
		}),
	}
}

type requestRequest struct {
	Tenant     tenant.ID
	ResidentID string
	Plan       NewPlan
}

type residentRequest struct {
	Tenant     tenant.ID
	ResidentID string
	Purpose    string
}

type planRequest struct {
	Tenant     tenant.ID
	ResidentID string
	PlanID     string
	Purpose    string // of a read (Get)
	Version    int
	Changes    Changes
	Reason     string
}

type exportRequest struct {
	Tenant     tenant.ID
	CreditorID string
	Since      time.Time
	CSV        bool
}

// apiPlan is a plan as the staff API shows it.
type apiPlan struct {
	ID          string      `json:"id"`
	ResidentID  string      `json:"resident_id"`
	Kind        string      `json:"kind"`
	CreditorID  string      `json:"creditor_id"`
	Reference   string      `json:"reference"`
	AmountCents int64       `json:"amount_cents"`
	Priority    int         `json:"priority"`
	StartPeriod string      `json:"start_period"`
	EndPeriod   *string     `json:"end_period"`
	Status      string      `json:"status"`
	Mandate     *apiMandate `json:"mandate"`
	RequestedBy string      `json:"requested_by"`
	ApprovedBy  string      `json:"approved_by,omitempty"`
	ApprovedAt  string      `json:"approved_at,omitempty"`
	Version     int         `json:"version"`
	CreatedAt   string      `json:"created_at"`
	UpdatedAt   string      `json:"updated_at"`
	Events      []apiEvent  `json:"events,omitempty"`
}

type apiMandate struct {
	GivenBy   string `json:"given_by"`
	GivenAt   string `json:"given_at"`
	RevokedAt string `json:"revoked_at,omitempty"`
}

type apiEvent struct {
	Seq    int    `json:"seq"`
	At     string `json:"at"`
	Actor  string `json:"actor"`
	Role   string `json:"role"`
	Action string `json:"action"`
	From   string `json:"from,omitempty"`
	To     string `json:"to"`
	Reason string `json:"reason,omitempty"`
}

type apiShortfall struct {
	PlanID         string `json:"plan_id"`
	CreditorID     string `json:"creditor_id"`
	Kind           string `json:"kind"`
	Period         string `json:"period"`
	RequestedCents int64  `json:"requested_cents"`
	AppliedCents   int64  `json:"applied_cents"`
	ShortfallCents int64  `json:"shortfall_cents"`
	RecordedAt     string `json:"recorded_at"`
	Signalled      bool   `json:"signalled"`
}

// toAPI is the converter to the staff API's view.
func toAPI(p Plan) apiPlan {
	a := apiPlan{ID: p.ID, ResidentID: p.ResidentID, Kind: string(p.Kind), CreditorID: p.CreditorID, Reference: p.Reference,
		AmountCents: int64(p.Amount), Priority: p.Priority, StartPeriod: p.Start.String(), Status: string(p.Status),
		RequestedBy: p.RequestedBy, ApprovedBy: p.ApprovedBy, Version: p.Version,
		CreatedAt: p.CreatedAt.UTC().Format(time.RFC3339), UpdatedAt: p.UpdatedAt.UTC().Format(time.RFC3339)}
	if p.End != nil {
		e := p.End.String()
		a.EndPeriod = &e
	}
	if p.ApprovedAt != nil {
		a.ApprovedAt = p.ApprovedAt.UTC().Format(time.RFC3339)
	}
	if m := p.Mandate; m != nil {
		a.Mandate = &apiMandate{GivenBy: string(m.GivenBy), GivenAt: m.GivenAt.UTC().Format(time.RFC3339)}
		if m.RevokedAt != nil {
			a.Mandate.RevokedAt = m.RevokedAt.UTC().Format(time.RFC3339)
		}
	}
	return a
}

type listResponse struct {
	Plans []apiPlan `json:"plans"`
}

// toAPIList is the converter of a resident's plans to the staff API's list.
func toAPIList(ps []Plan) listResponse { return listResponse{Plans: httpapi.List(ps, toAPI)} }

type shortfallsResponse struct {
	Shortfalls []apiShortfall `json:"shortfalls"`
}

// toAPIShortfalls is the converter of a resident's shortfalls to the staff API's list.
func toAPIShortfalls(ss []Shortfall) shortfallsResponse {
	return shortfallsResponse{Shortfalls: httpapi.List(ss, toAPIShortfall)}
}

func toAPIShortfall(sf Shortfall) apiShortfall {
	return apiShortfall{PlanID: sf.PlanID, CreditorID: sf.CreditorID, Kind: string(sf.Kind),
		Period: sf.Period.String(), RequestedCents: int64(sf.Requested), AppliedCents: int64(sf.Applied),
		ShortfallCents: int64(sf.Shortfall), RecordedAt: sf.RecordedAt.UTC().Format(time.RFC3339),
		Signalled: sf.SignalledAt != nil}
}

// exportResponse is written as JSON lines or CSV by encodeExport.
type exportResponse struct {
	messages []Message
	csv      bool
}
