package settlement

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/go-kit/kit/endpoint"

	"github.com/plein-nl/plein/platform/authz"
	"github.com/plein-nl/plein/platform/bijstand"
	"github.com/plein-nl/plein/platform/httpapi"
	"github.com/plein-nl/plein/platform/input"
	"github.com/plein-nl/plein/platform/tenant"
)

// The staff and operator API of settlement runs:
//
//	POST /api/v1/tenants/{tenant}/settlement/runs                  {"period": "YYYY-MM", "dry_run": bool, "acknowledge_stale_law": bool}  settlement:run
//	GET  /api/v1/tenants/{tenant}/settlement/runs                  settlement:read
//	GET  /api/v1/tenants/{tenant}/settlement/runs/{id}             settlement:read (status, progress, failures, duration, report)
//	GET  /api/v1/tenants/{tenant}/settlement/runs/{id}/diff        settlement:read (?change=new,gone,changed,unchanged&after=&limit=)
//	POST /api/v1/tenants/{tenant}/settlement/runs/{id}/approve     settlement:approve (not who started it)
//	POST /api/v1/tenants/{tenant}/settlement/runs/{id}/cancel      settlement:run {"reason": "..."}
//	GET  /api/v1/tenants/{tenant}/settlement/runs/{id}/files       settlement:read
//	GET  /api/v1/tenants/{tenant}/settlement/runs/{id}/files/{name} settlement:read (the file itself)
//	GET  /api/v1/settlement/runs                                   settlement:read for the coöperatie (every gemeente)

// Endpoints are the API's go-kit endpoints, authorized with casbin.
type Endpoints struct {
	Start, List, Get, Diff, Approve, Cancel, Files, File endpoint.Endpoint
	// Overview is the coöperatie operators' view across gemeenten.
	Overview endpoint.Endpoint
}

type runRequest struct {
	Tenant tenant.ID
	ID     string
}

type startRequest struct {
	Tenant tenant.ID
	Period bijstand.Period
	DryRun bool
	// AcknowledgeStaleLaw is StartOptions.AcknowledgeStaleLaw.
	AcknowledgeStaleLaw bool
}

type cancelRequest struct {
	runRequest
	Reason string
}

type diffRequest struct {
	runRequest
	Options DiffOptions
}

type fileRequest struct {
	runRequest
	Name string
}

type listResponse struct {
	Runs []Run `json:"runs"`
}

type overviewResponse struct {
	Tenants []TenantRuns `json:"tenants"`
}

type filesResponse struct {
	Files []File `json:"files"`
}

// MakeEndpoints wraps s; every endpoint authorizes the principal in the request's
// context for the tenant in the path with az first.
func MakeEndpoints(s *Service, az *authz.Authorizer, mw httpapi.Middleware) Endpoints {
	return Endpoints{
		Overview: mw.Wrap("Overview", func(ctx context.Context, _ any) (any, error) {
			if err := az.AuthorizeCooperative(ctx, authz.PrincipalFrom(ctx), authz.ObjectSettlement, authz.ActionRead); err != nil {
				return nil, err
			}
			ts, err := s.Overview(ctx)
			return overviewResponse{Tenants: ts}, err
		}),
		Start: mw.Wrap("Start", authorized(az, authz.ActionRun, func(ctx context.Context, r startRequest, p authz.Principal) (any, error) {
			run, created, err := s.StartWith(ctx, r.Tenant, r.Period,
				StartOptions{DryRun: r.DryRun, By: p.Subject, AcknowledgeStaleLaw: r.AcknowledgeStaleLaw})
			status := http.StatusOK
			if created {
				status = http.StatusCreated
			}
			return httpapi.Response{Status: status, Body: run,
				Location: "/api/v1/tenants/" + string(run.Tenant) + "/settlement/runs/" + run.ID}, err
		})),
		List: mw.Wrap("List", authorized(az, authz.ActionRead, func(ctx context.Context, r runRequest, _ authz.Principal) (any, error) {
			runs, err := s.List(ctx, r.Tenant, 100)
			return listResponse{Runs: runs}, err
		})),
		Get: mw.Wrap("Get", authorized(az, authz.ActionRead, func(ctx context.Context, r runRequest, _ authz.Principal) (any, error) {
			return s.Get(ctx, r.Tenant, r.ID)
		})),
		Diff: mw.Wrap("Diff", authorized(az, authz.ActionRead, func(ctx context.Context, r diffRequest, _ authz.Principal) (any, error) {
			return s.Diff(ctx, r.Tenant, r.ID, r.Options)
		})),
		Approve: mw.Wrap("Approve", authorized(az, authz.ActionApprove, func(ctx context.Context, r runRequest, p authz.Principal) (any, error) {
			return s.Approve(ctx, r.Tenant, r.ID, p.Subject)
		})),
		Cancel: mw.Wrap("Cancel", authorized(az, authz.ActionRun, func(ctx context.Context, r cancelRequest, p authz.Principal) (any, error) {
			return s.Cancel(ctx, r.Tenant, r.ID, p.Subject, r.Reason)
		})),
		Files: mw.Wrap("Files", authorized(az, authz.ActionRead, func(ctx context.Context, r runRequest, _ authz.Principal) (any, error) {
			fs, err := s.Files(ctx, r.Tenant, r.ID, false)
			return filesResponse{Files: fs}, err
		})),
		File: mw.Wrap("File", authorized(az, authz.ActionRead, func(ctx context.Context, r fileRequest, _ authz.Principal) (any, error) {
			fs, err := s.Files(ctx, r.Tenant, r.ID, true)
			if err != nil {
				return nil, err
			}
			for _, f := range fs {
				if f.Name == r.Name {
					return f, nil
				}
			}
			return nil, fmt.Errorf("file %q: %w", r.Name, ErrNotFound)
		})),
	}
}

// tenantRequest is a request about one tenant's runs: the tenant in its path is the one
// the principal must hold the permission in.
type tenantRequest interface{ tenantID() tenant.ID }

func (r runRequest) tenantID() tenant.ID   { return r.Tenant }
func (r startRequest) tenantID() tenant.ID { return r.Tenant }

// authorized puts next behind the authorization wall, the decorator every tenant
// endpoint shares: the principal in the context must hold settlement:act in the
// request's tenant, and next gets the typed request and that principal.
func authorized[R tenantRequest](az *authz.Authorizer, act authz.Action, next func(context.Context, R, authz.Principal) (any, error)) endpoint.Endpoint {
	return func(ctx context.Context, req any) (any, error) {
		r := req.(R)
		p := authz.PrincipalFrom(ctx)
		if err := az.Authorize(ctx, p, r.tenantID(), authz.ObjectSettlement, act); err != nil {
			return nil, err
		}
		return next(ctx, r, p)
	}
}

// problems answers the service's errors. A period the calendar or the law data does
// not reach yet is no invalid input but one that cannot be settled now: 422.
var problems = []httpapi.Problem{
	{Err: ErrNotFound, Status: http.StatusNotFound, Detail: "settlement run or file not found"},
	{Err: ErrFourEyes, Status: http.StatusForbidden, DetailNL: "Iemand anders dan wie de run startte, moet hem goedkeuren."},
	{Err: ErrPeriodTooEarly, Status: http.StatusUnprocessableEntity},
	{Err: ErrNoLaw, Status: http.StatusUnprocessableEntity},
	{Err: ErrStaleLaw, Status: http.StatusUnprocessableEntity, FromSentinel: true, Field: "acknowledge_stale_law",
		DetailNL: "De wettelijke normen voor deze maand zijn nog niet bijgewerkt. Een definitieve run kan alleen als u dat uitdrukkelijk bevestigt (acknowledge_stale_law)."},
	{Err: ErrPeriodFinal, Status: http.StatusConflict},
	{Err: ErrWrongState, Status: http.StatusConflict},
	{Err: ErrOutOfOrder, Status: http.StatusConflict, FromSentinel: true},
	{Err: ErrDryRunNotApproved, Status: http.StatusConflict},
	{Err: ErrTenantNotActive, Status: http.StatusConflict},
}

// dutchNames names the fields in Dutch, for detail_nl.
var dutchNames = map[string]string{"period": "maand", "dry_run": "proefrun", "reason": "reden", "change": "soort verschil",
	"limit": "aantal", "tenant": "gemeente", "body": "gegevens",
	"acknowledge_stale_law": "bevestiging verouderde normen"}

// RegisterHTTP mounts the API on mux.
func RegisterHTTP(mux httpapi.Router, e Endpoints, log *slog.Logger) {
	api := &httpapi.API{Name: "settlement api", Log: log, Problems: problems, Names: dutchNames}
	api.Handle(mux, "GET /api/v1/settlement/runs", e.Overview, httpapi.NoRequest)
	const base = "/api/v1/tenants/{tenant}/settlement/runs"
	api.Handle(mux, "POST "+base, e.Start, decodeStart)
	api.Handle(mux, "GET "+base, e.List, decodeRun)
	api.Handle(mux, "GET "+base+"/{id}", e.Get, decodeRun)
	api.Handle(mux, "GET "+base+"/{id}/diff", e.Diff, decodeDiff)
	api.Handle(mux, "POST "+base+"/{id}/approve", e.Approve, decodeRun)
	api.Handle(mux, "POST "+base+"/{id}/cancel", e.Cancel, decodeCancel)
	api.Handle(mux, "GET "+base+"/{id}/files", e.Files, decodeRun)
	api.HandleEncoded(mux, "GET "+base+"/{id}/files/{name}", e.File, decodeFile, encodeFile)
}

func decodeRun(_ context.Context, r *http.Request) (any, error) {
	t, err := httpapi.PathTenant(r)
	return runRequest{Tenant: t, ID: r.PathValue("id")}, err
}

func decodeStart(ctx context.Context, r *http.Request) (any, error) {
	rr, err := decodeRun(ctx, r)
	if err != nil {
		return nil, err
	}
	var body struct {
		Period              *string `json:"period"`
		DryRun              bool    `json:"dry_run"`
		AcknowledgeStaleLaw bool    `json:"acknowledge_stale_law"`
	}
	if err := httpapi.DecodeBody(r, &body, 4096, false); err != nil {
		return nil, err
	}
	if body.Period == nil {
		return nil, httpapi.Invalid("period", "is required, as YYYY-MM", "Vul de maand in (JJJJ-MM).")
	}
	p, err := bijstand.ParsePeriod(*body.Period)
	if err != nil {
		return nil, httpapi.Invalid("period", "must be a month YYYY-MM: "+err.Error(), "Dit is geen goede maand. Schrijf de maand zo: 2026-04.")
	}
	return startRequest{Tenant: rr.(runRequest).Tenant, Period: p, DryRun: body.DryRun, AcknowledgeStaleLaw: body.AcknowledgeStaleLaw}, nil
}

func decodeCancel(ctx context.Context, r *http.Request) (any, error) {
	rr, err := decodeRun(ctx, r)
	if err != nil {
		return nil, err
	}
	var body struct {
		Reason string `json:"reason"`
	}
	if err := httpapi.DecodeBody(r, &body, 4096, true); err != nil {
		return nil, err
	}
	reason, pr := input.Rules{Max: 1000, MultiLine: true, Optional: true}.Clean(body.Reason)
	if !pr.OK() {
		return nil, httpapi.Invalid("reason", "the reason "+pr.EN(), pr.NL())
	}
	return cancelRequest{runRequest: rr.(runRequest), Reason: reason}, nil
}

func decodeDiff(ctx context.Context, r *http.Request) (any, error) {
	rr, err := decodeRun(ctx, r)
	if err != nil {
		return nil, err
	}
	q := r.URL.Query()
	var o DiffOptions
	if c := q.Get("change"); c != "" {
		for _, s := range strings.Split(c, ",") {
			switch ch := Change(s); ch {
			case ChangeNew, ChangeGone, ChangeChanged, ChangeUnchanged:
				o.Changes = append(o.Changes, ch)
			default:
				return nil, httpapi.Invalid("change", fmt.Sprintf("%q is not one of new, gone, changed, unchanged", s),
					"Kies new, gone, changed of unchanged.")
			}
		}
	}
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 1000 {
			return nil, httpapi.Invalid("limit", "must be a whole number from 1 to 1000", "Vul een heel getal in van 1 tot en met 1000.")
		}
		o.Limit = n
	}
	o.After = q.Get("after")
	return diffRequest{runRequest: rr.(runRequest), Options: o}, nil
}

func decodeFile(ctx context.Context, r *http.Request) (any, error) {
	rr, err := decodeRun(ctx, r)
	if err != nil {
		return nil, err
	}
	return fileRequest{runRequest: rr.(runRequest), Name: r.PathValue("name")}, nil
}

func encodeFile(_ context.Context, w http.ResponseWriter, resp any) error {
	f := resp.(File)
	ct := "application/octet-stream"
	switch {
	case strings.HasSuffix(f.Name, ".xml"):
		ct = "application/xml"
	case strings.HasSuffix(f.Name, ".json"):
		ct = "application/json"
	case strings.HasSuffix(f.Name, ".csv"):
		ct = "text/csv; charset=utf-8"
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Content-Disposition", `attachment; filename="`+f.Name+`"`)
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Digest", "sha-256="+f.SHA256)
	_, err := w.Write(f.Content)
	return err
}
