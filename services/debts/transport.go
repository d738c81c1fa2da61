package debts

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-kit/kit/endpoint"
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

// OpenAPI returns the OpenAPI 3.1 description of the API RegisterHTTP mounts.
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
	srv := func(ep endpoint.Endpoint, dec kithttp.DecodeRequestFunc) http.Handler {
		return kithttp.NewServer(ep, dec, encodeJSON, opts...)
	}
	const (
		tenantBase = "/api/v1/tenants/{tenant}"
		resident   = tenantBase + "/residents/{id}"
		sh         = tenantBase + "/schuldhulp"
	)
	return []route{
		{"GET " + resident + "/debts", srv(e.Debts, decodeResidentRead)},
		{"POST " + resident + "/debts", srv(e.CreateDebt, decodeCreateDebt)},
		{"PATCH " + resident + "/debts/{debt}", srv(e.UpdateDebt, decodeUpdateDebt)},
		{"GET " + sh + "/queue", srv(e.Queue, decodeTenant)},
		{"POST " + sh + "/signals/{item}/contact", srv(e.RecordContact, decodeContact)},
		{"POST " + sh + "/signals/{item}/accept", srv(e.AcceptHelp, decodeItem)},
		{"POST " + sh + "/signals/{item}/decline", srv(e.DeclineHelp, decodeItem)},
		{"POST " + sh + "/signals/{item}/resident", srv(e.LinkSignal, decodeLink)},
		{"POST " + sh + "/requests", srv(e.Request, decodeRequest)},
		{"POST " + sh + "/requests/{item}/contact", srv(e.RecordContact, decodeContact)},
		{"GET " + resident + "/plan-van-aanpak", srv(e.Plan, decodeResidentRead)},
		{"POST " + resident + "/plan-van-aanpak", srv(e.SavePlan, decodePlan)},
		{"GET " + resident + "/traject", srv(e.Traject, decodeResidentRead)},
		{"POST " + resident + "/traject", srv(e.StartTraject, decodeTraject)},
		{"POST " + resident + "/traject/offers/{creditor}/accept", srv(e.DecideOffer, decodeOffer(true))},
		{"POST " + resident + "/traject/offers/{creditor}/reject", srv(e.DecideOffer, decodeOffer(false))},
		{"POST " + tenantBase + "/partner/signals", srv(e.SubmitSignal, decodeSignal)},
	}
}

// RegisterHTTP mounts the staff and partner API on mux. Authentication happens before
// these handlers (the principal is in the request context: a schuldhulpverlener, or
// for POST …/partner/signals a creditor partner with Subject "creditor:<id>");
// authorization in the service (NewAuthorizing).
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

func decodeTenant(_ context.Context, r *http.Request) (any, error) {
	t, err := pathTenant(r)
	return tenantRequest{Tenant: t}, err
}

func decodeResidentRead(_ context.Context, r *http.Request) (any, error) {
	t, err := pathTenant(r)
	return residentRequest{Tenant: t, Resident: r.PathValue("id"), Purpose: httpreq.Purpose(r)}, err
}

func decodeCreateDebt(_ context.Context, r *http.Request) (any, error) {
	t, err := pathTenant(r)
	if err != nil {
		return nil, err
	}
	var nd NewDebt
	if err := decodeBody(r, &nd, false); err != nil {
		return nil, err
	}
	return createDebtRequest{Tenant: t, Resident: r.PathValue("id"), Debt: nd}, nil
}

func decodeUpdateDebt(_ context.Context, r *http.Request) (any, error) {
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
	var ch DebtChanges
	if err := decodeBody(r, &ch, false); err != nil {
		return nil, err
	}
	return updateDebtRequest{Tenant: t, Resident: r.PathValue("id"), Debt: r.PathValue("debt"), Version: version, Changes: ch}, nil
}

func decodeItem(_ context.Context, r *http.Request) (any, error) {
	t, err := pathTenant(r)
	return itemRequest{Tenant: t, ID: r.PathValue("item")}, err
}

func decodeContact(_ context.Context, r *http.Request) (any, error) {
	t, err := pathTenant(r)
	if err != nil {
		return nil, err
	}
	var body struct {
		At string `json:"at"` // RFC 3339; empty means now
	}
	if err := decodeBody(r, &body, true); err != nil {
		return nil, err
	}
	var at time.Time
	if body.At != "" {
		if at, err = time.Parse(time.RFC3339, body.At); err != nil {
			return nil, invalidField("at", "not an RFC 3339 time", "Dit is geen goed tijdstip. Schrijf het zo: 2026-04-03T10:00:00+02:00.")
		}
	}
	return contactRequest{Tenant: t, ID: r.PathValue("item"), At: at}, nil
}

func decodeLink(_ context.Context, r *http.Request) (any, error) {
	t, err := pathTenant(r)
	if err != nil {
		return nil, err
	}
	var body struct {
		ResidentID string `json:"resident_id"`
	}
	if err := decodeBody(r, &body, false); err != nil {
		return nil, err
	}
	return linkRequest{Tenant: t, ID: r.PathValue("item"), ResidentID: body.ResidentID}, nil
}

func decodeRequest(_ context.Context, r *http.Request) (any, error) {
	t, err := pathTenant(r)
	if err != nil {
		return nil, err
	}
	var nr NewRequest
	if err := decodeBody(r, &nr, false); err != nil {
		return nil, err
	}
	return requestRequest{Tenant: t, Request: nr}, nil
}

func decodePlan(_ context.Context, r *http.Request) (any, error) {
	t, err := pathTenant(r)
	if err != nil {
		return nil, err
	}
	var np NewPlan
	if err := decodeBody(r, &np, false); err != nil {
		return nil, err
	}
	return planRequest{Tenant: t, Resident: r.PathValue("id"), Plan: np}, nil
}

func decodeTraject(_ context.Context, r *http.Request) (any, error) {
	t, err := pathTenant(r)
	if err != nil {
		return nil, err
	}
	var nt NewTraject
	if err := decodeBody(r, &nt, false); err != nil {
		return nil, err
	}
	return trajectRequest{Tenant: t, Resident: r.PathValue("id"), Traject: nt}, nil
}

func decodeOffer(accept bool) kithttp.DecodeRequestFunc {
	return func(_ context.Context, r *http.Request) (any, error) {
		t, err := pathTenant(r)
		return offerRequest{Tenant: t, Resident: r.PathValue("id"), Creditor: r.PathValue("creditor"), Accept: accept}, err
	}
}

func decodeSignal(_ context.Context, r *http.Request) (any, error) {
	t, err := pathTenant(r)
	if err != nil {
		return nil, err
	}
	var ns NewSignal
	if err := decodeBody(r, &ns, false); err != nil {
		return nil, err
	}
	return signalRequest{Tenant: t, Signal: ns}, nil
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
	w.Header().Set("Cache-Control", "no-store")
	code := http.StatusOK
	if sc, ok := resp.(kithttp.StatusCoder); ok {
		code = sc.StatusCode()
	}
	if c, ok := resp.(created); ok {
		code, resp = http.StatusCreated, c.v
	}
	if code == http.StatusNoContent {
		w.WriteHeader(code)
		return nil
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	return json.NewEncoder(w).Encode(resp)
}

// errorEncoder is the one place where this API's errors become HTTP statuses and
// RFC 9457 problems. Only internal errors are logged here; no error text of this
// package holds a BSN.
func errorEncoder(log *slog.Logger) kithttp.ErrorEncoder {
	return func(ctx context.Context, err error, w http.ResponseWriter) {
		path, _ := ctx.Value(kithttp.ContextKeyRequestPath).(string)
		r, _ := http.NewRequestWithContext(ctx, http.MethodGet, "/", nil)
		r.URL.Path = path
		if errors.Is(err, db.ErrDataException) {
			// The database refused a value that validation let through: still the
			// client's input, so a 400. Its text may quote the value: only the code is logged.
			log.WarnContext(ctx, "debts api: value refused by the database", "sqlstate", db.SQLState(err))
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
		case errors.Is(err, ErrResidentNotFound):
			problem.NotFound(w, r, "no such resident in this tenant")
		case errors.Is(err, ErrNotFound):
			problem.NotFound(w, r, "not found in this tenant")
		case errors.Is(err, ErrDuplicateSignal):
			problem.Write(w, r, problem.Details{Status: http.StatusConflict, Detail: err.Error(),
				Errors: []problem.FieldError{{Field: "reference", Message: ErrDuplicateSignal.Error()}}})
		case errors.Is(err, ErrDuplicateDebt):
			problem.Write(w, r, problem.Details{Status: http.StatusConflict, Detail: ErrDuplicateDebt.Error(),
				DetailNL: "Deze schuld staat al bij deze inwoner: dezelfde schuldeiser en hetzelfde kenmerk."})
		case errors.Is(err, ErrVersionConflict):
			problem.Write(w, r, problem.Details{Status: http.StatusConflict, Detail: ErrVersionConflict.Error(),
				DetailNL: "Iemand anders heeft deze schuld net gewijzigd. Haal de gegevens opnieuw op en probeer het nog eens."})
		case errors.Is(err, ErrConflict):
			problem.Write(w, r, problem.Details{Status: http.StatusConflict, Detail: conflictDetail(err),
				DetailNL: "Dit kan nu niet meer, of nog niet. Haal de gegevens opnieuw op."})
		default:
			log.ErrorContext(ctx, "debts api: internal error", "err", err)
			problem.Internal(w, r)
		}
	}
}

// conflictDetail is the part of a conflict's text after the sentinel: which state
// stood in the way. It names states, never personal data.
func conflictDetail(err error) string {
	s := err.Error()
	if i := strings.Index(s, ErrConflict.Error()); i >= 0 {
		return s[i:]
	}
	return fmt.Sprint(ErrConflict)
}

// decodeBody reads the strict JSON body (platform/httpreq; an empty body is fine when
// optional) and maps its problems to this service's errors.
func decodeBody(r *http.Request, v any, optional bool) error {
	return bodyError(httpreq.DecodeJSON(r, v, maxBody, optional))
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
