package settlement

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/go-kit/kit/endpoint"
	kithttp "github.com/go-kit/kit/transport/http"

	"github.com/plein-nl/plein/platform/authz"
	"github.com/plein-nl/plein/platform/bijstand"
	"github.com/plein-nl/plein/platform/db"
	"github.com/plein-nl/plein/platform/httpapi"
	"github.com/plein-nl/plein/platform/httpreq"
	"github.com/plein-nl/plein/platform/input"
	"github.com/plein-nl/plein/platform/observe"
	"github.com/plein-nl/plein/platform/problem"
	"github.com/plein-nl/plein/platform/tenant"
)

// The staff and operator API of settlement runs:
//
//	POST /api/v1/tenants/{tenant}/settlement/runs                  {"period": "YYYY-MM", "dry_run": bool}  settlement:run
//	GET  /api/v1/tenants/{tenant}/settlement/runs                  settlement:read
//	GET  /api/v1/tenants/{tenant}/settlement/runs/{id}             settlement:read (status, progress, failures, duration, report)
//	GET  /api/v1/tenants/{tenant}/settlement/runs/{id}/diff        settlement:read (?change=new,gone,changed,unchanged&after=&limit=)
//	POST /api/v1/tenants/{tenant}/settlement/runs/{id}/approve     settlement:approve (not who started it)
//	POST /api/v1/tenants/{tenant}/settlement/runs/{id}/cancel      settlement:run {"reason": "..."}
//	GET  /api/v1/tenants/{tenant}/settlement/runs/{id}/files       settlement:read
//	GET  /api/v1/tenants/{tenant}/settlement/runs/{id}/files/{name} settlement:read (the file itself)
//	GET  /api/v1/settlement/runs                                   settlement:read for the coöperatie (every gemeente)

var errBadRequest = errors.New("bad request")

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

type startResponse struct {
	Run     Run
	Created bool
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
func MakeEndpoints(s *Service, az *authz.Authorizer, mw func(method string) endpoint.Middleware) Endpoints {
	if mw == nil {
		mw = func(string) endpoint.Middleware { return func(e endpoint.Endpoint) endpoint.Endpoint { return e } }
	}
	allow := func(ctx context.Context, t tenant.ID, act authz.Action) (authz.Principal, error) {
		p := authz.PrincipalFrom(ctx)
		return p, az.Authorize(ctx, p, t, authz.ObjectSettlement, act)
	}
	return Endpoints{
		Overview: mw("Overview")(func(ctx context.Context, _ any) (any, error) {
			if err := az.AuthorizeCooperative(ctx, authz.PrincipalFrom(ctx), authz.ObjectSettlement, authz.ActionRead); err != nil {
				return nil, err
			}
			ts, err := s.Overview(ctx)
			return overviewResponse{Tenants: ts}, err
		}),
		Start: mw("Start")(func(ctx context.Context, req any) (any, error) {
			r := req.(startRequest)
			p, err := allow(ctx, r.Tenant, authz.ActionRun)
			if err != nil {
				return nil, err
			}
			run, created, err := s.Start(ctx, r.Tenant, r.Period, r.DryRun, p.Subject)
			return startResponse{Run: run, Created: created}, err
		}),
		List: mw("List")(func(ctx context.Context, req any) (any, error) {
			r := req.(runRequest)
			if _, err := allow(ctx, r.Tenant, authz.ActionRead); err != nil {
				return nil, err
			}
			runs, err := s.List(ctx, r.Tenant, 100)
			return listResponse{Runs: runs}, err
		}),
		Get: mw("Get")(func(ctx context.Context, req any) (any, error) {
			r := req.(runRequest)
			if _, err := allow(ctx, r.Tenant, authz.ActionRead); err != nil {
				return nil, err
			}
			return s.Get(ctx, r.Tenant, r.ID)
		}),
		Diff: mw("Diff")(func(ctx context.Context, req any) (any, error) {
			r := req.(diffRequest)
			if _, err := allow(ctx, r.Tenant, authz.ActionRead); err != nil {
				return nil, err
			}
			return s.Diff(ctx, r.Tenant, r.ID, r.Options)
		}),
		Approve: mw("Approve")(func(ctx context.Context, req any) (any, error) {
			r := req.(runRequest)
			p, err := allow(ctx, r.Tenant, authz.ActionApprove)
			if err != nil {
				return nil, err
			}
			return s.Approve(ctx, r.Tenant, r.ID, p.Subject)
		}),
		Cancel: mw("Cancel")(func(ctx context.Context, req any) (any, error) {
			r := req.(cancelRequest)
			p, err := allow(ctx, r.Tenant, authz.ActionRun)
			if err != nil {
				return nil, err
			}
			return s.Cancel(ctx, r.Tenant, r.ID, p.Subject, r.Reason)
		}),
		Files: mw("Files")(func(ctx context.Context, req any) (any, error) {
			r := req.(runRequest)
			if _, err := allow(ctx, r.Tenant, authz.ActionRead); err != nil {
				return nil, err
			}
			fs, err := s.Files(ctx, r.Tenant, r.ID, false)
			return filesResponse{Files: fs}, err
		}),
		File: mw("File")(func(ctx context.Context, req any) (any, error) {
			r := req.(fileRequest)
			if _, err := allow(ctx, r.Tenant, authz.ActionRead); err != nil {
				return nil, err
			}
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
		}),
	}
}

// RegisterHTTP mounts the API on mux.
func RegisterHTTP(mux httpapi.Router, e Endpoints, log *slog.Logger) {
	opts := []kithttp.ServerOption{
		kithttp.ServerBefore(kithttp.PopulateRequestContext),
		kithttp.ServerErrorEncoder(errorEncoder(log)),
	}
	h := func(pattern string, ep endpoint.Endpoint, dec kithttp.DecodeRequestFunc, enc kithttp.EncodeResponseFunc) {
		mux.Handle(pattern, observe.Report(kithttp.NewServer(ep, dec, enc, opts...)))
	}
	h("GET /api/v1/settlement/runs", e.Overview, func(context.Context, *http.Request) (any, error) { return nil, nil }, encodeJSON)
	const base = "/api/v1/tenants/{tenant}/settlement/runs"
	h("POST "+base, e.Start, decodeStart, encodeStart)
	h("GET "+base, e.List, decodeRun, encodeJSON)
	h("GET "+base+"/{id}", e.Get, decodeRun, encodeJSON)
	h("GET "+base+"/{id}/diff", e.Diff, decodeDiff, encodeJSON)
	h("POST "+base+"/{id}/approve", e.Approve, decodeRun, encodeJSON)
	h("POST "+base+"/{id}/cancel", e.Cancel, decodeCancel, encodeJSON)
	h("GET "+base+"/{id}/files", e.Files, decodeRun, encodeJSON)
	h("GET "+base+"/{id}/files/{name}", e.File, decodeFile, encodeFile)
}

func decodeRun(_ context.Context, r *http.Request) (any, error) {
	t, err := tenant.Parse(r.PathValue("tenant"))
	if err != nil {
		return nil, fmt.Errorf("%w: tenant: %w", errBadRequest, err)
	}
	return runRequest{Tenant: t, ID: r.PathValue("id")}, nil
}

func decodeStart(ctx context.Context, r *http.Request) (any, error) {
	rr, err := decodeRun(ctx, r)
	if err != nil {
		return nil, err
	}
	var body struct {
		Period *string `json:"period"`
		DryRun bool    `json:"dry_run"`
	}
	if err := httpreq.DecodeJSON(r, &body, 4096, false); err != nil {
		return nil, fmt.Errorf("%w: %w", errBadRequest, err)
	}
	if body.Period == nil {
		return nil, fmt.Errorf("%w: period: required, as YYYY-MM", errBadRequest)
	}
	p, err := bijstand.ParsePeriod(*body.Period)
	if err != nil {
		return nil, fmt.Errorf("%w: period: %w", errBadRequest, err)
	}
	return startRequest{Tenant: rr.(runRequest).Tenant, Period: p, DryRun: body.DryRun}, nil
}

func decodeCancel(ctx context.Context, r *http.Request) (any, error) {
	rr, err := decodeRun(ctx, r)
	if err != nil {
		return nil, err
	}
	var body struct {
		Reason string `json:"reason"`
	}
	if err := httpreq.DecodeJSON(r, &body, 4096, true); err != nil {
		return nil, fmt.Errorf("%w: %w", errBadRequest, err)
	}
	reason, pr := input.Rules{Max: 1000, MultiLine: true, Optional: true}.Clean(body.Reason)
	if !pr.OK() {
		return nil, fmt.Errorf("%w: %w", errBadRequest, &httpreq.FieldError{Field: "reason", EN: "the reason " + pr.EN(), NL: pr.NL()})
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
				return nil, fmt.Errorf("%w: change: %q is not one of new, gone, changed, unchanged", errBadRequest, s)
			}
		}
	}
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 1000 {
			return nil, fmt.Errorf("%w: limit: must be a whole number from 1 to 1000", errBadRequest)
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

func encodeJSON(_ context.Context, w http.ResponseWriter, resp any) error {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	return json.NewEncoder(w).Encode(resp)
}

func encodeStart(ctx context.Context, w http.ResponseWriter, resp any) error {
	sr := resp.(startResponse)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Location", "/api/v1/tenants/"+string(sr.Run.Tenant)+"/settlement/runs/"+sr.Run.ID)
	if sr.Created {
		w.WriteHeader(http.StatusCreated)
	}
	return json.NewEncoder(w).Encode(sr.Run)
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

// errorEncoder maps the service's errors to problem details.
func errorEncoder(log *slog.Logger) kithttp.ErrorEncoder {
	return func(ctx context.Context, err error, w http.ResponseWriter) {
		path, _ := ctx.Value(kithttp.ContextKeyRequestPath).(string)
		r, _ := http.NewRequestWithContext(ctx, http.MethodGet, "/", nil)
		r.URL.Path = path
		d := problem.Details{Detail: err.Error()}
		var fe *httpreq.FieldError
		switch {
		case errors.As(err, &fe):
			httpapi.WriteFieldError(w, r, fe)
			return
		case errors.Is(err, errBadRequest):
			d.Status = http.StatusBadRequest
		case errors.Is(err, db.ErrDataException):
			httpapi.WriteRefused(ctx, w, r, log, "settlement api", err)
			return
		case errors.Is(err, authz.ErrUnauthenticated):
			problem.Unauthorized(w, r, "authentication required")
			return
		case errors.Is(err, authz.ErrForbidden):
			problem.Forbidden(w, r, "not allowed for this principal in this tenant")
			return
		case errors.Is(err, ErrNotFound):
			problem.NotFound(w, r, "settlement run or file not found")
			return
		case errors.Is(err, ErrFourEyes):
			d.Status = http.StatusForbidden
		case errors.Is(err, ErrPeriodTooEarly), errors.Is(err, ErrNoLaw):
			d.Status = http.StatusUnprocessableEntity
		case errors.Is(err, ErrPeriodFinal), errors.Is(err, ErrWrongState), errors.Is(err, ErrDryRunNotApproved),
			errors.Is(err, ErrTenantNotActive):
			d.Status = http.StatusConflict
		default:
			log.ErrorContext(ctx, "settlement api: internal error", "err", err)
			problem.Internal(w, r)
			return
		}
		problem.Write(w, r, d)
	}
}
