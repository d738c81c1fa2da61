package residents

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

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

// PurposeHeader carries the purpose of a read when it is not in the query.
const PurposeHeader = httpreq.PurposeHeader

// Transport errors, each mapped to its status by errorEncoder.
var (
	errPreconditionRequired = errors.New("If-Match with the version read is required")
	errTooLarge             = errors.New("request body is larger than 64 KiB")
	errMediaType            = errors.New("request body must be application/json")
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
	const base = "/api/v1/tenants/{tenant}/residents"
	return []route{
		{"POST " + base, kithttp.NewServer(e.Create, decodeCreate, encodeJSON, opts...)},
		// A BSN is sought with POST: in a URL it would end up in access logs, proxies
		// and browser histories. The GET-by-query form it replaces answers 400 saying so.
		{"POST " + base + "/search", kithttp.NewServer(e.FindByBSN, decodeSearch, encodeJSON, opts...)},
		{"GET " + base, kithttp.NewServer(refuse, decodeFindInURL, encodeJSON, opts...)},
		{"GET " + base + "/{id}", kithttp.NewServer(e.Get, decodeGet, encodeJSON, opts...)},
		{"PATCH " + base + "/{id}", kithttp.NewServer(e.Update, decodeUpdate, encodeJSON, opts...)},
	}
}

// RegisterHTTP mounts the staff API on mux. Authentication happens before these
// handlers (the principal is in the request context); authorization in the service
// (NewAuthorizing).
func RegisterHTTP(mux httpapi.Router, e Endpoints, log *slog.Logger) {
	for _, r := range routes(e, log) {
		// observe.Report passes the matched pattern out to the metrics middleware.
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

func decodeCreate(_ context.Context, r *http.Request) (any, error) {
	t, err := pathTenant(r)
	if err != nil {
		return nil, err
	}
	var nr NewResident
	if err := decodeBody(r, &nr); err != nil {
		return nil, err
	}
	return createRequest{Tenant: t, Resident: nr}, nil
}

func decodeGet(_ context.Context, r *http.Request) (any, error) {
	t, err := pathTenant(r)
	if err != nil {
		return nil, err
	}
	return getRequest{Tenant: t, ID: r.PathValue("id"), Purpose: httpreq.Purpose(r)}, nil
}

// searchBody is the JSON body of POST …/residents/search.
type searchBody struct {
	BSN     BSNInput `json:"bsn"`
	Purpose string   `json:"purpose"`
}

func decodeSearch(_ context.Context, r *http.Request) (any, error) {
	t, err := pathTenant(r)
	if err != nil {
		return nil, err
	}
	var b searchBody
	if err := decodeBody(r, &b); err != nil {
		return nil, err
	}
	return findRequest{Tenant: t, BSN: b.BSN, Purpose: b.Purpose}, nil
}

// decodeFindInURL refuses the former GET …/residents?bsn=…: whatever the query, it
// points to POST …/residents/search, and never repeats the query.
func decodeFindInURL(_ context.Context, r *http.Request) (any, error) {
	if _, err := pathTenant(r); err != nil {
		return nil, err
	}
	return nil, invalidField("bsn",
		"a BSN is never sent in a URL: find a resident with POST /api/v1/tenants/{tenant}/residents/search "+
			`and the JSON body {"bsn": "…", "purpose": "…"}`,
		"Een BSN mag niet in een webadres staan. Zoek een inwoner met POST …/residents/search, met het BSN en het doel in de gegevens.")
}

// refuse is the endpoint behind decodeFindInURL, which always fails first.
func refuse(context.Context, any) (any, error) { return nil, errors.New("residents: unreachable") }

func decodeUpdate(_ context.Context, r *http.Request) (any, error) {
	t, err := pathTenant(r)
	if err != nil {
		return nil, err
	}
	im := strings.TrimSpace(r.Header.Get("If-Match"))
	if im == "" {
		return nil, errPreconditionRequired
	}
	version, err := strconv.Atoi(strings.Trim(strings.TrimPrefix(im, "W/"), `"`))
	if err != nil || version < 1 {
		return nil, invalidField("If-Match", "If-Match must be the version read, such as \"3\"",
			"Geef in If-Match de versie op die u hebt gelezen, zoals \"3\".")
	}
	var ch Changes
	if err := decodeBody(r, &ch); err != nil {
		return nil, err
	}
	return updateRequest{Tenant: t, ID: r.PathValue("id"), Version: version, Changes: ch}, nil
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
// RFC 9457 problems. Only internal errors are logged here (failed calls are logged by
// the endpoint middleware); no error text of this package holds a BSN.
func errorEncoder(log *slog.Logger) kithttp.ErrorEncoder {
	return func(ctx context.Context, err error, w http.ResponseWriter) {
		path, _ := ctx.Value(kithttp.ContextKeyRequestPath).(string)
		r := requestWithPath(ctx, path)
		if errors.Is(err, db.ErrDataException) {
			// The database refused a value that validation let through: still the
			// client's input, so a 400. Its text may quote the value: only the code is logged.
			log.WarnContext(ctx, "residents api: value refused by the database", "sqlstate", db.SQLState(err))
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
		case errors.Is(err, errPreconditionRequired):
			problem.Write(w, r, problem.Details{Status: http.StatusPreconditionRequired, Detail: err.Error(),
				DetailNL: "Haal de gegevens eerst op en stuur de versie mee in If-Match."})
		case errors.Is(err, authz.ErrUnauthenticated):
			problem.Unauthorized(w, r, "authentication required")
		case errors.Is(err, authz.ErrForbidden):
			problem.Forbidden(w, r, "not allowed for this principal in this tenant")
		case errors.Is(err, ErrNotFound):
			problem.NotFound(w, r, "no such resident in this tenant")
		case errors.Is(err, ErrDuplicateBSN):
			problem.Write(w, r, problem.Details{Status: http.StatusConflict, Detail: ErrDuplicateBSN.Error(),
				DetailNL: "Er is in deze gemeente al een inwoner of partner met dit BSN."})
		case errors.Is(err, ErrVersionConflict):
			problem.Write(w, r, problem.Details{Status: http.StatusConflict, Detail: ErrVersionConflict.Error(),
				DetailNL: "Iemand anders heeft deze gegevens net gewijzigd. Haal ze opnieuw op en probeer het nog eens."})
		default:
			log.ErrorContext(ctx, "residents api: internal error", "err", err)
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
