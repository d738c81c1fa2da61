package income

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/go-kit/kit/endpoint"
	kithttp "github.com/go-kit/kit/transport/http"

	"github.com/plein-nl/plein/platform/bijstand"
	"github.com/plein-nl/plein/platform/bsn"
	"github.com/plein-nl/plein/platform/httpapi"
	"github.com/plein-nl/plein/platform/input"
	"github.com/plein-nl/plein/platform/money"
	"github.com/plein-nl/plein/platform/tenant"
)

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
func MakeEndpoints(s *Staff, mw httpapi.Middleware) Endpoints {
	created := func(p Payslip) httpapi.Response {
		return httpapi.Response{Status: http.StatusCreated, Body: payslipToJSON(p)}
	}
	return Endpoints{
		Month: mw.Wrap("Month", httpapi.Endpoint(func(ctx context.Context, r monthRequest) (Month, error) {
			m, err := s.Month(ctx, r.Tenant, r.Resident, r.Period, r.Purpose)
			return m, caseProblem(err)
		}, ToJSON)),
		SubmitPayslip: mw.Wrap("SubmitPayslip", httpapi.Endpoint(func(ctx context.Context, r payslipRequest) (Payslip, error) {
			return s.SubmitPayslip(ctx, r.Tenant, r.Resident, r.Payslip)
		}, created)),
		EmployerPayslip: mw.Wrap("EmployerPayslip", httpapi.Endpoint(func(ctx context.Context, r payslipRequest) (Payslip, error) {
			return s.EmployerPayslip(ctx, r.Tenant, r.BSN, r.Payslip)
		}, created)),
		Payslips: mw.Wrap("Payslips", httpapi.Endpoint(func(ctx context.Context, r payslipsRequest) ([]Payslip, error) {
			return s.Payslips(ctx, r.Tenant, r.Resident, r.Period, r.Purpose)
		}, toPayslipList)),
		Review: mw.Wrap("Review", httpapi.Endpoint(func(ctx context.Context, r reviewRequest) (Payslip, error) {
			return s.ReviewPayslip(ctx, r.Tenant, r.Resident, r.Payslip, r.Confirm, r.Reason)
		}, payslipToJSON)),
	}
}

// payslipList is the answer of GET …/payslips: every payslip of the period, each
// saying whether it counts now.
type payslipList struct {
	Payslips []payslipJSON `json:"payslips"`
}

func toPayslipList(slips []Payslip) payslipList {
	return payslipList{Payslips: httpapi.List(slips, func(p Payslip) payslipJSON {
		j := payslipToJSON(p)
		current := !p.superseded && p.Counts()
		j.Current = &current
		return j
	})}
}

// caseProblem makes a case the engine cannot compute (a *bijstand.InputError: the
// household as stored) the API's one answer to invalid input, a 400 naming the field.
func caseProblem(err error) error {
	var ie *bijstand.InputError
	if errors.As(err, &ie) {
		return httpapi.Invalid(ie.Field, ie.Msg, "Met deze gegevens kan de uitkering niet worden berekend. Kijk ze na.", ErrInvalid)
	}
	return err
}

// problems answers the service's errors.
var problems = []httpapi.Problem{
	{Err: ErrPurposeRequired, Status: http.StatusBadRequest, Field: "purpose",
		DetailNL: "Vul een doel in: voor welke zaak of taak bekijkt u deze gegevens?"},
	{Err: ErrNoConsent, Status: http.StatusForbidden, Detail: "the resident has not given this employer consent"},
	{Err: ErrNotFound, Status: http.StatusNotFound, Detail: "resident not found"},
	{Err: ErrNotPending, Status: http.StatusConflict, Detail: ErrNotPending.Error(),
		DetailNL: "Deze loonstrook wacht niet (meer) op controle."},
}

// dutchNames names the fields in Dutch, for detail_nl.
var dutchNames = map[string]string{
	"employer": "werkgever", "period_start": "begin van de periode", "period_end": "eind van de periode",
	"gross_cents": "brutoloon", "net_cents": "nettoloon", "hours_centi": "uren", "hours": "uren", "pay_date": "betaaldatum",
	"applicant": "aanvrager", "bsn": "BSN", "pdf": "loonstrook", "reason": "reden", "purpose": "doel", "period": "maand",
	"tenant": "gemeente", "body": "gegevens",
}

func newAPI(log *slog.Logger) *httpapi.API {
	return &httpapi.API{Name: "income api", Log: log, Problems: problems, Names: dutchNames}
}

// RegisterHTTP mounts the staff and partner routes on mux.
func RegisterHTTP(mux httpapi.Router, e Endpoints, log *slog.Logger) {
	api := newAPI(log)
	const resident = "/api/v1/tenants/{tenant}/residents/{id}"
	api.Handle(mux, "GET "+resident+"/months/{period}", e.Month, decodeMonth)
	api.Handle(mux, "POST "+resident+"/payslips", e.SubmitPayslip, decodeStaffPayslip)
	api.Handle(mux, "POST /api/v1/tenants/{tenant}/partner/payslips", e.EmployerPayslip, decodeEmployerPayslip)
	api.Handle(mux, "GET "+resident+"/payslips", e.Payslips, decodePayslips)
	api.Handle(mux, "POST "+resident+"/payslips/{payslip}/confirm", e.Review, decodeReview(true))
	api.Handle(mux, "POST "+resident+"/payslips/{payslip}/decline", e.Review, decodeReview(false))
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
	t, err := httpapi.PathTenant(r)
	if err != nil {
		return nil, err
	}
	p, err := period(r.URL.Query().Get("period"))
	return payslipsRequest{Tenant: t, Resident: r.PathValue("id"), Period: p, Purpose: httpapi.Purpose(r)}, err
}

// decodeReview reads POST …/confirm (no body needed) or …/decline {"reason": "..."}.
func decodeReview(confirm bool) kithttp.DecodeRequestFunc {
	return func(_ context.Context, r *http.Request) (any, error) {
		t, err := httpapi.PathTenant(r)
		if err != nil {
			return nil, err
		}
		var body struct {
			Reason string `json:"reason"`
		}
		if !confirm || r.ContentLength != 0 {
			if err := httpapi.DecodeBody(r, &body, httpapi.MaxBody, false); err != nil {
				return nil, err
			}
		}
		return reviewRequest{Tenant: t, Resident: r.PathValue("id"), Payslip: r.PathValue("payslip"), Confirm: confirm, Reason: body.Reason}, nil
	}
}

// period reads a month YYYY-MM of the request, or a validation error on "period".
func period(s string) (bijstand.Period, error) {
	p, err := bijstand.ParsePeriod(s)
	if err != nil {
		return p, httpapi.Invalid("period", "must be a month YYYY-MM", "Vul een maand in (JJJJ-MM).")
	}
	return p, nil
}

func decodeMonth(_ context.Context, r *http.Request) (any, error) {
	t, err := httpapi.PathTenant(r)
	if err != nil {
		return nil, err
	}
	p, err := period(r.PathValue("period"))
	return monthRequest{Tenant: t, Resident: r.PathValue("id"), Period: p, Purpose: httpapi.Purpose(r)}, err
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

// decodePayslip reads what the staff's and an employer's payslips both send: the
// tenant of the path and the payslip of the body.
func decodePayslip(r *http.Request) (tenant.ID, payslipJSON, NewPayslip, error) {
	var in payslipJSON
	t, err := httpapi.TenantBody(r, &in)
	if err != nil {
		return t, in, NewPayslip{}, err
	}
	v := invalid()
	date := func(field, s string) time.Time {
		t, err := time.Parse(time.DateOnly, s)
		if err != nil {
			v.Fields = append(v.Fields, httpapi.FieldError{Field: field, EN: "must be a date YYYY-MM-DD", NL: "Vul een datum in."})
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
		return t, in, np, v
	}
	return t, in, np, nil
}

func decodeStaffPayslip(_ context.Context, r *http.Request) (any, error) {
	t, _, np, err := decodePayslip(r)
	if err != nil {
		return nil, err
	}
	return payslipRequest{Tenant: t, Resident: r.PathValue("id"), Payslip: np}, nil
}

func decodeEmployerPayslip(_ context.Context, r *http.Request) (any, error) {
	t, in, np, err := decodePayslip(r)
	if err != nil {
		return nil, err
	}
	if in.BSN == "" {
		return nil, httpapi.Invalid("bsn", "the resident's BSN is required", "Het BSN ontbreekt.", ErrInvalid)
	}
	// A malformed BSN is the client's mistake, answered before any lookup: it says
	// nothing about which well-formed BSNs the gemeente knows.
	if _, err := bsn.Parse(in.BSN); err != nil {
		return nil, httpapi.Invalid("bsn", "not a valid BSN: "+err.Error(), httpapi.DutchOf(err, "Dit BSN klopt niet."), ErrInvalid)
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
