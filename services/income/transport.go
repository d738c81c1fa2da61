package income

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/go-kit/kit/endpoint"
	kithttp "github.com/go-kit/kit/transport/http"

	"github.com/plein-nl/plein/platform/authz"
	"github.com/plein-nl/plein/platform/bijstand"
	"github.com/plein-nl/plein/platform/bsn"
	"github.com/plein-nl/plein/platform/db"
	"github.com/plein-nl/plein/platform/httpapi"
	"github.com/plein-nl/plein/platform/httpreq"
	"github.com/plein-nl/plein/platform/input"
	"github.com/plein-nl/plein/platform/money"
	"github.com/plein-nl/plein/platform/observe"
	"github.com/plein-nl/plein/platform/problem"
	"github.com/plein-nl/plein/platform/tenant"
)

var errBadRequest = errors.New("bad request")

// Endpoints are the staff and partner endpoints.
type Endpoints struct {
	Month           endpoint.Endpoint
	SubmitPayslip   endpoint.Endpoint
	EmployerPayslip endpoint.Endpoint
	Payslips        endpoint.Endpoint
	Review          endpoint.Endpoint
}

type monthRequest struct {
	Tenant   tenant.ID
	Resident string
	Period   bijstand.Period
	Purpose  string
}

type payslipRequest struct {
	Tenant   tenant.ID
	Resident string
	BSN      string
	Payslip  NewPayslip
}

// MakeEndpoints wraps the staff face in endpoints, with mw per method.
func MakeEndpoints(s *Staff, mw func(method string) endpoint.Middleware) Endpoints {
	if mw == nil {
		mw = func(string) endpoint.Middleware { return func(e endpoint.Endpoint) endpoint.Endpoint { return e } }
	}
	return Endpoints{
		Month: mw("Month")(func(ctx context.Context, req any) (any, error) {
			r := req.(monthRequest)
			m, err := s.Month(ctx, r.Tenant, r.Resident, r.Period, r.Purpose)
			if err != nil {
				return nil, err
			}
			return ToJSON(m), nil
		}),
		SubmitPayslip: mw("SubmitPayslip")(func(ctx context.Context, req any) (any, error) {
			r := req.(payslipRequest)
			p, err := s.SubmitPayslip(ctx, r.Tenant, r.Resident, r.Payslip)
			return created{payslipToJSON(p)}, err
		}),
		EmployerPayslip: mw("EmployerPayslip")(func(ctx context.Context, req any) (any, error) {
			r := req.(payslipRequest)
			p, err := s.EmployerPayslip(ctx, r.Tenant, r.BSN, r.Payslip)
			return created{payslipToJSON(p)}, err
		}),
		Payslips: mw("Payslips")(func(ctx context.Context, req any) (any, error) {
			r := req.(payslipsRequest)
			slips, err := s.Payslips(ctx, r.Tenant, r.Resident, r.Period, r.Purpose)
			if err != nil {
				return nil, err
			}
			out := struct {
				Payslips []payslipJSON `json:"payslips"`
			}{Payslips: make([]payslipJSON, len(slips))}
			for i, p := range slips {
				out.Payslips[i] = payslipToJSON(p)
				current := !p.superseded && p.Counts()
				out.Payslips[i].Current = &current
			}
			return out, nil
		}),
		Review: mw("Review")(func(ctx context.Context, req any) (any, error) {
			r := req.(reviewRequest)
			p, err := s.ReviewPayslip(ctx, r.Tenant, r.Resident, r.Payslip, r.Confirm, r.Reason)
			if err != nil {
				return nil, err
			}
			return payslipToJSON(p), nil
		}),
	}
}

type created struct{ v any }

// RegisterHTTP mounts the staff and partner routes on mux.
func RegisterHTTP(mux httpapi.Router, e Endpoints, log *slog.Logger) {
	opts := []kithttp.ServerOption{
		kithttp.ServerBefore(kithttp.PopulateRequestContext),
		kithttp.ServerErrorEncoder(errorEncoder(log)),
	}
	mux.Handle("GET /api/v1/tenants/{tenant}/residents/{id}/months/{period}", observe.Report(kithttp.NewServer(e.Month, decodeMonth, encodeJSON, opts...)))
	mux.Handle("POST /api/v1/tenants/{tenant}/residents/{id}/payslips", observe.Report(kithttp.NewServer(e.SubmitPayslip, decodeStaffPayslip, encodeJSON, opts...)))
	mux.Handle("POST /api/v1/tenants/{tenant}/partner/payslips", observe.Report(kithttp.NewServer(e.EmployerPayslip, decodeEmployerPayslip, encodeJSON, opts...)))
	mux.Handle("GET /api/v1/tenants/{tenant}/residents/{id}/payslips", observe.Report(kithttp.NewServer(e.Payslips, decodePayslips, encodeJSON, opts...)))
	mux.Handle("POST /api/v1/tenants/{tenant}/residents/{id}/payslips/{payslip}/confirm", observe.Report(kithttp.NewServer(e.Review, decodeReview(true), encodeJSON, opts...)))
	mux.Handle("POST /api/v1/tenants/{tenant}/residents/{id}/payslips/{payslip}/decline", observe.Report(kithttp.NewServer(e.Review, decodeReview(false), encodeJSON, opts...)))
}

type payslipsRequest struct {
	Tenant   tenant.ID
	Resident string
	Period   bijstand.Period
	Purpose  string
}

type reviewRequest struct {
	Tenant            tenant.ID
	Resident, Payslip string
	Confirm           bool
	Reason            string
}

// decodePayslips reads GET …/payslips?period=YYYY-MM with its purpose.
func decodePayslips(_ context.Context, r *http.Request) (any, error) {
	t, err := pathTenant(r)
	if err != nil {
		return nil, err
	}
	p, err := bijstand.ParsePeriod(r.URL.Query().Get("period"))
	if err != nil {
		return nil, &ValidationError{Fields: []FieldError{{Field: "period", EN: "must be a month YYYY-MM", NL: "Vul een maand in (JJJJ-MM)."}}}
	}
	return payslipsRequest{Tenant: t, Resident: r.PathValue("id"), Period: p, Purpose: httpreq.Purpose(r)}, nil
}

// decodeReview reads POST …/confirm (no body needed) or …/decline {"reason": "..."}.
func decodeReview(confirm bool) kithttp.DecodeRequestFunc {
	return func(_ context.Context, r *http.Request) (any, error) {
		t, err := pathTenant(r)
		if err != nil {
			return nil, err
		}
		var body struct {
			Reason string `json:"reason"`
		}
		if !confirm || r.ContentLength != 0 {
			if err := decodeBody(r, &body); err != nil {
				return nil, err
			}
		}
		return reviewRequest{Tenant: t, Resident: r.PathValue("id"), Payslip: r.PathValue("payslip"), Confirm: confirm, Reason: body.Reason}, nil
	}
}

func pathTenant(r *http.Request) (tenant.ID, error) {
	id, err := tenant.Parse(r.PathValue("tenant"))
	if err != nil {
		return "", fmt.Errorf("%w: tenant: %w", errBadRequest, err)
	}
	return id, nil
}

func decodeMonth(_ context.Context, r *http.Request) (any, error) {
	t, err := pathTenant(r)
	if err != nil {
		return nil, err
	}
	p, err := bijstand.ParsePeriod(r.PathValue("period"))
	if err != nil {
		return nil, fmt.Errorf("%w: period: %v", errBadRequest, err)
	}
	purpose := r.URL.Query().Get("purpose")
	if purpose == "" {
		purpose = r.Header.Get("X-Plein-Purpose")
	}
	return monthRequest{Tenant: t, Resident: r.PathValue("id"), Period: p, Purpose: purpose}, nil
}

// payslipJSON is a payslip in the API.
type payslipJSON struct {
	ID          string `json:"id,omitempty"`
	BSN         string `json:"bsn,omitempty"`
	Applicant   int    `json:"applicant"`
	Employer    string `json:"employer"`
	PeriodStart string `json:"period_start"`
	PeriodEnd   string `json:"period_end"`
	GrossCents  int64  `json:"gross_cents"`
	NetCents    int64  `json:"net_cents"`
	HoursCenti  int64  `json:"hours_centi"`
	PayDate     string `json:"pay_date"`
	Source      string `json:"source,omitempty"`
	Supersedes  string `json:"supersedes,omitempty"`
	// Review is "pending" for a correction that waits for a consulent, "confirmed" or
	// "declined" after; absent for a payslip that counted at once.
	Review string `json:"review,omitempty"`
	// Current is true for a payslip that counts now: not replaced by a later one, not
	// a pending or declined correction (GET …/payslips only).
	Current *bool `json:"current,omitempty"`
}

// maxBody is the largest payslip body accepted (a payslip's PDF is not sent here).
const maxBody = 64 << 10

// Transport errors, each mapped to its status by errorEncoder.
var (
	errTooLarge  = errors.New("request body is larger than 64 KiB")
	errMediaType = errors.New("request body must be application/json")
)

// decodeBody reads the strict JSON body (platform/httpreq: a JSON media type, one
// object, no unknown fields, nothing after it) and maps its problems to this service's
// errors, so that a wrong JSON type is named by its field and never by a Go type.
func decodeBody(r *http.Request, v any) error {
	err := httpreq.DecodeJSON(r, v, maxBody, false)
	var fe *httpreq.FieldError
	switch {
	case errors.Is(err, httpreq.ErrTooLarge):
		return errTooLarge
	case errors.Is(err, httpreq.ErrMediaType):
		return errMediaType
	case errors.As(err, &fe):
		return &ValidationError{Fields: []FieldError{{Field: fe.Field, EN: fe.EN, NL: fe.NL}}}
	}
	return err
}

func decodePayslip(r *http.Request) (payslipJSON, NewPayslip, error) {
	var in payslipJSON
	if err := decodeBody(r, &in); err != nil {
		return in, NewPayslip{}, err
	}
	var v ValidationError
	date := func(field, s string) time.Time {
		t, err := time.Parse(time.DateOnly, s)
		if err != nil {
			v.Fields = append(v.Fields, FieldError{Field: field, EN: "must be a date YYYY-MM-DD", NL: "Vul een datum in."})
		}
		return t
	}
	// The name is stored as it is cleaned here (NFC, trimmed); what cannot be cleaned
	// goes on as sent, for the service to refuse with its field error.
	employer := in.Employer
	if s, p := input.Text(in.Employer, 0); p.OK() {
		employer = s
	}
	np := NewPayslip{Applicant: in.Applicant, Employer: employer, PeriodStart: date("period_start", in.PeriodStart),
		PeriodEnd: date("period_end", in.PeriodEnd), Gross: money.Cents(in.GrossCents), Net: money.Cents(in.NetCents),
		HoursCenti: in.HoursCenti, PayDate: date("pay_date", in.PayDate)}
	if len(v.Fields) > 0 {
		return in, np, &v
	}
	return in, np, nil
}

func decodeStaffPayslip(_ context.Context, r *http.Request) (any, error) {
	t, err := pathTenant(r)
	if err != nil {
		return nil, err
	}
	_, np, err := decodePayslip(r)
	if err != nil {
		return nil, err
	}
	return payslipRequest{Tenant: t, Resident: r.PathValue("id"), Payslip: np}, nil
}

func decodeEmployerPayslip(_ context.Context, r *http.Request) (any, error) {
	t, err := pathTenant(r)
	if err != nil {
		return nil, err
	}
	in, np, err := decodePayslip(r)
	if err != nil {
		return nil, err
	}
	if in.BSN == "" {
		return nil, &ValidationError{Fields: []FieldError{{Field: "bsn", EN: "the resident's BSN is required", NL: "Het BSN ontbreekt."}}}
	}
	// A malformed BSN is the client's mistake, answered before any lookup: it says
	// nothing about which well-formed BSNs the gemeente knows.
	if _, err := bsn.Parse(in.BSN); err != nil {
		nl := "Dit BSN klopt niet."
		var perr *bsn.Error
		if errors.As(err, &perr) {
			nl = perr.Dutch()
		}
		return nil, &ValidationError{Fields: []FieldError{{Field: "bsn", EN: "not a valid BSN: " + err.Error(), NL: nl}}}
	}
	return payslipRequest{Tenant: t, BSN: in.BSN, Payslip: np}, nil
}

func payslipToJSON(p Payslip) payslipJSON {
	return payslipJSON{ID: p.ID, Applicant: p.Applicant, Employer: p.Employer, PeriodStart: p.PeriodStart.Format(time.DateOnly),
		PeriodEnd: p.PeriodEnd.Format(time.DateOnly), GrossCents: int64(p.Gross), NetCents: int64(p.Net), HoursCenti: p.HoursCenti,
		PayDate: p.PayDate.Format(time.DateOnly), Source: string(p.Source), Supersedes: p.Supersedes, Review: string(p.Review)}
}

// MonthJSON is a month in the API: the engine's result (the output of `plein calc
// month`), the payslips it counted, and the pay date.
type MonthJSON struct {
	Period   string              `json:"period"`
	PayDate  string              `json:"pay_date"`
	Result   bijstand.ResultJSON `json:"result"`
	Payslips []payslipJSON       `json:"payslips"`
}

// ToJSON converts a month to its API form.
func ToJSON(m Month) MonthJSON {
	out := MonthJSON{Period: m.Period.String(), PayDate: m.PayDate.Format(time.DateOnly), Result: m.Result.ToJSON(), Payslips: []payslipJSON{}}
	for _, p := range m.Payslips {
		out.Payslips = append(out.Payslips, payslipToJSON(p))
	}
	return out
}

func encodeJSON(_ context.Context, w http.ResponseWriter, resp any) error {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	if c, ok := resp.(created); ok {
		w.WriteHeader(http.StatusCreated)
		resp = c.v
	}
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(resp); err != nil {
		return err
	}
	_, err := w.Write(buf.Bytes())
	return err
}

func errorEncoder(log *slog.Logger) kithttp.ErrorEncoder {
	return func(ctx context.Context, err error, w http.ResponseWriter) {
		path, _ := ctx.Value(kithttp.ContextKeyRequestPath).(string)
		r, _ := http.NewRequestWithContext(ctx, http.MethodGet, "/", nil)
		r.URL.Path = path
		var ve *ValidationError
		var ie *bijstand.InputError
		switch {
		case errors.As(err, &ve):
			d := problem.Details{Status: http.StatusBadRequest, Detail: ve.Error()}
			var nl []string
			for _, f := range ve.Fields {
				d.Errors = append(d.Errors, problem.FieldError{Field: f.Field, Message: f.EN})
				nl = append(nl, f.NL)
			}
			d.DetailNL = strings.Join(nl, " ")
			problem.Write(w, r, d)
		case errors.As(err, &ie):
			problem.Write(w, r, problem.Details{Status: http.StatusUnprocessableEntity, Detail: ie.Error(),
				Errors: []problem.FieldError{{Field: ie.Field, Message: ie.Msg}}})
		case errors.Is(err, errBadRequest), errors.Is(err, ErrPurposeRequired):
			problem.Write(w, r, problem.Details{Status: http.StatusBadRequest, Detail: err.Error()})
		case errors.Is(err, errTooLarge):
			problem.Write(w, r, problem.Details{Status: http.StatusRequestEntityTooLarge, Detail: err.Error(),
				DetailNL: "Er zijn te veel gegevens opgestuurd."})
		case errors.Is(err, errMediaType):
			problem.Write(w, r, problem.Details{Status: http.StatusUnsupportedMediaType, Detail: err.Error(),
				DetailNL: "De gegevens moeten als JSON worden opgestuurd."})
		case errors.Is(err, db.ErrDataException):
			httpapi.WriteRefused(ctx, w, r, log, "income api", err)
		case errors.Is(err, authz.ErrUnauthenticated):
			problem.Unauthorized(w, r, "authentication required")
		case errors.Is(err, authz.ErrForbidden):
			problem.Forbidden(w, r, "not allowed for this principal in this tenant")
		case errors.Is(err, ErrNoConsent):
			problem.Forbidden(w, r, "the resident has not given this employer consent")
		case errors.Is(err, ErrNotFound):
			problem.NotFound(w, r, "resident not found")
		case errors.Is(err, ErrNotPending):
			problem.Write(w, r, problem.Details{Status: http.StatusConflict, Detail: ErrNotPending.Error(),
				DetailNL: "Deze loonstrook wacht niet (meer) op controle."})
		default:
			log.ErrorContext(ctx, "income api: internal error", "err", err)
			problem.Internal(w, r)
		}
	}
}
