package paymentplans

import (
	"context"
	_ "embed"
	"encoding/csv"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

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
	const base = "/api/v1/tenants/{tenant}/residents/{id}"
	const plan = base + "/plans/{plan}"
	return []route{
		{"POST " + base + "/plans", kithttp.NewServer(e.Request, decodeRequest, encodeJSON, opts...)},
		{"GET " + base + "/plans", kithttp.NewServer(e.List, decodeResident, encodeJSON, opts...)},
		{"GET " + plan, kithttp.NewServer(e.Get, decodePlan, encodeJSON, opts...)},
		{"PATCH " + plan, kithttp.NewServer(e.Change, decodeChange, encodeJSON, opts...)},
		{"POST " + plan + "/approve", kithttp.NewServer(e.Approve, decodePlan, encodeJSON, opts...)},
		{"POST " + plan + "/reject", kithttp.NewServer(e.Reject, decodeReject, encodeJSON, opts...)},
		{"POST " + plan + "/stop", kithttp.NewServer(e.Stop, decodePlan, encodeJSON, opts...)},
		{"GET " + base + "/shortfalls", kithttp.NewServer(e.Shortfalls, decodeResident, encodeJSON, opts...)},
		{"GET /api/v1/tenants/{tenant}/creditors/{id}/messages", kithttp.NewServer(e.Export, decodeExport, encodeExport, opts...)},
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

func decodeResident(_ context.Context, r *http.Request) (any, error) {
	t, err := pathTenant(r)
	if err != nil {
		return nil, err
	}
	return residentRequest{Tenant: t, ResidentID: r.PathValue("id"), Purpose: httpreq.Purpose(r)}, nil
}

func decodeRequest(_ context.Context, r *http.Request) (any, error) {
	t, err := pathTenant(r)
	if err != nil {
		return nil, err
	}
	var np NewPlan
	if err := decodeBody(r, &np, false); err != nil {
		return nil, err
	}
	return requestRequest{Tenant: t, ResidentID: r.PathValue("id"), Plan: np}, nil
}

func decodePlan(_ context.Context, r *http.Request) (any, error) {
	t, err := pathTenant(r)
	if err != nil {
		return nil, err
	}
	return planRequest{Tenant: t, ResidentID: r.PathValue("id"), PlanID: r.PathValue("plan"), Purpose: httpreq.Purpose(r)}, nil
}

func decodeReject(ctx context.Context, r *http.Request) (any, error) {
	req, err := decodePlan(ctx, r)
	if err != nil {
		return nil, err
	}
	var body struct {
		Reason string `json:"reason"`
	}
	if err := decodeBody(r, &body, false); err != nil {
		return nil, err
	}
	pr := req.(planRequest)
	pr.Reason = body.Reason
	return pr, nil
}

func decodeChange(ctx context.Context, r *http.Request) (any, error) {
	req, err := decodePlan(ctx, r)
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
	pr := req.(planRequest)
	pr.Version = version
	if err := decodeBody(r, &pr.Changes, false); err != nil {
		return nil, err
	}
	return pr, nil
}

func decodeExport(_ context.Context, r *http.Request) (any, error) {
	t, err := pathTenant(r)
	if err != nil {
		return nil, err
	}
	req := exportRequest{Tenant: t, CreditorID: r.PathValue("id")}
	var v validator
	q := r.URL.Query()
	if s := q.Get("since"); s != "" {
		if req.Since, err = time.Parse(time.RFC3339, s); err != nil {
			if req.Since, err = time.Parse(dateLayout, s); err != nil {
				v.add("since", "must be a time (RFC 3339, 2026-03-01T00:00:00Z) or a date (2026-03-01)",
					"Dit is geen goede datum of tijd. Schrijf bijvoorbeeld 2026-03-01.")
			}
		}
	}
	switch q.Get("format") {
	case "", "jsonl":
	case "csv":
		req.CSV = true
	default:
		v.add("format", "must be jsonl or csv", "Kies het formaat jsonl of csv.")
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	return req, nil
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

// exportColumns are the CSV columns of an export, in order.
var exportColumns = []string{"message_id", "created_at", "kind", "plan_id", "reference", "amount_cents", "currency",
	"start_period", "end_period", "delivered_at"}

// encodeExport writes messages as JSON lines (one MessagePayload with delivery
// state per line) or as CSV with a header row.
func encodeExport(_ context.Context, w http.ResponseWriter, resp any) error {
	r := resp.(exportResponse)
	w.Header().Set("Cache-Control", "no-store")
	if !r.csv {
		w.Header().Set("Content-Type", "application/jsonl")
		enc := json.NewEncoder(w)
		for _, m := range r.messages {
			line := struct {
				Message     json.RawMessage `json:"message"`
				DeliveredAt *time.Time      `json:"delivered_at"`
				Attempts    int             `json:"attempts"`
			}{m.Payload, m.DeliveredAt, m.Attempts}
			if err := enc.Encode(line); err != nil {
				return err
			}
		}
		return nil
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	cw := csv.NewWriter(w)
	if err := cw.Write(exportColumns); err != nil {
		return err
	}
	for _, m := range r.messages {
		var p MessagePayload
		if err := json.Unmarshal(m.Payload, &p); err != nil {
			return err
		}
		delivered := ""
		if m.DeliveredAt != nil {
			delivered = m.DeliveredAt.UTC().Format(time.RFC3339)
		}
		if err := cw.Write([]string{p.MessageID, p.CreatedAt, string(p.Kind), p.PlanID, cell(p.Reference),
			strconv.FormatInt(p.AmountCents, 10), p.Currency, p.StartPeriod, p.EndPeriod, delivered}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// cell keeps a spreadsheet from reading a value as a formula.
func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
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
			log.WarnContext(ctx, "paymentplans api: value refused by the database", "sqlstate", db.SQLState(err))
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
				DetailNL: "Haal de betaling eerst op en stuur de versie mee in If-Match."})
		case errors.Is(err, authz.ErrUnauthenticated):
			problem.Unauthorized(w, r, "authentication required")
		case errors.Is(err, authz.ErrForbidden):
			problem.Forbidden(w, r, "not allowed for this principal in this tenant")
		case errors.Is(err, ErrNotFound):
			problem.NotFound(w, r, "no such payment plan of this resident in this tenant")
		case errors.Is(err, ErrResidentNotFound):
			problem.NotFound(w, r, "no such resident in this tenant")
		case errors.Is(err, ErrCreditorNotFound):
			problem.NotFound(w, r, "no such creditor in the catalogue or this tenant")
		case errors.Is(err, ErrState):
			problem.Write(w, r, problem.Details{Status: http.StatusConflict, Detail: err.Error(),
				DetailNL: "Dit kan niet meer: de betaling is al goedgekeurd, afgewezen of gestopt."})
		case errors.Is(err, ErrVersionConflict):
			problem.Write(w, r, problem.Details{Status: http.StatusConflict, Detail: ErrVersionConflict.Error(),
				DetailNL: "Iemand anders heeft deze betaling net gewijzigd. Haal haar opnieuw op en probeer het nog eens."})
		default:
			log.ErrorContext(ctx, "paymentplans api: internal error", "err", err)
			problem.Internal(w, r)
		}
	}
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
