package residents

import (
	"context"
	"net/http"
	"time"

	"github.com/go-kit/kit/endpoint"

	"github.com/plein-nl/plein/platform/httpapi"
	"github.com/plein-nl/plein/platform/tenant"
)

// Endpoints are the service's go-kit endpoints: the staff API. Household and
// GetForSelf have none on purpose: they are not for staff.
type Endpoints struct {
	Create    endpoint.Endpoint
	Get       endpoint.Endpoint
	FindByBSN endpoint.Endpoint
	Update    endpoint.Endpoint
}

// MakeEndpoints wraps each staff method of s in an endpoint, with mw applied to each
// (instrumenting, logging) under the method's name. An answer carries the resident's
// version as ETag, for If-Match; a new one its Location too.
func MakeEndpoints(s Service, mw httpapi.Middleware) Endpoints {
	read := func(res Resident) httpapi.Response { return httpapi.Response{Version: res.Version, Body: toAPI(res)} }
	return Endpoints{
		Create: mw.Wrap("Create", func(ctx context.Context, req any) (any, error) {
			r := req.(createRequest)
			res, err := s.Create(ctx, r.Tenant, r.Resident)
			if err != nil {
				return nil, err
			}
			return httpapi.Response{Status: http.StatusCreated, Location: residentPath(r.Tenant, res.ID), Version: res.Version,
				Body: toAPI(res)}, nil
		}),
		Get: mw.Wrap("Get", httpapi.Endpoint(func(ctx context.Context, r getRequest) (Resident, error) {
			return s.Get(ctx, r.Tenant, r.ID, r.Purpose)
		}, read)),
		FindByBSN: mw.Wrap("FindByBSN", httpapi.Endpoint(func(ctx context.Context, r findRequest) (Resident, error) {
			return s.FindByBSN(ctx, r.Tenant, string(r.BSN), r.Purpose)
		}, read)),
		Update: mw.Wrap("Update", httpapi.Endpoint(func(ctx context.Context, r updateRequest) (Resident, error) {
			return s.Update(ctx, r.Tenant, r.ID, r.Version, r.Changes)
		}, read)),
	}
}

type createRequest struct {
	Tenant   tenant.ID
	Resident NewResident
}

type getRequest struct {
	Tenant  tenant.ID
	ID      string
	Purpose string
}

type findRequest struct {
	Tenant  tenant.ID
	BSN     BSNInput
	Purpose string
}

type updateRequest struct {
	Tenant  tenant.ID
	ID      string
	Version int
	Changes Changes
}

// apiResident is a resident as the staff API shows it: the BSN masked only.
type apiResident struct {
	ID                   string         `json:"id"`
	Name                 string         `json:"name"`
	BirthDate            string         `json:"birth_date"`
	BSNMasked            string         `json:"bsn_masked"`
	IBAN                 string         `json:"iban"`
	HouseholdKind        string         `json:"household_kind"`
	Institution          bool           `json:"institution"`
	ParentsCannotSupport bool           `json:"parents_cannot_support"`
	NMonthsUsed          int            `json:"n_months_used"`
	RMonthsUsed          int            `json:"r_months_used"`
	MedischUrenbeperkt   bool           `json:"medisch_urenbeperkt"`
	Partner              *apiPartner    `json:"partner"`
	Children             []apiChild     `json:"children"`
	Housemates           []apiHousemate `json:"housemates"`
	Version              int            `json:"version"`
	CreatedAt            string         `json:"created_at"`
	UpdatedAt            string         `json:"updated_at"`
}

type apiPartner struct {
	Name               string `json:"name"`
	BirthDate          string `json:"birth_date"`
	BSNMasked          string `json:"bsn_masked"`
	NMonthsUsed        int    `json:"n_months_used"`
	RMonthsUsed        int    `json:"r_months_used"`
	MedischUrenbeperkt bool   `json:"medisch_urenbeperkt"`
}

type apiChild struct {
	BirthDate string `json:"birth_date"`
}

type apiHousemate struct {
	BirthDate   string `json:"birth_date"`
	CostSharer  bool   `json:"cost_sharer"`
	Description string `json:"description"`
}

// toAPI is the converter to the staff API's view.
func toAPI(r Resident) apiResident {
	a := apiResident{
		ID: r.ID, Name: r.Name, BirthDate: r.BirthDate.Format(dateLayout), BSNMasked: r.BSN.String(),
		IBAN: r.IBAN.String(), HouseholdKind: string(r.Kind), Institution: r.Institution,
		ParentsCannotSupport: r.ParentsCannotSupport, NMonthsUsed: r.NMonthsUsed, RMonthsUsed: r.RMonthsUsed,
		MedischUrenbeperkt: r.MedischUrenbeperkt, Children: []apiChild{}, Housemates: []apiHousemate{},
		Version: r.Version, CreatedAt: r.CreatedAt.UTC().Format(time.RFC3339), UpdatedAt: r.UpdatedAt.UTC().Format(time.RFC3339),
	}
	if p := r.Partner; p != nil {
		a.Partner = &apiPartner{Name: p.Name, BirthDate: p.BirthDate.Format(dateLayout), BSNMasked: p.BSN.String(),
			NMonthsUsed: p.NMonthsUsed, RMonthsUsed: p.RMonthsUsed, MedischUrenbeperkt: p.MedischUrenbeperkt}
	}
	for _, c := range r.Children {
		a.Children = append(a.Children, apiChild{BirthDate: c.BirthDate.Format(dateLayout)})
	}
	for _, h := range r.Housemates {
		a.Housemates = append(a.Housemates, apiHousemate{BirthDate: h.BirthDate.Format(dateLayout),
			CostSharer: h.CostSharer, Description: h.Description})
	}
	return a
}

func residentPath(t tenant.ID, id string) string {
	return "/api/v1/tenants/" + string(t) + "/residents/" + id
}
