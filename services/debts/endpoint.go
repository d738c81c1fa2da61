package debts

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/go-kit/kit/endpoint"

	"github.com/plein-nl/plein/platform/authz"
	"github.com/plein-nl/plein/platform/httpapi"
	"github.com/plein-nl/plein/platform/tenant"
)

// Endpoints are the staff and partner endpoints of the debts service.
type Endpoints struct {
	Debts, CreateDebt, UpdateDebt                      endpoint.Endpoint
	Queue, RecordContact, AcceptHelp, DeclineHelp      endpoint.Endpoint
	LinkSignal, Request                                endpoint.Endpoint
	SavePlan, Plan, StartTraject, Traject, DecideOffer endpoint.Endpoint
	SubmitSignal                                       endpoint.Endpoint
}

// MakeEndpoints wraps each API method of s (wrap it with NewAuthorizing first) in an
// endpoint, with mw applied to each (instrumenting, logging) under the method's name.
func MakeEndpoints(s Service, mw httpapi.Middleware) Endpoints {
	noContent := httpapi.Response{Status: http.StatusNoContent}
	return Endpoints{
		Debts: mw.Wrap("Debts", httpapi.Endpoint(func(ctx context.Context, r residentRequest) ([]Debt, error) {
			return s.Debts(ctx, r.Tenant, r.Resident, r.Purpose)
		}, toDebtList)),
		CreateDebt: mw.Wrap("CreateDebt", func(ctx context.Context, req any) (any, error) {
			r := req.(createDebtRequest)
			d, err := s.CreateDebt(ctx, r.Tenant, r.Resident, r.Debt)
			if err != nil {
				return nil, err
			}
			return httpapi.Response{Status: http.StatusCreated, Version: d.Version, Body: toAPIDebt(d),
				Location: "/api/v1/tenants/" + string(r.Tenant) + "/residents/" + d.ResidentID + "/debts/" + d.ID}, nil
		}),
		UpdateDebt: mw.Wrap("UpdateDebt", httpapi.Endpoint(func(ctx context.Context, r updateDebtRequest) (Debt, error) {
			return s.UpdateDebt(ctx, r.Tenant, r.Resident, r.Debt, r.Version, r.Changes)
		}, func(d Debt) httpapi.Response { return httpapi.Response{Version: d.Version, Body: toAPIDebt(d)} })),
		Queue: mw.Wrap("Queue", httpapi.Endpoint(func(ctx context.Context, r tenantRequest) ([]QueueItem, error) {
			return s.Queue(ctx, r.Tenant, time.Time{})
		}, toQueueList)),
		RecordContact: mw.Wrap("RecordContact", func(ctx context.Context, req any) (any, error) {
			r := req.(contactRequest)
			return noContent, s.RecordContact(ctx, r.Tenant, r.ID, r.At, authz.PrincipalFrom(ctx).Subject)
		}),
		AcceptHelp: mw.Wrap("AcceptHelp", httpapi.Endpoint(func(ctx context.Context, r itemRequest) (string, error) {
			return s.AcceptHelp(ctx, r.Tenant, r.ID)
		}, func(id string) acceptResponse { return acceptResponse{RequestID: id} })),
		DeclineHelp: mw.Wrap("DeclineHelp", func(ctx context.Context, req any) (any, error) {
			r := req.(itemRequest)
			return noContent, s.DeclineHelp(ctx, r.Tenant, r.ID)
		}),
		LinkSignal: mw.Wrap("LinkSignal", func(ctx context.Context, req any) (any, error) {
			r := req.(linkRequest)
			return noContent, s.LinkSignal(ctx, r.Tenant, r.ID, r.ResidentID)
		}),
		Request: mw.Wrap("Request", httpapi.Endpoint(func(ctx context.Context, r requestRequest) (QueueItem, error) {
			return s.Request(ctx, r.Tenant, r.Request)
		}, func(it QueueItem) httpapi.Response { return created(toAPIQueueItem(it)) })),
		SavePlan: mw.Wrap("SavePlan", httpapi.Endpoint(func(ctx context.Context, r planRequest) (Plan, error) {
			return s.SavePlan(ctx, r.Tenant, r.Resident, r.Plan)
		}, toAPIPlan)),
		Plan: mw.Wrap("Plan", httpapi.Endpoint(func(ctx context.Context, r residentRequest) (Plan, error) {
			return s.Plan(ctx, r.Tenant, r.Resident, r.Purpose)
		}, toAPIPlan)),
		StartTraject: mw.Wrap("StartTraject", httpapi.Endpoint(func(ctx context.Context, r trajectRequest) (Traject, error) {
			return s.StartTraject(ctx, r.Tenant, r.Resident, r.Traject)
		}, func(tr Traject) httpapi.Response { return created(toAPITraject(tr)) })),
		Traject: mw.Wrap("Traject", httpapi.Endpoint(func(ctx context.Context, r residentRequest) (Traject, error) {
			return s.Traject(ctx, r.Tenant, r.Resident, r.Purpose)
		}, toAPITraject)),
		DecideOffer: mw.Wrap("DecideOffer", httpapi.Endpoint(func(ctx context.Context, r offerRequest) (Traject, error) {
			return s.DecideOffer(ctx, r.Tenant, r.Resident, r.Creditor, r.Accept)
		}, toAPITraject)),
		SubmitSignal: mw.Wrap("SubmitSignal", submitSignal(s)),
	}
}

// submitSignal is the endpoint of a creditor's report: 201 for a new signal, 200 for
// one that changes the signal it repeats. The creditor is who the partner key says,
// never what the body says.
func submitSignal(s Service) endpoint.Endpoint {
	return func(ctx context.Context, req any) (any, error) {
		r := req.(signalRequest)
		creditorID := strings.TrimPrefix(authz.PrincipalFrom(ctx).Subject, CreditorSubjectPrefix)
		sig, isNew, err := s.SubmitSignal(ctx, r.Tenant, creditorID, r.Signal)
		if err != nil {
			return nil, err
		}
		if isNew {
			return created(toAPISignal(sig)), nil
		}
		return toAPISignal(sig), nil
	}
}

// created answers 201 with body.
func created(body any) httpapi.Response {
	return httpapi.Response{Status: http.StatusCreated, Body: body}
}

type tenantRequest struct{ Tenant tenant.ID }

type residentRequest struct {
	Tenant   tenant.ID
	Resident string
	Purpose  string
}

type createDebtRequest struct {
	Tenant   tenant.ID
	Resident string
	Debt     NewDebt
}

type updateDebtRequest struct {
	Tenant   tenant.ID
	Resident string
	Debt     string
	Version  int
	Changes  DebtChanges
}

type itemRequest struct {
	Tenant tenant.ID
	ID     string
}

type contactRequest struct {
	Tenant tenant.ID
	ID     string
	At     time.Time // zero: now
}

type linkRequest struct {
	Tenant     tenant.ID
	ID         string
	ResidentID string
}

type requestRequest struct {
	Tenant  tenant.ID
	Request NewRequest
}

type planRequest struct {
	Tenant   tenant.ID
	Resident string
	Plan     NewPlan
}

type trajectRequest struct {
	Tenant   tenant.ID
	Resident string
	Traject  NewTraject
}

type offerRequest struct {
	Tenant   tenant.ID
	Resident string
	Creditor string
	Accept   bool
}

type signalRequest struct {
	Tenant tenant.ID
	Signal NewSignal
}

type apiDebt struct {
	ID           string `json:"id"`
	ResidentID   string `json:"resident_id"`
	CreditorID   string `json:"creditor_id"`
	Reference    string `json:"reference"`
	ClaimCents   int64  `json:"claim_cents"`
	BalanceCents int64  `json:"balance_cents"`
	Preferent    bool   `json:"preferent"`
	Status       string `json:"status"`
	Source       string `json:"source"`
	Version      int    `json:"version"`
	CreatedAt    string `json:"created_at"`
	UpdatedAt    string `json:"updated_at"`
}

type debtList struct {
	Debts []apiDebt `json:"debts"`
}

func toDebtList(ds []Debt) debtList { return debtList{Debts: httpapi.List(ds, toAPIDebt)} }

func toAPIDebt(d Debt) apiDebt {
	return apiDebt{ID: d.ID, ResidentID: d.ResidentID, CreditorID: d.CreditorID, Reference: d.Reference,
		ClaimCents: int64(d.Claim), BalanceCents: int64(d.Balance), Preferent: d.Preferent, Status: string(d.Status),
		Source: string(d.Source), Version: d.Version, CreatedAt: stamp(d.CreatedAt), UpdatedAt: stamp(d.UpdatedAt)}
}

// apiSignal is a signal as its creditor sees it: nothing says whether it matched a
// resident (whether someone is known to the gemeente is not the creditor's business).
type apiSignal struct {
	ID            string `json:"id"`
	Reference     string `json:"reference"`
	AmountCents   int64  `json:"amount_cents"`
	DaysInArrears int    `json:"days_in_arrears"`
	Threat        string `json:"threat"`
	ReportedAt    string `json:"reported_at"`
	ReceivedAt    string `json:"received_at"`
	Deadline      string `json:"deadline"`
	Status        string `json:"status"`
}

func toAPISignal(s Signal) apiSignal {
	return apiSignal{ID: s.ID, Reference: s.Reference, AmountCents: int64(s.Amount), DaysInArrears: s.DaysInArrears,
		Threat: string(s.Threat), ReportedAt: stamp(s.ReportedAt), ReceivedAt: stamp(s.ReceivedAt),
		Deadline: s.Deadline.Format(time.DateOnly), Status: string(s.Status)}
}

type apiQueueItem struct {
	Kind           string  `json:"kind"`
	ID             string  `json:"id"`
	Step           string  `json:"step"`
	ResidentID     string  `json:"resident_id,omitempty"`
	ContactName    string  `json:"contact_name,omitempty"`
	CreditorID     string  `json:"creditor_id,omitempty"`
	AmountCents    int64   `json:"amount_cents,omitempty"`
	Threat         string  `json:"threat"`
	ReceivedAt     string  `json:"received_at"`
	Deadline       string  `json:"deadline"`
	DaysLeft       int     `json:"days_left"`
	Overdue        bool    `json:"overdue"`
	FirstContactAt *string `json:"first_contact_at"`
	Status         string  `json:"status"`
	Note           string  `json:"note,omitempty"`
}

type queueList struct {
	Items []apiQueueItem `json:"items"`
}

func toQueueList(items []QueueItem) queueList {
	return queueList{Items: httpapi.List(items, toAPIQueueItem)}
}

func toAPIQueueItem(it QueueItem) apiQueueItem {
	return apiQueueItem{Kind: string(it.Kind), ID: it.ID, Step: string(it.Step), ResidentID: it.ResidentID,
		ContactName: it.ContactName, CreditorID: it.CreditorID, AmountCents: int64(it.Amount), Threat: string(it.Threat),
		ReceivedAt: stamp(it.ReceivedAt), Deadline: it.Deadline.Format(time.DateOnly), DaysLeft: it.DaysLeft,
		Overdue: it.Overdue, FirstContactAt: stampPtr(it.FirstContactAt), Status: it.Status, Note: it.Note}
}

type acceptResponse struct {
	RequestID string `json:"request_id"`
}

type apiPlan struct {
	ResidentID        string  `json:"resident_id"`
	FirstConversation string  `json:"first_conversation"`
	Deadline          string  `json:"deadline"`
	Situation         string  `json:"situation"`
	Goals             string  `json:"goals"`
	Actions           string  `json:"actions"`
	Status            string  `json:"status"`
	DecidedAt         *string `json:"decided_at"`
	DecidedBy         string  `json:"decided_by,omitempty"`
}

func toAPIPlan(p Plan) apiPlan {
	return apiPlan{ResidentID: p.ResidentID, FirstConversation: p.FirstConversation.Format(time.DateOnly),
		Deadline: p.Deadline.Format(time.DateOnly), Situation: p.Situation, Goals: p.Goals, Actions: p.Actions,
		Status: p.Status, DecidedAt: stampPtr(p.DecidedAt), DecidedBy: p.DecidedBy}
}

type apiInstallment struct {
	From        string `json:"from,omitempty"` // YYYY-MM, once the start is known
	Months      int    `json:"months"`
	AmountCents int64  `json:"amount_cents"`
}

type apiOffer struct {
	DebtID       string           `json:"debt_id"`
	CreditorID   string           `json:"creditor_id"`
	Reference    string           `json:"reference"`
	ClaimCents   int64            `json:"claim_cents"`
	Preferent    bool             `json:"preferent"`
	OfferedCents int64            `json:"offered_cents"`
	Status       string           `json:"status"`
	DecidedAt    *string          `json:"decided_at"`
	Monthly      []apiInstallment `json:"monthly"`
	PlanIDs      []string         `json:"plan_ids"`
}

type apiTraject struct {
	ID                    string     `json:"id"`
	ResidentID            string     `json:"resident_id"`
	CapacityCentsPerMonth int64      `json:"capacity_cents_per_month"`
	Months                int        `json:"months"`
	PreferentFactor       int64      `json:"preferent_factor"`
	PoolCents             int64      `json:"pool_cents"`
	Status                string     `json:"status"`
	StartPeriod           string     `json:"start_period,omitempty"`
	CreatedAt             string     `json:"created_at"`
	DecidedAt             *string    `json:"decided_at"`
	Offers                []apiOffer `json:"offers"`
}

func toAPITraject(tr Traject) apiTraject {
	a := apiTraject{ID: tr.ID, ResidentID: tr.ResidentID, CapacityCentsPerMonth: int64(tr.CapacityPerMonth),
		Months: tr.Months, PreferentFactor: tr.PreferentFactor, PoolCents: int64(tr.Pool), Status: string(tr.Status),
		StartPeriod: tr.StartPeriod, CreatedAt: stamp(tr.CreatedAt), DecidedAt: stampPtr(tr.DecidedAt), Offers: []apiOffer{}}
	schedule := Schedule(offeredOf(tr), tr.Months)
	for k, o := range tr.Offers {
		ao := apiOffer{DebtID: o.DebtID, CreditorID: o.CreditorID, Reference: o.Reference, ClaimCents: int64(o.Claim),
			Preferent: o.Preferent, OfferedCents: int64(o.Offered), Status: string(o.Status), DecidedAt: stampPtr(o.DecidedAt),
			Monthly: []apiInstallment{}, PlanIDs: append([]string{}, o.PlanIDs...)}
		for _, in := range schedule[k] {
			ai := apiInstallment{Months: in.Months, AmountCents: int64(in.Amount)}
			if tr.StartPeriod != "" {
				ai.From = addMonths(tr.StartPeriod, in.Offset)
			}
			ao.Monthly = append(ao.Monthly, ai)
		}
		a.Offers = append(a.Offers, ao)
	}
	return a
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func stampPtr(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := stamp(*t)
	return &s
}
