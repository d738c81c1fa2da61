package creditors

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	kithttp "github.com/go-kit/kit/transport/http"

	"github.com/plein-nl/plein/platform/authz"
	"github.com/plein-nl/plein/platform/db"
	"github.com/plein-nl/plein/platform/httpapi"
	"github.com/plein-nl/plein/platform/httpreq"
	"github.com/plein-nl/plein/platform/observe"
	"github.com/plein-nl/plein/platform/problem"
	"github.com/plein-nl/plein/platform/tenant"
)

// maxBody is the largest request body accepted.
const maxBody = 64 << 10

// Transport errors, each mapped to its status by errorEncoder.
var (
	errTooLarge  = errors.New("request body is larger than 64 KiB")
	errMediaType = errors.New("request body must be application/json")
)

//go:embed openapi.yaml
var openAPI []byte

// OpenAPI returns the OpenAPI 3.1 description of the staff API RegisterHTTP mounts.
func OpenAPI() []byte { return append([]byte(nil), openAPI...) }

type route struct {
	pattern string
	handler http.Handler
}

func routes(e Endpoints, log *slog.Logger) []route {
	opts := []kithttp.ServerOption{
		kithttp.ServerBefore(kithttp.PopulateRequestContext),
		kithttp.ServerErrorEncoder(errorEncoder(log)),
	}
	const base = "/api/v1/tenants/{tenant}/creditors"
	return []route{
		{"GET " + base, kithttp.NewServer(e.List, decodeList, encodeJSON, opts...)},
		{"POST " + base, kithttp.NewServer(e.Create, decodeCreate, encodeJSON, opts...)},
		{"GET " + base + "/{id}", kithttp.NewServer(e.Get, decodeGet, encodeJSON, opts...)},
	}
}

// RegisterHTTP mounts the staff API on mux. Authentication happens before these
// handlers (the principal is in the request context); authorization in the service
// (NewAuthorizing).
func RegisterHTTP(mux httpapi.Router, e Endpoints, log *slog.Logger) {
	for _, r := range routes(e, log) {
		mux.Handle(r.pattern, observe.Report(r.handler))
	}
}

func pathTenant(r *http.Request) (tenant.ID, error) {
	id, err := tenant.Parse(r.PathValue("tenant"))
	if err != nil {
		return "", invalidField("tenant", "not a valid tenant id", "Deze gemeente bestaat niet.")
	}
	return id, nil
}

func invalidField(field, en, nl string) error {
	return &ValidationError{Problems: []FieldProblem{{Field: field, Message: en, MessageNL: nl}}}
}

func decodeList(_ context.Context, r *http.Request) (any, error) {
	t, err := pathTenant(r)
	if err != nil {
		return nil, err
	}
	return listRequest{Tenant: t}, nil
}

func decodeGet(_ context.Context, r *http.Request) (any, error) {
	t, err := pathTenant(r)
	if err != nil {
		return nil, err
	}
	return getRequest{Tenant: t, ID: r.PathValue("id")}, nil
}

func decodeCreate(_ context.Context, r *http.Request) (any, error) {
	t, err := pathTenant(r)
	if err != nil {
		return nil, err
	}
	var nc NewCreditor
	if err := decodeBody(r, &nc); err != nil {
		return nil, err
	}
	return createRequest{Tenant: t, Creditor: nc}, nil
}

// encodeJSON writes a response with the status and headers it asks for.
func encodeJSON(_ context.Context, w http.ResponseWriter, resp any) error {
	if h, ok := resp.(kithttp.Headerer); ok {
		for k, vs := range h.Headers() {
			for _, v := range vs {
				w.Header().Add(k, v)
			}
		}
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	code := http.StatusOK
	if sc, ok := resp.(kithttp.StatusCoder); ok {
		code = sc.StatusCode()
	}
	w.WriteHeader(code)
	return json.NewEncoder(w).Encode(resp)
}

// errorEncoder is the one place where this API's errors become HTTP statuses and
// RFC 9457 problems. Only internal errors are logged here.
func errorEncoder(log *slog.Logger) kithttp.ErrorEncoder {
	return func(ctx context.Context, err error, w http.ResponseWriter) {
		path, _ := ctx.Value(kithttp.ContextKeyRequestPath).(string)
		r, _ := http.NewRequestWithContext(ctx, http.MethodGet, "/", nil)
		r.URL.Path = path
		if errors.Is(err, db.ErrDataException) {
			// The database refused a value that validation let through: still the
			// client's input, so a 400. Its text may quote the value: only the code is logged.
			log.WarnContext(ctx, "creditors api: value refused by the database", "sqlstate", db.SQLState(err))
			err = bodyError(httpreq.Refused())
		}
		var ve *ValidationError
		switch {
		case errors.As(err, &ve):
			fe := make([]problem.FieldError, len(ve.Problems))
			for i, p := range ve.Problems {
				fe[i] = problem.FieldError{Field: p.Field, Message: p.Message}
			}
			problem.Write(w, r, problem.Details{Status: http.StatusBadRequest, Detail: ve.Error(), DetailNL: ve.Dutch(), Errors: fe})
		case errors.Is(err, errTooLarge):
			problem.Write(w, r, problem.Details{Status: http.StatusRequestEntityTooLarge, Detail: err.Error(),
				DetailNL: "Er zijn te veel gegevens opgestuurd."})
		case errors.Is(err, errMediaType):
			problem.Write(w, r, problem.Details{Status: http.StatusUnsupportedMediaType, Detail: err.Error(),
				DetailNL: "De gegevens moeten als JSON worden opgestuurd."})
		case errors.Is(err, authz.ErrUnauthenticated):
			problem.Unauthorized(w, r, "authentication required")
		case errors.Is(err, authz.ErrForbidden):
			problem.Forbidden(w, r, "not allowed for this principal in this tenant")
		case errors.Is(err, ErrNotFound):
			problem.NotFound(w, r, "no such creditor in the catalogue or this tenant")
		case errors.Is(err, ErrDuplicate):
			problem.Write(w, r, problem.Details{Status: http.StatusConflict, Detail: err.Error(),
				DetailNL: "Deze schuldeiser bestaat al. Kies hem uit de lijst.",
				Errors:   []problem.FieldError{{Field: "name", Message: ErrDuplicate.Error()}}})
		default:
			log.ErrorContext(ctx, "creditors api: internal error", "err", err)
			problem.Internal(w, r)
		}
	}
}

// decodeBody reads the strict JSON body (platform/httpreq) and maps its problems to
// this service's errors.
func decodeBody(r *http.Request, v any) error {
	return bodyError(httpreq.DecodeJSON(r, v, maxBody, false))
}

func bodyError(err error) error {
	var fe *httpreq.FieldError
	switch {
	case errors.Is(err, httpreq.ErrTooLarge):
		return errTooLarge
	case errors.Is(err, httpreq.ErrMediaType):
		return errMediaType
	case errors.As(err, &fe):
		return invalidField(fe.Field, fe.EN, fe.NL)
	}
	return err
}
