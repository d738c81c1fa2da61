package creditors

import (
	"context"
	"net/http"
	"time"

	"github.com/go-kit/kit/endpoint"

	"github.com/plein-nl/plein/platform/httpapi"
	"github.com/plein-nl/plein/platform/tenant"
)

// Endpoints are the service's go-kit endpoints: the staff API.
type Endpoints struct {
	List   endpoint.Endpoint
	Get    endpoint.Endpoint
	Create endpoint.Endpoint
}

// MakeEndpoints wraps each staff method of s in an endpoint, with mw applied to each
// (instrumenting, logging) under the method's name.
func MakeEndpoints(s Service, mw httpapi.Middleware) Endpoints {
	return Endpoints{
		List: mw.Wrap("List", httpapi.Endpoint(func(ctx context.Context, r listRequest) ([]Creditor, error) {
			return s.List(ctx, r.Tenant)
		}, func(cs []Creditor) listResponse { return listResponse{Creditors: httpapi.List(cs, toAPI)} })),
		Get: mw.Wrap("Get", httpapi.Endpoint(func(ctx context.Context, r getRequest) (Creditor, error) {
			return s.Get(ctx, r.Tenant, r.ID)
		}, toAPI)),
		Create: mw.Wrap("Create", func(ctx context.Context, req any) (any, error) {
			r := req.(createRequest)
			c, err := s.Create(ctx, r.Tenant, r.Creditor)
			if err != nil {
				return nil, err
			}
			return httpapi.Response{Status: http.StatusCreated, Location: "/api/v1/tenants/" + string(r.Tenant) + "/creditors/" + c.ID,
				Body: toAPI(c)}, nil
		}),
	}
}

type listRequest struct{ Tenant tenant.ID }

type getRequest struct {
	Tenant tenant.ID
	ID     string
}

type createRequest struct {
	Tenant   tenant.ID
	Creditor NewCreditor
}

// apiCreditor is a creditor as the staff API shows it.
type apiCreditor struct {
	ID          string       `json:"id"`
	Name        string       `json:"name"`
	Brand       string       `json:"brand,omitempty"`
	DisplayName string       `json:"display_name"`
	Kind        string       `json:"kind"`
	IBAN        string       `json:"iban"`
	Example     bool         `json:"example"`
	Catalogue   bool         `json:"catalogue"`
	Reference   apiReference `json:"reference"`
	WebhookURL  string       `json:"webhook_url,omitempty"`
	CreatedAt   string       `json:"created_at,omitempty"`
}

type apiReference struct {
	Name    string `json:"name"`
	Pattern string `json:"pattern"`
	Hint    string `json:"hint"`
	HintEN  string `json:"hint_en,omitempty"`
}

// toAPI is the converter to the staff API's view.
func toAPI(c Creditor) apiCreditor {
	a := apiCreditor{ID: c.ID, Name: c.Name, Brand: c.Brand, DisplayName: c.DisplayName(), Kind: string(c.Kind),
		IBAN: c.IBAN.String(), Example: c.Example, Catalogue: c.Catalogue,
		Reference:  apiReference{Name: c.Reference.Name, Pattern: c.Reference.Pattern, Hint: c.Reference.Hint, HintEN: c.Reference.HintEN},
		WebhookURL: c.WebhookURL}
	if !c.CreatedAt.IsZero() {
		a.CreatedAt = c.CreatedAt.UTC().Format(time.RFC3339)
	}
	return a
}

type listResponse struct {
	Creditors []apiCreditor `json:"creditors"`
}
